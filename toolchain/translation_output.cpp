#include "toolchain/translation_output.hpp"

#include "compiler/compile.hpp"
#include "dsl/render.hpp"
#include "dsl/validate.hpp"
#include "grammar/format_text.hpp"
#include "grammar/load.hpp"

namespace skippy::toolchain {

TranslationOutput translation_output(const translate::TranslatedPolicy& policy) {
  TranslationOutput out;
  out.file_name = policy.file_stem + ".skippy";
  dsl::SourceManager sources;
  dsl::Diagnostics diagnostics;
  std::string formatted;
  auto outcome =
      grammar::format_text(out.file_name, policy.source, sources, diagnostics, formatted);
  if (outcome != grammar::FormatOutcome::Formatted) {
    diagnostics.sort();
    out.problem = outcome == grammar::FormatOutcome::SyntaxErrors
                      ? dsl::render_text(diagnostics, sources)
                      : "the formatter would change the translation's meaning\n";
    return out;
  }
  dsl::Program program;
  program.modules.push_back(grammar::load_text(out.file_name, formatted, sources, diagnostics));
  dsl::validate_program(program, diagnostics);
  (void)compiler::compile_program(program, sources, diagnostics);
  if (!diagnostics.all().empty()) {
    diagnostics.sort();
    out.problem = dsl::render_text(diagnostics, sources);
    return out;
  }
  out.text = std::move(formatted);
  return out;
}

std::string translation_problem(const std::string& path, const translate::TranslatedPolicy& policy,
                                const TranslationOutput& output) {
  return path + ":" + std::to_string(policy.line) + ": internal error: the translation of `" +
         policy.name + "` does not check clean:\n" + output.problem;
}

}  // namespace skippy::toolchain
