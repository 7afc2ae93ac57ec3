// Turns the parse tree of one file into the AST. Internal to the grammar library.
#pragma once

#include <tao/pegtl/contrib/parse_tree.hpp>

#include "dsl/ast.hpp"
#include "dsl/diagnostics.hpp"
#include "dsl/source.hpp"

namespace skippy::grammar {

// Appends the declarations under `root` to `module`. Literal errors (a bad duration, an
// expression nested too deep) become diagnostics; the node that held them is left out.
void build_module(const tao::pegtl::parse_tree::node& root, const dsl::SourceFile& file,
                  dsl::Module& module, dsl::Diagnostics& diagnostics);

}  // namespace skippy::grammar
