// `skippy test` and `promtool test rules` agree on when equivalent conditions fire. For each
// series shape of promtool_agreement.hpp, the tick engine's firing timeline of `trigger t when
// m > 5 for F` is first judged by promtool (its alerting-rule equivalent must fire exactly
// then); then every firing's start becomes an expected action of a `skippy test` file over the
// same series, and `skippy test` (a real Prometheus over the backfilled series, staleness
// markers included) must pass it: it acts when, and only when, the alert starts firing.
// And the clock: every test of a file starts at time 0, as in promtool, so a condition on
// `time()` gives the same answer in every position of the file.
#define BOOST_TEST_MODULE test_agreement
#include <boost/test/unit_test.hpp>

#include "tests/run/promtool_agreement.hpp"
#include "tests/runtime/prometheus/support.hpp"

using namespace skippy::test::agreement;
using skippy::test::Process;
using skippy::test::read_file;
using skippy::test::TempDir;
using skippy::test::write_file;

namespace {

std::string policy(const Shape& shape) {
  return std::string("policy p_") + std::to_string(&shape - kShapes) +
         " {\n  select pods in namespace \"apps\"\n  mode automatic\n  every 15s\n" +
         "  signal m = promql(`metric_" + std::to_string(&shape - kShapes) +
         "`) by (namespace, pod) max on missing zero\n" + "  trigger t when m > 5 for " +
         shape.for_duration +
         (*shape.keep_firing_for ? std::string(" keep_firing_for ") + shape.keep_firing_for : "") +
         "\n  on t do annotate(key: \"k\", value: \"v\")\n}\n";
}

std::string at(std::size_t step) {
  return std::to_string(step * 15) + "s";
}

// A test of `skippy test` expecting an action at each start of a firing, none elsewhere. All
// the shapes' tests share one file: each shape has its policy and its metric.
std::string skippy_test(const Shape& shape, const std::vector<bool>& firing) {
  const std::string name = "p_" + std::to_string(&shape - kShapes);
  std::string out = "  - name: '" + std::string(shape.name) +
                    "'\n    interval: 15s\n    input_series:\n"
                    "      - series: 'metric_" +
                    std::to_string(&shape - kShapes) +
                    "{namespace=\"apps\", pod=\"a\"}'\n        values: '" + shape.values +
                    "'\n    cluster: {pods: [{namespace: apps, name: a}]}\n"
                    "    expected_no_actions_until: " +
                    at(firing.size() - 1) + "\n    expected_actions:\n";
  for (std::size_t i = 0; i < firing.size(); ++i) {
    if (firing[i] && (i == 0 || !firing[i - 1]))
      out += "      - at: " + at(i) + "\n        actions: [{policy: " + name +
             ", action: annotate, target: apps/a}]\n";
  }
  return out;
}

struct Files {
  std::string policies;
  std::string tests;
  std::vector<std::vector<bool>> timelines;
};

// Every shape's timeline, judged by promtool, and the `skippy test` files expecting it.
Files judged_timelines(const TempDir& dir) {
  Files files;
  for (const Shape& shape : kShapes) {
    auto firing = skippy_timeline(shape, expand(shape.values).size() + 4);
    write_file(dir.path() / "rules.yml", rule_file(shape));
    write_file(dir.path() / "promtool.yml", promtool_test(shape, firing));
    Process promtool({"promtool", "test", "rules", (dir.path() / "promtool.yml").string()},
                     dir.path() / "promtool.log");
    BOOST_TEST(promtool.wait() == 0, shape.name << ": " << read_file(dir.path() / "promtool.log"));
    files.policies += policy(shape);
    files.timelines.push_back(firing);
  }
  return files;
}

int run_skippy_test(const TempDir& dir, const std::string& tests, std::string& output) {
  write_file(dir.path() / "t.yaml", "policy_files: [p.skippy]\ntests:\n" + tests);
  std::filesystem::remove(dir.path() / "skippy.log");
  Process run({SKIPPY_BINARY, "test", (dir.path() / "t.yaml").string()}, dir.path() / "skippy.log");
  int rc = run.wait();
  output = read_file(dir.path() / "skippy.log");
  return rc;
}

}  // namespace

BOOST_AUTO_TEST_CASE(skippy_test_acts_when_promtool_fires) {
  BOOST_TEST(std::size(kShapes) >= 20u);
  TempDir dir("skippy-test-agreement");
  auto files = judged_timelines(dir);
  write_file(dir.path() / "p.skippy", files.policies);
  std::string tests;
  std::size_t firings = 0;
  for (std::size_t i = 0; i < std::size(kShapes); ++i) {
    tests += skippy_test(kShapes[i], files.timelines[i]);
    for (std::size_t k = 0; k < files.timelines[i].size(); ++k)
      firings += files.timelines[i][k] && (k == 0 || !files.timelines[i][k - 1]) ? 1 : 0;
  }
  BOOST_TEST(firings >= 20u);  // the shapes fire, and some more than once
  std::string output;
  BOOST_TEST(run_skippy_test(dir, tests, output) == 0, output);
  BOOST_TEST(output.find(std::to_string(std::size(kShapes)) + " test(s), " +
                         std::to_string(std::size(kShapes)) + " passed") != std::string::npos,
             output);
}

BOOST_AUTO_TEST_CASE(a_firing_a_step_late_fails) {
  // A wrong expectation must fail `skippy test`, or the agreement above would prove nothing.
  TempDir dir("skippy-test-agreement");
  const Shape& shape = kShapes[0];
  auto firing = skippy_timeline(shape, expand(shape.values).size() + 4);
  write_file(dir.path() / "p.skippy", policy(shape));
  std::vector<bool> late(firing.size(), false);
  for (std::size_t i = 1; i < firing.size(); ++i) late[i] = firing[i - 1];
  std::string output;
  BOOST_TEST(run_skippy_test(dir, skippy_test(shape, late), output) == 1, output);
  BOOST_TEST(output.find("FAIL step up") != std::string::npos, output);
}

namespace {

// A condition that compares `time()` with a timestamp held in a series, as kube-state-metrics
// rules do (`time() - kube_job_status_completion_time > 3600`): the last success was at 30s,
// so the job is overdue once 300s have passed since, first at the tick of 5m45s.
const char* kOverdueValues = "30x40";  // 0s to 10m, every 15s

std::string overdue_tests(const std::string& body) {
  std::string out;
  for (const char* position : {"first", "second", "third"})
    out += std::string("  - name: overdue, ") + position + " in the file\n" + body;
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_test_starts_at_time_zero_as_in_promtool) {
  TempDir dir("skippy-test-agreement");
  // promtool evaluates each test of a file from time 0: the alert fires at 5m45s in all three.
  write_file(dir.path() / "rules.yml", R"(groups:
  - name: g
    interval: 15s
    rules:
      - alert: Overdue
        expr: 'time() - last_success_timestamp_seconds > 300'
)");
  write_file(
      dir.path() / "promtool.yml",
      "rule_files: [rules.yml]\nevaluation_interval: 15s\ntests:\n" +
          overdue_tests(std::string("    interval: 15s\n    input_series:\n") +
                        "      - series: 'last_success_timestamp_seconds{namespace=\"apps\", "
                        "pod=\"a\"}'\n        values: '" +
                        kOverdueValues + "'\n    alert_rule_test:\n" +
                        "      - {eval_time: 5m30s, alertname: Overdue, exp_alerts: []}\n"
                        "      - eval_time: 5m45s\n        alertname: Overdue\n"
                        "        exp_alerts: [{exp_labels: {namespace: apps, pod: a}}]\n"));
  Process promtool({"promtool", "test", "rules", (dir.path() / "promtool.yml").string()},
                   dir.path() / "promtool.log");
  BOOST_TEST(promtool.wait() == 0, read_file(dir.path() / "promtool.log"));

  // The same condition in a policy, the same series, the same expectation in every position.
  write_file(dir.path() / "p.skippy", R"(policy overdue {
  select pods in namespace "apps"
  mode automatic
  every 15s
  signal since_success = promql(`time() - last_success_timestamp_seconds`) by (namespace, pod) max on missing zero
  trigger late when since_success > 300
  on late do annotate(key: "k", value: "v")
}
)");
  std::string output;
  int rc = run_skippy_test(
      dir,
      overdue_tests(std::string("    interval: 15s\n    input_series:\n") +
                    "      - series: 'last_success_timestamp_seconds{namespace=\"apps\", "
                    "pod=\"a\"}'\n        values: '" +
                    kOverdueValues + "'\n    cluster: {pods: [{namespace: apps, name: a}]}\n" +
                    "    expected_actions:\n      - at: 5m45s\n"
                    "        actions: [{policy: overdue, action: annotate, target: apps/a}]\n"
                    "    expected_no_actions_until: 10m\n"),
      output);
  BOOST_TEST(rc == 0, output);
  BOOST_TEST(output.find("3 test(s), 3 passed") != std::string::npos, output);
}
