// Loading files: imports, cycles, missing files, sizes.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>

#include "grammar/load.hpp"

using namespace skippy;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() /
           ("skippy-load-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  std::string write(const std::string& name, const std::string& text) const {
    auto p = path / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
    return p.string();
  }
  static inline int counter = 0;
};

std::vector<std::string> codes(const dsl::Diagnostics& d) {
  std::vector<std::string> out;
  for (const auto& x : d.all()) out.emplace_back(dsl::diag_info(x.code).code);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(load)

BOOST_AUTO_TEST_CASE(imports_are_loaded_once_relative_to_the_importer) {
  TempDir dir;
  dir.write("shared/defaults.skippy", "defaults { mode dryrun }\n");
  auto a = dir.write("a.skippy", "import \"shared/defaults.skippy\"\npolicy a { select pods }\n");
  auto b = dir.write("b.skippy", "import \"shared/defaults.skippy\"\npolicy b { select pods }\n");
  dsl::SourceManager sources;
  dsl::Diagnostics diagnostics;
  auto result = grammar::load_program({a, b}, sources, diagnostics);
  BOOST_TEST(diagnostics.all().empty());
  BOOST_TEST(!result.io_error);
  BOOST_TEST(result.program.modules.size() == 3u);
}

BOOST_AUTO_TEST_CASE(cycles_and_missing_imports_are_located) {
  TempDir dir;
  auto a = dir.write("a.skippy", "import \"b.skippy\"\n");
  dir.write("b.skippy", "import \"a.skippy\"\nimport \"nope.skippy\"\n");
  dsl::SourceManager sources;
  dsl::Diagnostics diagnostics;
  auto result = grammar::load_program({a}, sources, diagnostics);
  BOOST_TEST(codes(diagnostics) == (std::vector<std::string>{"E0005", "E0004"}),
             boost::test_tools::per_element());
  BOOST_TEST(!result.io_error);
  // The cycle is reported at the import that closes it, in b.skippy, line 1.
  const auto& d = diagnostics.all()[0];
  BOOST_TEST(sources.file(d.span.file).path().ends_with("b.skippy"));
  BOOST_TEST(sources.file(d.span.file).line_column(d.span.begin).line == 1u);
}

BOOST_AUTO_TEST_CASE(duplicate_import_warns) {
  TempDir dir;
  dir.write("d.skippy", "");
  auto a = dir.write("a.skippy", "import \"d.skippy\"\nimport \"d.skippy\"\n");
  dsl::SourceManager sources;
  dsl::Diagnostics diagnostics;
  (void)grammar::load_program({a}, sources, diagnostics);
  BOOST_TEST(codes(diagnostics) == std::vector<std::string>{"W0002"},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(unreadable_and_oversized_files_are_io_errors) {
  TempDir dir;
  dsl::SourceManager sources;
  dsl::Diagnostics diagnostics;
  auto missing =
      grammar::load_program({(dir.path / "missing.skippy").string()}, sources, diagnostics);
  BOOST_TEST(missing.io_error);
  BOOST_TEST(codes(diagnostics) == std::vector<std::string>{"E0001"},
             boost::test_tools::per_element());

  auto big = dir.write("big.skippy", std::string(2000, ' '));
  dsl::Diagnostics d2;
  grammar::LoadOptions small;
  small.max_file_bytes = 1000;
  auto r = grammar::load_program({big}, sources, d2, small);
  BOOST_TEST(r.io_error);
  BOOST_TEST(codes(d2) == std::vector<std::string>{"E0003"}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(utf8_validator) {
  BOOST_TEST(grammar::find_invalid_utf8("plain") == std::string_view::npos);
  BOOST_TEST(grammar::find_invalid_utf8("\xF0\x9F\x9A\x80") == std::string_view::npos);
  BOOST_TEST(grammar::find_invalid_utf8("ab\xFF") == 2u);
  BOOST_TEST(grammar::find_invalid_utf8("\xF4\x90\x80\x80") == 0u);  // past U+10FFFF
}

BOOST_AUTO_TEST_SUITE_END()
