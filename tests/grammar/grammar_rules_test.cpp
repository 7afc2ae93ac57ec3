// One small test per grammar rule, and PEGTL's analysis of the whole grammar.
#include <boost/test/unit_test.hpp>
#include <tao/pegtl.hpp>
#include <tao/pegtl/contrib/analyze.hpp>

#include "grammar/errors.hpp"
#include "grammar/grammar.hpp"

namespace pegtl = tao::pegtl;
namespace rules = skippy::grammar::rules;
using skippy::grammar::ParseState;

namespace {

// True when Rule matches all of `text`.
template <typename Rule>
bool matches(std::string_view text) {
  ParseState state;
  state.base = text.data();
  pegtl::memory_input in(text.data(), text.size(), "test");
  try {
    return pegtl::parse<pegtl::seq<Rule, pegtl::eof>, pegtl::nothing, skippy::grammar::control>(
               in, state) &&
           state.diagnostics.empty();
  } catch (const skippy::grammar::SyntaxError&) {
    return false;
  }
}

// The code of the first syntax error in `text` (raised, or recorded by recovery), or nothing.
template <typename Rule>
std::optional<skippy::dsl::DiagCode> raised(std::string_view text) {
  ParseState state;
  state.base = text.data();
  pegtl::memory_input in(text.data(), text.size(), "test");
  try {
    (void)pegtl::parse<Rule, pegtl::nothing, skippy::grammar::control>(in, state);
  } catch (const skippy::grammar::SyntaxError& e) {
    if (state.diagnostics.empty()) return e.text.code;
  }
  if (!state.diagnostics.empty()) return state.diagnostics.front().text.code;
  return std::nullopt;
}

}  // namespace

using skippy::dsl::DiagCode;

BOOST_AUTO_TEST_SUITE(grammar_rules)

BOOST_AUTO_TEST_CASE(grammar_has_no_loops_without_progress) {
  BOOST_TEST(pegtl::analyze<rules::file>(-1) == 0u);
}

BOOST_AUTO_TEST_CASE(comment_and_space) {
  BOOST_TEST(matches<rules::sp>("  # a comment\n\t # another\r\n"));
  BOOST_TEST(matches<rules::comment>("# anything ` \" goes"));
}

BOOST_AUTO_TEST_CASE(name_excludes_reserved_words) {
  BOOST_TEST(matches<rules::name>("mem_pct"));
  BOOST_TEST(matches<rules::name>("_x1"));
  BOOST_TEST(matches<rules::name>("format"));  // starts with `for` but is not `for`
  BOOST_TEST(!matches<rules::name>("for"));
  BOOST_TEST(!matches<rules::name>("and"));
  BOOST_TEST(!matches<rules::name>("1abc"));
  BOOST_TEST((raised<rules::declared_name>("when") == DiagCode::ReservedWord));
}

BOOST_AUTO_TEST_CASE(number_token) {
  BOOST_TEST(matches<rules::number>("85"));
  BOOST_TEST(matches<rules::number>("0.8"));
  BOOST_TEST(matches<rules::number>("1h30m"));
  BOOST_TEST(matches<rules::number>("512Mi"));
  BOOST_TEST(matches<rules::number>("25%"));
  BOOST_TEST(!matches<rules::number>("x1"));
}

BOOST_AUTO_TEST_CASE(strings) {
  BOOST_TEST(matches<rules::string_literal>(R"("a \"b\" \\ \n \t \r")"));
  BOOST_TEST((raised<rules::string_literal>("\"abc\nx\"") == DiagCode::UnterminatedString));
  BOOST_TEST((raised<rules::string_literal>(R"("bad \q")") == DiagCode::InvalidEscape));
  BOOST_TEST(matches<rules::raw_string>("`multi\nline {x=\"y\"}`"));
  BOOST_TEST((raised<rules::raw_string>("`never closed") == DiagCode::UnterminatedRawString));
}

BOOST_AUTO_TEST_CASE(string_list) {
  BOOST_TEST(matches<rules::string_list>(R"(["a", "b",])"));
  BOOST_TEST(matches<rules::string_list>("[]"));
  BOOST_TEST((raised<rules::string_list>(R"(["a" 5])") == DiagCode::ExpectedCloseBracket));
}

BOOST_AUTO_TEST_CASE(expressions) {
  BOOST_TEST(matches<rules::expression>("a > 85 and not b or c"));
  BOOST_TEST(matches<rules::expression>("-x * (y + 2) / 3"));
  BOOST_TEST(matches<rules::expression>("pod.waiting_reason in [\"A\", \"B\"]"));
  BOOST_TEST(matches<rules::expression>("x not in [1]"));
  BOOST_TEST(
      matches<rules::expression>("ai.analyze(signals: [m], events: events(within: 15m)).action"));
  BOOST_TEST(matches<rules::expression>("f()"));
  BOOST_TEST((raised<rules::expression>("a < b < c") == DiagCode::ChainedComparison));
  BOOST_TEST((raised<rules::expression>("a and") == DiagCode::ExpectedExpression));
  BOOST_TEST((raised<rules::expression>("(a") == DiagCode::ExpectedCloseParen));
  BOOST_TEST((raised<rules::expression>("[a, ") == DiagCode::ExpectedCloseBracket));
  BOOST_TEST(matches<rules::expression>("x in [1, 2,]"));
  BOOST_TEST((raised<rules::expression>("a.") == DiagCode::ExpectedMemberName));
}

BOOST_AUTO_TEST_CASE(nesting_is_bounded) {
  std::string deep(65, '(');
  deep += "x";
  BOOST_TEST((raised<rules::expression>(deep) == DiagCode::NestingTooDeep));
  std::string fine(60, '(');
  fine += "x" + std::string(60, ')');
  BOOST_TEST(matches<rules::expression>(fine));
}

BOOST_AUTO_TEST_CASE(select_clause) {
  BOOST_TEST(matches<rules::select_clause>("select pods"));
  BOOST_TEST(matches<rules::select_clause>(
      R"(select deployments in namespaces ["a", "b"] where label("app") == "web" and has label("x") and not has label("y") and label("t") not in ["a"] except ["db-0"])"));
  BOOST_TEST(matches<rules::select_clause>("select pods in all namespaces"));
  BOOST_TEST(
      (raised<rules::select_clause>("select pods in nowhere") == DiagCode::ExpectedNamespaces));
  BOOST_TEST(
      (raised<rules::select_clause>(R"(select pods where label("a") == "b" or has label("c"))") ==
       DiagCode::SelectorOr));
  BOOST_TEST((raised<rules::select_clause>("select pods where app == 1") ==
              DiagCode::ExpectedRequirement));
}

BOOST_AUTO_TEST_CASE(signal_clause) {
  BOOST_TEST(matches<rules::signal_clause>(
      "signal m = promql(`up`) by (namespace, pod) max on missing hold 2m"));
  BOOST_TEST(matches<rules::signal_clause>("signal r = pod.restarts on missing zero"));
  BOOST_TEST((raised<rules::signal_clause>("signal m promql(`up`)") == DiagCode::ExpectedEquals));
  BOOST_TEST((raised<rules::signal_clause>("signal m = x on missing forever") ==
              DiagCode::ExpectedMissingRule));
  BOOST_TEST((raised<rules::signal_clause>("signal m = x by pod") == DiagCode::ExpectedLabelName));
}

BOOST_AUTO_TEST_CASE(trigger_clause) {
  BOOST_TEST(matches<rules::trigger_clause>(
      "trigger t when m > 85 for 1m clear when m < 70 for 2m keep_firing_for 5m"));
  BOOST_TEST((raised<rules::trigger_clause>("trigger t m > 1") == DiagCode::ExpectedWhen));
  BOOST_TEST(
      (raised<rules::trigger_clause>("trigger t when m > 1 for") == DiagCode::ExpectedDuration));
}

BOOST_AUTO_TEST_CASE(safety_block) {
  BOOST_TEST(matches<rules::safety_block>(
      "safety { cooldown 10m per target max_actions 2 per 1h max_unavailable 25% max_concurrent 1 "
      "approve delete, scale allow system_namespaces }"));
  BOOST_TEST((raised<rules::safety_block>("safety { max_actions 2 1h }") == DiagCode::ExpectedPer));
  BOOST_TEST((raised<rules::safety_block>("safety { cooldown 1m per pod }") ==
              DiagCode::ExpectedCooldownScope));
  BOOST_TEST((raised<rules::safety_block>("safety cooldown") == DiagCode::ExpectedOpenBrace));
}

BOOST_AUTO_TEST_CASE(on_clause_and_statements) {
  BOOST_TEST(matches<rules::on_clause>("on t do restart(strategy: rolling) priority 10"));
  BOOST_TEST(
      matches<rules::on_clause>("on t do { let v = f(x) if v.ok then scale(by: +1, max: 5) "
                                "priority 8 else if v.bad then delete() else { restart() } }"));
  BOOST_TEST((raised<rules::on_clause>("on t restart()") == DiagCode::ExpectedDo));
  BOOST_TEST((raised<rules::on_clause>("on t do restart") == DiagCode::ExpectedAction));
  BOOST_TEST((raised<rules::on_clause>("on t do 5") == DiagCode::ExpectedAction));
  BOOST_TEST((raised<rules::if_statement>("if x restart()") == DiagCode::ExpectedThen));
  BOOST_TEST((raised<rules::let_statement>("let v f()") == DiagCode::ExpectedEquals));
}

BOOST_AUTO_TEST_CASE(declarations) {
  BOOST_TEST(matches<rules::import_decl>(R"(import "team-defaults.skippy")"));
  BOOST_TEST(
      matches<rules::defaults_decl>("defaults { mode dryrun every 30s safety { cooldown 5m } }"));
  BOOST_TEST(matches<rules::policy_decl>("policy p { select pods }"));
  BOOST_TEST((raised<rules::policy_decl>("policy { }") == DiagCode::ExpectedPolicyName));
  BOOST_TEST((raised<rules::policy_decl>("policy p select") == DiagCode::ExpectedOpenBrace));
  BOOST_TEST((raised<rules::import_decl>("import team") == DiagCode::ExpectedString));
}

BOOST_AUTO_TEST_SUITE_END()
