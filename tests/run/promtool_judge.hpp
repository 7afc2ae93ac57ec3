// Test support: the runtime's trigger timeline over a promtool series, and `promtool test
// rules` as the judge of whether an equivalent Prometheus alerting rule fires at the same
// steps. Shared by the agreement tests of hand-written and translated policies.
//
// A series is written in promtool's notation, read as `skippy test` reads it (numbers, `_`
// for no sample, `stale`, `a+bxn`, `a-bxn`); the engine sees at each step what an instant query
// would return: the latest sample within the 5-minute lookback, none after a stale marker.
#pragma once

#include <boost/test/unit_test.hpp>

#include <optional>
#include <string>
#include <vector>

#include "policytest/series.hpp"
#include "runtime/bytecode/program.hpp"
#include "runtime/cluster/snapshot.hpp"
#include "runtime/engine/tick.hpp"
#include "stdlib/builtins/functions.hpp"
#include "stdlib/engine_support.hpp"
#include "tests/runtime/prometheus/support.hpp"

namespace skippy::test::promtool_judge {

inline constexpr std::int64_t kLookbackMs = 300'000;

// The samples of a promtool series: one per step, nullopt for `_`; NaN for NaN; a stale
// marker is kStale.
inline constexpr double kStale = -1e300;

inline std::vector<std::optional<double>> expand(const std::string& values) {
  policytest::NotationError error;
  auto samples = policytest::expand_values(values, error);  // `skippy test`'s reading
  BOOST_REQUIRE_MESSAGE(samples, values << ": " << error.message);
  std::vector<std::optional<double>> out;
  for (const auto& sample : *samples) {
    if (sample.kind == policytest::Sample::Omitted)
      out.push_back(std::nullopt);
    else
      out.push_back(sample.kind == policytest::Sample::Stale ? kStale : sample.value);
  }
  return out;
}

// What an instant query for the series returns at step i (past the last sample too): the
// latest sample within the lookback, unless a stale marker is the latest.
inline std::optional<double> instant(const std::vector<std::optional<double>>& samples,
                                     std::size_t i, std::int64_t step_ms) {
  for (std::size_t back = 0; back <= i; ++back) {
    if (static_cast<std::int64_t>(back) * step_ms > kLookbackMs) break;
    if (i - back >= samples.size()) continue;
    const auto& s = samples[i - back];
    if (!s) continue;
    if (*s == kStale) return std::nullopt;
    return *s;
  }
  return std::nullopt;
}

// The query's answer: one series of pod apps/a, or none.
class OneSeries final : public engine::VectorView {
 public:
  std::optional<double> value_;
  std::size_t size() const override { return value_ ? 1 : 0; }
  std::string_view label(std::size_t, std::string_view name) const override {
    return name == "namespace" ? "apps" : name == "pod" ? "a" : "";
  }
  double value(std::size_t) const override { return *value_; }
};

// The steps at which trigger 0 of policy 0 of `program`, whose one query reads the series,
// is firing (or clearing) for pod apps/a, ticked every `step_ms`.
inline std::vector<bool> skippy_timeline(const bytecode::Program& program,
                                         const std::string& values, std::size_t steps,
                                         std::int64_t step_ms) {
  engine::Engine engine(program, stdlib::function_table(), stdlib::engine_builtins());
  std::vector<cluster::SnapshotError> errors;
  auto view = cluster::parse_snapshot("pods:\n  - {namespace: apps, name: a}\n", errors);
  auto samples = expand(values);
  std::vector<bool> firing;
  OneSeries vector;
  for (std::size_t i = 0; i < steps; ++i) {
    vector.value_ = instant(samples, i, step_ms);
    engine::QueryResult r;
    r.vector = &vector;
    std::vector<engine::QueryResult> results{r};
    engine.tick(static_cast<std::int64_t>(i) * step_ms, view, results);
    auto state = engine.trigger_state(0, 0, "apps/a");
    firing.push_back(state && engine::is_firing(*state));
  }
  return firing;
}

// The input and the alert the promtool test is about.
struct AlertTest {
  std::string series;      // `metric`, `q{namespace="apps", pod="a"}`
  std::string values;      // promtool notation
  std::string exp_labels;  // the labels of the alert when it fires: `{}`, `{pod: a}`
  std::int64_t step_ms = 15'000;
};

// A promtool unit test that expects alert T exactly at the steps where `firing` is true.
inline std::string promtool_test(const AlertTest& test, const std::vector<bool>& firing) {
  std::string step = std::to_string(test.step_ms / 1000) + "s";
  std::string out = "rule_files: [rules.yml]\nevaluation_interval: " + step +
                    "\ntests:\n  - interval: " + step + "\n    input_series:\n      - series: '" +
                    test.series + "'\n        values: '" + test.values +
                    "'\n    alert_rule_test:\n";
  for (std::size_t i = 0; i < firing.size(); ++i) {
    out += "      - eval_time: " + std::to_string(i * (test.step_ms / 1000)) +
           "s\n        alertname: T\n        exp_alerts: " +
           (firing[i] ? "[{exp_labels: " + test.exp_labels + "}]" : std::string("[]")) + "\n";
  }
  return out;
}

// A rule file with one alerting rule T.
inline std::string rule_file(const std::string& expr, const std::string& for_duration,
                             const std::string& keep_firing_for, std::int64_t step_ms) {
  return "groups:\n  - name: g\n    interval: " + std::to_string(step_ms / 1000) +
         "s\n    rules:\n      - alert: T\n        expr: '" + expr +
         "'\n        for: " + for_duration + "\n" +
         (keep_firing_for.empty() ? "" : "        keep_firing_for: " + keep_firing_for + "\n");
}

// Runs `promtool test rules` on the rule file and the test in `dir`; its exit code, and its
// output in `log`.
inline int run_promtool(const fs::path& dir, const std::string& rules, const std::string& test,
                        std::string& log) {
  write_file(dir / "rules.yml", rules);
  write_file(dir / "test.yml", test);
  Process promtool({"promtool", "test", "rules", (dir / "test.yml").string()},
                   dir / "promtool.log");
  int rc = promtool.wait();
  log = read_file(dir / "promtool.log");
  return rc;
}

// "..FFF." for a timeline, to show in messages.
inline std::string timeline_text(const std::vector<bool>& firing) {
  std::string line;
  for (bool f : firing) line += f ? 'F' : '.';
  return line;
}

}  // namespace skippy::test::promtool_judge
