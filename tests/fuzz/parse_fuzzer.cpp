// Fuzzes the whole front end: load, parse, validate, render, and for inputs that parse
// cleanly, the formatter's promises (meaning kept, idempotent). Any broken promise aborts.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "dsl/ast_dump.hpp"
#include "dsl/format.hpp"
#include "dsl/render.hpp"
#include "dsl/validate.hpp"
#include "grammar/load.hpp"

using namespace skippy;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  dsl::SourceManager sources;
  dsl::Diagnostics diagnostics;
  std::string text(reinterpret_cast<const char*>(data), size);
  dsl::Program program;
  program.modules.push_back(grammar::load_text("fuzz.skippy", text, sources, diagnostics));
  dsl::validate_program(program, diagnostics);
  diagnostics.sort();
  (void)dsl::render_text(diagnostics, sources);
  (void)dsl::render_json(diagnostics, sources);
  (void)dsl::render_sarif(diagnostics, sources, "fuzz");
  for (const auto& d : diagnostics.all()) {
    if (d.span.begin > d.span.end || d.span.end > sources.file(d.span.file).text().size())
      std::abort();
  }

  // Formatting applies to files without syntax errors.
  dsl::Diagnostics syntax;
  dsl::SourceManager s1;
  auto module = grammar::load_text("a.skippy", text, s1, syntax);
  if (syntax.has_errors()) return 0;
  std::string once = dsl::format_module(module, s1.file(module.file));
  dsl::Diagnostics d2;
  auto reparsed = grammar::load_text("b.skippy", once, s1, d2);
  if (d2.has_errors()) std::abort();                                         // fmt broke it
  if (dsl::dump_module(reparsed) != dsl::dump_module(module)) std::abort();  // meaning changed
  if (dsl::format_module(reparsed, s1.file(reparsed.file)) != once) std::abort();  // not idempotent
  return 0;
}
