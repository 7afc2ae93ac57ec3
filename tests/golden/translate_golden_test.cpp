// The translation of the upstream HealingPolicy corpus, read in place (SKIPPY_CRD_CORPUS):
// for every manifest NAME.yaml, the Skippy text of each policy it holds is pinned in
// tests/golden/translate/NAME.STEM.skippy and its findings in NAME.findings. Every text must
// be in canonical layout and compile without errors or warnings. SKIPPY_UPDATE_GOLDEN=1
// rewrites the pinned files.
#define BOOST_TEST_MODULE translate_golden
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/translate_output.hpp"
#include "dsl/diagnostics.hpp"
#include "grammar/format_text.hpp"
#include "translate/translate.hpp"

using namespace skippy;
namespace fs = std::filesystem;

namespace {

fs::path golden_dir() {
  return fs::path(SKIPPY_SOURCE_DIR) / "tests" / "golden" / "translate";
}

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<fs::path> manifests() {
  std::vector<fs::path> out;
  if (!fs::is_directory(SKIPPY_CRD_CORPUS)) return out;
  for (const auto& e : fs::directory_iterator(SKIPPY_CRD_CORPUS))
    if (e.path().extension() == ".yaml") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

// Compares `actual` with the pinned file, or rewrites it.
void pinned(const fs::path& file, const std::string& actual, bool update) {
  if (update) {
    std::ofstream(file, std::ios::binary) << actual;
    return;
  }
  BOOST_REQUIRE_MESSAGE(fs::exists(file), "missing " + file.string());
  BOOST_TEST(actual == read(file), file.filename().string() << " differs");
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_corpus_policy_translates_formatted_and_compiling_as_pinned) {
  bool update = std::getenv("SKIPPY_UPDATE_GOLDEN") != nullptr;
  auto files = manifests();
  BOOST_REQUIRE_MESSAGE(files.size() == 19u, "the corpus at " SKIPPY_CRD_CORPUS " holds "
                                                 << files.size() << " manifests, not 19");
  std::size_t policies = 0;
  for (const auto& path : files) {
    std::string stem = path.stem().string();
    BOOST_TEST_CONTEXT(path.filename().string()) {
      // Named by its file name only, so the pinned findings do not depend on the machine.
      auto translation = translate::translate_manifests(path.filename().string(), read(path));
      BOOST_TEST(!translation.unreadable);
      std::string findings;
      for (const auto& f : translation.findings) findings += translate::render_finding(f) + "\n";
      pinned(golden_dir() / (stem + ".findings"), findings, update);
      for (const auto& policy : translation.policies) {
        auto output = cli::translation_output(policy);
        BOOST_TEST(output.problem.empty(), policy.name << ":\n" << output.problem);
        // Canonical: formatting the text again changes nothing.
        dsl::SourceManager sources;
        dsl::Diagnostics diagnostics;
        std::string again;
        BOOST_TEST((grammar::format_text(output.file_name, output.text, sources, diagnostics,
                                         again) == grammar::FormatOutcome::Formatted));
        BOOST_TEST(again == output.text);
        pinned(golden_dir() / (stem + "." + output.file_name), output.text, update);
        ++policies;
      }
    }
  }
  BOOST_TEST(policies == 25u, "HealingPolicy documents translated: " << policies);
}
