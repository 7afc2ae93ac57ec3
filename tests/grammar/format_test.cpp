// `skippy fmt`: one canonical layout, comments kept, idempotent, meaning preserved.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "dsl/ast_dump.hpp"
#include "dsl/format.hpp"
#include "grammar/load.hpp"

using namespace skippy;

namespace {

struct Formatted {
  std::string text;
  std::string meaning;
  bool ok = false;
};

Formatted format(std::string source) {
  dsl::SourceManager sources;
  dsl::Diagnostics diagnostics;
  auto module = grammar::load_text("f.skippy", std::move(source), sources, diagnostics);
  Formatted out;
  out.ok = !diagnostics.has_errors();
  out.text = dsl::format_module(module, sources.file(module.file));
  out.meaning = dsl::dump_module(module);
  return out;
}

// fmt(src) parses to the same program as src, and fmt(fmt(src)) == fmt(src).
void check_stable(const std::string& source) {
  auto once = format(source);
  BOOST_REQUIRE(once.ok);
  auto twice = format(once.text);
  BOOST_REQUIRE(twice.ok);
  BOOST_TEST(twice.meaning == once.meaning);
  BOOST_TEST(twice.text == once.text);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(fmt)

BOOST_AUTO_TEST_CASE(canonical_layout) {
  auto f = format(
      "policy   p{select pods   in namespace \"a\"\n\n\n\n mode   dryrun every 30s\n"
      "trigger t when a>1 and b<2 for 1m on t do{let x=f(a,k:1)\nif x then restart()priority 10\n"
      "else delete(grace:30s)}}");
  BOOST_TEST(f.text ==
             "policy p {\n"
             "  select pods in namespace \"a\"\n"
             "\n"
             "  mode dryrun\n"
             "  every 30s\n"
             "  trigger t when a > 1 and b < 2 for 1m\n"
             "  on t do {\n"
             "    let x = f(a, k: 1)\n"
             "    if x then restart() priority 10\n"
             "    else delete(grace: 30s)\n"
             "  }\n"
             "}\n");
}

BOOST_AUTO_TEST_CASE(comments_are_kept) {
  auto f = format(
      "# header\n\n"
      "policy p { # after brace\n"
      "  # before select\n"
      "  select pods # trailing\n"
      "  trigger t when a > 1 # inside\n"
      "    for 1m\n"
      "  safety {\n"
      "    # in safety\n"
      "    cooldown 5m\n"
      "    # last in safety\n"
      "  }\n"
      "  # before close\n"
      "}\n"
      "# footer\n");
  BOOST_TEST(f.text ==
             "# header\n"
             "\n"
             "policy p { # after brace\n"
             "  # before select\n"
             "  select pods # trailing\n"
             "  # inside\n"
             "  trigger t when a > 1 for 1m\n"
             "  safety {\n"
             "    # in safety\n"
             "    cooldown 5m\n"
             "    # last in safety\n"
             "  }\n"
             "  # before close\n"
             "}\n"
             "# footer\n");
}

BOOST_AUTO_TEST_CASE(parentheses_are_kept_and_never_lost) {
  auto f = format("policy p { select pods trigger t when (a or b) and not (c > 1) }");
  BOOST_TEST(f.text.find("when (a or b) and not (c > 1)") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(signs_do_not_run_together) {
  auto f = format("policy p { select pods trigger t when - -3 < x }");
  BOOST_TEST(f.text.find("when - -3 < x") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(comment_moved_out_of_a_multiline_query_gets_no_blank_line) {
  check_stable(
      "policy p {\n  select pods\n  signal s = promql(`a\n\n    + b`) # why\n    by (pod) "
      "max\n}\n");
  auto f = format(
      "policy p {\n  select pods\n  signal s = promql(`a\n\n    + b`) # why\n    by (pod) "
      "max\n}\n");
  BOOST_TEST(f.text.find("  select pods\n  # why\n  signal s") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(declarations_are_separated_by_one_blank_line) {
  auto f = format(
      "import \"a.skippy\"\nimport \"b.skippy\"\ndefaults { mode dryrun }\npolicy p { select pods "
      "}");
  BOOST_TEST(f.text ==
             "import \"a.skippy\"\n"
             "import \"b.skippy\"\n"
             "\n"
             "defaults {\n"
             "  mode dryrun\n"
             "}\n"
             "\n"
             "policy p {\n"
             "  select pods\n"
             "}\n");
}

BOOST_AUTO_TEST_CASE(else_if_chains_and_blocks) {
  check_stable(
      "policy p { select pods on t do { if a then { restart() } else if b then scale(to: 2, max: "
      "3) "
      "else { delete() } } }");
  auto f = format("policy p { select pods on t do { if a then { restart() } else { delete() } } }");
  BOOST_TEST(
      f.text.find("    if a then {\n      restart()\n    } else {\n      delete()\n    }\n") !=
      std::string::npos);
}

BOOST_AUTO_TEST_CASE(expression_printer_adds_needed_parentheses) {
  // An AST built by a tool (not the parser) still prints to text that parses back the same.
  auto lhs = std::make_unique<dsl::Expr>();
  lhs->kind = dsl::ExprKind::Binary;
  lhs->binary_op = dsl::BinaryOp::Or;
  for (const char* n : {"a", "b"}) {
    auto name = std::make_unique<dsl::Expr>();
    name->kind = dsl::ExprKind::Name;
    name->text = n;
    lhs->operands.push_back(std::move(name));
  }
  auto rhs = std::make_unique<dsl::Expr>();
  rhs->kind = dsl::ExprKind::Name;
  rhs->text = "c";
  dsl::Expr top;
  top.kind = dsl::ExprKind::Binary;
  top.binary_op = dsl::BinaryOp::And;
  top.operands.push_back(std::move(lhs));
  top.operands.push_back(std::move(rhs));
  BOOST_TEST(dsl::format_expr(top) == "(a or b) and c");
}

BOOST_AUTO_TEST_CASE(every_sample_is_stable) {
  namespace fs = std::filesystem;
  int count = 0;
  for (const auto& entry : fs::directory_iterator(fs::path(SKIPPY_SOURCE_DIR) / "samples")) {
    if (entry.path().extension() != ".skippy") continue;
    std::ifstream in(entry.path());
    std::stringstream buffer;
    buffer << in.rdbuf();
    BOOST_TEST_CONTEXT(entry.path().filename().string()) {
      check_stable(buffer.str());
    }
    ++count;
  }
  BOOST_TEST(count >= 6);
}

BOOST_AUTO_TEST_SUITE_END()
