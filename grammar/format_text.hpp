// Formatting source text: parse it, print it in the canonical layout, and make sure the
// printed text parses to the same program. `skippy fmt` and `skippy translate` use it.
#pragma once

#include <string>

#include "dsl/diagnostics.hpp"
#include "dsl/source.hpp"

namespace skippy::grammar {

enum class FormatOutcome {
  Formatted,       // `formatted` holds the canonical text
  SyntaxErrors,    // the text does not parse; `diagnostics` says why
  MeaningChanged,  // the canonical text would parse to another program (a formatter bug)
};

// `path` names the text in diagnostics; the parsed files are added to `sources`.
FormatOutcome format_text(const std::string& path, const std::string& text,
                          dsl::SourceManager& sources, dsl::Diagnostics& diagnostics,
                          std::string& formatted);

}  // namespace skippy::grammar
