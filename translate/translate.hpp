// `skippy translate`: KubeSkippy HealingPolicy manifests into the Skippy language.
//
// Each HealingPolicy document of a (multi-document) YAML file becomes one Skippy source
// text, holding one policy per resource kind it selects; documents of other kinds are
// skipped with a note. Every field of the upstream schema is mapped (docs/translate.md);
// what could not be kept as it was, or was broken upstream, is a located finding and a
// comment in the output. Nothing throws for any input.
//
// The text is not in canonical layout yet: format it with the formatter of `skippy fmt`
// (parse it, then dsl::format_module), as the CLI does.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "translate/finding.hpp"

namespace skippy::translate {

struct TranslatedPolicy {
  std::string name;        // metadata.name, as written
  std::string file_stem;   // metadata.name as a Skippy identifier: the output file's name
  std::string source;      // Skippy source text
  std::uint32_t line = 0;  // where the document starts
};

struct Translation {
  std::vector<TranslatedPolicy> policies;  // one per HealingPolicy that could be translated
  std::vector<Finding> findings;           // in the order found, each once
  bool unreadable = false;                 // the text is not YAML (an error says where)
};

Translation translate_manifests(const std::string& path, std::string_view text);

// No error and no warning: the file translates without a change of meaning worth a word.
bool translates_cleanly(const Translation& translation);

}  // namespace skippy::translate
