// Translations pinned in golden files, from two sets of HealingPolicy manifests:
//  - the fixtures written for these tests (tests/fixtures/healing-policies/), always present:
//    each manifest NAME.yaml pinned in tests/golden/translate-fixtures/;
//  - the upstream corpus, read in place (SKIPPY_CRD_CORPUS, beside a development checkout):
//    pinned in tests/golden/translate/. Its cases carry the label `corpus`; CTest runs them as
//    a test of their own, reported skipped when the corpus is absent.
// For every manifest, the Skippy text of each policy it holds is pinned in
// DIR/NAME.STEM.skippy and its findings in DIR/NAME.findings. Every text must be in canonical
// layout and compile without errors or warnings. SKIPPY_UPDATE_GOLDEN=1 rewrites the pinned
// files. A last case, which needs no corpus, checks that the fixtures produce a finding of
// every shape the pinned corpus findings hold, so a fresh clone still tests every rule the
// corpus exercises.
#define BOOST_TEST_MODULE translate_golden
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "dsl/diagnostics.hpp"
#include "grammar/format_text.hpp"
#include "toolchain/translation_output.hpp"
#include "translate/translate.hpp"

using namespace skippy;
namespace fs = std::filesystem;

namespace {

const fs::path kSource = SKIPPY_SOURCE_DIR;
const fs::path kFixtures = kSource / "tests" / "fixtures" / "healing-policies";

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<fs::path> files_in(const fs::path& dir, const std::string& extension) {
  std::vector<fs::path> out;
  if (!fs::is_directory(dir)) return out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == extension) out.push_back(e.path());
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

// Translates every manifest of `files`, checks each text and pins it in `golden`; returns
// how many HealingPolicy documents were translated.
std::size_t translate_and_pin(const std::vector<fs::path>& files, const fs::path& golden) {
  bool update = std::getenv("SKIPPY_UPDATE_GOLDEN") != nullptr;
  if (update) fs::create_directories(golden);
  std::size_t policies = 0;
  for (const auto& path : files) {
    std::string stem = path.stem().string();
    BOOST_TEST_CONTEXT(path.filename().string()) {
      // Named by its file name only, so the pinned findings do not depend on the machine.
      auto translation = translate::translate_manifests(path.filename().string(), read(path));
      BOOST_TEST(!translation.unreadable);
      std::string findings;
      for (const auto& f : translation.findings) findings += translate::render_finding(f) + "\n";
      pinned(golden / (stem + ".findings"), findings, update);
      for (const auto& policy : translation.policies) {
        auto output = toolchain::translation_output(policy);
        BOOST_TEST(output.problem.empty(), policy.name << ":\n" << output.problem);
        // Canonical: formatting the text again changes nothing.
        dsl::SourceManager sources;
        dsl::Diagnostics diagnostics;
        std::string again;
        BOOST_TEST((grammar::format_text(output.file_name, output.text, sources, diagnostics,
                                         again) == grammar::FormatOutcome::Formatted));
        BOOST_TEST(again == output.text);
        pinned(golden / (stem + "." + output.file_name), output.text, update);
        ++policies;
      }
    }
  }
  return policies;
}

// What a finding says, less what varies between inputs: the file and line, list indices,
// the text between backquotes, durations, numbers and generated names.
std::string shape(std::string line) {
  static const std::regex location(R"(^[^:]+:[0-9]+: )");
  static const std::regex index(R"(\[[0-9]+\])");
  static const std::regex quoted("`[^`]*`");
  static const std::regex duration(R"(\b[0-9]+(ms|s|m|h|d)([0-9]+(ms|s|m|h))*\b)");
  static const std::regex number(R"([0-9]+(\.[0-9]+)?)");
  static const std::regex name(R"(\b[a-z][a-z0-9]*(_[a-z0-9]+)+\b)");
  line = std::regex_replace(line, location, "");
  line = std::regex_replace(line, index, "[]");
  line = std::regex_replace(line, quoted, "`X`");
  line = std::regex_replace(line, duration, "D");
  line = std::regex_replace(line, number, "N");
  return std::regex_replace(line, name, "NAME");
}

std::set<std::string> shapes_in(const fs::path& dir) {
  std::set<std::string> out;
  for (const auto& file : files_in(dir, ".findings")) {
    std::istringstream in(read(file));
    for (std::string line; std::getline(in, line);)
      if (!line.empty()) out.insert(shape(line));
  }
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_fixture_translates_formatted_and_compiling_as_pinned) {
  auto files = files_in(kFixtures, ".yaml");
  BOOST_REQUIRE_MESSAGE(files.size() == 6u,
                        kFixtures << " holds " << files.size() << " manifests, not 6");
  BOOST_TEST(translate_and_pin(files, kSource / "tests" / "golden" / "translate-fixtures") == 6u,
             "HealingPolicy documents translated");
}

BOOST_AUTO_TEST_CASE(the_fixtures_exercise_every_finding_the_corpus_does) {
  auto corpus = shapes_in(kSource / "tests" / "golden" / "translate");
  auto fixtures = shapes_in(kSource / "tests" / "golden" / "translate-fixtures");
  BOOST_REQUIRE(!corpus.empty());
  std::vector<std::string> missing;
  std::set_difference(corpus.begin(), corpus.end(), fixtures.begin(), fixtures.end(),
                      std::back_inserter(missing));
  for (const auto& m : missing) BOOST_ERROR("no fixture has a finding like: " << m);
  // The normalisation keeps findings apart: the corpus alone has dozens of shapes.
  BOOST_TEST(corpus.size() >= 30u);
}

BOOST_AUTO_TEST_CASE(every_corpus_policy_translates_formatted_and_compiling_as_pinned,
                     *boost::unit_test::label("corpus")) {
  auto files = files_in(SKIPPY_CRD_CORPUS, ".yaml");
  BOOST_REQUIRE_MESSAGE(files.size() == 19u, "the corpus at " SKIPPY_CRD_CORPUS " holds "
                                                 << files.size() << " manifests, not 19");
  BOOST_TEST(translate_and_pin(files, kSource / "tests" / "golden" / "translate") == 25u,
             "HealingPolicy documents translated");
}
