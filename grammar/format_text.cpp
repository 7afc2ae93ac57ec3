#include "grammar/format_text.hpp"

#include "dsl/ast_dump.hpp"
#include "dsl/format.hpp"
#include "grammar/load.hpp"

namespace skippy::grammar {

FormatOutcome format_text(const std::string& path, const std::string& text,
                          dsl::SourceManager& sources, dsl::Diagnostics& diagnostics,
                          std::string& formatted) {
  auto module = load_text(path, text, sources, diagnostics);
  if (diagnostics.has_errors()) return FormatOutcome::SyntaxErrors;
  formatted = dsl::format_module(module, sources.file(module.file));
  dsl::Diagnostics again;
  auto reparsed = load_text(path, formatted, sources, again);
  if (again.has_errors() || dsl::dump_module(reparsed) != dsl::dump_module(module))
    return FormatOutcome::MeaningChanged;
  return FormatOutcome::Formatted;
}

}  // namespace skippy::grammar
