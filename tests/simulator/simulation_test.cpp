// The simulated controllers and the API handler, stepped at fixed simulated times:
// Deployment -> ReplicaSet -> Pods, a deleted pod replaced, a rollout restart that replaces
// every pod, StatefulSet and DaemonSet pods, the scale subresource, evictions refused by a
// PodDisruptionBudget and then allowed, discovery and errors through handle_request.
#define BOOST_TEST_MODULE simulator_simulation
#include <boost/test/unit_test.hpp>

#include <set>

#include "simulator/api_handler.hpp"
#include "simulator/disruption.hpp"
#include "simulator/object_meta.hpp"
#include "simulator/pod_state.hpp"
#include "simulator/rest.hpp"
#include "simulator/scenario.hpp"
#include "simulator/simulation.hpp"
#include "tests/simulator/sim_cluster.hpp"

using namespace skippy::sim;

namespace {

const char* kScenario = R"(
apiVersion: v1
kind: Namespace
metadata: {name: demo}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: demo}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: nginx, image: "nginx:1.27"}]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web, namespace: demo}
spec:
  minAvailable: 2
  selector: {matchLabels: {app: web}}
)";

// The test cluster: the scenario above unless a test gives its own.
struct Cluster : SimCluster {
  explicit Cluster(const char* scenario = kScenario) : SimCluster(scenario, "demo") {}
};

std::set<std::string> names(const std::vector<Json>& objects) {
  std::set<std::string> out;
  for (const auto& o : objects) out.insert(name_of(o));
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_deployment_makes_a_replicaset_that_makes_ready_pods) {
  Cluster c;
  c.run(1'000);  // the ReplicaSet at the first step, its pods at the next
  auto rs = c.sim.store().list(resource("replicasets"), "demo");
  BOOST_REQUIRE(rs.size() == 1u);
  std::string hash = string_at(*rs[0], "/metadata/labels/pod-template-hash");
  BOOST_TEST(name_of(*rs[0]) == "web-" + hash);
  BOOST_TEST(controller_uid(*rs[0]) == uid_of(c.get("deployments", "web")));
  auto pods = c.pods();
  BOOST_REQUIRE(pods.size() == 3u);
  for (const auto& p : pods) {
    BOOST_TEST(name_of(p).starts_with("web-" + hash + "-"));
    BOOST_TEST(controller_uid(p) == uid_of(*rs[0]));
    BOOST_TEST(string_at(p, "/metadata/labels/pod-template-hash") == hash);
  }
  BOOST_TEST(c.ready_pods() == 0u);
  c.run(5'000);  // scheduled, then running 1 s later, then ready 3 s after that
  BOOST_TEST(c.ready_pods() == 3u);
  for (const auto& p : c.pods()) {
    BOOST_TEST(string_at(p, "/status/phase") == "Running");
    BOOST_TEST(string_at(p, "/spec/nodeName").starts_with("sim-node-"));
    BOOST_TEST(int_at(p, "/status/containerStatuses/0/restartCount", -1) == 0);
  }
  Json d = c.get("deployments", "web");
  BOOST_TEST(int_at(d, "/status/readyReplicas") == 3);
  BOOST_TEST(int_at(d, "/status/availableReplicas") == 3);
  BOOST_TEST(int_at(d, "/status/updatedReplicas") == 3);
  BOOST_TEST(int_at(d, "/status/observedGeneration") == int_at(d, "/metadata/generation"));
  BOOST_TEST(d["status"]["conditions"][1]["reason"] == "NewReplicaSetAvailable");
  // A steady state changes nothing.
  std::int64_t revision = c.sim.store().revision();
  c.run(2'000);
  BOOST_TEST(c.sim.store().revision() == revision);
}

BOOST_AUTO_TEST_CASE(a_deleted_pod_is_replaced) {
  Cluster c;
  c.run(8'000);
  auto before = names(c.pods());
  std::string victim = *before.begin();
  BOOST_TEST(c.call("DELETE", "/api/v1/namespaces/demo/pods/" + victim).status == 200);
  c.run(1'000);
  auto after = names(c.pods());
  BOOST_TEST(after.size() == 3u);
  BOOST_TEST(!after.count(victim));
  c.run(8'000);
  BOOST_TEST(c.ready_pods() == 3u);
}

BOOST_AUTO_TEST_CASE(a_rollout_restart_replaces_every_pod_within_the_surge) {
  Cluster c;
  c.run(8'000);
  auto old_pods = names(c.pods());
  auto patched = c.call(
      "PATCH", "/apis/apps/v1/namespaces/demo/deployments/web",
      R"({"spec":{"template":{"metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":"2023-11-14T22:14:00Z"}}}}})",
      "application/strategic-merge-patch+json");
  BOOST_TEST(patched.status == 200);
  std::size_t most = 0, fewest_ready = 3;
  for (int i = 0; i < 60; ++i) {
    c.run(500);
    most = std::max(most, c.pods().size());
    fewest_ready = std::min(fewest_ready, c.ready_pods());
  }
  auto new_pods = names(c.pods());
  BOOST_TEST(new_pods.size() == 3u);
  for (const auto& n : new_pods) BOOST_TEST(!old_pods.count(n));
  BOOST_TEST(most <= 4u);          // maxSurge 25% of 3 rounds up to 1
  BOOST_TEST(fewest_ready >= 3u);  // maxUnavailable 25% of 3 rounds down to 0
  BOOST_TEST(c.sim.store().list(resource("replicasets"), "demo").size() == 2u);
  Json d = c.get("deployments", "web");
  BOOST_TEST(annotation(d, "deployment.kubernetes.io/revision") == "2");
  BOOST_TEST(int_at(d, "/status/updatedReplicas") == 3);
}

BOOST_AUTO_TEST_CASE(the_scale_subresource_reads_and_sets_replicas) {
  Cluster c;
  c.run(1'000);
  auto got = c.call("GET", "/apis/apps/v1/namespaces/demo/deployments/web/scale");
  Json scale = Json::parse(got.body);
  BOOST_TEST(scale["kind"] == "Scale");
  BOOST_TEST(scale["apiVersion"] == "autoscaling/v1");
  BOOST_TEST(scale["spec"]["replicas"] == 3);
  BOOST_TEST(scale["status"]["selector"] == "app=web");
  auto patched = c.call("PATCH", "/apis/apps/v1/namespaces/demo/deployments/web/scale",
                        R"({"spec":{"replicas":5}})", "application/merge-patch+json");
  BOOST_TEST(patched.status == 200);
  c.run(8'000);
  BOOST_TEST(c.ready_pods() == 5u);
  scale["spec"]["replicas"] = 2;
  scale["metadata"].erase("resourceVersion");
  BOOST_TEST(
      c.call("PUT", "/apis/apps/v1/namespaces/demo/deployments/web/scale", scale.dump()).status ==
      200);
  c.run(1'000);
  BOOST_TEST(c.pods().size() == 2u);
  BOOST_TEST(c.call("PATCH", "/apis/apps/v1/namespaces/demo/deployments/web/scale",
                    R"({"spec":{"replicas":-1}})", "application/merge-patch+json")
                 .status == 422);
}

BOOST_AUTO_TEST_CASE(an_eviction_is_refused_while_the_budget_is_spent_then_allowed) {
  Cluster c;
  c.run(8'000);
  BOOST_TEST(budget_status(c.sim.store(), c.get("poddisruptionbudgets", "web")).allowed == 1);
  auto evict = [&](const std::string& pod) {
    return c.call(
        "POST", "/api/v1/namespaces/demo/pods/" + pod + "/eviction",
        R"({"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":")" + pod + "\"}}");
  };
  auto pods = names(c.pods());
  auto first = evict(*pods.begin());
  BOOST_TEST(first.status == 201);
  // Two ready pods left and two needed: the next eviction is refused with 429.
  auto second = evict(*std::next(pods.begin()));
  BOOST_TEST(second.status == 429);
  Json status = Json::parse(second.body);
  BOOST_TEST(status["reason"] == "TooManyRequests");
  BOOST_TEST(status["message"] ==
             "Cannot evict pod as it would violate the pod's disruption budget.");
  BOOST_TEST(status["details"]["causes"][0]["message"] ==
             "The disruption budget web needs 2 healthy pods and has 2 currently");
  BOOST_TEST(c.sim.store().find(resource("pods"), "demo", *std::next(pods.begin())) != nullptr);
  c.run(8'000);  // the replacement becomes ready
  BOOST_TEST(c.get("poddisruptionbudgets", "web")["status"]["disruptionsAllowed"] == 1);
  BOOST_TEST(evict(*std::next(pods.begin())).status == 201);
  BOOST_TEST(evict("missing").status == 404);
}

BOOST_AUTO_TEST_CASE(statefulset_pods_come_up_in_order_and_daemonsets_cover_every_node) {
  Cluster c(R"(
apiVersion: v1
kind: Namespace
metadata: {name: demo}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: demo}
spec:
  replicas: 3
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: pg, image: "postgres:16"}]}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: demo}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec: {containers: [{name: agent, image: "agent:1"}]}
)");
  c.run(1'500);
  auto db = [&] {
    std::set<std::string> out;
    for (const auto& p : c.pods())
      if (string_at(p, "/metadata/labels/app") == "db") out.insert(name_of(p));
    return out;
  };
  BOOST_TEST(db() == (std::set<std::string>{"db-0"}));
  c.run(20'000);
  BOOST_TEST(db() == (std::set<std::string>{"db-0", "db-1", "db-2"}));
  std::set<std::string> nodes;
  for (const auto& p : c.pods())
    if (string_at(p, "/metadata/labels/app") == "agent")
      nodes.insert(string_at(p, "/spec/nodeName"));
  BOOST_TEST(nodes == (std::set<std::string>{"sim-node-1", "sim-node-2", "sim-node-3"}));
  BOOST_TEST(int_at(c.get("statefulsets", "db"), "/status/readyReplicas") == 3);
  BOOST_TEST(int_at(c.get("daemonsets", "agent"), "/status/numberReady") == 3);
}

BOOST_AUTO_TEST_CASE(discovery_and_errors_through_the_handler) {
  Cluster c;
  Json core = Json::parse(c.call("GET", "/api/v1").body);
  bool pods = false, eviction = false;
  for (const auto& r : core["resources"]) {
    if (r["name"] == "pods") pods = r["shortNames"][0] == "po" && r["namespaced"] == true;
    if (r["name"] == "pods/eviction") eviction = r["kind"] == "Eviction" && r["group"] == "policy";
  }
  BOOST_TEST(pods);
  BOOST_TEST(eviction);
  Json groups = Json::parse(c.call("GET", "/apis").body);
  BOOST_TEST(groups["kind"] == "APIGroupList");
  BOOST_TEST(groups["groups"].size() == 4u);
  Json custom = Json::parse(c.call("GET", "/apis/kubeskippy.io/v1alpha1").body);
  BOOST_TEST(custom["resources"][0]["shortNames"][0] == "hp");
  BOOST_TEST(c.call("GET", "/apis/nothing.io/v1").status == 404);
  auto missing = c.call("GET", "/api/v1/namespaces/demo/pods/nope");
  BOOST_TEST(missing.status == 404);
  BOOST_TEST(Json::parse(missing.body)["message"] == "pods \"nope\" not found");
  BOOST_TEST(c.call("POST", "/api/v1/namespaces/demo/pods", "{nope").status == 400);
  BOOST_TEST(c.call("GET", "/api/v1/pods?labelSelector=app%20in%20web").status == 400);
  c.run(1'000);
  Json list = Json::parse(c.call("GET", "/api/v1/pods?labelSelector=app%3Dweb").body);
  BOOST_TEST(list["kind"] == "PodList");
  BOOST_TEST(list["items"].size() == 3u);
  BOOST_TEST(Json::parse(c.call("GET", "/api/v1/namespaces/default/pods").body)["items"].empty());
}
