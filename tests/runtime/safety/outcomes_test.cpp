// The outcome ledger at fixed times: what ended actions achieved (healed, failed, recurred)
// per policy and workload, counted over a window, bounded, swept, and fed by the gatekeeper
// as actions end and triggers fire again.
#include <boost/test/unit_test.hpp>

#include "runtime/safety/gatekeeper.hpp"
#include "runtime/safety/outcomes.hpp"
#include "tests/support/safety_support.hpp"

using namespace skippy;
using namespace skippy::testing;

BOOST_AUTO_TEST_SUITE(outcome_ledger)

BOOST_AUTO_TEST_CASE(outcomes_are_counted_per_policy_action_and_workload_within_the_window) {
  safety::OutcomeLedger ledger;
  auto restart = pod_action("p", "web-1", "restart", 0);
  auto scale = pod_action("p", "web-2", "scale", 0);
  ledger.record(restart, true, 0, 30 * kSecond);
  ledger.record(restart, false, kMinute, 2 * kMinute);
  ledger.record(scale, true, kMinute, 90 * kSecond);
  auto c = ledger.counts("p", "restart", "Deployment/apps/web", kHour, 2 * kMinute);
  BOOST_TEST(c.attempts == 2u);
  BOOST_TEST(c.healed == 1u);
  BOOST_TEST(c.failed == 1u);
  BOOST_TEST(c.recovery_ms_total == 30 * kSecond);
  BOOST_TEST(ledger.counts("p", "scale", "Deployment/apps/web", kHour, 2 * kMinute).healed == 1u);
  // Another policy, another workload, or outside the window: nothing.
  BOOST_TEST(ledger.counts("q", "restart", "Deployment/apps/web", kHour, 2 * kMinute).attempts ==
             0u);
  BOOST_TEST(ledger.counts("p", "restart", "Deployment/apps/db", kHour, 2 * kMinute).attempts ==
             0u);
  BOOST_TEST(ledger.counts("p", "restart", "Deployment/apps/web", kMinute, 2 * kMinute).attempts ==
             1u);
}

BOOST_AUTO_TEST_CASE(a_bare_pod_is_its_own_workload) {
  safety::OutcomeLedger ledger;
  auto r = pod_action("p", "lonely", "restart", 0);
  r.target.workload_kind.clear();
  r.target.workload_name.clear();
  ledger.record(r, true, 0, kSecond);
  BOOST_TEST(ledger.counts("p", "restart", "Pod/apps/lonely", kHour, kSecond).healed == 1u);
}

BOOST_AUTO_TEST_CASE(a_trigger_firing_again_on_the_same_target_makes_a_healed_outcome_recur) {
  safety::OutcomeLedger ledger;
  auto first = pod_action("p", "web-1", "restart", 0);
  ledger.record(first, true, 0, kMinute);
  // The same firing proposed again, another target, another trigger: no recurrence.
  BOOST_TEST(ledger.note_firing(first, kHour) == 0u);
  BOOST_TEST(ledger.note_firing(pod_action("p", "web-2", "restart", 5 * kMinute), kHour) == 0u);
  auto other_trigger = pod_action("p", "web-1", "restart", 5 * kMinute);
  other_trigger.trigger = "other";
  BOOST_TEST(ledger.note_firing(other_trigger, kHour) == 0u);
  // Later than the window after the end: not a recurrence either.
  BOOST_TEST(ledger.note_firing(pod_action("p", "web-1", "restart", 2 * kHour), kHour) == 0u);
  // A new firing within the window, whatever action it proposes: recurred, once.
  BOOST_TEST(ledger.note_firing(pod_action("p", "web-1", "scale", 30 * kMinute), kHour) == 1u);
  BOOST_TEST(ledger.note_firing(pod_action("p", "web-1", "scale", 31 * kMinute), kHour) == 0u);
  auto c = ledger.counts("p", "restart", "Deployment/apps/web", kHour, kHour);
  BOOST_TEST(c.recurred == 1u);
  BOOST_TEST(c.healed == 0u);
}

BOOST_AUTO_TEST_CASE(each_key_keeps_its_newest_outcomes_for_a_week_at_most) {
  safety::OutcomeLedger ledger;
  auto r = pod_action("p", "web-1", "restart", 0);
  for (std::size_t i = 0; i < safety::kOutcomesPerKey + 5; ++i)
    ledger.record(r, i % 2 == 0, 0, static_cast<std::int64_t>(i) * kMinute);
  const auto& list = ledger.records.begin()->second;
  BOOST_TEST(list.size() == safety::kOutcomesPerKey);
  BOOST_TEST(list.front().ended_ms == 5 * kMinute);  // the oldest five went
  ledger.sweep(safety::kOutcomeRetentionMs + 20 * kMinute);
  BOOST_TEST(ledger.records.begin()->second.front().ended_ms == 21 * kMinute);
  ledger.sweep(safety::kOutcomeRetentionMs + kHour);
  BOOST_TEST(ledger.empty());
}

BOOST_AUTO_TEST_CASE(the_gatekeeper_records_how_actions_end_and_when_they_recur) {
  safety::Gatekeeper g(open_config());  // no health check: success is the end
  auto ok = pod_action("p", "web-1", "restart", 0);
  auto bad = pod_action("p", "web-2", "restart", 0);
  g.decide(std::vector{ok, bad}, web_facts(), 0);
  g.record_result(ok.id, safety::ExecutionStatus::Success, kSecond);
  g.record_result(bad.id, safety::ExecutionStatus::PermanentFailure, kSecond);
  auto c = g.state().outcomes.counts("p", "restart", "Deployment/apps/web", kHour, kSecond);
  BOOST_TEST(c.healed == 1u);
  BOOST_TEST(c.failed == 1u);
  // web-1's trigger fires again ten minutes later: its restart did not last.
  g.decide(std::vector{pod_action("p", "web-1", "restart", 10 * kMinute)}, web_facts(),
           10 * kMinute);
  c = g.state().outcomes.counts("p", "restart", "Deployment/apps/web", kHour, 10 * kMinute);
  BOOST_TEST(c.recurred == 1u);
  BOOST_TEST(c.healed == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
