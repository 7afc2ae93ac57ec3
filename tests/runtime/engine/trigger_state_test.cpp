// Trigger states at fixed timestamps: Prometheus's `for` and `keep_firing_for`, Skippy's
// `clear when ... for`, and Unknown that never counts as recovery.
#define BOOST_TEST_MODULE trigger_state
#include <boost/test/unit_test.hpp>

#include "runtime/engine/trigger_state.hpp"

using namespace skippy;
using bytecode::Truth;
using engine::TriggerPhase;

namespace {

constexpr Truth T = Truth::True;
constexpr Truth F = Truth::False;
constexpr Truth U = Truth::Unknown;

struct Step {
  std::int64_t at_s;
  Truth condition;
  Truth clear;
  const char* phase;  // expected after the step
};

bytecode::Trigger trigger(std::int64_t for_s, std::int64_t keep_s = 0, bool has_clear = false,
                          std::int64_t clear_for_s = 0) {
  bytecode::Trigger t;
  t.for_ms = for_s * 1000;
  t.keep_firing_for_ms = keep_s * 1000;
  t.has_clear = has_clear;
  t.clear_for_ms = clear_for_s * 1000;
  return t;
}

// Runs the steps and returns the phases, "phase@t" each.
std::vector<std::string> run(const bytecode::Trigger& t, const std::vector<Step>& steps,
                             std::vector<std::string>* expected = nullptr) {
  engine::TriggerState s;
  std::vector<std::string> out;
  for (const auto& step : steps) {
    engine::step_trigger(s, t, step.condition, step.clear, step.at_s * 1000);
    out.push_back(std::string(engine::trigger_phase_name(s.phase)) + "@" +
                  std::to_string(step.at_s));
    if (expected) expected->push_back(std::string(step.phase) + "@" + std::to_string(step.at_s));
  }
  return out;
}

void check(const bytecode::Trigger& t, const std::vector<Step>& steps) {
  std::vector<std::string> expected;
  auto got = run(t, steps, &expected);
  BOOST_TEST(got == expected, boost::test_tools::per_element());
}

}  // namespace

BOOST_AUTO_TEST_CASE(for_fires_at_the_first_evaluation_held_long_enough) {
  // Held from t0 = 15s: fires at the first t with t - t0 >= 60s, i.e. at 75s.
  check(trigger(60), {{0, F, U, "inactive"},
                      {15, T, U, "pending"},
                      {30, T, U, "pending"},
                      {60, T, U, "pending"},
                      {75, T, U, "firing"},
                      {90, T, U, "firing"},
                      {105, F, U, "inactive"}});
}

BOOST_AUTO_TEST_CASE(for_zero_fires_at_once) {
  check(trigger(0), {{0, T, U, "firing"}, {15, F, U, "inactive"}, {30, T, U, "firing"}});
}

BOOST_AUTO_TEST_CASE(a_gap_while_pending_restarts_the_for_window) {
  check(trigger(30), {{0, T, U, "pending"},
                      {15, F, U, "inactive"},
                      {30, T, U, "pending"},
                      {45, T, U, "pending"},
                      {60, T, U, "firing"}});
}

BOOST_AUTO_TEST_CASE(unknown_while_pending_is_not_held) {
  check(trigger(30), {{0, T, U, "pending"}, {15, U, U, "inactive"}, {30, T, U, "pending"}});
}

BOOST_AUTO_TEST_CASE(unknown_while_firing_is_not_recovery) {
  check(trigger(0),
        {{0, T, U, "firing"}, {15, U, U, "firing"}, {30, U, U, "firing"}, {45, F, U, "inactive"}});
}

BOOST_AUTO_TEST_CASE(keep_firing_for_matches_prometheus) {
  // Resolves at the first evaluation where it has been false for keep_firing_for (30s).
  check(trigger(0, 30),
        {{0, T, U, "firing"}, {15, F, U, "firing"}, {30, F, U, "firing"}, {45, F, U, "inactive"}});
  // True again inside the window: the window starts over.
  check(trigger(0, 30), {{0, T, U, "firing"},
                         {15, F, U, "firing"},
                         {30, T, U, "firing"},
                         {45, F, U, "firing"},
                         {60, F, U, "firing"},
                         {75, F, U, "inactive"}});
}

BOOST_AUTO_TEST_CASE(clear_when_gives_hysteresis) {
  // when m > 85 for 30s, clear when m < 70 for 30s: between 70 and 85 it stays firing.
  auto t = trigger(30, 0, true, 30);
  check(t, {{0, T, F, "pending"},
            {15, T, F, "pending"},
            {30, T, F, "firing"},
            {45, F, F, "firing"},    // 80: not above 85, not below 70
            {60, F, T, "clearing"},  // 60: below 70
            {75, F, F, "firing"},    // 75: back above 70 before 30s
            {90, F, T, "clearing"},
            {105, F, T, "clearing"},
            {120, F, T, "inactive"}});  // held below 70 for 30s
}

BOOST_AUTO_TEST_CASE(unknown_clear_never_clears) {
  auto t = trigger(0, 0, true, 15);
  check(t,
        {{0, T, F, "firing"}, {15, U, U, "firing"}, {30, F, T, "clearing"}, {45, U, U, "firing"}});
}

BOOST_AUTO_TEST_CASE(clear_for_zero_and_keep_firing_together) {
  auto t = trigger(0, 30, true, 0);
  check(t, {{0, T, F, "firing"},
            {15, F, T, "clearing"},  // cleared at once, then kept firing for 30s
            {30, F, T, "clearing"},
            {45, F, T, "inactive"}});
}

BOOST_AUTO_TEST_CASE(changes_are_reported) {
  engine::TriggerState s;
  auto t = trigger(15);
  BOOST_TEST((engine::step_trigger(s, t, T, U, 0) == engine::TriggerChange::Pending));
  BOOST_TEST((engine::step_trigger(s, t, T, U, 15'000) == engine::TriggerChange::Fired));
  BOOST_TEST(s.fired_at_ms == 15'000);
  BOOST_TEST((engine::step_trigger(s, t, T, U, 30'000) == engine::TriggerChange::None));
  BOOST_TEST((engine::step_trigger(s, t, F, U, 45'000) == engine::TriggerChange::Resolved));
  BOOST_TEST(sizeof(engine::TriggerState) <= 40u);
}
