// Fuzzes the HealingPolicy translator: whatever the YAML, it never crashes, every finding
// names the file, and every policy it writes parses and formats (`skippy fmt`'s promise:
// meaning kept).
#include <cstdint>
#include <cstdlib>
#include <string>

#include "dsl/diagnostics.hpp"
#include "grammar/format_text.hpp"
#include "translate/translate.hpp"

using namespace skippy;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto translation = translate::translate_manifests("fuzz.yaml", text);
  for (const auto& f : translation.findings) {
    if (translate::render_finding(f).rfind("fuzz.yaml:", 0) != 0) std::abort();
  }
  for (const auto& policy : translation.policies) {
    dsl::SourceManager sources;
    dsl::Diagnostics diagnostics;
    std::string formatted;
    if (grammar::format_text(policy.file_stem + ".skippy", policy.source, sources, diagnostics,
                             formatted) != grammar::FormatOutcome::Formatted)
      std::abort();
  }
  return 0;
}
