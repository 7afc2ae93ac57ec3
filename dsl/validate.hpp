// Structural checks the front end makes on a parsed program: duplicates, clauses that may
// appear once, known kinds/modes/aggregations, well-formed names and bounds. Name resolution
// and types are the compiler's checker's work.
#pragma once

#include "dsl/ast.hpp"
#include "dsl/diagnostics.hpp"

namespace skippy::dsl {

void validate_program(const Program& program, Diagnostics& diagnostics);

// Levenshtein distance, for "did you mean" notes.
std::size_t edit_distance(std::string_view a, std::string_view b);

// A Kubernetes namespace name: lower case letters, digits and `-`, up to 63 characters,
// starting and ending with a letter or digit.
bool valid_namespace_name(std::string_view name);

}  // namespace skippy::dsl
