// The safety gates at fixed timestamps: each gate blocks and passes, in order (mode,
// arguments, protection, silences (in silence_test.cpp), cooldowns, rate limits, blast radius,
// circuit breaker, concurrency, timeouts, approvals and their expiry); priority order and
// tie-breaks; an action storm whose caps hold exactly.
#define BOOST_TEST_MODULE safety
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

// ---- mode -------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(mode_decides_how_far_an_action_goes) {
  Gatekeeper g(open_config());
  auto r = pod_action("p", "web-1");
  r.mode = bytecode::Mode::Monitor;
  auto ds = g.decide(std::span(&r, 1), web_facts(), 0);
  BOOST_TEST(safety::outcome_text(ds[0]) == "recorded");
  BOOST_TEST(verdicts(ds[0]) ==
             "mode:blocked arguments:not-reached protected:not-reached silence:not-reached "
             "cooldown:not-reached "
             "rate-limit:not-reached blast-radius:not-reached circuit-breaker:not-reached "
             "concurrency:not-reached approval:not-reached");

  r.mode = bytecode::Mode::DryRun;
  ds = g.decide(std::span(&r, 1), web_facts(), 0);
  BOOST_TEST(safety::outcome_text(ds[0]) == "dry-run");
  BOOST_TEST(safety::would_text(ds[0]) == "execute");

  r = with_id(pod_action("p", "web-2"));
  r.mode = bytecode::Mode::Manual;
  BOOST_TEST(once(g, r, 0) == "awaiting-approval");

  r = pod_action("p", "web-3");
  BOOST_TEST(once(g, r, 0) == "execute");
  BOOST_TEST(g.find(r.id)->state == ActionState::InFlight);
}

BOOST_AUTO_TEST_CASE(unknown_arguments_block) {
  Gatekeeper g(open_config());
  auto r = pod_action("p", "web-1");
  r.unknown_arguments = true;
  auto ds = g.decide(std::span(&r, 1), web_facts(), 0);
  BOOST_TEST(safety::outcome_text(ds[0]) == "blocked:arguments");
  BOOST_TEST(ds[0].gate(Gate::Arguments).reason ==
             "an argument was unknown when the action was proposed");
  BOOST_TEST(g.find(r.id) == nullptr);
}

// ---- protected targets ------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(system_namespaces_are_protected_unless_the_policy_allows_them) {
  auto config = open_config();
  config.protected_namespaces = {"payments"};
  Gatekeeper g(config);
  for (std::string ns : {"kube-system", "kube-public", "kube-node-lease"}) {
    auto r = pod_action("p", "x");
    r.target.namespace_name = ns;
    r.target.workload_name.clear();
    r = with_id(r);
    BOOST_TEST(once(g, r, 0) == "blocked:protected");
    r.limits.allow_system_namespaces = true;
    r.target.name = "y";
    r = with_id(r);
    BOOST_TEST(once(g, r, 0) == "execute");
  }
  // A configured namespace stays protected whatever the policy allows.
  auto r = pod_action("p", "x");
  r.target.namespace_name = "payments";
  r.limits.allow_system_namespaces = true;
  r = with_id(r);
  auto ds = g.decide(std::span(&r, 1), web_facts(), 0);
  BOOST_TEST(safety::outcome_text(ds[0]) == "blocked:protected");
  BOOST_TEST(ds[0].gate(Gate::Protected).reason == "namespace payments is protected");
}

BOOST_AUTO_TEST_CASE(protected_labels_and_annotations) {
  auto config = open_config();
  config.protected_labels = {{"tier", "db"}, {"skippy.io/never", ""}};  // "": any value
  Gatekeeper g(config);
  auto r = pod_action("p", "a");
  r.target.annotations["skippy.io/protected"] = "true";  // the default annotation
  auto ds = g.decide(std::span(&r, 1), web_facts(), 0);
  BOOST_TEST(safety::outcome_text(ds[0]) == "blocked:protected");
  BOOST_TEST(ds[0].gate(Gate::Protected).reason ==
             "the target's annotation skippy.io/protected=true protects it");

  r = pod_action("p", "b");
  r.target.labels["tier"] = "db";
  BOOST_TEST(once(g, r, 0) == "blocked:protected");
  r = pod_action("p", "c");
  r.target.labels["tier"] = "web";  // another value: not protected
  BOOST_TEST(once(g, r, 0) == "execute");
  r = pod_action("p", "d");
  r.target.labels["skippy.io/never"] = "whatever";
  BOOST_TEST(once(g, r, 0) == "blocked:protected");
  r = pod_action("p", "e");
  r.target.annotations["skippy.io/protected"] = "false";
  BOOST_TEST(once(g, r, 0) == "execute");
}

// ---- cooldowns --------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(cooldown_per_action_and_target_starts_at_execution) {
  Gatekeeper g(open_config());
  auto at = [](std::int64_t t, std::string_view action = "restart") {
    auto r = pod_action("p", "web-1", action, t);
    r.limits.cooldown_target_ms = 10 * kMinute;
    return with_id(r);
  };
  BOOST_TEST(once(g, at(0), 0) == "execute");
  auto r = at(9 * kMinute);
  auto ds = g.decide(std::span(&r, 1), web_facts(), 9 * kMinute + 59 * kSecond);
  BOOST_TEST(safety::outcome_text(ds[0]) == "blocked:cooldown");
  BOOST_TEST(ds[0].gate(Gate::Cooldown).reason == "cooldown 10m per target: 1s left");
  // Another action on the same target has its own cooldown; so has another target.
  BOOST_TEST(once(g, at(9 * kMinute, "evict"), 9 * kMinute) == "execute");
  BOOST_TEST(once(g, with_id(pod_action("p", "web-2", "restart", 1)), 9 * kMinute) == "execute");
  // Exactly 10 minutes after the execution, it is over.
  BOOST_TEST(once(g, at(9 * kMinute), 10 * kMinute) == "execute");
}

BOOST_AUTO_TEST_CASE(cooldown_per_policy_covers_every_target) {
  Gatekeeper g(open_config());
  auto at = [](std::string_view policy, std::string_view pod) {
    auto r = pod_action(policy, pod);
    r.limits.cooldown_policy_ms = 5 * kMinute;
    return with_id(r);
  };
  BOOST_TEST(once(g, at("p", "web-1"), 0) == "execute");
  BOOST_TEST(once(g, at("p", "web-2"), 4 * kMinute) == "blocked:cooldown");
  BOOST_TEST(once(g, at("q", "web-2"), 4 * kMinute) == "execute");  // another policy
  BOOST_TEST(once(g, at("p", "web-2"), 5 * kMinute) == "execute");
}

// ---- rate limits ------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(policy_rate_limit_is_a_sliding_window) {
  Gatekeeper g(open_config());
  int n = 0;
  auto next = [&](std::int64_t now) {
    auto r = pod_action("p", "web-" + std::to_string(n++), "restart", now);
    r.limits.max_actions = 2;
    r.limits.max_actions_window_ms = kHour;
    return once(g, with_id(r), now);
  };
  BOOST_TEST(next(0) == "execute");
  BOOST_TEST(next(10 * kMinute) == "execute");
  BOOST_TEST(next(20 * kMinute) == "blocked:rate-limit");
  BOOST_TEST(next(59 * kMinute) == "blocked:rate-limit");
  BOOST_TEST(next(60 * kMinute) == "execute");  // the action at 0 left the window
  BOOST_TEST(next(65 * kMinute) == "blocked:rate-limit");
  BOOST_TEST(next(70 * kMinute) == "execute");
  auto r = with_id(pod_action("p", "last", "restart", 71 * kMinute));
  r.limits.max_actions = 2;
  r.limits.max_actions_window_ms = kHour;
  auto ds = g.decide(std::span(&r, 1), web_facts(), 71 * kMinute);
  BOOST_TEST(ds[0].gate(Gate::RateLimit).reason ==
             "max_actions 2 per 1h: 2 taken; the next in 49m");
}

BOOST_AUTO_TEST_CASE(global_rate_limit_counts_every_policy) {
  auto config = open_config();
  config.max_actions_per_hour = 3;
  Gatekeeper g(config);
  BOOST_TEST(once(g, pod_action("a", "1"), 0) == "execute");
  BOOST_TEST(once(g, pod_action("b", "2"), 1) == "execute");
  BOOST_TEST(once(g, pod_action("c", "3"), 2) == "execute");
  BOOST_TEST(once(g, pod_action("d", "4"), 3) == "blocked:rate-limit");
  BOOST_TEST(once(g, pod_action("d", "5"), kHour) == "execute");
}

// ---- blast radius -----------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(blast_radius_counts_unavailable_replicas_and_actions_in_flight) {
  Gatekeeper g(open_config());
  auto at = [](std::string_view pod, std::uint32_t n, bool percent) {
    auto r = pod_action("p", pod);
    r.limits.max_unavailable = n;
    r.limits.max_unavailable_percent = percent;
    return with_id(r);
  };
  // 25% of 4 replicas: 1 at once.
  auto first = at("web-1", 25, true);
  BOOST_TEST(once(g, first, 0, web_facts(4, 0)) == "execute");
  auto second = at("web-2", 25, true);
  auto ds = g.decide(std::span(&second, 1), web_facts(4, 0), 1);
  BOOST_TEST(safety::outcome_text(ds[0]) == "blocked:blast-radius");
  BOOST_TEST(ds[0].gate(Gate::BlastRadius).reason ==
             "Deployment/apps/web: 0 of 4 replicas unavailable and 1 being disrupted; "
             "max_unavailable 25% allows 1");
  g.record_result(first.id, ExecutionStatus::Success, 2);
  BOOST_TEST(once(g, second, 3, web_facts(4, 1)) == "blocked:blast-radius");  // still down
  BOOST_TEST(once(g, second, 4, web_facts(4, 0)) == "execute");               // back up
  // A percentage rounds up: 25% of 3 replicas is 1; a count is a count.
  Gatekeeper h(open_config());
  BOOST_TEST(once(h, at("web-1", 25, true), 0, web_facts(3, 0)) == "execute");
  BOOST_TEST(once(h, at("web-2", 2, false), 0, web_facts(3, 0)) == "execute");
  BOOST_TEST(once(h, at("web-3", 2, false), 0, web_facts(3, 0)) == "blocked:blast-radius");
  // Unknown replicas block; a non-destructive action is not limited.
  BOOST_TEST(once(h, at("web-4", 2, false), 0, safety::ClusterFacts{}) == "blocked:blast-radius");
  auto annotate = at("web-5", 1, false);
  annotate.destructive = false;
  BOOST_TEST(once(h, annotate, 0, web_facts(3, 3)) == "execute");
}

// ---- circuit breaker --------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(circuit_breaker_opens_on_unhealthy_share) {
  auto config = open_config();
  config.breaker.max_unhealthy_share = 0.4;
  Gatekeeper g(config);
  auto facts = web_facts();
  facts.unhealthy_share = 0.5;
  auto ds = g.decide(std::vector{pod_action("p", "web-1")}, facts, 0);
  BOOST_TEST(safety::outcome_text(ds[0]) == "blocked:circuit-breaker");
  BOOST_TEST(ds[0].gate(Gate::CircuitBreaker).reason ==
             "open: 50% of targets are unhealthy, more than the 40% allowed");
  auto annotate = pod_action("p", "web-1", "annotate");
  annotate.destructive = false;
  BOOST_TEST(once(g, annotate, 0, facts) == "execute");
  facts.unhealthy_share = 0.4;  // not more than allowed
  BOOST_TEST(once(g, pod_action("p", "web-1"), 1, facts) == "execute");
}

BOOST_AUTO_TEST_CASE(circuit_breaker_opens_after_failures_and_closes_after_cool_off) {
  auto config = open_config();
  config.breaker.max_failures = 3;
  config.breaker.failure_window_ms = 10 * kMinute;
  config.breaker.cool_off_ms = 15 * kMinute;
  config.retry.max_attempts = 1;
  Gatekeeper g(config);
  // Two failures 11 minutes apart do not count together.
  for (auto [pod, t] : {std::pair{"a", 0 * kMinute}, {"b", 11 * kMinute}, {"c", 12 * kMinute}}) {
    auto r = pod_action("p", pod, "restart", t);
    BOOST_TEST(once(g, r, t) == "execute");
    g.record_result(r.id, ExecutionStatus::PermanentFailure, t);
  }
  BOOST_TEST(!g.breaker_open(12 * kMinute));
  auto r = pod_action("p", "d", "restart", 13 * kMinute);
  BOOST_TEST(once(g, r, 13 * kMinute) == "execute");
  g.record_result(r.id, ExecutionStatus::TransientFailure, 13 * kMinute);  // no retries left
  BOOST_TEST(g.breaker_open(13 * kMinute));
  auto e = pod_action("p", "e", "restart", 20 * kMinute);
  auto ds = g.decide(std::span(&e, 1), web_facts(), 20 * kMinute);
  BOOST_TEST(safety::outcome_text(ds[0]) == "blocked:circuit-breaker");
  BOOST_TEST(ds[0].gate(Gate::CircuitBreaker).reason ==
             "open after 3 failed actions within 10m; closes in 8m");
  BOOST_TEST(once(g, e, 28 * kMinute - 1) == "blocked:circuit-breaker");
  BOOST_TEST(once(g, e, 28 * kMinute) == "execute");
  // Closed, with the old failures forgotten: one more failure does not open it again.
  g.record_result(e.id, ExecutionStatus::PermanentFailure, 28 * kMinute);
  BOOST_TEST(!g.breaker_open(28 * kMinute));
}

// ---- concurrency ------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(concurrency_global_per_workload_and_per_policy) {
  auto config = open_config();
  config.max_in_flight = 2;
  Gatekeeper g(config);
  auto a = pod_action("p", "a"), b = pod_action("q", "b"), c = pod_action("r", "c");
  BOOST_TEST(outcomes(g.decide(std::vector{a, b, c}, web_facts(), 0)) ==
                 (std::vector<std::string>{"execute", "execute", "blocked:concurrency"}),
             boost::test_tools::per_element());
  g.record_result(a.id, ExecutionStatus::Success, 1);
  BOOST_TEST(once(g, c, 2) == "execute");

  config = open_config();
  config.max_in_flight_per_workload = 1;
  Gatekeeper w(config);
  auto other = pod_action("p", "db-1");
  other.target.workload_name = "db";
  other = with_id(other);
  std::vector<ActionRequest> three = {a, b, other};
  auto ds = w.decide(three, web_facts(), 0);  // sorted: p/a, p/db-1, q/b
  BOOST_TEST(
      outcomes(ds) == (std::vector<std::string>{"execute", "execute", "blocked:concurrency"}),
      boost::test_tools::per_element());
  BOOST_TEST(ds[2].request->id == b.id);
  BOOST_TEST(ds[2].gate(Gate::Concurrency).reason ==
             "1 actions in flight on Deployment/apps/web, the most allowed on one workload");

  Gatekeeper p(open_config());
  auto limited = [](std::string_view pod) {
    auto r = pod_action("p", pod);
    r.limits.max_concurrent = 1;
    return with_id(r);
  };
  ds = p.decide(std::vector{limited("a"), limited("b")}, web_facts(), 0);
  BOOST_TEST(safety::outcome_text(ds[1]) == "blocked:concurrency");
  BOOST_TEST(ds[1].gate(Gate::Concurrency).reason ==
             "max_concurrent 1: 1 actions of the policy in flight");
}

BOOST_AUTO_TEST_CASE(an_action_without_a_result_times_out_as_a_failure) {
  auto config = open_config();
  config.max_in_flight = 1;
  config.in_flight_timeout_ms = 5 * kMinute;
  config.breaker.max_failures = 1;
  Gatekeeper g(config);
  auto a = pod_action("p", "a");
  BOOST_TEST(once(g, a, 0) == "execute");
  auto annotate = pod_action("p", "b", "annotate");
  annotate.destructive = false;
  BOOST_TEST(once(g, annotate, 5 * kMinute - 1) == "blocked:concurrency");
  BOOST_TEST(once(g, annotate, 5 * kMinute) == "execute");
  BOOST_TEST(g.find(a.id)->state == ActionState::Failed);
  BOOST_TEST(g.breaker_open(5 * kMinute));
}

// ---- approval ---------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(approval_waits_runs_once_approved_and_starts_the_cooldown_then) {
  auto config = open_config();
  config.approval_expiry_ms = kHour;
  Gatekeeper g(config);
  auto r = pod_action("p", "web-1");
  r.approval_required = true;
  r.limits.cooldown_target_ms = 10 * kMinute;
  r = with_id(r);
  auto ds = g.decide(std::span(&r, 1), web_facts(), 0);
  BOOST_TEST(safety::outcome_text(ds[0]) == "awaiting-approval");
  BOOST_TEST(ds[0].gate(Gate::Approval).reason ==
             "the policy's approve lists restart: waits for approval");
  auto pending = g.pending();
  BOOST_REQUIRE(pending.size() == 1u);
  BOOST_TEST(g.awaiting_approval());
  BOOST_TEST(pending[0].request->id == r.id);
  BOOST_TEST(pending[0].expires_ms == kHour);
  // Proposed again while pending: the same id is not decided twice.
  BOOST_TEST(once(g, r, kMinute) == "duplicate");

  BOOST_TEST(g.approve(r.id, 30 * kMinute) == safety::ApproveResult::Approved);
  BOOST_TEST(g.approve(r.id, 30 * kMinute) == safety::ApproveResult::AlreadyApproved);
  BOOST_TEST(g.approve("nope", 30 * kMinute) == safety::ApproveResult::Unknown);
  // The next tick runs it, proposed again or not.
  ds = g.decide({}, web_facts(), 31 * kMinute);
  BOOST_REQUIRE(ds.size() == 1u);
  BOOST_TEST(safety::outcome_text(ds[0]) == "execute");
  BOOST_TEST(ds[0].gate(Gate::Approval).reason == "approved 1m ago");
  BOOST_TEST(g.pending().empty());
  BOOST_TEST(!g.awaiting_approval());
  BOOST_TEST(g.approve(r.id, 31 * kMinute) == safety::ApproveResult::NotPending);
  // The cooldown started at the execution, not at the request.
  auto later = with_id(pod_action("p", "web-1", "restart", 35 * kMinute));
  later.limits.cooldown_target_ms = 10 * kMinute;
  later.approval_required = true;
  BOOST_TEST(once(g, later, 40 * kMinute) == "blocked:cooldown");
  BOOST_TEST(once(g, later, 41 * kMinute) == "awaiting-approval");
}

BOOST_AUTO_TEST_CASE(approvals_expire) {
  auto config = open_config();
  config.approval_expiry_ms = kHour;
  Gatekeeper g(config);
  auto r = pod_action("p", "web-1");
  r.mode = bytecode::Mode::Manual;
  BOOST_TEST(once(g, r, 0) == "awaiting-approval");
  BOOST_TEST(g.decide({}, web_facts(), kHour - 1).empty());
  BOOST_TEST(g.approve(r.id, kHour) == safety::ApproveResult::Expired);
  auto ds = g.decide({}, web_facts(), kHour);
  BOOST_REQUIRE(ds.size() == 1u);
  BOOST_TEST(safety::outcome_text(ds[0]) == "expired");
  BOOST_TEST(ds[0].request->id == r.id);
  BOOST_TEST(g.pending().empty());
  BOOST_TEST(!g.awaiting_approval());
  BOOST_TEST(once(g, r, kHour + 1) == "duplicate");  // the firing is over for good

  // An approved action the gates hold back also expires.
  auto held = pod_action("p", "web-2");
  held.mode = bytecode::Mode::Manual;
  held.limits.cooldown_policy_ms = 2 * kHour;
  held = with_id(held);
  auto first = with_id(pod_action("p", "web-3"));
  first.limits.cooldown_policy_ms = 2 * kHour;
  first = with_id(first);
  BOOST_TEST(once(g, held, 2 * kHour) == "awaiting-approval");
  BOOST_TEST(once(g, first, 2 * kHour) == "execute");
  BOOST_TEST(g.approve(held.id, 2 * kHour) == safety::ApproveResult::Approved);
  ds = g.decide({}, web_facts(), 2 * kHour + 1);
  BOOST_TEST(safety::outcome_text(ds.at(0)) == "blocked:cooldown");
  BOOST_TEST(outcomes(g.decide({}, web_facts(), 3 * kHour)) == std::vector<std::string>{"expired"},
             boost::test_tools::per_element());
}

// ---- order ------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(the_first_gate_that_blocks_decides_and_the_rest_are_not_reached) {
  Gatekeeper g(open_config());
  auto r = pod_action("p", "web-1");
  r.unknown_arguments = true;               // gate 2
  r.target.namespace_name = "kube-system";  // gate 3
  r = with_id(r);
  auto ds = g.decide(std::span(&r, 1), web_facts(), 0);
  BOOST_TEST(safety::outcome_text(ds[0]) == "blocked:arguments");
  BOOST_TEST(verdicts(ds[0]) ==
             "mode:passed arguments:blocked protected:not-reached silence:not-reached "
             "cooldown:not-reached "
             "rate-limit:not-reached blast-radius:not-reached circuit-breaker:not-reached "
             "concurrency:not-reached approval:not-reached");
  auto ok = pod_action("p", "web-2");
  ds = g.decide(std::span(&ok, 1), web_facts(), 0);
  BOOST_TEST(verdicts(ds[0]) ==
             "mode:passed arguments:passed protected:passed silence:passed cooldown:passed "
             "rate-limit:passed "
             "blast-radius:passed circuit-breaker:passed concurrency:passed approval:passed");
}

BOOST_AUTO_TEST_CASE(priority_first_then_policy_target_action_and_id) {
  auto config = open_config();
  config.max_actions_per_hour = 1;
  Gatekeeper g(config);
  std::vector<ActionRequest> rs = {
      pod_action("b", "x", "restart", 0, 5), pod_action("a", "y", "restart", 0, 5),
      pod_action("a", "x", "restart", 0, 5), pod_action("a", "x", "evict", 0, 5),
      pod_action("z", "z", "restart", 0, 1), pod_action("a", "a", "restart", 0, 9)};
  auto ds = g.decide(rs, web_facts(), 0);
  std::vector<std::string> order;
  for (const auto& d : ds)
    order.push_back(std::to_string(d.request->priority) + " " + d.request->policy + " " +
                    d.request->target.name + " " + d.request->action);
  BOOST_TEST(order == (std::vector<std::string>{"1 z z restart", "5 a x evict", "5 a x restart",
                                                "5 a y restart", "5 b x restart", "9 a a restart"}),
             boost::test_tools::per_element());
  // The one action the global cap allows goes to the lowest priority number.
  BOOST_TEST(safety::outcome_text(ds[0]) == "execute");
  for (std::size_t i = 1; i < ds.size(); ++i)
    BOOST_TEST(safety::outcome_text(ds[i]) == "blocked:rate-limit");
}

// ---- storms -----------------------------------------------------------------------------------

namespace {

// 100 policies x 1,000 pods, each policy capped at 7 actions an hour.
std::vector<ActionRequest> storm() {
  std::vector<ActionRequest> out;
  out.reserve(100'000);
  for (int p = 0; p < 100; ++p) {
    char policy[8];
    std::snprintf(policy, sizeof policy, "p%03d", p);
    for (int t = 0; t < 1000; ++t) {
      auto r = pod_action(policy, "pod-" + std::to_string(t));
      r.target.workload_name.clear();  // bare pods: no workload limit in the way
      r.limits.max_actions = 7;
      r.limits.max_actions_window_ms = kHour;
      out.push_back(with_id(std::move(r)));
    }
  }
  return out;
}

std::map<std::string, int> executed_per_policy(const std::vector<Decision>& ds) {
  std::map<std::string, int> out;
  for (const auto& d : ds)
    if (d.outcome == Outcome::Execute) ++out[d.request->policy];
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(storm_of_100000_proposals_per_policy_caps_hold_exactly) {
  auto config = open_config();
  config.max_actions_per_hour = 10'000;
  Gatekeeper g(config);
  auto rs = storm();
  auto ds = g.decide(rs, safety::ClusterFacts{}, 0);
  BOOST_TEST(ds.size() == 100'000u);
  auto per_policy = executed_per_policy(ds);
  BOOST_TEST(per_policy.size() == 100u);
  for (const auto& [policy, n] : per_policy) BOOST_TEST(n == 7, policy);
  // Another storm in the same hour gets nothing more.
  auto again = storm();
  for (auto& r : again) r = with_id((r.fired_at_ms = 1, r));
  BOOST_TEST(executed_per_policy(g.decide(again, safety::ClusterFacts{}, kMinute)).empty());
}

BOOST_AUTO_TEST_CASE(storm_of_100000_proposals_global_cap_holds_exactly) {
  auto config = open_config();
  config.max_actions_per_hour = 500;  // 100 x 7 = 700 would pass the policies' caps
  config.max_in_flight = 600;
  Gatekeeper g(config);
  auto rs = storm();
  auto ds = g.decide(rs, safety::ClusterFacts{}, 0);
  auto per_policy = executed_per_policy(ds);
  int total = 0;
  for (const auto& [policy, n] : per_policy) total += n;
  BOOST_TEST(total == 500);
  // In order: p000..p070 get 7 each (497), p071 the last 3.
  BOOST_TEST(per_policy.size() == 72u);
  BOOST_TEST(per_policy["p070"] == 7);
  BOOST_TEST(per_policy["p071"] == 3);
  // The in-flight cap holds as well: 600 was not reached, so lower it and storm again.
  config.max_actions_per_hour = 0;
  config.max_in_flight = 123;
  Gatekeeper h(config);
  int in_flight = 0;
  for (const auto& d : h.decide(rs, safety::ClusterFacts{}, 0))
    in_flight += d.outcome == Outcome::Execute;
  BOOST_TEST(in_flight == 123);
}

// ---- dry runs ---------------------------------------------------------------------------------
