// Carrying out what the gates let through: dry runs that tell the truth and run every gate,
// idempotency (one id never executes twice), retries with backoff for transient failures.
#include <simdjson.h>
#include <boost/test/unit_test.hpp>

#include "base/time_format.hpp"

#include <map>
#include <vector>

#include "runtime/safety/decision_record.hpp"
#include "runtime/safety/executor.hpp"
#include "runtime/safety/gatekeeper.hpp"
#include "runtime/safety/health_check.hpp"
#include "runtime/safety/journal.hpp"
#include "tests/runtime/safety/gate_helpers.hpp"
#include "tests/support/safety_support.hpp"

using namespace skippy;
using namespace skippy::testing;
using safety::ActionRequest;
using safety::ActionState;
using safety::Decision;
using safety::ExecutionStatus;
using safety::Gate;
using safety::Gatekeeper;
using safety::Outcome;
using safety::Verdict;

namespace {

// Proposals that meet every gate: some pass, some are blocked by each gate in turn.
std::vector<ActionRequest> mixed_proposals() {
  std::vector<ActionRequest> out;
  for (int i = 0; i < 40; ++i) {
    auto r = pod_action(i % 3 ? "p" : "q", "web-" + std::to_string(i % 12), "restart", i,
                        i % 7 == 3 ? 0 : i % 4);
    r.limits.cooldown_target_ms = 10 * kMinute;
    r.limits.max_actions = 5;
    r.limits.max_actions_window_ms = kHour;
    r.limits.max_unavailable = 50;
    r.limits.max_unavailable_percent = true;
    r.limits.max_concurrent = 4;
    r.unknown_arguments = i % 11 == 5;
    r.approval_required = i % 7 == 3;
    if (i % 13 == 4) r.target.namespace_name = "kube-system";
    if (i % 2) r.target.workload_name = "api";
    out.push_back(with_id(r));
  }
  return out;
}

safety::ClusterFacts mixed_facts() {
  auto facts = web_facts(4, 0);
  facts.workloads["Deployment/apps/api"] = {10, 0};
  facts.workloads["Deployment/kube-system/web"] = {2, 0};
  facts.workloads["Deployment/kube-system/api"] = {2, 0};
  return facts;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_dry_run_tells_what_would_have_happened_and_does_nothing) {
  auto config = open_config();
  config.max_in_flight = 6;
  config.max_actions_per_hour = 8;
  config.max_in_flight_per_workload = 3;
  auto dry_config = config;
  dry_config.dry_run = true;
  Gatekeeper real(config), dry(dry_config);
  auto rs = mixed_proposals();
  std::map<std::string, int> seen;
  for (std::int64_t tick : {0 * kMinute, 5 * kMinute, 12 * kMinute}) {
    auto want = real.decide(rs, mixed_facts(), tick);
    auto got = dry.decide(rs, mixed_facts(), tick);
    BOOST_REQUIRE(want.size() == got.size());
    for (std::size_t i = 0; i < want.size(); ++i) {
      BOOST_TEST_CONTEXT("tick " << tick << " decision " << i) {
        BOOST_TEST(safety::outcome_text(got[i]) == "dry-run");
        BOOST_TEST(safety::would_text(got[i]) == safety::outcome_text(want[i]));
        ++seen[safety::outcome_text(want[i])];
      }
    }
    // The executed ones finish within the tick in both worlds.
    for (const auto& d : want)
      if (d.outcome == Outcome::Execute)
        real.record_result(d.request->id, ExecutionStatus::Success, tick);
  }
  for (auto name :
       {"execute", "awaiting-approval", "duplicate", "blocked:arguments", "blocked:protected",
        "blocked:cooldown", "blocked:rate-limit", "blocked:blast-radius", "blocked:concurrency"})
    BOOST_TEST(seen[name] > 0, name);  // the mix meets every gate
  BOOST_TEST(dry.state().actions.empty());
  BOOST_TEST(dry.state().global_window.empty());
  BOOST_TEST(dry.pending().empty());
}

BOOST_AUTO_TEST_CASE(a_dry_run_runs_every_gate) {
  auto config = open_config();
  config.dry_run = true;
  Gatekeeper g(config);
  auto r = pod_action("p", "web-1");
  r.unknown_arguments = true;
  r.approval_required = true;
  r = with_id(r);
  auto ds = g.decide(std::span(&r, 1), web_facts(), 0);
  BOOST_TEST(safety::would_text(ds[0]) == "blocked:arguments");
  BOOST_TEST(verdicts(ds[0]) ==
             "mode:passed arguments:blocked protected:passed silence:passed cooldown:passed "
             "rate-limit:passed "
             "blast-radius:passed circuit-breaker:passed concurrency:passed approval:blocked");
  BOOST_TEST(ds[0].gate(Gate::Mode).reason == "dry run: every gate runs, nothing is executed");
}

// ---- idempotency ------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(the_same_id_never_executes_twice) {
  Gatekeeper g(open_config());
  safety::RecordingExecutor executor;
  auto r = pod_action("p", "web-1");
  std::vector<ActionRequest> twice = {r, r};
  auto ds = g.decide(twice, web_facts(), 0);
  BOOST_TEST(outcomes(ds) == (std::vector<std::string>{"execute", "duplicate"}),
             boost::test_tools::per_element());
  BOOST_TEST(ds[1].reason() == "in flight, started 0s ago");
  BOOST_TEST(safety::execute_decisions(ds, executor, g, 0).size() == 1u);
  for (std::int64_t t = 1; t < 10; ++t) {
    ds = g.decide(twice, web_facts(), t * kMinute);
    BOOST_TEST(safety::execute_decisions(ds, executor, g, t * kMinute).size() == 0u);
  }
  BOOST_TEST(executor.calls_of(r.id) == 1u);
  BOOST_TEST(ds[0].reason() == "executed 9m ago, succeeded");
  // A new firing of the same trigger is a new action.
  BOOST_TEST(once(g, pod_action("p", "web-1", "restart", 10 * kMinute), 10 * kMinute) == "execute");
}

BOOST_AUTO_TEST_CASE(ids_are_deterministic_and_tell_their_parts_apart) {
  auto id = safety::action_id("p", "t", "restart", "Pod/apps/web-1", 1000);
  BOOST_TEST(id.size() == 32u);
  BOOST_TEST(id == safety::action_id("p", "t", "restart", "Pod/apps/web-1", 1000));
  BOOST_TEST(id != safety::action_id("p", "t", "restart", "Pod/apps/web-1", 1001));
  BOOST_TEST(id != safety::action_id("p", "t", "evict", "Pod/apps/web-1", 1000));
  BOOST_TEST(safety::action_id("ab", "c", "x", "y", 0) !=
             safety::action_id("a", "bc", "x", "y", 0));
  BOOST_TEST(pod_action("p", "web-1").id ==
             safety::action_id("p", "crashing", "restart", "Pod/apps/web-1", 0));
}

// ---- results and retries ----------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(retry_backoff_only_for_transient_failures) {
  safety::RetryPolicy policy{4, 1000, 3000};
  using safety::retry_delay;
  BOOST_TEST(retry_delay(policy, ExecutionStatus::TransientFailure, 1).value() == 1000);
  BOOST_TEST(retry_delay(policy, ExecutionStatus::TransientFailure, 2).value() == 2000);
  BOOST_TEST(retry_delay(policy, ExecutionStatus::TransientFailure, 3).value() == 3000);  // capped
  BOOST_TEST(!retry_delay(policy, ExecutionStatus::TransientFailure, 4));  // attempts used up
  BOOST_TEST(!retry_delay(policy, ExecutionStatus::PermanentFailure, 1));
  BOOST_TEST(!retry_delay(policy, ExecutionStatus::Success, 1));
  BOOST_TEST(safety::next_attempt_at(policy, ExecutionStatus::TransientFailure, 2, 50).value() ==
             2050);

  using safety::classify_http_status;
  BOOST_TEST(classify_http_status(200) == ExecutionStatus::Success);
  BOOST_TEST(classify_http_status(201) == ExecutionStatus::Success);
  for (int s : {0, 408, 429, 500, 502, 503, 504})
    BOOST_TEST(classify_http_status(s) == ExecutionStatus::TransientFailure, s);
  for (int s : {400, 401, 403, 404, 409, 410, 422, 501, 505})
    BOOST_TEST(classify_http_status(s) == ExecutionStatus::PermanentFailure, s);
}

BOOST_AUTO_TEST_CASE(transient_failures_are_retried_with_backoff_permanent_ones_never) {
  auto config = open_config();
  config.retry = {3, 1000, 60'000};
  config.max_in_flight = 1;
  Gatekeeper g(config);
  safety::RecordingExecutor executor;
  auto r = pod_action("p", "web-1");
  executor.script(r.id, {ExecutionStatus::TransientFailure, ExecutionStatus::TransientFailure,
                         ExecutionStatus::TransientFailure});
  auto ds = g.decide(std::span(&r, 1), web_facts(), 0);
  safety::execute_decisions(ds, executor, g, 0);
  BOOST_TEST(g.find(r.id)->state == ActionState::Retrying);
  // It keeps its budget while it waits.
  BOOST_TEST(once(g, pod_action("q", "x"), 500) == "blocked:concurrency");
  BOOST_TEST(safety::execute_due_retries(executor, g, 999).size() == 0u);
  BOOST_TEST(safety::execute_due_retries(executor, g, 1000).size() == 1u);  // 1s after attempt 1
  BOOST_TEST(safety::execute_due_retries(executor, g, 2999).size() == 0u);
  BOOST_TEST(safety::execute_due_retries(executor, g, 3000).size() == 1u);  // 2s after attempt 2
  BOOST_TEST(g.find(r.id)->state == ActionState::Failed);                   // attempt 3 of 3 failed
  BOOST_TEST(g.find(r.id)->attempts == 3u);
  BOOST_TEST(executor.calls_of(r.id) == 3u);
  BOOST_TEST(once(g, pod_action("q", "x"), 3001) == "execute");  // released
  BOOST_TEST(g.record_result(pod_action("q", "x").id, ExecutionStatus::Success, 3001).applied);

  auto p = pod_action("p", "web-2");
  executor.script(p.id, {ExecutionStatus::PermanentFailure});
  ds = g.decide(std::span(&p, 1), web_facts(), kHour);
  safety::execute_decisions(ds, executor, g, kHour);
  BOOST_TEST(g.find(p.id)->state == ActionState::Failed);
  BOOST_TEST(safety::execute_due_retries(executor, g, 2 * kHour).size() == 0u);
  BOOST_TEST(executor.calls_of(p.id) == 1u);
  BOOST_TEST(!g.record_result(p.id, ExecutionStatus::Success, 2 * kHour).applied);
}

BOOST_AUTO_TEST_CASE(a_destructive_retry_waits_while_the_breaker_is_open) {
  auto config = open_config();
  config.retry = {3, 1000, 60'000};
  config.breaker.max_failures = 1;
  config.breaker.cool_off_ms = kMinute;
  Gatekeeper g(config);
  auto a = pod_action("p", "a"), b = pod_action("p", "b");
  g.decide(std::vector{a, b}, web_facts(), 0);
  g.record_result(a.id, ExecutionStatus::TransientFailure, 0);
  g.record_result(b.id, ExecutionStatus::PermanentFailure, 0);  // opens the breaker
  BOOST_TEST(g.start_due_retries(1000).empty());
  BOOST_TEST(g.start_due_retries(kMinute).size() == 1u);
}

// ---- health check after an action -------------------------------------------------------------
