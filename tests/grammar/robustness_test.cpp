// Bad input of every kind gets located errors, never a crash or a hang.
#include <boost/test/unit_test.hpp>

#include <random>

#include "dsl/validate.hpp"
#include "grammar/load.hpp"

using namespace skippy;

namespace {

struct Result {
  dsl::Diagnostics diagnostics;
  dsl::SourceManager sources;
  std::vector<std::string> codes;
  std::size_t declarations = 0;
};

std::unique_ptr<Result> parse(std::string text) {
  auto r = std::make_unique<Result>();
  auto module = grammar::load_text("bad.skippy", std::move(text), r->sources, r->diagnostics);
  dsl::Program program;
  r->declarations = module.declarations.size();
  program.modules.push_back(std::move(module));
  dsl::validate_program(program, r->diagnostics);
  for (const auto& d : r->diagnostics.all()) r->codes.emplace_back(dsl::diag_info(d.code).code);
  return r;
}

bool has(const Result& r, const char* code) {
  return std::find(r.codes.begin(), r.codes.end(), code) != r.codes.end();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(robustness)

BOOST_AUTO_TEST_CASE(empty_and_blank_files_are_valid_and_empty) {
  BOOST_TEST(parse("")->codes.empty());
  BOOST_TEST(parse("\n\n   # only a comment\n")->codes.empty());
}

BOOST_AUTO_TEST_CASE(binary_garbage_is_a_located_error) {
  std::mt19937 rng(42);
  for (int round = 0; round < 50; ++round) {
    std::string garbage(4096, '\0');
    for (char& c : garbage) c = static_cast<char>(rng() % 128);  // ASCII: not caught by UTF-8
    auto r = parse(garbage);
    BOOST_TEST(!r->codes.empty());
    BOOST_TEST(r->diagnostics.all().size() <= 60u);
  }
}

BOOST_AUTO_TEST_CASE(invalid_utf8_points_at_the_byte) {
  auto r = parse("policy p {\n  description \"caf\xC3\x28\"\n}\n");
  BOOST_TEST(r->codes == std::vector<std::string>{"E0002"}, boost::test_tools::per_element());
  BOOST_TEST(r->diagnostics.all()[0].span.begin == 29u);
  BOOST_TEST(has(*parse("\xF8\x88\x80\x80\x80"), "E0002"));  // 5-byte form
  BOOST_TEST(has(*parse("\xC0\xAF"), "E0002"));              // overlong
  BOOST_TEST(has(*parse("\xED\xA0\x80"), "E0002"));          // surrogate
  BOOST_TEST(has(*parse("\xE2\x82"), "E0002"));              // truncated
  BOOST_TEST(parse("policy p { description \"caf\xC3\xA9 \xF0\x9F\x9A\x80\" select pods }")
                 ->codes.empty());
}

BOOST_AUTO_TEST_CASE(deep_nesting_is_an_error_not_a_crash) {
  const int depth = 100'000;
  auto wrap = [&](const std::string& open, const std::string& inner, const std::string& close) {
    std::string s;
    s.reserve(static_cast<std::size_t>(depth) * (open.size() + close.size()) + inner.size());
    for (int i = 0; i < depth; ++i) s += open;
    s += inner;
    for (int i = 0; i < depth; ++i) s += close;
    return "policy p { select pods trigger t when " + s + " }";
  };
  BOOST_TEST(has(*parse(wrap("(", "x", ")")), "E0123"));
  BOOST_TEST(has(*parse(wrap("[", "x", "]")), "E0123"));
  BOOST_TEST(has(*parse(wrap("f(", "x", ")")), "E0123"));
  BOOST_TEST(has(*parse(wrap("not ", "x", "")), "E0123"));
  BOOST_TEST(has(*parse(wrap("-", "x", "")), "E0123"));
  // Long operator chains nest the tree even without brackets.
  std::string chain = "x";
  for (int i = 0; i < depth; ++i) chain += " and x";
  BOOST_TEST(has(*parse("policy p { select pods trigger t when " + chain + " }"), "E0123"));
  std::string blocks = "policy p { select pods on t do ";
  for (int i = 0; i < depth; ++i) blocks += "{ if a then ";
  blocks += "restart()";
  BOOST_TEST(has(*parse(blocks), "E0123"));
}

BOOST_AUTO_TEST_CASE(ten_megabyte_file_parses) {
  std::string policy =
      "policy p_NAME {\n  select pods in namespace \"a\"\n  signal m = promql(`up`) by (pod) max\n"
      "  trigger t when m > 1 for 1m\n  safety { cooldown 5m max_actions 1 per 1h }\n"
      "  on t do restart() priority 10\n}\n";
  std::string text;
  for (int i = 0; text.size() < 10 * 1024 * 1024; ++i) {
    std::string p = policy;
    p.replace(p.find("NAME"), 4, std::to_string(i));
    text += p;
  }
  auto r = parse(text);
  BOOST_TEST(r->codes.empty());
  BOOST_TEST(r->declarations > 50'000u);
}

BOOST_AUTO_TEST_CASE(unterminated_strings_point_at_their_start) {
  auto r = parse("policy p {\n  description \"never closed\n  select pods\n}\n");
  BOOST_REQUIRE(!r->codes.empty());
  BOOST_TEST(r->codes[0] == "E0104");
  BOOST_TEST(r->diagnostics.all()[0].span.begin == 25u);
  auto raw = parse("policy p {\n  select pods\n  signal m = promql(`up\n}\n");
  BOOST_TEST(has(*raw, "E0105"));
}

BOOST_AUTO_TEST_CASE(error_storms_are_capped) {
  std::string text;
  for (int i = 0; i < 1000; ++i) text += "policy p" + std::to_string(i) + " { select pods mode }\n";
  auto r = parse(text);
  BOOST_TEST(has(*r, "E0006"));
  BOOST_TEST(r->diagnostics.error_count() <= 60u);
}

BOOST_AUTO_TEST_CASE(nul_bytes_and_odd_whitespace) {
  BOOST_TEST(!parse(std::string("policy p {\0}", 12))->codes.empty());
  BOOST_TEST(parse("policy p {\r\n\tselect pods\f\v}\r\n")->codes.empty());
}

BOOST_AUTO_TEST_SUITE_END()
