// The layers of docs/design.md hold in the tree, and the check that says so catches an
// upward include (in a scratch tree of its own).
#define BOOST_TEST_MODULE layering
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

#include <unistd.h>

#include "tests/layers/layers.hpp"

namespace fs = std::filesystem;
using namespace skippy::layers;

namespace {

std::string read(const fs::path& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), {}};
}

void write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

const char* kTable = R"(# Design
<!-- layers:begin -->
| folder | may include |
|---|---|
| dsl | nothing |
| grammar | dsl |
| compiler | dsl, runtime/bytecode |
| runtime/bytecode | nothing |
| runtime/engine | runtime/bytecode, dsl |
| runtime | runtime/* |
<!-- layers:end -->
)";

struct ScratchTree {
  fs::path root = fs::temp_directory_path() / ("skippy-layers-" + std::to_string(::getpid()));
  ScratchTree() {
    fs::remove_all(root);
    write(root / "dsl/ast.hpp", "#pragma once\n#include <string>\n");
    write(root / "grammar/parse.cpp", "#include \"dsl/ast.hpp\"\n#include \"grammar/x.hpp\"\n");
    write(root / "compiler/emit.cpp",
          "#include \"dsl/ast.hpp\"\n#include \"runtime/bytecode/op.hpp\"\n");
    write(root / "runtime/bytecode/op.hpp", "#pragma once\n");
    write(root / "runtime/engine/tick.cpp", "#include \"runtime/bytecode/op.hpp\"\n");
  }
  ~ScratchTree() { fs::remove_all(root); }
};

}  // namespace

BOOST_AUTO_TEST_CASE(the_repository_keeps_the_layers_of_docs_design) {
  auto table = parse_table(read(fs::path(SKIPPY_SOURCE_DIR) / "docs/design.md"));
  std::string problems;
  for (const auto& p : table.problems) problems += p + "\n";
  BOOST_TEST_REQUIRE(table.problems.empty(), problems);
  BOOST_TEST(table.allowed.size() >= 20u);
  for (const char* folder : {"dsl", "grammar", "compiler", "runtime/engine", "agent", "cli"})
    BOOST_TEST(table.allowed.count(folder) == 1u, folder << " has a row");
  auto violations = check_tree(SKIPPY_SOURCE_DIR, table);
  std::string all;
  for (const auto& v : violations) all += v.text() + "\n";
  BOOST_TEST(violations.empty(), all);
}

BOOST_AUTO_TEST_CASE(lower_layers_never_reach_up) {
  auto table = parse_table(read(fs::path(SKIPPY_SOURCE_DIR) / "docs/design.md"));
  auto may_use = [&](const std::string& folder, const std::string& lower) {
    const auto& rules = table.allowed.at(folder);
    return std::find(rules.begin(), rules.end(), lower) != rules.end();
  };
  BOOST_TEST(may_use("compiler", "stdlib/builtins"));
  for (const char* lower : {"runtime/engine", "runtime/safety", "runtime/vm", "stdlib", "agent"})
    BOOST_TEST(!may_use("compiler", lower), "compiler may not use " << lower);
  for (const char* upper : {"grammar", "compiler", "toolchain", "agent"})
    BOOST_TEST(!may_use("runtime/engine", upper), "the engine may not use " << upper);
  // The runtime and the simulator stand on base/, not on the language's AST.
  for (const auto& [folder, rules] : table.allowed) {
    if (folder.starts_with("runtime/") || folder == "simulator" || folder == "base")
      BOOST_TEST(!may_use(folder, "dsl"), folder << " may not use dsl");
  }
  BOOST_TEST(table.allowed.at("base").empty());
}

BOOST_AUTO_TEST_CASE(a_clean_scratch_tree_passes) {
  ScratchTree tree;
  auto violations = check_tree(tree.root, parse_table(kTable));
  BOOST_TEST(violations.empty());
}

BOOST_AUTO_TEST_CASE(an_upward_include_fails_at_its_line) {
  ScratchTree tree;
  write(tree.root / "dsl/ast.hpp",
        "#pragma once\n#include <string>\n#include \"compiler/emit.hpp\"\n");
  write(tree.root / "runtime/engine/tick.cpp",
        "#include \"runtime/bytecode/op.hpp\"\n  #  include \"grammar/parse.hpp\"  // late\n");
  auto violations = check_tree(tree.root, parse_table(kTable));
  BOOST_TEST_REQUIRE(violations.size() == 2u);
  BOOST_TEST(violations[0].text() ==
             "dsl/ast.hpp:3: `dsl` may not include `compiler/emit.hpp` (layer `compiler`); "
             "docs/design.md lists what it may use");
  BOOST_TEST(violations[1].file == "runtime/engine/tick.cpp");
  BOOST_TEST(violations[1].line == 2u);
  BOOST_TEST(violations[1].include == "grammar/parse.hpp");
}

BOOST_AUTO_TEST_CASE(the_longest_folder_decides_and_a_wildcard_covers_the_folders_below) {
  auto table = parse_table(kTable);
  BOOST_TEST(folder_of(table, "runtime/engine/tick.cpp") == "runtime/engine");
  BOOST_TEST(folder_of(table, "runtime/web/server.cpp") == "runtime");
  BOOST_TEST(folder_of(table, "runtimes/x.cpp") == "");
  ScratchTree tree;
  // runtime/web (covered by `runtime`) may use every runtime folder, not the compiler.
  write(tree.root / "runtime/web/server.cpp",
        "#include \"runtime/engine/tick.hpp\"\n#include \"compiler/emit.hpp\"\n");
  auto violations = check_tree(tree.root, table);
  BOOST_TEST_REQUIRE(violations.size() == 1u);
  BOOST_TEST(violations[0].text().starts_with("runtime/web/server.cpp:2: `runtime` may not"));
}

BOOST_AUTO_TEST_CASE(an_include_of_a_folder_outside_the_table_fails) {
  ScratchTree tree;
  write(tree.root / "tools/gen.hpp", "#pragma once\n");
  write(tree.root / "grammar/parse.cpp", "#include \"tools/gen.hpp\"\n#include \"boost/x.hpp\"\n");
  auto violations = check_tree(tree.root, parse_table(kTable));
  BOOST_TEST_REQUIRE(violations.size() == 1u);  // boost/x.hpp is not in the tree: not ours
  BOOST_TEST(violations[0].text() ==
             "grammar/parse.cpp:1: includes `tools/gen.hpp`, whose folder is not in the layer "
             "table");
}

BOOST_AUTO_TEST_CASE(a_table_that_cannot_be_read_says_so) {
  BOOST_TEST(parse_table("# Design\nno table here\n").problems ==
             std::vector<std::string>{"no `<!-- layers:begin -->` table"});
  auto twice = parse_table(
      "<!-- layers:begin -->\n| dsl | nothing |\n| dsl | grammar |\n"
      "<!-- layers:end -->\n");
  BOOST_TEST(twice.problems == std::vector<std::string>{"line 3: `dsl` has two rows"});
}
