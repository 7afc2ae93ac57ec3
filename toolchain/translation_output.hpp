// What `skippy translate` writes for one translated HealingPolicy: its Skippy source in the
// canonical layout of `skippy fmt`, checked by the compiler as `skippy check` would. A
// library, so that the tests check the corpus through the same steps.
#pragma once

#include <string>

#include "translate/translate.hpp"

namespace skippy::toolchain {

struct TranslationOutput {
  std::string file_name;  // STEM.skippy
  std::string text;       // canonical source; empty when `problem` is set
  // Empty when the text formats and compiles without errors or warnings; otherwise what
  // went wrong (the compiler's diagnostics), which is a bug of the translator.
  std::string problem;
};

TranslationOutput translation_output(const translate::TranslatedPolicy& policy);

// What to report when a translation does not check clean: `PATH:LINE: internal error: ...`
// and the compiler's diagnostics.
std::string translation_problem(const std::string& path, const translate::TranslatedPolicy& policy,
                                const TranslationOutput& output);

}  // namespace skippy::toolchain
