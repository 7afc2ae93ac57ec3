// Golden diagnostics: each tests/golden/diagnostics/NAME.skippy holds one mistake; the
// diagnostics of the whole `skippy check` pipeline (parse, validate, compile) must equal
// NAME.expected. SKIPPY_UPDATE_GOLDEN=1 rewrites them.
#define BOOST_TEST_MODULE golden
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "compiler/compile.hpp"
#include "dsl/render.hpp"
#include "dsl/validate.hpp"
#include "grammar/load.hpp"
#include "runtime/bytecode/disasm.hpp"
#include "stdlib/builtins/functions.hpp"

using namespace skippy;
namespace fs = std::filesystem;

namespace {

fs::path golden_dir() {
  return fs::path(SKIPPY_SOURCE_DIR) / "tests" / "golden" / "diagnostics";
}

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Rendered {
  std::string text;
  std::set<std::string> codes;
};

Rendered render_case(const std::string& name) {
  // Paths relative to the golden folder keep the expected files machine-independent.
  auto previous = fs::current_path();
  fs::current_path(golden_dir());
  dsl::SourceManager sources;
  dsl::Diagnostics diagnostics;
  auto loaded = grammar::load_program({name}, sources, diagnostics);
  dsl::validate_program(loaded.program, diagnostics);
  (void)compiler::compile_program(loaded.program, sources, diagnostics);
  diagnostics.sort();
  fs::current_path(previous);
  Rendered r;
  r.text = dsl::render_text(diagnostics, sources);
  for (const auto& d : diagnostics.all()) r.codes.emplace(dsl::diag_info(d.code).code);
  return r;
}

std::vector<std::string> cases() {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(golden_dir())) {
    // Files named *.part.skippy are only imported by other cases.
    auto name = e.path().filename().string();
    if (e.path().extension() == ".skippy" && !name.ends_with(".part.skippy")) names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_case_matches_its_expected_diagnostics) {
  bool update = std::getenv("SKIPPY_UPDATE_GOLDEN") != nullptr;
  auto names = cases();
  BOOST_REQUIRE(!names.empty());
  for (const auto& name : names) {
    auto expected_path = golden_dir() / (name.substr(0, name.size() - 7) + ".expected");
    auto rendered = render_case(name);
    if (update) {
      std::ofstream(expected_path, std::ios::binary) << rendered.text;
      continue;
    }
    BOOST_TEST_CONTEXT(name) {
      BOOST_REQUIRE_MESSAGE(fs::exists(expected_path), "missing " + expected_path.string());
      BOOST_TEST(rendered.text == read(expected_path));
      BOOST_TEST(!rendered.codes.empty(), "a golden case must produce a diagnostic");
    }
  }
}

BOOST_AUTO_TEST_CASE(cases_cover_at_least_forty_distinct_mistakes) {
  std::set<std::string> codes;
  for (const auto& name : cases()) {
    auto r = render_case(name);
    codes.insert(r.codes.begin(), r.codes.end());
  }
  BOOST_TEST(codes.size() >= 40u, "distinct codes covered: " << codes.size());
  std::size_t typed = 0;
  for (const auto& c : codes) typed += c.starts_with("E03");
  BOOST_TEST(typed >= 40u, "distinct compiler (E03xx) codes covered: " << typed);
}

BOOST_AUTO_TEST_CASE(every_case_file_names_its_code) {
  // NNN-E0123-what.skippy: the code in the name must be among those reported.
  for (const auto& name : cases()) {
    auto dash = name.find('-');
    auto code = name.substr(dash + 1, 5);
    BOOST_TEST_CONTEXT(name) {
      BOOST_TEST(render_case(name).codes.count(code) == 1u);
    }
  }
}

// The disassembly of every sample, compiled on its own (with its imports), pinned in
// tests/golden/disasm/NAME.disasm.
BOOST_AUTO_TEST_CASE(every_sample_disassembles_as_pinned) {
  bool update = std::getenv("SKIPPY_UPDATE_GOLDEN") != nullptr;
  auto root = fs::path(SKIPPY_SOURCE_DIR);
  auto previous = fs::current_path();
  fs::current_path(root);  // paths in the listing stay relative: samples/NAME.skippy
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator("samples")) {
    if (e.path().extension() == ".skippy") names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  for (const auto& name : names) {
    dsl::SourceManager sources;
    dsl::Diagnostics diagnostics;
    auto loaded = grammar::load_program({"samples/" + name}, sources, diagnostics);
    dsl::validate_program(loaded.program, diagnostics);
    auto program = compiler::compile_program(loaded.program, sources, diagnostics);
    BOOST_TEST_CONTEXT(name) {
      BOOST_REQUIRE(program.has_value());
      auto names_for = stdlib::disasm_names();
      names_for.source_line = [&](std::string_view path,
                                  std::uint32_t line) -> std::optional<std::string> {
        const auto* file = sources.find(path);
        if (!file) return std::nullopt;
        std::string text(file->line_text(line));
        auto start = text.find_first_not_of(" \t");
        return start == std::string::npos ? "" : text.substr(start);
      };
      std::string listing = bytecode::disassemble(*program, names_for);
      auto expected =
          root / "tests" / "golden" / "disasm" / (name.substr(0, name.size() - 7) + ".disasm");
      if (update) {
        fs::create_directories(expected.parent_path());
        std::ofstream(expected, std::ios::binary) << listing;
      } else {
        BOOST_REQUIRE_MESSAGE(fs::exists(expected), "missing " + expected.string());
        BOOST_TEST(listing == read(expected));
      }
    }
  }
  fs::current_path(previous);
}
