// Diagnostics as people and CI read them: compiler-style text, JSON, and SARIF 2.1.0.
#pragma once

#include <cstdint>

#include <string>

#include "dsl/diagnostics.hpp"
#include "dsl/source.hpp"

namespace skippy::dsl {

struct TextStyle {
  bool color = false;
};

// file:line:col: error[E0101]: message, then the source line with a caret under the span,
// then notes. Diagnostics must refer to files in `sources`.
std::string render_text(const Diagnostics& diagnostics, const SourceManager& sources,
                        TextStyle style = {});

// {"diagnostics":[{"code","severity","message","file","line","column","end_line",
//  "end_column","notes":[...]}], "errors":N, "warnings":N}
std::string render_json(const Diagnostics& diagnostics, const SourceManager& sources);

// A SARIF 2.1.0 log with one run; rules are the codes used, results the diagnostics.
std::string render_sarif(const Diagnostics& diagnostics, const SourceManager& sources,
                         std::string_view tool_version);

}  // namespace skippy::dsl
