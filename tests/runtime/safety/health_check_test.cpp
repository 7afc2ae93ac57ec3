// The health check after an action: verified once its target is ready again, failed (and
// counted toward the breaker) at the timeout, per kind of target, across a journal round trip.
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
  std::vector<const cluster::Event*> recent_events(std::string_view, std::string_view,
                                                   std::string_view, std::int64_t, std::int64_t,
                                                   std::size_t) const override {
    return {};
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
