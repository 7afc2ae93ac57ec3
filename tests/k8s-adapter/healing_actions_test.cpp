// HealingAction records on the simulated API server, over HTTP on loopback: an executed action
// leaves an object whose status says what came of it; another instance never repeats an action
// whose object exists; a retry by the same instance counts its attempts; an action awaiting
// approval is approved by setting status.approval on its object; an instance taking over adopts
// the cooldowns of what was done; without the CRD actions run, unrecorded.
#define BOOST_TEST_MODULE healing_actions
#include <boost/test/unit_test.hpp>

#include <nlohmann/json.hpp>

#include "k8s-adapter/healing_actions.hpp"
#include "tests/k8s-adapter/sim_api.hpp"
#include "tests/runtime/prometheus/support.hpp"

using namespace skippy;
using Json = nlohmann::json;

namespace {

constexpr std::int64_t kT0 = 1'700'000'000'000;

safety::ActionRequest request(const std::string& id, std::int64_t fired_at = kT0) {
  safety::ActionRequest r;
  r.id = id;
  r.policy = "memory_leak";
  r.trigger = "high_memory";
  r.action = "restart";
  r.target = {"Deployment", "demo-apps", "leaky", "", "", {}, {}};
  r.mode = bytecode::Mode::Automatic;
  r.limits.cooldown_target_ms = 10 * 60'000;
  r.limits.max_actions = 2;
  r.limits.max_actions_window_ms = 3'600'000;
  r.fired_at_ms = fired_at;
  return r;
}

struct Cluster : test::SimApi {
  std::vector<std::string> warnings;

  Cluster() : SimApi(kT0) {}

  k8s::HealingActions records(const std::string& instance, safety::Executor& inner) {
    k8s::HealingActionsConfig config;
    config.instance = instance;
    config.log = [this](const std::string& m) { warnings.push_back(m); };
    return k8s::HealingActions(*client, config, inner);
  }
  Json object(const std::string& id) {
    auto got = client->get("/apis/kubeskippy.io/v1alpha1/namespaces/default/healingactions/" +
                           k8s::healing_action_name(id));
    BOOST_REQUIRE_MESSAGE(got.ok(), got.error);
    return Json::parse(got.body);
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(an_executed_action_leaves_an_object_that_says_what_came_of_it) {
  Cluster cluster;
  safety::RecordingExecutor inner;
  auto records = cluster.records("replica-a", inner);
  auto r = request("0123456789abcdef0123456789abcdef");
  auto result = records.execute(r, kT0 + 60'000);
  BOOST_TEST(static_cast<int>(result.status) == static_cast<int>(safety::ExecutionStatus::Success));
  BOOST_TEST(inner.calls_of(r.id) == 1u);
  auto o = cluster.object(r.id);
  BOOST_TEST(o["metadata"]["name"] == "skippy-0123456789abcdef0123456789abcdef");
  BOOST_TEST(o["metadata"]["labels"]["skippy.io/policy"] == "memory_leak");
  BOOST_TEST(o["metadata"]["annotations"]["skippy.io/instance"] == "replica-a");
  BOOST_TEST(o["spec"]["policyRef"]["name"] == "memory_leak");
  BOOST_TEST(o["spec"]["targetResource"]["kind"] == "Deployment");
  BOOST_TEST(o["spec"]["targetResource"]["apiVersion"] == "apps/v1");
  BOOST_TEST(o["spec"]["targetResource"]["namespace"] == "demo-apps");
  BOOST_TEST(o["spec"]["action"]["type"] == "restart");
  BOOST_TEST(o["status"]["phase"] == "Succeeded", o.dump());
  BOOST_TEST(o["status"]["result"]["success"] == true);
  BOOST_TEST(o["status"]["attempts"] == 1);
  BOOST_TEST(o["status"]["completionTime"] == "2023-11-14T22:14:20.000Z");
  BOOST_TEST(cluster.warnings.empty());
}

BOOST_AUTO_TEST_CASE(another_instance_never_repeats_an_action_whose_object_exists) {
  Cluster cluster;
  safety::RecordingExecutor a_inner, b_inner;
  auto a = cluster.records("replica-a", a_inner);
  auto b = cluster.records("replica-b", b_inner);
  auto r = request("aaaabbbbccccddddeeeeffff00001111");
  a.execute(r, kT0);
  auto result = b.execute(r, kT0 + 1'000);
  BOOST_TEST(static_cast<int>(result.status) ==
             static_cast<int>(safety::ExecutionStatus::PermanentFailure));
  BOOST_TEST(result.message.find("not repeated") != std::string::npos, result.message);
  BOOST_TEST(result.message.find("replica-a") != std::string::npos, result.message);
  BOOST_TEST(b_inner.calls().empty());
  BOOST_TEST(a_inner.calls_of(r.id) == 1u);
}

BOOST_AUTO_TEST_CASE(a_retry_by_the_same_instance_runs_and_counts_its_attempts) {
  Cluster cluster;
  safety::RecordingExecutor inner;
  auto r = request("99998888777766665555444433332222");
  inner.script(r.id, {safety::ExecutionStatus::TransientFailure});
  auto records = cluster.records("replica-a", inner);
  records.execute(r, kT0);
  BOOST_TEST(cluster.object(r.id)["status"]["phase"] == "InProgress");
  records.execute(r, kT0 + 30'000);
  auto o = cluster.object(r.id);
  BOOST_TEST(inner.calls_of(r.id) == 2u);
  BOOST_TEST(o["status"]["attempts"] == 2);
  BOOST_TEST(o["status"]["phase"] == "Succeeded");
}

BOOST_AUTO_TEST_CASE(an_action_is_approved_through_its_object) {
  Cluster cluster;
  safety::RecordingExecutor inner;
  auto records = cluster.records("replica-a", inner);
  auto r = request("12121212121212121212121212121212");
  r.approval_required = true;
  records.awaiting_approval(r, kT0, kT0);
  auto o = cluster.object(r.id);
  BOOST_TEST(o["status"]["phase"] == "Pending");
  BOOST_TEST(o["status"]["approval"]["required"] == true);
  BOOST_TEST(records.approvals().empty());
  // What `kubectl patch healingaction ... --subresource=status --type=merge` sends.
  auto patched =
      cluster.client->send("PATCH",
                           "/apis/kubeskippy.io/v1alpha1/namespaces/default/healingactions/" +
                               k8s::healing_action_name(r.id) + "/status",
                           R"({"status":{"approval":{"approved":true,"approvedBy":"alice"}}})",
                           "application/merge-patch+json");
  BOOST_REQUIRE_MESSAGE(patched.ok(), patched.error);
  auto approvals = records.approvals();
  BOOST_REQUIRE(approvals.size() == 1u);
  BOOST_TEST(approvals[0].id == r.id);
  BOOST_TEST(approvals[0].approved_by == "alice");
  records.approved(r, "alice", kT0 + 5'000);
  BOOST_TEST(cluster.object(r.id)["status"]["phase"] == "Approved");
  BOOST_TEST(records.approvals().empty());
  // The approved action then runs here: its object exists, written by this instance.
  auto result = records.execute(r, kT0 + 15'000);
  BOOST_TEST(static_cast<int>(result.status) == static_cast<int>(safety::ExecutionStatus::Success));
  BOOST_TEST(inner.calls_of(r.id) == 1u);
  BOOST_TEST(cluster.object(r.id)["status"]["approval"]["approvedBy"] == "alice");
}

BOOST_AUTO_TEST_CASE(an_instance_taking_over_adopts_the_cooldowns_of_what_was_done) {
  Cluster cluster;
  safety::RecordingExecutor inner;
  auto old_leader = cluster.records("replica-a", inner);
  auto done = request("abcdefabcdefabcdefabcdefabcdef00", kT0);
  old_leader.execute(done, kT0 + 60'000);
  auto waiting = request("abcdefabcdefabcdefabcdefabcdef11", kT0);
  waiting.action = "delete";
  old_leader.awaiting_approval(waiting, kT0 + 60'000, kT0 + 60'000);

  // The new leader fired later, so its proposal has another id: only the cooldown holds it.
  safety::Gatekeeper gatekeeper(safety::SafetyConfig{});
  auto new_leader = cluster.records("replica-b", inner);
  auto summary = new_leader.adopt_from(gatekeeper, kT0 + 120'000);
  BOOST_TEST(summary.adopted == 1u);
  BOOST_TEST(summary.skipped == 1u);  // the pending one never ran
  BOOST_TEST(summary.errors.empty());
  BOOST_TEST(gatekeeper.find(done.id) != nullptr);
  auto again = request("00000000000000000000000000000042", kT0 + 100'000);
  auto decisions = gatekeeper.decide({&again, 1}, {}, kT0 + 120'000);
  BOOST_REQUIRE(decisions.size() == 1u);
  BOOST_TEST(static_cast<int>(decisions[0].outcome) == static_cast<int>(safety::Outcome::Blocked));
  BOOST_TEST(static_cast<int>(decisions[0].blocked_by) == static_cast<int>(safety::Gate::Cooldown));
  // After the cooldown (10 minutes from the first action's decision) it may run.
  auto later = request("00000000000000000000000000000043", kT0 + 100'000);
  auto after = gatekeeper.decide({&later, 1}, {}, kT0 + 60'000 + 10 * 60'000);
  BOOST_TEST(static_cast<int>(after[0].outcome) == static_cast<int>(safety::Outcome::Execute));
}

BOOST_AUTO_TEST_CASE(a_corrupt_journal_record_is_reported_and_the_others_adopted) {
  Cluster cluster;
  safety::RecordingExecutor inner;
  auto records = cluster.records("replica-a", inner);
  auto good = request("11111111111111111111111111111111");
  records.execute(good, kT0);
  auto bad = request("22222222222222222222222222222222");
  bad.target.name = "other";
  records.execute(bad, kT0);
  auto patched = cluster.client->send(
      "PATCH",
      "/apis/kubeskippy.io/v1alpha1/namespaces/default/healingactions/" +
          k8s::healing_action_name(bad.id),
      R"({"metadata":{"annotations":{"skippy.io/journal-record":"skippy-safety-journal 1\nnot json"}}})",
      "application/merge-patch+json");
  BOOST_REQUIRE_MESSAGE(patched.ok(), patched.error);
  safety::Gatekeeper gatekeeper(safety::SafetyConfig{});
  auto summary = records.adopt_from(gatekeeper, kT0 + 1'000);
  BOOST_TEST(summary.adopted == 1u);
  BOOST_REQUIRE(summary.errors.size() == 1u);
  BOOST_TEST(summary.errors[0].find("skippy-22222222222222222222222222222222") != std::string::npos,
             summary.errors[0]);
}

BOOST_AUTO_TEST_CASE(without_the_crd_actions_run_unrecorded_with_one_warning) {
  test::FaultServer server([](const test::Request&) {
    test::Response r;
    r.status = 404;
    r.body = R"({"kind":"Status","status":"Failure","reason":"NotFound","code":404})";
    return r;
  });
  k8s::Connection c;
  c.server = server.url();
  k8s::ApiClient client(c);
  safety::RecordingExecutor inner;
  std::vector<std::string> warnings;
  k8s::HealingActionsConfig config;
  config.instance = "replica-a";
  config.log = [&](const std::string& m) { warnings.push_back(m); };
  k8s::HealingActions records(client, config, inner);
  auto r = request("33333333333333333333333333333333");
  records.execute(r, kT0);
  records.execute(request("44444444444444444444444444444444"), kT0);
  BOOST_TEST(inner.calls().size() == 2u);
  BOOST_REQUIRE(warnings.size() == 1u);
  BOOST_TEST(warnings[0].find("is the CRD installed?") != std::string::npos);
  BOOST_TEST(server.requests().size() == 1u);  // asked once, then not again
}

BOOST_AUTO_TEST_CASE(an_api_server_error_fails_the_action_without_running_it) {
  test::FaultServer server([](const test::Request&) {
    test::Response r;
    r.status = 403;
    r.body =
        R"({"kind":"Status","status":"Failure","reason":"Forbidden","message":"no","code":403})";
    return r;
  });
  k8s::Connection c;
  c.server = server.url();
  k8s::ApiClient client(c);
  safety::RecordingExecutor inner;
  k8s::HealingActionsConfig config;
  config.instance = "replica-a";
  k8s::HealingActions records(client, config, inner);
  auto result = records.execute(request("55555555555555555555555555555555"), kT0);
  BOOST_TEST(static_cast<int>(result.status) ==
             static_cast<int>(safety::ExecutionStatus::PermanentFailure));
  BOOST_TEST(result.message.find("403") != std::string::npos, result.message);
  BOOST_TEST(inner.calls().empty());
}
