// Parsing one source file into a dsl::Module.
#pragma once

#include "dsl/ast.hpp"
#include "dsl/diagnostics.hpp"
#include "dsl/source.hpp"

namespace skippy::grammar {

// Parses `file` into a Module. Every syntax error becomes a located diagnostic and parsing
// resumes at the next declaration, clause or statement, so the Module holds every part of
// the file that parsed. Never throws for any input.
dsl::Module parse_module(const dsl::SourceFile& file, dsl::Diagnostics& diagnostics);

}  // namespace skippy::grammar
