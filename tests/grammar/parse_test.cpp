// The AST a snippet parses to, pinned as a span-free dump; and recovery across errors.
#include <boost/test/unit_test.hpp>

#include "dsl/ast_dump.hpp"
#include "grammar/load.hpp"

using namespace skippy;

namespace {

struct Parsed {
  dsl::SourceManager sources;
  dsl::Diagnostics diagnostics;
  dsl::Module module;
  explicit Parsed(std::string text) {
    module = grammar::load_text("t.skippy", std::move(text), sources, diagnostics);
  }
  std::vector<std::string> codes() const {
    std::vector<std::string> out;
    for (const auto& d : diagnostics.all()) out.emplace_back(dsl::diag_info(d.code).code);
    return out;
  }
};

std::string dump_trigger(const std::string& condition) {
  Parsed p("policy p { select pods trigger t when " + condition + " }");
  BOOST_REQUIRE_MESSAGE(p.diagnostics.all().empty(), "unexpected diagnostics for " + condition);
  const auto& policy = std::get<dsl::Policy>(p.module.declarations.at(0));
  return dsl::dump_expr(*std::get<dsl::TriggerClause>(policy.clauses.at(1)).condition);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(parse)

BOOST_AUTO_TEST_CASE(precedence_and_associativity) {
  BOOST_TEST(dump_trigger("a or b and c") == "(or a (and b c))");
  BOOST_TEST(dump_trigger("not a == b") == "(not (== a b))");
  BOOST_TEST(dump_trigger("a - b - c") == "(- (- a b) c)");
  BOOST_TEST(dump_trigger("a + b * -c") == "(+ a (* b (- c)))");
  BOOST_TEST(dump_trigger("(a + b) * c") == "(* (+ a b) c)");
  BOOST_TEST(dump_trigger("a > b + 1 * c") == "(> a (+ b (* (number 1) c)))");
  BOOST_TEST(dump_trigger("x not in [1, 2]") == "(not in x (list (number 1) (number 2)))");
}

BOOST_AUTO_TEST_CASE(literals_and_calls) {
  BOOST_TEST(dump_trigger("forecast(m, horizon: 30m) > 100") ==
             "(> (call forecast m horizon:(duration 30m minutes-or-milli)) (number 100))");
  BOOST_TEST(dump_trigger("pod.memory > 512Mi and pct < 25%") ==
             "(and (> (. pod memory) (quantity 512Mi)) (< pct (percent 25%)))");
  BOOST_TEST(dump_trigger("r == \"Crash\\\"Loop\" or ok == true") ==
             "(or (== r (string \"Crash\\\"Loop\")) (== ok true))");
  BOOST_TEST(dump_trigger("ai.analyze(x).action == scale") ==
             "(== (. (call (. ai analyze) x) action) scale)");
}

BOOST_AUTO_TEST_CASE(whole_policy) {
  Parsed p(R"(
policy memory_leak {
  description "d"
  select pods in namespace "demo-apps" where label("issue") == "memory-leak" except ["keep-me"]
  mode automatic
  every 15s
  signal mem = promql(`up`) by (namespace, pod) max on missing hold 2m
  trigger high when mem > 85 for 1m clear when mem < 70 for 2m keep_firing_for 5m
  safety { cooldown 10m per target max_actions 2 per 1h max_unavailable 25% approve delete }
  on high do restart(strategy: rolling) priority 10
  on high do { let v = f() if v then scale(by: +1, max: 5) priority 8 else restart() }
}
)");
  BOOST_TEST(p.diagnostics.all().empty());
  BOOST_TEST(dsl::dump_module(p.module) ==
             "(policy memory_leak\n"
             "  (description \"d\")\n"
             "  (select pods namespaces [\"demo-apps\"] (label == \"issue\" [\"memory-leak\"]) "
             "except [\"keep-me\"])\n"
             "  (mode automatic)\n"
             "  (every 15s)\n"
             "  (signal mem (call promql (raw \"up\")) (by namespace pod) (aggregate max) (missing "
             "hold 2m))\n"
             "  (trigger high (> mem (number 85)) (for 1m) (clear (< mem (number 70)) (for 2m)) "
             "(keep_firing_for 5m))\n"
             "  (safety (cooldown 10m per-target) (max_actions 1h 2) (max_unavailable 25%) "
             "(approve delete))\n"
             "  (on high (action restart strategy:rolling (priority 10)))\n"
             "  (on high (block (let v (call f)) (if v (action scale by:(+ (number 1)) max:(number "
             "5) (priority 8)) (action restart)))))\n");
}

BOOST_AUTO_TEST_CASE(spans_point_at_source) {
  Parsed p("policy p {\n  select pods\n  trigger t when a > 1\n}\n");
  const auto& policy = std::get<dsl::Policy>(p.module.declarations.at(0));
  const auto& trigger = std::get<dsl::TriggerClause>(policy.clauses.at(1));
  const auto& file = p.sources.file(p.module.file);
  auto lc = file.line_column(trigger.condition->span.begin);
  BOOST_TEST(lc.line == 3u);
  BOOST_TEST(lc.column == 18u);
  BOOST_TEST(file.text().substr(trigger.span.begin, trigger.span.end - trigger.span.begin) ==
             "trigger t when a > 1");
}

BOOST_AUTO_TEST_CASE(recovery_reports_every_error_and_keeps_the_rest) {
  Parsed p(
      "policy a {\n"
      "  select pods\n"
      "  trigger t when > 1\n"    // E0110
      "  mode\n"                  // E0121
      "  trigger u when x > 1\n"  // fine: kept
      "  on u do { restart( }\n"  // E0111 inside a block
      "}\n"
      "nonsense\n"                    // E0100
      "policy b { select pods }\n");  // fine: kept
  BOOST_TEST(p.codes() == (std::vector<std::string>{"E0110", "E0121", "E0111", "E0100"}),
             boost::test_tools::per_element());
  BOOST_TEST(p.module.declarations.size() == 2u);
  const auto& a = std::get<dsl::Policy>(p.module.declarations.at(0));
  BOOST_TEST(a.clauses.size() == 3u);  // select, trigger u, on u
}

BOOST_AUTO_TEST_CASE(missing_close_brace_keeps_the_policy) {
  Parsed p("policy a {\n  select pods\npolicy b { select pods }\n");
  BOOST_TEST(p.codes() == (std::vector<std::string>{"E0129"}), boost::test_tools::per_element());
  BOOST_TEST(p.module.declarations.size() == 2u);
}

BOOST_AUTO_TEST_CASE(comments_are_collected_once_in_order) {
  Parsed p("# a\npolicy p { # b\n  select pods # c\n}\n# d\n");
  BOOST_TEST(p.module.comments.size() == 4u);
  BOOST_TEST(p.module.comments[1].text == "# b");
  BOOST_TEST(p.module.comments[3].text == "# d");
}

BOOST_AUTO_TEST_SUITE_END()
