// JSON string escaping, for the JSON written without a library (audit records, diagnostics,
// the journal): RFC 8259's escapes, control characters as \u00XX.
#pragma once

#include <string>
#include <string_view>

namespace skippy::base {

// Escapes a string for a JSON string literal (without the quotes).
std::string json_escape(std::string_view text);

}  // namespace skippy::base
