// The runtime's `for`, `keep_firing_for` and missing-data semantics agree with Prometheus's
// alerting rules, with `promtool test rules` as the judge. For each series shape, the tick
// engine evaluates `trigger t when m > 5 for F keep_firing_for K` at every 15 s step; its
// firing timeline becomes the expected alerts of a promtool unit test of the equivalent
// alerting rule over the same input series; promtool must pass it.
//
// The equivalent rule states Skippy's rules in PromQL: a series that is absent (a gap past
// the 5-minute lookback, or a stale marker) is 0 for the signal (`on missing zero`) and
// absent for the rule; a NaN sample is unknown for Skippy, which never counts as recovery,
// so the rule keeps an alert that was firing while the value is NaN:
//   metric > 5 or (metric != metric and on() ALERTS{alertname="T", alertstate="firing"})
#define BOOST_TEST_MODULE promtool_agreement
#include <boost/test/unit_test.hpp>

#include "tests/runtime/promtool_judge.hpp"
#include "tests/support/compile_text.hpp"

using namespace skippy;
using skippy::test::TempDir;
namespace judge = skippy::test::promtool_judge;

namespace {

constexpr std::int64_t kStepMs = 15'000;

struct Shape {
  const char* name;
  const char* values;  // promtool notation: numbers, `_` (no sample), `stale`, `a+bxn`, `a-bxn`
  const char* for_duration;
  const char* keep_firing_for;  // "" for none
};

// The steps at which Skippy's trigger is firing (or clearing).
std::vector<bool> skippy_timeline(const Shape& shape, std::size_t steps) {
  std::string text =
      std::string("policy p {\n  select pods in namespace \"apps\"\n  every 15s\n") +
      "  signal m = promql(`metric`) by (namespace, pod) max on missing zero\n" +
      "  trigger t when m > 5 for " + shape.for_duration +
      (*shape.keep_firing_for ? std::string(" keep_firing_for ") + shape.keep_firing_for : "") +
      "\n  on t do annotate(key: \"k\", value: \"v\")\n}\n";
  auto compiled = testing::compile_text(text);
  BOOST_REQUIRE_MESSAGE(compiled->program, compiled->messages());
  return judge::skippy_timeline(*compiled->program, shape.values, steps, kStepMs);
}

std::string promtool_test(const Shape& shape, const std::vector<bool>& firing) {
  return judge::promtool_test({"metric", shape.values, "{}", kStepMs}, firing);
}

std::string rule_file(const Shape& shape) {
  return judge::rule_file(
      "metric > 5 or (metric != metric and on() ALERTS{alertname=\"T\", alertstate=\"firing\"})",
      shape.for_duration, shape.keep_firing_for, kStepMs);
}

const Shape kShapes[] = {
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

}  // namespace

BOOST_AUTO_TEST_CASE(skippy_and_promtool_agree_on_every_shape) {
  BOOST_TEST(std::size(kShapes) >= 20u);
  TempDir dir("skippy-promtool-agreement");
  for (const Shape& shape : kShapes) {
    BOOST_TEST_CONTEXT(shape.name << ": " << shape.values << " for " << shape.for_duration) {
      std::size_t steps = judge::expand(shape.values).size() + 4;
      auto firing = skippy_timeline(shape, steps);
      if (std::getenv("SKIPPY_SHOW_TIMELINES"))
        BOOST_TEST_MESSAGE(shape.name << ": " << judge::timeline_text(firing));
      std::string log;
      int rc = judge::run_promtool(dir.path(), rule_file(shape), promtool_test(shape, firing), log);
      BOOST_TEST(rc == 0, log);
    }
  }
}

BOOST_AUTO_TEST_CASE(the_judge_can_disagree) {
  // A wrong expectation must fail promtool, or the agreement above would prove nothing.
  TempDir dir("skippy-promtool-agreement");
  Shape shape{"step up", "0 0 0 10 10 10 10 10", "30s", ""};
  auto firing = skippy_timeline(shape, 8);
  firing[4] = !firing[4];
  std::string log;
  BOOST_TEST(judge::run_promtool(dir.path(), rule_file(shape), promtool_test(shape, firing), log) !=
             0);
}
