// A translated HealingPolicy metric trigger with `duration: 3m` fires exactly when the
// equivalent Prometheus alerting rule with `for: 3m` does, with `promtool test rules` as the
// judge. The manifest below goes through the translation, the formatter and the compiler as
// `skippy translate` and `skippy compile` take it; the tick engine evaluates the compiled
// policy every 30 s (the translation's interval) over each series shape, and its firing
// timeline becomes the expected alerts of a promtool unit test of the equivalent rule.
//
// The translation reads the query with no `on missing` rule: a target without a series (a gap
// past the 5-minute lookback, a stale marker) or with a NaN sample has an unknown value,
// which resets a pending trigger and never ends a firing one. The equivalent rule says so in
// PromQL: above the threshold, or firing before and not known to be at or below it now:
//   Q > 5 or (max by (namespace, pod) (ALERTS{alertname="T", alertstate="firing"}) unless Q <= 5)
#define BOOST_TEST_MODULE translated_duration
#include <boost/test/unit_test.hpp>

#include "tests/run/promtool_judge.hpp"
#include "tests/support/compile_text.hpp"
#include "toolchain/translation_output.hpp"
#include "translate/translate.hpp"

using namespace skippy;
using skippy::test::TempDir;
namespace judge = skippy::test::promtool_judge;

namespace {

constexpr char kManifest[] = R"(apiVersion: kubeskippy.io/v1alpha1
kind: HealingPolicy
metadata:
  name: queue-backlog
  namespace: apps
spec:
  selector:
    namespaces: [apps]
    resources:
      - apiVersion: v1
        kind: Pod
  triggers:
    - name: backlog
      type: metric
      metricTrigger:
        query: max by (namespace, pod) (app_queue_depth)
        threshold: 5
        operator: ">"
        duration: 3m
  actions:
    - name: restart-worker
      type: restart
      restartAction:
        strategy: rolling
  mode: automatic
)";

struct Shape {
  const char* name;
  const char* values;     // promtool notation, one sample per 30 s
  int first_firing_step;  // where Skippy must first fire; -1: never
};

// At 30 s a step, `for 3m` is six steps after the first step above the threshold.
const Shape kShapes[] = {
    {"above for exactly 3m", "0 10 10 10 10 10 10 10 0 0 0", 7},
    {"above for just under 3m", "0 10 10 10 10 10 10 0 0 0 0", -1},
    {"a dip resets the timer", "0 10 10 10 10 0 10 10 10 10 10 10 10 10 0", 12},
    {"at the threshold is not above", "5 5 5 5 5 5 5 5 5 5", -1},
    {"ramp across the threshold", "0+1x20", 12},
    {"gaps inside the lookback", "0 10 _ _ 10 10 _ 10 10 10 0 0", 7},
    {"missing samples at the start", "_ _ _ 10 10 10 10 10 10 10 10", 9},
    {"a gap past the lookback after a dip",
     "10 10 0 _ _ _ _ _ _ _ _ _ _ _ _ 10 10 10 10 10 10 10 10", 21},
    {"gap past the lookback while firing",
     "10 10 10 10 10 10 10 10 _ _ _ _ _ _ _ _ _ _ _ _ 10 10 0 0", 6},
    {"stale while pending", "0 10 10 10 stale 10 10 10 10 10 10 10 10", 11},
    {"stale while firing", "10 10 10 10 10 10 10 10 stale 10 10 0 0", 6},
    {"NaN while pending", "0 10 10 NaN 10 10 10 10 10 10 10 10", 10},
    {"NaN while firing", "10 10 10 10 10 10 10 NaN NaN 10 0 0", 6},
    {"two episodes", "10 10 10 10 10 10 10 0 0 10 10 10 10 10 10 10 10 0", 6},
};

struct Translated {
  std::unique_ptr<testing::Compiled> compiled;
  std::string query;  // the signal's PromQL, as the translation wrote it
};

// The manifest as `skippy translate` writes it, compiled as `skippy compile` would.
Translated translate_and_compile() {
  auto translation = translate::translate_manifests("queue-backlog.yaml", kManifest);
  BOOST_REQUIRE(!translation.unreadable);
  BOOST_REQUIRE_EQUAL(translation.policies.size(), 1u);
  auto output = toolchain::translation_output(translation.policies[0]);
  BOOST_REQUIRE_MESSAGE(output.problem.empty(), output.problem);
  Translated out;
  out.compiled = testing::compile_text(output.text);
  BOOST_REQUIRE_MESSAGE(out.compiled->program, out.compiled->messages());
  const auto& program = *out.compiled->program;
  BOOST_REQUIRE_EQUAL(program.policies.size(), 1u);
  const auto& policy = program.policies[0];
  BOOST_REQUIRE_EQUAL(policy.triggers.size(), 1u);
  BOOST_REQUIRE_EQUAL(policy.inputs.size(), 1u);
  out.query = std::string(program.string(policy.inputs[0].query));
  return out;
}

std::int64_t interval_ms(const Translated& t) {
  return t.compiled->program->policies[0].interval_ms;
}

std::string equivalent_rule(const Translated& t) {
  return judge::rule_file(t.query + " > 5 or (max by (namespace, pod) (ALERTS{alertname=\"T\", " +
                              "alertstate=\"firing\"}) unless " + t.query + " <= 5)",
                          "3m", "", interval_ms(t));
}

judge::AlertTest alert_test(const Translated& t, const Shape& shape) {
  return {"app_queue_depth{namespace=\"apps\", pod=\"a\"}", shape.values,
          "{namespace: apps, pod: a}", interval_ms(t)};
}

int first_firing(const std::vector<bool>& firing) {
  for (std::size_t i = 0; i < firing.size(); ++i)
    if (firing[i]) return static_cast<int>(i);
  return -1;
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_translation_waits_the_duration_as_for) {
  auto t = translate_and_compile();
  const auto& policy = t.compiled->program->policies[0];
  BOOST_TEST(policy.triggers[0].for_ms == 180'000);
  BOOST_TEST(policy.interval_ms == 30'000);
  BOOST_TEST(t.query == "max by (namespace, pod) (app_queue_depth)");
  BOOST_TEST((policy.inputs[0].missing == bytecode::MissingKind::Unknown));
}

BOOST_AUTO_TEST_CASE(a_translated_duration_fires_when_promtool_fires_for_3m) {
  auto t = translate_and_compile();
  TempDir dir("skippy-translated-duration");
  for (const Shape& shape : kShapes) {
    BOOST_TEST_CONTEXT(shape.name << ": " << shape.values) {
      std::size_t steps = judge::expand(shape.values).size() + 4;
      auto firing =
          judge::skippy_timeline(*t.compiled->program, shape.values, steps, interval_ms(t));
      BOOST_TEST(first_firing(firing) == shape.first_firing_step, judge::timeline_text(firing));
      std::string log;
      int rc = judge::run_promtool(dir.path(), equivalent_rule(t),
                                   judge::promtool_test(alert_test(t, shape), firing), log);
      BOOST_TEST(rc == 0, judge::timeline_text(firing) << "\n" << log);
    }
  }
}

BOOST_AUTO_TEST_CASE(promtool_rejects_a_firing_one_step_early_or_late) {
  // The judge tells 2m30s from 3m and 3m from 3m30s, or the agreement above proves nothing.
  auto t = translate_and_compile();
  TempDir dir("skippy-translated-duration");
  const Shape& exact = kShapes[0];
  auto firing = judge::skippy_timeline(*t.compiled->program, exact.values,
                                       judge::expand(exact.values).size(), interval_ms(t));
  BOOST_REQUIRE(first_firing(firing) == 7);
  for (int moved : {6, 8}) {
    auto wrong = firing;
    wrong[static_cast<std::size_t>(moved == 6 ? 6 : 7)] = moved == 6;
    std::string log;
    BOOST_TEST(judge::run_promtool(dir.path(), equivalent_rule(t),
                                   judge::promtool_test(alert_test(t, exact), wrong), log) != 0,
               "firing from step " << moved << " passed promtool");
  }
}
