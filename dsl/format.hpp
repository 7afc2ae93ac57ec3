// The canonical layout of .skippy files (`skippy fmt`).
#pragma once

#include <string>

#include "dsl/ast.hpp"
#include "dsl/source.hpp"

namespace skippy::dsl {

// Prints `module` in the canonical layout: two-space indent, one clause per line, single
// spaces around operators, at most one blank line in a row, every comment kept. A comment
// inside a clause that spans lines moves to the line before that clause.
// `file` is the module's source, read for comments and blank lines.
std::string format_module(const Module& module, const SourceFile& file);

// Prints one expression as the formatter would, adding parentheses only where needed.
std::string format_expr(const Expr& expr);

// Writes `value` as a double-quoted string with \" \\ \n \t \r escapes.
std::string quote_string(std::string_view value);

}  // namespace skippy::dsl
