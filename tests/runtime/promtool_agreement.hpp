// The judge of Skippy's trigger semantics: series shapes in promtool's notation, the tick
// engine's firing timeline for `trigger t when m > 5 for F keep_firing_for K` over one of
// them, and the promtool unit test (and alerting rule) that must agree with that timeline.
// Shared by promtool_agreement_test (the engine against promtool) and
// test_agreement_test (`skippy test` against the same timelines).
//
// The equivalent rule states Skippy's rules in PromQL: a series that is absent (a gap past
// the 5-minute lookback, or a stale marker) is 0 for the signal (`on missing zero`) and
// absent for the rule; a NaN sample is unknown for Skippy, which never counts as recovery,
// so the rule keeps an alert that was firing while the value is NaN:
//   metric > 5 or (metric != metric and on() ALERTS{alertname="T", alertstate="firing"})
#pragma once

#include <boost/test/unit_test.hpp>

#include <cmath>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "policytest/series.hpp"
#include "runtime/cluster/snapshot.hpp"
#include "runtime/engine/tick.hpp"
#include "stdlib/engine_support.hpp"
#include "stdlib/functions.hpp"
#include "tests/support/compile_text.hpp"

namespace skippy::test::agreement {

constexpr std::int64_t kStepMs = 15'000;
constexpr std::int64_t kLookbackMs = 300'000;

struct Shape {
  const char* name;
  const char* values;  // promtool notation: numbers, `_` (no sample), `stale`, `a+bxn`, `a-bxn`
  const char* for_duration;
  const char* keep_firing_for;  // "" for none
};

// The samples of a promtool series (`skippy test`'s reading of the notation), one per step:
// nullopt for `_`, kStale for a stale marker.
constexpr double kStale = -1e300;

inline std::vector<std::optional<double>> expand(const std::string& values) {
  policytest::NotationError error;
  auto samples = policytest::expand_values(values, error);
  BOOST_REQUIRE_MESSAGE(samples, values << ": " << error.message);
  std::vector<std::optional<double>> out;
  for (const auto& s : *samples) {
    if (s.kind == policytest::Sample::Omitted)
      out.push_back(std::nullopt);
    else
      out.push_back(s.kind == policytest::Sample::Stale ? kStale : s.value);
  }
  return out;
}

// What an instant query for `metric` returns at step i: the latest sample within the
// lookback, unless a stale marker is the latest.
inline std::optional<double> instant(const std::vector<std::optional<double>>& samples,
                                     std::size_t i) {
  for (std::size_t back = 0; back <= i; ++back) {
    if (static_cast<std::int64_t>(back) * kStepMs > kLookbackMs) break;
    const auto& s = samples[i - back];
    if (!s) continue;
    if (*s == kStale) return std::nullopt;
    return *s;
  }
  return std::nullopt;
}

class OneSeries final : public engine::VectorView {
 public:
  std::optional<double> value_;
  std::size_t size() const override { return value_ ? 1 : 0; }
  std::string_view label(std::size_t, std::string_view name) const override {
    return name == "namespace" ? "apps" : name == "pod" ? "a" : "";
  }
  double value(std::size_t) const override { return *value_; }
};

// The steps at which Skippy's trigger is firing (or clearing).
inline std::vector<bool> skippy_timeline(const Shape& shape, std::size_t steps) {
  std::string text =
      std::string("policy p {\n  select pods in namespace \"apps\"\n  every 15s\n") +
      "  signal m = promql(`metric`) by (namespace, pod) max on missing zero\n" +
      "  trigger t when m > 5 for " + shape.for_duration +
      (*shape.keep_firing_for ? std::string(" keep_firing_for ") + shape.keep_firing_for : "") +
      "\n  on t do annotate(key: \"k\", value: \"v\")\n}\n";
  auto compiled = testing::compile_text(text);
  BOOST_REQUIRE_MESSAGE(compiled->program, compiled->messages());
  engine::Engine engine(*compiled->program, stdlib::function_table(), stdlib::engine_builtins());
  std::vector<cluster::SnapshotError> errors;
  auto view = cluster::parse_snapshot("pods:\n  - {namespace: apps, name: a}\n", errors);
  auto samples = expand(shape.values);
  std::vector<bool> firing;
  OneSeries vector;
  for (std::size_t i = 0; i < steps; ++i) {
    vector.value_ =
        i < samples.size() ? instant(samples, i) : instant(samples, samples.size() - 1 + 0);
    if (i >= samples.size()) {
      // Past the series: Prometheus still sees the last sample within the lookback.
      std::vector<std::optional<double>> padded = samples;
      padded.resize(i + 1);
      vector.value_ = instant(padded, i);
    }
    engine::QueryResult r;
    r.vector = &vector;
    std::vector<engine::QueryResult> results{r};
    engine.tick(static_cast<std::int64_t>(i) * kStepMs, view, results);
    auto state = engine.trigger_state(0, 0, "apps/a");
    firing.push_back(state && engine::is_firing(*state));
  }
  return firing;
}

inline std::string promtool_test(const Shape& shape, const std::vector<bool>& firing) {
  std::string out =
      "rule_files: [rules.yml]\nevaluation_interval: 15s\ntests:\n  - interval: 15s\n"
      "    input_series:\n      - series: 'metric'\n        values: '" +
      std::string(shape.values) + "'\n    alert_rule_test:\n";
  for (std::size_t i = 0; i < firing.size(); ++i) {
    out += "      - eval_time: " + std::to_string(i * 15) +
           "s\n        alertname: T\n        exp_alerts: " +
           (firing[i] ? "[{exp_labels: {}}]" : "[]") + "\n";
  }
  return out;
}

inline std::string rule_file(const Shape& shape) {
  return std::string("groups:\n  - name: g\n    interval: 15s\n    rules:\n      - alert: T\n") +
         "        expr: 'metric > 5 or (metric != metric and on() ALERTS{alertname=\"T\", "
         "alertstate=\"firing\"})'\n" +
         "        for: " + shape.for_duration + "\n" +
         (*shape.keep_firing_for
              ? std::string("        keep_firing_for: ") + shape.keep_firing_for + "\n"
              : "");
}

inline const Shape kShapes[] = {
    {"step up", "0 0 0 10 10 10 10 10 10 10", "30s", ""},
    {"step up at once", "0 0 10 10 10", "0s", ""},
    {"step down", "10 10 10 10 10 0 0 0 0", "30s", ""},
    {"flapping every step", "0 10 0 10 0 10 0 10 0 10", "15s", ""},
    {"flapping every two steps", "0 0 10 10 0 0 10 10 0 0 10 10", "15s", ""},
    {"held exactly for", "0 10 10 10 0 0", "30s", ""},
    {"one short of for", "0 10 10 0 0 0", "30s", ""},
    {"ramp", "0+1x12", "30s", ""},
    {"ramp down", "12-1x12", "30s", ""},
    {"at the threshold is not above", "5 5 5 5 5 5", "0s", ""},
    {"single spike", "0 0 100 0 0 0", "0s", ""},
    {"two episodes", "0 10 10 10 10 0 0 0 10 10 10 10 0", "30s", ""},
    {"short gap inside lookback", "10 10 10 _ _ 10 10 10", "30s", ""},
    {"gap longer than lookback", "10 10 10 10 _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ 10 10 10",
     "30s", ""},
    {"stale while pending", "0 10 stale 10 10 10 10", "30s", ""},
    {"stale while firing", "10 10 10 10 stale 10 10 10 10", "30s", ""},
    {"NaN while pending", "0 10 NaN 10 10 10 10", "30s", ""},
    {"NaN while firing", "10 10 10 10 NaN NaN 10 10 0 0", "30s", ""},
    {"NaN then recovery", "10 10 10 NaN 0 0 0", "15s", ""},
    {"keep firing through a dip", "10 10 10 0 10 10 0 0 0 0 0", "15s", "30s"},
    {"keep firing then resolve", "10 10 10 0 0 0 0 0 0", "0s", "45s"},
    {"keep firing with NaN", "10 10 NaN 0 0 0 0", "0s", "30s"},
    {"long for", "0+2x20", "2m", ""},
    {"stale at the start", "stale 10 10 10 10", "15s", ""},
};

}  // namespace skippy::test::agreement
