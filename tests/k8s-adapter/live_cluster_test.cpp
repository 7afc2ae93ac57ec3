// The live cluster view over a scripted API server: every resource is listed and watched,
// refresh() turns the caches into the view a tick reads (pods resolved to their Deployment
// through their ReplicaSet), and the view holds still between refreshes.
#define BOOST_TEST_MODULE live_cluster
#include <boost/test/unit_test.hpp>

#include "k8s-adapter/live_cluster.hpp"
#include "tests/k8s-adapter/api_script.hpp"

using namespace skippy;
using namespace std::chrono_literals;

namespace {

const char* kReplicaSet = R"({"metadata":{"name":"web-5d9c","namespace":"demo",
  "ownerReferences":[{"apiVersion":"apps/v1","kind":"Deployment","name":"web","controller":true}]},
  "spec":{"replicas":2},"status":{"replicas":2,"readyReplicas":2,"availableReplicas":2}})";
const char* kDeployment = R"({"metadata":{"name":"web","namespace":"demo",
  "annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{...}","team":"shop"}},
  "spec":{"replicas":3},"status":{"readyReplicas":2,"availableReplicas":2,"updatedReplicas":3}})";
const char* kDaemonSet = R"({"metadata":{"name":"agent","namespace":"kube-system"},
  "status":{"desiredNumberScheduled":4,"numberReady":3,"numberAvailable":3,"updatedNumberScheduled":4}})";
const char* kEvent = R"({"metadata":{"name":"web-5d9c-a.1","namespace":"demo"},
  "involvedObject":{"kind":"Pod","name":"web-5d9c-a"},"reason":"BackOff","type":"Warning",
  "count":3,"lastTimestamp":"2026-01-01T00:01:00Z"})";
const char* kBudget = R"({"metadata":{"name":"web","namespace":"demo"},
  "spec":{"minAvailable":"50%","selector":{"matchLabels":{"app":"web"}}},
  "status":{"disruptionsAllowed":1,"currentHealthy":2,"desiredHealthy":1,"expectedPods":2}})";
const char* kPolicy = R"({"apiVersion":"kubeskippy.io/v1alpha1","kind":"HealingPolicy",
  "metadata":{"name":"crashloop","namespace":"demo"},"spec":{"source":"policy p {}"}})";

struct Fixture {
  test::ApiScript api;
  test::FaultServer server{api.handler()};
  std::unique_ptr<k8s::LiveCluster> live;

  Fixture() {
    api.list("/api/v1/pods",
             test::list_body("10", {test::pod_json("web-5d9c-a", "3", 4, "ReplicaSet/web-5d9c"),
                                    test::pod_json("lonely", "4")}));
    api.list("/apis/apps/v1/replicasets", test::list_body("10", {kReplicaSet}));
    api.list("/apis/apps/v1/deployments", test::list_body("10", {kDeployment}));
    api.list("/apis/apps/v1/daemonsets", test::list_body("10", {kDaemonSet}));
    api.list("/api/v1/events", test::list_body("10", {kEvent}));
    api.list("/apis/policy/v1/poddisruptionbudgets", test::list_body("10", {kBudget}));
    api.list("/apis/kubeskippy.io/v1alpha1/healingpolicies", test::list_body("10", {kPolicy}));
  }
  void start() {
    k8s::Connection c;
    c.server = server.url();
    k8s::LiveClusterOptions o;
    o.informer.backoff_initial_ms = 10;
    live = std::make_unique<k8s::LiveCluster>(c, o);
    live->start();
    std::string error = live->wait_synced(5s);
    BOOST_REQUIRE_MESSAGE(error.empty(), error);
    // wait_synced() does not wait for the optional HealingPolicy informer: this test does.
    for (const auto& informer : live->informers()) BOOST_REQUIRE(informer->wait_synced(5s));
    live->refresh();
  }
};

}  // namespace

BOOST_FIXTURE_TEST_CASE(pods_resolve_through_their_replicaset_to_the_deployment, Fixture) {
  start();
  auto pods = live->pods();
  BOOST_REQUIRE(pods.size() == 2u);
  BOOST_TEST(pods[0].meta.name == "lonely");  // sorted by namespace and name
  BOOST_TEST(pods[0].owner_kind == "");
  const cluster::Pod& p = pods[1];
  BOOST_TEST(p.owner_kind == "ReplicaSet");
  BOOST_TEST(p.owner_name == "web-5d9c");
  BOOST_TEST(p.workload_kind == "Deployment");
  BOOST_TEST(p.workload_name == "web");
  BOOST_TEST(p.restarts == 4);

  BOOST_TEST(live->workloads().size() == 3u);
  const cluster::Workload* web = live->find_workload("Deployment", "demo", "web");
  BOOST_REQUIRE(web);
  BOOST_TEST(web->replicas == 3);
  BOOST_TEST(web->ready_replicas == 2);
  BOOST_TEST(web->meta.annotations.size() == 1u);  // kubectl's copy of the manifest is dropped
  const cluster::Workload* agent = live->find_workload("DaemonSet", "kube-system", "agent");
  BOOST_REQUIRE(agent);
  BOOST_TEST(agent->replicas == 4);
  BOOST_TEST(agent->ready_replicas == 3);
  BOOST_TEST(live->find_workload("Deployment", "demo", "nope") == nullptr);
  BOOST_TEST(live->find_workload("StatefulSet", "demo", "web") == nullptr);

  constexpr std::int64_t kMinute = 1'767'225'660'000LL;  // 2026-01-01T00:01:00Z
  BOOST_TEST(live->count_events("demo", "Pod", "web-5d9c-a", "BackOff", "Warning", kMinute - 1,
                                kMinute) == 3);
  BOOST_TEST(live->count_events("demo", "Pod", "web-5d9c-a", "", "", kMinute, kMinute + 1) == 0);

  BOOST_REQUIRE(live->disruption_budgets().size() == 1u);
  const auto& budget = live->disruption_budgets()[0];
  BOOST_TEST(budget.min_available == "50%");
  BOOST_TEST(budget.max_unavailable == "");
  BOOST_TEST(budget.selector.at("app") == "web");
  BOOST_TEST(budget.disruptions_allowed == 1);
  BOOST_REQUIRE(live->healing_policies().size() == 1u);
  BOOST_TEST(live->healing_policies()[0].name == "crashloop");
  BOOST_TEST(live->healing_policies()[0].json.find(R"("source":"policy p {}")") !=
             std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(the_view_changes_only_at_refresh, Fixture) {
  test::Response watch;  // a pod goes away after the first refresh
  watch.stream.push_back({300ms, test::watch_line("DELETED", test::pod_json("lonely", "11"))});
  watch.hold = 60s;
  api.watch("/api/v1/pods", watch);
  start();
  k8s::Informer& pods = *live->informers()[0];
  BOOST_REQUIRE(pods.path() == "/api/v1/pods");
  BOOST_TEST(test::poll_until([&] { return pods.stats().events == 1; }, 5s));
  BOOST_TEST(live->pods().size() == 2u);  // the tick in progress still sees both
  live->refresh();
  BOOST_REQUIRE(live->pods().size() == 1u);
  BOOST_TEST(live->pods()[0].workload_name == "web");
}

BOOST_AUTO_TEST_CASE(a_builtin_resource_that_never_lists_is_named) {
  test::FaultServer server([](const test::Request& r) {
    test::Response out;
    if (r.path.starts_with("/api/v1/events")) {
      out.status = 403;
      out.body = R"({"kind":"Status","reason":"Forbidden","message":"events is forbidden"})";
    } else if (r.path.starts_with("/apis/skippy.io/")) {
      out.status = 404;  // the HealingPolicy CRD is not installed: not waited for
      out.body =
          R"({"kind":"Status","reason":"NotFound","message":"the server could not find the requested resource"})";
    } else {
      out.body = test::list_body("1", {});
      if (r.path.find("watch=1") != std::string::npos) out.hold = 60s;
    }
    return out;
  });
  k8s::Connection c;
  c.server = server.url();
  k8s::LiveClusterOptions o;
  o.informer.backoff_initial_ms = 10;
  k8s::LiveCluster live(c, o);
  live.start();
  std::string error = live.wait_synced(300ms);
  BOOST_TEST(error ==
             "not synced after 300 ms: /api/v1/events (last error: /api/v1/events: list: GET "
             "/api/v1/events?limit=500: 403 Forbidden: events is forbidden)");
}
