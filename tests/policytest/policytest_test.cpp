// skippy test's parts that need no Prometheus: promtool's series notation, the test file
// loader and its located errors, the OpenMetrics text, and the comparison of timelines.
#define BOOST_TEST_MODULE policytest
#include <boost/test/unit_test.hpp>

#include <cmath>

#include "policytest/prometheus_tsdb.hpp"
#include "policytest/runner.hpp"
#include "policytest/series.hpp"
#include "policytest/test_file.hpp"

using namespace skippy::policytest;

namespace {

std::vector<Sample> expand(const std::string& text) {
  NotationError e;
  auto s = expand_values(text, e);
  BOOST_REQUIRE_MESSAGE(s, text << ": " << e.message);
  return *s;
}

std::string shape(const std::vector<Sample>& samples) {
  std::string out;
  for (const auto& s : samples) {
    if (!out.empty()) out += ' ';
    if (s.kind == Sample::Omitted) {
      out += '_';
    } else if (s.kind == Sample::Stale) {
      out += "stale";
    } else {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%g", s.value);
      out += buf;
    }
  }
  return out;
}

std::string error_of(const std::string& text) {
  NotationError e;
  BOOST_TEST(!expand_values(text, e).has_value(), text);
  return std::to_string(e.offset) + ": " + e.message;
}

// Each error as "LINE:COLUMN: message".
std::vector<std::string> located(const std::vector<FileError>& errors) {
  std::vector<std::string> out;
  for (const auto& e : errors)
    out.push_back(std::to_string(e.where.line) + ":" + std::to_string(e.where.column) + ": " +
                  e.message);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(series_notation_as_promtool_reads_it) {
  BOOST_TEST(shape(expand("1 2 3")) == "1 2 3");
  BOOST_TEST(shape(expand("1+2x3")) == "1 3 5 7");  // n+1 values
  BOOST_TEST(shape(expand("5-1x2")) == "5 4 3");
  BOOST_TEST(shape(expand("7x2")) == "7 7 7");
  BOOST_TEST(shape(expand("-1-1x2")) == "-1 -2 -3");
  BOOST_TEST(shape(expand("1e3+1e2x1")) == "1000 1100");
  BOOST_TEST(shape(expand("1e+3-2.5e-1x1")) == "1000 999.75");
  BOOST_TEST(shape(expand("_ 1 _x3 stale 2")) == "_ 1 _ _ _ stale 2");  // _xn: n steps
  BOOST_TEST(shape(expand("  0x3  ")) == "0 0 0 0");  // never hexadecimal, as in promtool
  BOOST_TEST(shape(expand("Inf -Inf +inf")) == "inf -inf inf");
  auto nan = expand("NaN");
  BOOST_TEST(std::isnan(nan[0].value));
  BOOST_TEST(expand("").empty());
}

BOOST_AUTO_TEST_CASE(series_notation_mistakes_are_located) {
  BOOST_TEST(error_of("1 2 x") ==
             "4: `x` is not a value: expected a number, `_`, `stale`, `axn` or `a+bxn`");
  BOOST_TEST(error_of("1 1+1xz") == "2: `1+1xz`: expected a whole number after `x`");
  BOOST_TEST(error_of("1+ax3") == "0: `1+ax3`: expected `axn`, `a+bxn` or `a-bxn` with numbers");
  BOOST_TEST(error_of("1 stalex2").starts_with("2: `stalex2`"));
}

BOOST_AUTO_TEST_CASE(series_selectors) {
  NotationError e;
  auto labels = parse_selector(R"(m{namespace="demo", pod='a', x="q\"uote",})", e);
  BOOST_REQUIRE(labels);
  BOOST_TEST(labels->size() == 4u);
  BOOST_TEST((*labels)[0].second == "m");
  BOOST_TEST((*labels)[3].second == "q\"uote");
  auto named = parse_selector(R"({job="a", __name__="up"})", e);
  BOOST_REQUIRE(named);
  BOOST_TEST(named->front().first == "__name__");
  BOOST_TEST(named->front().second == "up");
  BOOST_TEST(!parse_selector(R"({job="a"})", e));
  BOOST_TEST(e.message == "a series needs a metric name");
  BOOST_TEST(!parse_selector(R"(m{a="1" b="2"})", e));
  BOOST_TEST(e.offset == 8u);
  BOOST_TEST(!parse_selector(R"(m{a="1", a="2"})", e));
  BOOST_TEST(e.message == "label `a` is given twice");
}

BOOST_AUTO_TEST_CASE(a_test_file) {
  std::vector<FileError> errors;
  auto file = parse_test_file(R"(policy_files: [p.skippy]
evaluation_interval: 15s
tests:
  - name: restarts once
    interval: 1m
    input_series:
      - series: 'm{pod="a"}'
        values: '1+1x2 _ stale'
    cluster:
      pods: [{namespace: demo, name: a}]
    cluster_changes:
      - at: 5m
        cluster: {pods: [{namespace: demo, name: a, ready: false}]}
    expected_actions:
      - at: 2m
        actions: [{policy: p, action: restart, target: Pod/demo/a}]
    expected_no_actions_until: 1m
)",
                              "dir/t.yaml", errors);
  BOOST_TEST(errors.empty());
  BOOST_TEST(file.policy_files == std::vector<std::string>{"dir/p.skippy"});
  BOOST_TEST(file.evaluation_interval_ms == 15'000);
  BOOST_REQUIRE_EQUAL(file.tests.size(), 1u);
  const auto& t = file.tests[0];
  BOOST_TEST(t.name == "restarts once");
  BOOST_TEST(t.where.line == 4);
  BOOST_TEST(t.interval_ms == 60'000);
  BOOST_REQUIRE_EQUAL(t.input_series.size(), 1u);
  BOOST_TEST(shape(t.input_series[0].samples) == "1 2 3 _ stale");
  BOOST_REQUIRE_EQUAL(t.cluster.size(), 2u);
  BOOST_TEST(t.cluster[1].at_ms == 300'000);
  BOOST_TEST(!t.cluster[1].view->pods()[0].ready);
  BOOST_REQUIRE_EQUAL(t.expected.size(), 1u);
  BOOST_TEST(t.expected[0].actions[0].target == "demo/a");     // a pod's key without its kind
  BOOST_TEST(t.expected[0].actions[0].outcome == "executed");  // the default
  BOOST_TEST(t.end_ms() == 120'000);
}

BOOST_AUTO_TEST_CASE(test_file_mistakes_are_located) {
  std::vector<FileError> errors;
  parse_test_file(R"(policy_files: [p.skippy]
tests:
  - name: t
    intervall: 1m
    input_series:
      - series: 'm{pod="a"'
        values: '1 2 zz'
    cluster:
      pods: [{name: a, restarts: many}]
    expected_actions:
      - at: soon
        actions: [{policy: p, action: restart}]
)",
                  "t.yaml", errors);
  auto got = located(errors);
  std::vector<std::string> want = {
      "4:5: tests[0]: unknown key `intervall`; expected cluster, cluster_changes, "
      "expected_actions, expected_no_actions_until, expected_triggers, input_series, interval, "
      "name",
      "6:17: tests[0].input_series[0].series: `m{pod=\"a\"`: expected `,` or `}` (at character "
      "10)",
      "7:17: tests[0].input_series[0].values: `zz` is not a value: expected a number, `_`, "
      "`stale`, `axn` or `a+bxn` (at character 5)",
      "9:34: tests[0].cluster.pods[0].restarts: expected a whole number",
      "11:13: tests[0].expected_actions[0].at: `soon` is not a duration (such as 15s or 1m30s)",
      "12:19: tests[0].expected_actions[0].actions[0]: `target` is missing",
  };
  BOOST_TEST(got == want, boost::test_tools::per_element());
  errors.clear();
  parse_test_file("tests: [\n", "t.yaml", errors);
  BOOST_REQUIRE_EQUAL(errors.size(), 1u);
  BOOST_TEST(errors[0].message.starts_with("invalid YAML"));
  errors.clear();
  parse_test_file("policy_files: [a]\npolicy_files: [b]\ntests: []\n", "t.yaml", errors);
  BOOST_REQUIRE_EQUAL(errors.size(), 1u);
  BOOST_TEST(errors[0].where.line == 2);
  BOOST_TEST(errors[0].message == "policy_files: given twice (first on line 1)");
}

BOOST_AUTO_TEST_CASE(openmetrics_for_the_backfill) {
  std::vector<TimedSeries> series(2);
  series[0].labels = {{"__name__", "b"}, {"pod", "a\"1"}};
  series[0].samples = {{0, {Sample::Value, 1.5}},
                       {15'000, {Sample::Omitted, 0}},
                       {30'000, {Sample::Stale, 0}},
                       {45'250, {Sample::Value, -INFINITY}}};
  series[1].labels = {{"__name__", "a"}};
  series[1].samples = {{1'000, {Sample::Value, NAN}}};
  BOOST_TEST(openmetrics_text(series) ==
             "a NaN 1.000\n"
             "b{pod=\"a\\\"1\"} 1.5 0.000\n"
             "b{pod=\"a\\\"1\"} -Inf 45.250\n"
             "# EOF\n");
}

BOOST_AUTO_TEST_CASE(timelines_compared_as_a_diff) {
  TestCase test;
  test.expected.push_back({60'000, {{"p", "restart", "ns/a", "executed"}}, {}});
  test.no_actions_until_ms = 30'000;
  std::vector<ActionEvent> actual;
  actual.push_back({30'000, "t", {"p", "restart", "ns/b", "executed"}});
  actual.push_back({60'000, "t", {"p", "restart", "ns/a", "blocked:cooldown"}});
  actual.push_back({60'000, "t", {"p", "delete", "ns/a", "executed"}});
  auto diff = compare(test, actual, {});
  std::vector<std::string> want = {
      "at 30s: (no actions expected until 30s)",
      "  + p restart ns/b executed",
      "at 1m:",
      "  + p delete ns/a executed",
      "  + p restart ns/a blocked:cooldown",
      "  - p restart ns/a executed",
  };
  BOOST_TEST(diff == want, boost::test_tools::per_element());
  actual.erase(actual.begin());
  actual.erase(actual.begin());
  actual[0].line = {"p", "restart", "ns/a", "executed"};
  BOOST_TEST(compare(test, actual, {}).empty());
}

BOOST_AUTO_TEST_CASE(expected_trigger_states) {
  std::vector<FileError> errors;
  auto file = parse_test_file(R"(policy_files: [p.skippy]
tests:
  - name: fires and resolves
    cluster: {pods: [{namespace: demo, name: a}], deployments: [{namespace: demo, name: web}]}
    expected_triggers:
      - {at: 30s, policy: p, trigger: high, target: Pod/demo/a, state: pending}
      - {at: 2m, policy: p, trigger: high, target: Deployment/demo/web, state: firing}
)",
                              "t.yaml", errors);
  BOOST_TEST(errors.empty());
  BOOST_REQUIRE_EQUAL(file.tests.size(), 1u);
  const auto& t = file.tests[0];
  BOOST_REQUIRE_EQUAL(t.expected_triggers.size(), 2u);
  BOOST_TEST(t.expected_triggers[0].line.target == "demo/a");  // as actions name a pod
  BOOST_TEST(t.expected_triggers[0].line.state == "pending");
  BOOST_TEST(t.expected_triggers[0].policy_where.line == 6);
  BOOST_TEST(t.expected_triggers[0].trigger_where.column == 39);
  BOOST_TEST(t.expected_triggers[1].path == "tests[0].expected_triggers[1]");
  BOOST_TEST(t.end_ms() == 120'000);  // the test runs until its last expectation

  errors.clear();
  parse_test_file(R"(policy_files: [p.skippy]
tests:
  - name: t
    cluster: {pods: [{namespace: demo, name: a}]}
    expected_triggers:
      - {at: 30s, policy: p, trigger: high, target: demo/b, state: pending}
      - {at: 30s, policy: p, trigger: high, target: demo/a, state: resolved}
      - {at: 1m, policy: p, target: demo/a, state: firing}
      - {at: 1m, policy: p, trigger: high, target: demo/a, state: firing}
      - {at: 1m, policy: p, trigger: high, target: demo/a, state: firing}
)",
                  "t.yaml", errors);
  auto got = located(errors);
  std::vector<std::string> want = {
      "7:68: tests[0].expected_triggers[1].state: `resolved` is not a trigger state: expected "
      "inactive, pending or firing",
      "8:9: tests[0].expected_triggers[2]: `trigger` is missing",
      "10:9: tests[0].expected_triggers[4]: the same trigger and target at 1m is expected twice "
      "(first on line 9)",
      "6:53: tests[0].expected_triggers[0].target: `demo/b` is not in the test's cluster (a pod "
      "is namespace/name, a workload Kind/namespace/name)",
  };
  BOOST_TEST(got == want, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(trigger_states_compared_in_the_diff) {
  TestCase test;
  test.expected.push_back({60'000, {{"p", "restart", "ns/a", "executed"}}, {}});
  ExpectedTrigger pending;
  pending.at_ms = 30'000;
  pending.line = {"p", "high", "ns/a", "pending"};
  ExpectedTrigger firing = pending;
  firing.at_ms = 60'000;
  firing.line.state = "firing";
  test.expected_triggers = {pending, firing};
  std::vector<ActionEvent> actual;
  actual.push_back({60'000, "high", {"p", "restart", "ns/b", "executed"}});
  // At 30s the actions agree (none) and only the state differs; at 1m both differ.
  std::vector<TriggerLine> states = {{"p", "high", "ns/a", "inactive"},
                                     {"p", "high", "ns/a", "pending"}};
  std::vector<std::string> want = {
      "at 30s:",
      "  - trigger p high ns/a pending",
      "  + trigger p high ns/a inactive",
      "at 1m:",
      "  - p restart ns/a executed",
      "  + p restart ns/b executed",
      "  - trigger p high ns/a firing",
      "  + trigger p high ns/a pending",
  };
  BOOST_TEST(compare(test, actual, states) == want, boost::test_tools::per_element());
  actual[0].line.target = "ns/a";
  states[0].state = "pending";
  states[1].state = "firing";
  BOOST_TEST(compare(test, actual, states).empty());
}
