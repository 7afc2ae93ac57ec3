// The safety gates at fixed timestamps: each gate blocks and passes, in order; priority order
// and tie-breaks; an action storm whose caps hold exactly; dry runs that tell the truth;
// idempotency; approvals and expiry; the circuit breaker; retries; the health check after an
// action; decision records.
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

// Decides about one request and returns its decision's outcome text.
std::string once(Gatekeeper& g, const ActionRequest& r, std::int64_t now,
                 const safety::ClusterFacts& facts = web_facts()) {
  auto decisions = g.decide(std::span(&r, 1), facts, now);
  BOOST_REQUIRE(!decisions.empty());
  return safety::outcome_text(decisions.back());
}

// "mode:passed arguments:blocked protected:not-reached ..."
std::string verdicts(const Decision& d) {
  std::string out;
  for (std::size_t g = 0; g < safety::kGateCount; ++g) {
    out += (g ? " " : "") + std::string(safety::gate_name(static_cast<Gate>(g))) + ":" +
           safety::verdict_name(d.gate(static_cast<Gate>(g)).verdict);
  }
  return out;
}

std::vector<std::string> outcomes(const std::vector<Decision>& ds) {
  std::vector<std::string> out;
  for (const auto& d : ds) out.push_back(safety::outcome_text(d));
  return out;
}

}  // namespace

// ---- mode -------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(mode_decides_how_far_an_action_goes) {
  Gatekeeper g(open_config());
  auto r = pod_action("p", "web-1");
  r.mode = bytecode::Mode::Monitor;
  auto ds = g.decide(std::span(&r, 1), web_facts(), 0);
  BOOST_TEST(safety::outcome_text(ds[0]) == "recorded");
  BOOST_TEST(verdicts(ds[0]) ==
             "mode:blocked arguments:not-reached protected:not-reached cooldown:not-reached "
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
             "mode:passed arguments:blocked protected:not-reached cooldown:not-reached "
             "rate-limit:not-reached blast-radius:not-reached circuit-breaker:not-reached "
             "concurrency:not-reached approval:not-reached");
  auto ok = pod_action("p", "web-2");
  ds = g.decide(std::span(&ok, 1), web_facts(), 0);
  BOOST_TEST(verdicts(ds[0]) ==
             "mode:passed arguments:passed protected:passed cooldown:passed rate-limit:passed "
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
             "mode:passed arguments:blocked protected:passed cooldown:passed rate-limit:passed "
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

namespace {

// open_config() with the health check on: ready within 5m, no verdict in the first 30s.
safety::SafetyConfig checked_config() {
  auto config = open_config();
  config.health_check = {5 * kMinute, 30 * kSecond};
  return config;
}

// `r` with no workload: a bare pod.
ActionRequest bare(ActionRequest r) {
  r.target.workload_kind.clear();
  r.target.workload_name.clear();
  return with_id(r);
}

// A scale of Deployment apps/web itself.
ActionRequest scale_web(std::string_view policy, bool destructive) {
  auto r = pod_action(policy, "web", "scale");
  r.target.kind = "Deployment";
  r.target.workload_kind.clear();
  r.target.workload_name.clear();
  r.destructive = destructive;
  r.arguments = {{"by", destructive ? "-1" : "1"}};
  return with_id(r);
}

// "succeeded Deployment apps/web ready: 4/4 replicas"
std::vector<std::string> verdict_texts(const std::vector<safety::HealthVerdict>& vs) {
  std::vector<std::string> out;
  for (const auto& v : vs) out.push_back(safety::action_state_name(v.state) + (" " + v.reason));
  return out;
}

// A cluster view of pods and workloads, for cluster_facts.
struct ListedView final : cluster::ClusterView {
  std::vector<cluster::Pod> pod_list;
  std::vector<cluster::Workload> workload_list;
  std::span<const cluster::Pod> pods() const override { return pod_list; }
  std::span<const cluster::Workload> workloads() const override { return workload_list; }
  const cluster::Workload* find_workload(std::string_view, std::string_view,
                                         std::string_view) const override {
    return nullptr;
  }
  std::int64_t count_events(std::string_view, std::string_view, std::string_view, std::string_view,
                            std::string_view, std::int64_t, std::int64_t) const override {
    return 0;
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(the_health_check_is_on_by_default_for_actions_that_change_pods) {
  safety::SafetyConfig defaults;
  BOOST_TEST(defaults.health_check.timeout_ms == 5 * kMinute);
  BOOST_TEST(defaults.health_check.initial_delay_ms == 30 * kSecond);
  using safety::health_checked;
  for (auto action : {"restart", "scale", "patch"}) {  // whichever way they go
    auto r = pod_action("p", "web-1", action);
    r.destructive = false;
    BOOST_TEST(health_checked(r), action);
  }
  for (auto action : {"delete", "evict", "anything-destructive"})
    BOOST_TEST(health_checked(pod_action("p", "web-1", action)), action);
  for (auto action : {"annotate", "label", "notify"}) {
    auto r = pod_action("p", "web-1", action);
    r.destructive = false;
    BOOST_TEST(!health_checked(r), action);
  }
}

BOOST_AUTO_TEST_CASE(a_verifying_action_succeeds_once_its_workload_is_ready_not_before_the_delay) {
  Gatekeeper g(checked_config());
  auto r = pod_action("p", "web-1");
  BOOST_TEST(once(g, r, 0) == "execute");
  auto effect = g.record_result(r.id, ExecutionStatus::Success, 10 * kSecond);
  BOOST_TEST(effect.applied);
  BOOST_TEST(effect.state == ActionState::Verifying);
  BOOST_TEST(g.find(r.id)->state == ActionState::Verifying);
  BOOST_TEST(g.find(r.id)->deadline_ms == 10 * kSecond + 5 * kMinute);
  BOOST_TEST(!g.record_result(r.id, ExecutionStatus::Success, 11 * kSecond).applied);
  auto ds = g.decide(std::span(&r, 1), web_facts(), 20 * kSecond);
  BOOST_TEST(safety::outcome_text(ds[0]) == "duplicate");
  BOOST_TEST(ds[0].reason() ==
             "executed 20s ago, succeeded 10s ago, waits for its target to be ready");
  // Ready, but before the initial delay the view may not show the restart yet.
  BOOST_TEST(g.check_health(web_facts(4, 0), 40 * kSecond - 1).empty());
  BOOST_TEST(g.check_health(web_facts(4, 1), 40 * kSecond).empty());  // not ready: waits
  BOOST_TEST(g.check_health(web_facts(4, 1), 2 * kMinute).empty());
  auto verdicts = g.check_health(web_facts(4, 0), 3 * kMinute);
  BOOST_REQUIRE(verdicts.size() == 1u);
  BOOST_TEST(verdicts[0].request->id == r.id);
  BOOST_TEST(verdicts[0].state == ActionState::Succeeded);
  BOOST_TEST(verdicts[0].time_ms == 3 * kMinute);
  BOOST_TEST(verdicts[0].reason == "Deployment apps/web ready: 4/4 replicas");
  BOOST_TEST(g.find(r.id)->state == ActionState::Succeeded);
  BOOST_TEST(g.check_health(web_facts(4, 0), 4 * kMinute).empty());  // reported once
  BOOST_TEST(g.state().failures.empty());
}

BOOST_AUTO_TEST_CASE(a_target_not_ready_by_the_timeout_fails_and_counts_toward_the_breaker) {
  auto config = checked_config();
  config.breaker.max_failures = 2;
  Gatekeeper g(config);
  auto a = pod_action("p", "web-1"), b = pod_action("p", "web-2");
  g.decide(std::vector{a, b}, web_facts(), 0);
  g.record_result(a.id, ExecutionStatus::Success, 0);
  g.record_result(b.id, ExecutionStatus::Success, 0);
  BOOST_TEST(g.check_health(web_facts(4, 2), 5 * kMinute - 1).empty());
  BOOST_TEST(!g.breaker_open(5 * kMinute - 1));
  auto verdicts = g.check_health(web_facts(4, 2), 5 * kMinute);
  BOOST_TEST(
      verdict_texts(verdicts) ==
          (std::vector<std::string>{
              "failed Deployment apps/web not ready within 5m: 2 of 4 replicas unavailable",
              "failed Deployment apps/web not ready within 5m: 2 of 4 replicas unavailable"}),
      boost::test_tools::per_element());
  BOOST_TEST(g.find(a.id)->state == ActionState::Failed);
  BOOST_TEST(g.find(b.id)->state == ActionState::Failed);
  // Two failed health checks are max_failures failures: the breaker opens.
  BOOST_TEST(g.breaker_open(5 * kMinute));
  BOOST_TEST(once(g, pod_action("p", "web-3"), 5 * kMinute) == "blocked:circuit-breaker");
}

BOOST_AUTO_TEST_CASE(a_deadline_passes_even_when_check_health_is_not_called) {
  auto config = checked_config();
  config.max_in_flight = 1;
  config.breaker.max_failures = 1;
  Gatekeeper g(config);
  auto r = bare(pod_action("p", "a", "patch"));
  BOOST_TEST(once(g, r, 0) == "execute");
  g.record_result(r.id, ExecutionStatus::Success, 0);
  auto annotate = pod_action("p", "b", "annotate");
  annotate.destructive = false;
  BOOST_TEST(once(g, annotate, 5 * kMinute - 1) == "blocked:concurrency");  // still held
  BOOST_TEST(once(g, annotate, 5 * kMinute) == "execute");                  // released
  BOOST_TEST(g.find(r.id)->state == ActionState::Failed);
  BOOST_TEST(g.breaker_open(5 * kMinute));
  // The next check reports it, as of its deadline.
  auto verdicts = g.check_health(web_facts(), 6 * kMinute);
  BOOST_REQUIRE(verdicts.size() == 1u);
  BOOST_TEST(verdicts[0].request->id == r.id);
  BOOST_TEST(verdicts[0].time_ms == 5 * kMinute);
  BOOST_TEST(verdict_texts(verdicts)[0] == "failed Pod apps/a not ready within 5m");
  BOOST_TEST(g.check_health(web_facts(), 7 * kMinute).empty());
}

BOOST_AUTO_TEST_CASE(a_verifying_action_holds_its_workload_budget_until_verified) {
  auto config = checked_config();
  config.max_in_flight_per_workload = 1;
  Gatekeeper g(config);
  auto a = pod_action("p", "web-1"), b = pod_action("q", "web-2");
  BOOST_TEST(once(g, a, 0) == "execute");
  g.record_result(a.id, ExecutionStatus::Success, kSecond);
  auto ds = g.decide(std::span(&b, 1), web_facts(), 10 * kSecond);
  BOOST_TEST(safety::outcome_text(ds[0]) == "blocked:concurrency");
  BOOST_TEST(ds[0].gate(Gate::Concurrency).reason ==
             "1 actions in flight on Deployment/apps/web, the most allowed on one workload");
  BOOST_TEST(once(g, b, 31 * kSecond) == "blocked:concurrency");
  BOOST_TEST(verdict_texts(g.check_health(web_facts(4, 0), 31 * kSecond)) ==
                 std::vector<std::string>{"succeeded Deployment apps/web ready: 4/4 replicas"},
             boost::test_tools::per_element());
  BOOST_TEST(once(g, b, 31 * kSecond) == "execute");
}

BOOST_AUTO_TEST_CASE(with_a_timeout_of_0_success_is_the_end) {
  auto config = checked_config();
  config.health_check.timeout_ms = 0;
  config.max_in_flight_per_workload = 1;
  Gatekeeper g(config);
  auto r = pod_action("p", "web-1");
  BOOST_TEST(once(g, r, 0) == "execute");
  auto effect = g.record_result(r.id, ExecutionStatus::Success, 0);
  BOOST_TEST(effect.state == ActionState::Succeeded);
  BOOST_TEST(g.find(r.id)->state == ActionState::Succeeded);
  BOOST_TEST(g.check_health(web_facts(4, 4), kHour).empty());
  BOOST_TEST(once(g, pod_action("q", "web-2"), 1) == "execute");
}

BOOST_AUTO_TEST_CASE(actions_that_leave_the_pods_alone_are_not_checked) {
  auto config = checked_config();
  config.max_in_flight_per_workload = 1;
  Gatekeeper g(config);
  for (auto action : {"annotate", "label", "notify"}) {
    auto r = pod_action("p", "web-1", action);
    r.destructive = false;
    BOOST_TEST(once(g, r, 0) == "execute", action);
    BOOST_TEST(g.record_result(r.id, ExecutionStatus::Success, 0).state == ActionState::Succeeded,
               action);
  }
  BOOST_TEST(g.check_health(web_facts(4, 4), kHour).empty());
  // A scale-up takes no capacity away, but its new pods must still come up.
  auto up = scale_web("p", false);
  BOOST_TEST(once(g, up, kHour) == "execute");
  BOOST_TEST(g.record_result(up.id, ExecutionStatus::Success, kHour).state ==
             ActionState::Verifying);
  BOOST_TEST(verdict_texts(g.check_health(web_facts(5, 0), kHour + kMinute)) ==
                 std::vector<std::string>{"succeeded Deployment apps/web ready: 5/5 replicas"},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(what_healthy_means_for_each_kind_of_target) {
  using safety::target_health;
  auto said = [](const safety::TargetHealth& h) {
    return std::string(h.healthy ? "healthy" : "not") + (h.detail.empty() ? "" : ": " + h.detail);
  };
  auto facts = web_facts(3, 0);
  facts.bare_pods["Pod/apps/ready"] = true;
  facts.bare_pods["Pod/apps/down"] = false;
  // A pod of a workload: its workload.
  BOOST_TEST(said(target_health(pod_action("p", "web-1"), facts)) ==
             "healthy: ready: 3/3 replicas");
  BOOST_TEST(said(target_health(pod_action("p", "web-1"), web_facts(3, 1))) ==
             "not: 1 of 3 replicas unavailable");
  BOOST_TEST(said(target_health(pod_action("p", "web-1", "delete"), safety::ClusterFacts{})) ==
             "not: no longer exists");
  BOOST_TEST(safety::health_subject(pod_action("p", "web-1")) == "Deployment apps/web");
  // A bare pod: itself; gone counts as healthy when the action removed it.
  BOOST_TEST(said(target_health(bare(pod_action("p", "ready")), facts)) == "healthy: ready");
  BOOST_TEST(said(target_health(bare(pod_action("p", "down")), facts)) == "not");
  BOOST_TEST(safety::health_subject(bare(pod_action("p", "down"))) == "Pod apps/down");
  for (auto action : {"delete", "evict", "restart"})
    BOOST_TEST(said(target_health(bare(pod_action("p", "gone", action)), facts)) ==
                   "healthy: gone: the " + std::string(action) + " removed it",
               action);
  BOOST_TEST(said(target_health(bare(pod_action("p", "gone", "patch")), facts)) ==
             "not: no longer exists");
  // A workload target: itself.
  BOOST_TEST(said(target_health(scale_web("p", true), web_facts(2, 0))) ==
             "healthy: ready: 2/2 replicas");
  BOOST_TEST(said(target_health(scale_web("p", true), web_facts(2, 2))) ==
             "not: 2 of 2 replicas unavailable");
  BOOST_TEST(said(target_health(scale_web("p", true), safety::ClusterFacts{})) ==
             "not: no longer exists");
  auto removed = scale_web("p", true);
  removed.action = "delete";
  BOOST_TEST(said(target_health(removed, safety::ClusterFacts{})) ==
             "healthy: gone: the delete removed it");
  BOOST_TEST(safety::health_subject(removed) == "Deployment apps/web");
}

BOOST_AUTO_TEST_CASE(a_deleted_bare_pod_is_healthy_when_gone) {
  Gatekeeper g(checked_config());
  auto r = bare(pod_action("p", "a", "delete"));
  BOOST_TEST(once(g, r, 0) == "execute");
  g.record_result(r.id, ExecutionStatus::Success, 0);
  safety::ClusterFacts terminating;
  terminating.bare_pods["Pod/apps/a"] = false;
  BOOST_TEST(g.check_health(terminating, kMinute).empty());
  BOOST_TEST(verdict_texts(g.check_health(safety::ClusterFacts{}, 2 * kMinute)) ==
                 std::vector<std::string>{"succeeded Pod apps/a gone: the delete removed it"},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(verifying_survives_a_journal_round_trip) {
  auto config = checked_config();
  config.max_in_flight_per_workload = 1;
  auto web = pod_action("p", "web-1"), db = pod_action("p", "db-1");
  db.target.workload_name = "db";
  db = with_id(db);
  safety::SafetyState saved;
  {
    Gatekeeper g(config);
    g.decide(std::vector{web, db}, web_facts(), 0);
    g.record_result(web.id, ExecutionStatus::Success, 0);
    g.record_result(db.id, ExecutionStatus::Success, 0);
    auto decoded = safety::decode_journal(safety::encode_journal(g.state()));
    BOOST_REQUIRE(decoded.ok());
    saved = std::move(decoded.state);
  }
  Gatekeeper g(config, std::move(saved));
  BOOST_TEST(g.find(web.id)->state == ActionState::Verifying);
  BOOST_TEST(g.find(db.id)->state == ActionState::Verifying);
  // Their budgets count again.
  BOOST_TEST(once(g, pod_action("q", "web-2"), 10 * kSecond) == "blocked:concurrency");
  auto facts = web_facts(4, 0);
  facts.workloads["Deployment/apps/db"] = {2, 1};
  // The initial delay runs from the success, not from the restart.
  BOOST_TEST(g.check_health(facts, 30 * kSecond - 1).empty());
  BOOST_TEST(verdict_texts(g.check_health(facts, 30 * kSecond)) ==
                 std::vector<std::string>{"succeeded Deployment apps/web ready: 4/4 replicas"},
             boost::test_tools::per_element());
  BOOST_TEST(once(g, pod_action("q", "web-2"), 30 * kSecond) == "execute");
  // The other one's deadline is still queued: decide() fails it at 5m.
  BOOST_TEST(g.decide({}, facts, 5 * kMinute - 1).empty());
  BOOST_TEST(g.find(db.id)->state == ActionState::Verifying);
  BOOST_TEST(g.decide({}, facts, 5 * kMinute).empty());
  BOOST_TEST(g.find(db.id)->state == ActionState::Failed);
  BOOST_TEST(verdict_texts(g.check_health(facts, 5 * kMinute)) ==
                 std::vector<std::string>{"failed Deployment apps/db not ready within 5m"},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(cluster_facts_know_bare_pods_and_workloads) {
  ListedView view;
  view.workload_list.push_back({"Deployment", {"apps", "web", {}, {}, 0}, 3, 2, 2, 3, {}, {}});
  cluster::Pod of_web, ready, pending, crashing;
  of_web.meta = {"apps", "web-1", {}, {}, 0};
  of_web.workload_kind = "Deployment";
  of_web.workload_name = "web";
  ready.meta = {"apps", "a", {}, {}, 0};
  pending.meta = {"apps", "b", {}, {}, 0};
  pending.phase = "Pending";
  crashing.meta = {"apps", "c", {}, {}, 0};
  crashing.ready = false;
  view.pod_list = {of_web, ready, pending, crashing};
  auto facts = safety::cluster_facts(view);
  BOOST_REQUIRE(facts.workload("Deployment/apps/web"));
  BOOST_TEST(facts.workload("Deployment/apps/web")->unavailable == 1);
  BOOST_TEST(facts.bare_pods.size() == 3u);
  BOOST_TEST(*facts.bare_pod("Pod/apps/a"));
  BOOST_TEST(!*facts.bare_pod("Pod/apps/b"));
  BOOST_TEST(!*facts.bare_pod("Pod/apps/c"));
  BOOST_TEST(facts.bare_pod("Pod/apps/web-1") == nullptr);
  BOOST_TEST(facts.unhealthy_share == 0.5);
}

// ---- decision records -------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(a_decision_record_is_one_json_line_with_every_gate) {
  Gatekeeper g(open_config());
  auto r = pod_action("p\"q", "web-1");
  r.limits.cooldown_target_ms = kMinute;
  r = with_id(r);
  g.decide(std::span(&r, 1), web_facts(), 0);
  auto again = with_id(pod_action("p\"q", "web-1", "restart", 1));
  again.limits.cooldown_target_ms = kMinute;
  again = with_id(again);
  auto ds = g.decide(std::span(&again, 1), web_facts(), 30 * kSecond);
  std::string line = safety::decision_record(ds[0]);
  BOOST_TEST(line.find('\n') == std::string::npos);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  BOOST_REQUIRE(parser.parse(line).get(doc) == simdjson::SUCCESS);
  BOOST_TEST(std::string_view(doc["id"]) == again.id);
  BOOST_TEST(std::string_view(doc["time"]) == base::format_time(30 * kSecond));
  BOOST_TEST(std::string_view(doc["policy"]) == "p\"q");
  BOOST_TEST(std::string_view(doc["trigger"]) == "crashing");
  BOOST_TEST(std::string_view(doc["target"]) == "Pod/apps/web-1");
  BOOST_TEST(std::string_view(doc["action"]) == "restart");
  BOOST_TEST(std::string_view(doc["arguments"]["strategy"]) == "rolling");
  BOOST_TEST(std::string_view(doc["mode"]) == "automatic");
  BOOST_TEST(std::string_view(doc["outcome"]) == "blocked:cooldown");
  simdjson::dom::array gates = doc["gates"];
  BOOST_TEST(gates.size() == safety::kGateCount);
  BOOST_TEST(std::string_view(gates.at(3)["gate"]) == "cooldown");
  BOOST_TEST(std::string_view(gates.at(3)["verdict"]) == "blocked");
  BOOST_TEST(std::string_view(gates.at(3)["reason"]) == "cooldown 1m per target: 30s left");
  BOOST_TEST(std::string_view(gates.at(4)["verdict"]) == "not-reached");

  auto dry = pod_action("p", "web-9");
  dry.mode = bytecode::Mode::DryRun;
  dry.unknown_arguments = true;
  dry = with_id(dry);
  ds = g.decide(std::span(&dry, 1), web_facts(), 0);
  line = safety::decision_record(ds[0]);
  BOOST_REQUIRE(parser.parse(line).get(doc) == simdjson::SUCCESS);
  BOOST_TEST(std::string_view(doc["outcome"]) == "dry-run");
  BOOST_TEST(std::string_view(doc["would"]) == "blocked:arguments");
}

// ---- adopting what another instance did ---------------------------------------------------------

BOOST_AUTO_TEST_CASE(an_adopted_action_holds_its_cooldowns_and_rate_window_from_its_decision) {
  auto config = open_config();
  Gatekeeper g(config);
  auto done = pod_action("p", "web-1");
  done.limits.cooldown_target_ms = 10 * kMinute;
  done.limits.max_actions = 1;
  done.limits.max_actions_window_ms = kHour;
  done = with_id(done);
  BOOST_TEST(g.adopt(done, ActionState::Succeeded, 2 * kMinute, 5 * kMinute));
  BOOST_TEST(!g.adopt(done, ActionState::Succeeded, 2 * kMinute, 5 * kMinute));  // known now
  BOOST_TEST(g.find(done.id)->state == ActionState::Succeeded);
  BOOST_TEST(!g.awaiting_approval());
  BOOST_TEST(once(g, done, 5 * kMinute) == "duplicate");
  // Another firing on the same target: held by the cooldown until 12m, then by the rate window.
  auto again = with_id(pod_action("p", "web-1", "restart", 4 * kMinute));
  again.limits = done.limits;
  BOOST_TEST(once(g, again, 11 * kMinute) == "blocked:cooldown");
  auto other = with_id(pod_action("p", "web-2", "restart", 4 * kMinute));
  other.limits = done.limits;
  BOOST_TEST(once(g, other, 13 * kMinute) == "blocked:rate-limit");
  // It ran elsewhere and has ended: it holds no in-flight budget here.
  auto free_policy = with_id(pod_action("q", "web-3"));
  BOOST_TEST(once(g, free_policy, 13 * kMinute) == "execute");
}
