// The judge of Skippy's trigger semantics over 24 series shapes: the tick engine's firing
// timeline for `trigger t when m > 5 for F keep_firing_for K`, and the promtool unit test (and
// alerting rule) that must agree with it. Shared by promtool_agreement_test (the engine
// against promtool) and test_agreement_test (`skippy test` against the same timelines); the
// timeline and the promtool files are promtool_judge.hpp's.
//
// The equivalent rule states Skippy's rules in PromQL: a series that is absent (a gap past
// the 5-minute lookback, or a stale marker) is 0 for the signal (`on missing zero`) and
// absent for the rule; a NaN sample is unknown for Skippy, which never counts as recovery,
// so the rule keeps an alert that was firing while the value is NaN:
//   metric > 5 or (metric != metric and on() ALERTS{alertname="T", alertstate="firing"})
#pragma once

#include <string>
#include <vector>

#include "tests/run/promtool_judge.hpp"
#include "tests/support/compile_text.hpp"

namespace skippy::test::agreement {

constexpr std::int64_t kStepMs = 15'000;

struct Shape {
  const char* name;
  const char* values;  // promtool notation: numbers, `_` (no sample), `stale`, `a+bxn`, `a-bxn`
  const char* for_duration;
  const char* keep_firing_for;  // "" for none
};

using promtool_judge::expand;
using promtool_judge::kStale;

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
  return promtool_judge::skippy_timeline(*compiled->program, shape.values, steps, kStepMs);
}

inline std::string promtool_test(const Shape& shape, const std::vector<bool>& firing) {
  return promtool_judge::promtool_test({"metric", shape.values, "{}", kStepMs}, firing);
}

inline std::string rule_file(const Shape& shape) {
  return promtool_judge::rule_file(
      "metric > 5 or (metric != metric and on() ALERTS{alertname=\"T\", alertstate=\"firing\"})",
      shape.for_duration, shape.keep_firing_for, kStepMs);
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
