// Every action carried out by the API executor on the simulated API server, over HTTP on
// loopback, with the live cluster view (informers) as the view it plans against: the cluster's
// state afterwards is what the action asked for, and an eviction a PodDisruptionBudget refuses
// is a transient failure that leaves the pod in place.
#define BOOST_TEST_MODULE executor_sim
#include <boost/test/unit_test.hpp>

#include <nlohmann/json.hpp>

#include "k8s-adapter/api_executor.hpp"
#include "k8s-adapter/live_cluster.hpp"
#include "simulator/scenario.hpp"
#include "tests/k8s-adapter/sim_api.hpp"
#include "tests/support/safety_support.hpp"

using namespace skippy;
using namespace std::chrono_literals;
using safety::ExecutionStatus;
using Json = nlohmann::json;

namespace {

constexpr std::int64_t kT0 = 1'700'000'000'000;

const char* kScenario = R"(apiVersion: v1
kind: Namespace
metadata: {name: demo}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: demo, labels: {app: web}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: app, image: "web:1", resources: {limits: {cpu: 100m, memory: 64Mi}}}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: demo, labels: {app: api}}
spec:
  replicas: 2
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers: [{name: app, image: "api:1", resources: {limits: {cpu: 100m, memory: 64Mi}}}]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: api, namespace: demo}
spec:
  minAvailable: 2
  selector: {matchLabels: {app: api}}
---
apiVersion: v1
kind: Pod
metadata: {name: lonely, namespace: demo}
spec:
  containers: [{name: app, image: "lonely:1"}]
)";

safety::ActionRequest request(std::string action, std::string kind, std::string name,
                              std::vector<safety::Argument> arguments = {}) {
  safety::ActionRequest r;
  r.id = "0123456789abcdef0123456789abcdef";
  r.policy = "p";
  r.trigger = "t";
  r.action = std::move(action);
  r.target.kind = std::move(kind);
  r.target.namespace_name = "demo";
  r.target.name = std::move(name);
  r.arguments = std::move(arguments);
  return r;
}

struct Fixture : test::SimApi {
  std::unique_ptr<k8s::LiveCluster> live;
  std::unique_ptr<k8s::ApiExecutor> executor;

  Fixture() : SimApi(kT0) {
    auto manifests = sim::parse_scenario(kScenario, "scenario.yaml");
    BOOST_REQUIRE(std::holds_alternative<std::vector<sim::Manifest>>(manifests));
    auto refused = sim::apply_manifests(simulation.store(),
                                        std::get<std::vector<sim::Manifest>>(manifests), kT0);
    BOOST_REQUIRE(refused.empty());
    // Controllers run before the view starts: pods scheduled and running, budgets computed.
    for (std::int64_t t = kT0; t <= kT0 + 30'000; t += 500) simulation.step(t);
    live = std::make_unique<k8s::LiveCluster>(connection());
    live->start();
    std::string why = live->wait_synced(10s);
    BOOST_REQUIRE_MESSAGE(why.empty(), why);
    live->refresh();
    executor = std::make_unique<k8s::ApiExecutor>(connection(), *live);
  }
  ~Fixture() { live->stop(); }

  Json get(const std::string& path) {
    auto got = client->get(path);
    BOOST_REQUIRE_MESSAGE(got.ok(), got.error);
    return Json::parse(got.body);
  }
  int status_of(const std::string& path) { return client->get(path).status; }
  std::string pod_of(const std::string& app) {
    for (const auto& p : live->pods())
      if (p.meta.labels.count("app") && p.meta.labels.at("app") == app) return p.meta.name;
    BOOST_FAIL("no pod of " + app);
    return "";
  }
};

const std::string kDeployments = "/apis/apps/v1/namespaces/demo/deployments/";
const std::string kPods = "/api/v1/namespaces/demo/pods/";

}  // namespace

BOOST_FIXTURE_TEST_CASE(a_rollout_restart_stamps_the_pod_template, Fixture) {
  auto r = executor->execute(request("restart", "Deployment", "web"), kT0 + 60'000);
  BOOST_TEST(r.status == ExecutionStatus::Success, r.message);
  BOOST_REQUIRE_EQUAL(executor->last_requests().size(), 1u);
  BOOST_TEST(executor->last_requests()[0].url.ends_with(kDeployments + "web"),
             executor->last_requests()[0].url);
  auto d = get(kDeployments + "web");
  BOOST_TEST(
      d["spec"]["template"]["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"] ==
      "2023-11-14T22:14:20.000Z");
  BOOST_TEST(d["spec"]["template"]["metadata"]["labels"]["app"] == "web");  // merged, not replaced
}

BOOST_FIXTURE_TEST_CASE(scale_sets_the_replicas_through_the_scale_subresource, Fixture) {
  auto r = executor->execute(request("scale", "Deployment", "web", {{"to", "4"}}), kT0);
  BOOST_TEST(r.status == ExecutionStatus::Success, r.message);
  BOOST_TEST(get(kDeployments + "web")["spec"]["replicas"] == 4);
  // A pod's owner, by one, within max.
  auto pod = pod_of("api");
  r = executor->execute(
      request("scale", "Pod", pod, {{"by", "1"}, {"of", "\"owner\""}, {"max", "3"}}), kT0);
  BOOST_TEST(r.status == ExecutionStatus::Success, r.message);
  BOOST_TEST(get(kDeployments + "api")["spec"]["replicas"] == 3);
}

BOOST_FIXTURE_TEST_CASE(delete_removes_the_pod, Fixture) {
  BOOST_TEST(status_of(kPods + "lonely") == 200);
  auto r = executor->execute(request("delete", "Pod", "lonely", {{"grace", "0"}}), kT0);
  BOOST_TEST(r.status == ExecutionStatus::Success, r.message);
  BOOST_TEST(status_of(kPods + "lonely") == 404);
}

BOOST_FIXTURE_TEST_CASE(an_eviction_goes_through_unless_a_budget_refuses_it, Fixture) {
  auto web = pod_of("web");
  auto r = executor->execute(request("evict", "Pod", web), kT0);
  BOOST_TEST(r.status == ExecutionStatus::Success, r.message);
  auto after = client->get(kPods + web);  // gone, or terminating
  BOOST_TEST((after.status == 404 || after.body.find("deletionTimestamp") != std::string::npos));
  // api's budget wants both replicas: the eviction is refused with 429, worth retrying later.
  auto api = pod_of("api");
  r = executor->execute(request("evict", "Pod", api), kT0);
  BOOST_TEST(r.status == ExecutionStatus::TransientFailure, r.message);
  BOOST_TEST(r.message.find("429") != std::string::npos, r.message);
  auto kept = get(kPods + api);
  BOOST_TEST(!kept["metadata"].contains("deletionTimestamp"));
}

BOOST_FIXTURE_TEST_CASE(patches_and_metadata_changes_land_on_the_object, Fixture) {
  auto r = executor->execute(
      request("patch", "Deployment", "web",
              {{"type", "\"merge\""},
               {"patch", R"("{\"metadata\":{\"labels\":{\"tier\":\"front\"}}}")"}}),
      kT0);
  BOOST_TEST(r.status == ExecutionStatus::Success, r.message);
  BOOST_TEST(get(kDeployments + "web")["metadata"]["labels"]["tier"] == "front");
  r = executor->execute(
      request("patch", "Deployment", "web",
              {{"type", "\"json\""},
               {"patch", R"("[{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":3}]")"}}),
      kT0);
  BOOST_TEST(r.status == ExecutionStatus::Success, r.message);
  BOOST_TEST(get(kDeployments + "web")["spec"]["replicas"] == 3);
  auto pod = pod_of("web");
  r = executor->execute(
      request("annotate", "Pod", pod, {{"key", "\"skippy.io/seen\""}, {"value", "\"yes\""}}), kT0);
  BOOST_TEST(r.status == ExecutionStatus::Success, r.message);
  BOOST_TEST(get(kPods + pod)["metadata"]["annotations"]["skippy.io/seen"] == "yes");
  r = executor->execute(
      request("label", "Pod", pod, {{"key", "\"quarantine\""}, {"value", "\"true\""}}), kT0);
  BOOST_TEST(r.status == ExecutionStatus::Success, r.message);
  BOOST_TEST(get(kPods + pod)["metadata"]["labels"]["quarantine"] == "true");
}

BOOST_FIXTURE_TEST_CASE(a_recreate_restart_deletes_the_workloads_pods, Fixture) {
  auto before = live->pods();
  std::vector<std::string> web;
  for (const auto& p : before)
    if (p.meta.labels.count("app") && p.meta.labels.at("app") == "web") web.push_back(p.meta.name);
  BOOST_REQUIRE(web.size() == 2u);
  auto r = executor->execute(
      request("restart", "Deployment", "web", {{"strategy", "\"recreate\""}}), kT0);
  BOOST_TEST(r.status == ExecutionStatus::Success, r.message);
  for (const auto& name : web) {
    auto after = client->get(kPods + name);
    BOOST_TEST((after.status == 404 || after.body.find("deletionTimestamp") != std::string::npos),
               name);
  }
}

BOOST_FIXTURE_TEST_CASE(a_pod_template_patch_fails_on_a_pod_and_reaches_the_owner_with_of_owner,
                        Fixture) {
  const char* raise = R"("{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"app\",)"
                      R"(\"resources\":{\"limits\":{\"memory\":\"128Mi\"}}}]}}}}")";
  auto pod = pod_of("web");
  // Sent to the pod, as the sample once did: a real API server refuses it, and so does the
  // simulator; asking again will not help.
  auto r = executor->execute(
      request("patch", "Pod", pod, {{"type", "\"strategic\""}, {"patch", raise}}), kT0);
  BOOST_TEST(r.status == ExecutionStatus::PermanentFailure, r.message);
  BOOST_TEST(r.message.find("422") != std::string::npos, r.message);
  BOOST_TEST(r.message.find(pod + R"(\" is invalid: spec: Forbidden: pod updates may not change )"
                                  "fields other than") != std::string::npos,
             r.message);
  BOOST_TEST(!get(kPods + pod)["spec"].contains("template"));
  // With `of: owner` it goes to the Deployment, whose template (and so its pods) changes.
  r = executor->execute(request("patch", "Pod", pod,
                                {{"type", "\"strategic\""}, {"patch", raise}, {"of", "\"owner\""}}),
                        kT0);
  BOOST_TEST(r.status == ExecutionStatus::Success, r.message);
  BOOST_REQUIRE_EQUAL(executor->last_requests().size(), 1u);
  BOOST_TEST(executor->last_requests()[0].url.ends_with(kDeployments + "web"),
             executor->last_requests()[0].url);
  auto d = get(kDeployments + "web");
  const auto& app = d["spec"]["template"]["spec"]["containers"][0];
  BOOST_TEST(app["resources"]["limits"]["memory"] == "128Mi");
  BOOST_TEST(app["resources"]["limits"]["cpu"] == "100m");  // merged by name, not replaced
  BOOST_TEST(app["image"] == "web:1");
  // A bare pod has no owner: nothing is sent, and it fails for good.
  r = executor->execute(request("patch", "Pod", "lonely",
                                {{"type", "\"strategic\""}, {"patch", raise}, {"of", "\"owner\""}}),
                        kT0);
  BOOST_TEST(r.status == ExecutionStatus::PermanentFailure, r.message);
  BOOST_TEST(r.message.find("patch: pod demo/lonely has no owning workload") != std::string::npos,
             r.message);
  BOOST_TEST(executor->last_requests().empty());
}
