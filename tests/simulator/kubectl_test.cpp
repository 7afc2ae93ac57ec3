// `skippy sim` with the installed kubectl as its client, unchanged: get (all namespaces,
// JSON, custom resources by name and short name), describe, scale, rollout restart and
// status, delete (the pod replaced), apply of a HealingPolicy, get -w seeing a deletion,
// kubectl's NotFound message, and the updates a real API server refuses (422 Invalid). Skipped,
// with a message, where kubectl is not installed.
#define BOOST_TEST_MODULE simulator_kubectl
#include <boost/test/unit_test.hpp>

#include <array>
#include <cstdio>
#include <memory>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "k8s-adapter/kubeconfig.hpp"
#include "tests/runtime/prometheus/support.hpp"

namespace test = skippy::test;
namespace fs = std::filesystem;
using Json = nlohmann::json;

namespace {

const char* kScenario = R"(apiVersion: v1
kind: Namespace
metadata: {name: demo-apps}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: demo-apps, labels: {app: web}}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: nginx, image: "nginx:1.27", ports: [{containerPort: 80}]}]
)";

const char* kPolicy = R"(apiVersion: kubeskippy.io/v1alpha1
kind: HealingPolicy
metadata: {name: memory-leak, namespace: demo-apps}
spec:
  selector:
    namespaces: [demo-apps]
    resources: [{apiVersion: v1, kind: Pod}]
  mode: automatic
  triggers:
  - name: high-memory
    type: metric
    metricTrigger: {query: memory_usage_percent, threshold: 85, operator: ">", duration: 1m}
  actions:
  - {name: restart, type: restart, restartAction: {strategy: rolling}}
)";

struct Result {
  int code = -1;
  std::string output;  // standard output and error
};

Result shell(const std::string& command) {
  Result r;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return r;
  std::array<char, 4096> buffer{};
  std::size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
    r.output.append(buffer.data(), n);
  int status = ::pclose(pipe);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

bool kubectl_installed() {
  return shell("command -v kubectl").code == 0;
}

// True, with a message, where there is no kubectl to test with.
bool skipped() {
  static const bool missing = !kubectl_installed();
  if (missing)
    BOOST_TEST_MESSAGE("kubectl is not installed: the kubectl tests of skippy sim are skipped");
  return missing;
}

// One `skippy sim` for every test, at four times real speed.
struct Sim {
  test::TempDir dir{"skippy-sim-kubectl"};
  int port = test::free_port();
  std::unique_ptr<test::Process> process;

  Sim() {
    if (!kubectl_installed()) return;
    test::write_file(dir.path() / "scenario.yaml", kScenario);
    test::write_file(dir.path() / "policy.yaml", kPolicy);
    process = std::make_unique<test::Process>(
        std::vector<std::string>{SKIPPY_BINARY, "sim", "--listen",
                                 "127.0.0.1:" + std::to_string(port), "--scenario",
                                 (dir.path() / "scenario.yaml").string(), "--kubeconfig-out",
                                 kubeconfig(), "--speed", "4"},
        dir.path() / "sim.log");
    bool up = test::poll_until([&] { return fs::exists(kubeconfig()); }, std::chrono::seconds(20));
    if (!up) throw std::runtime_error("skippy sim did not start: " + log());
  }
  ~Sim() {
    if (process) process->stop(SIGTERM);
  }
  std::string kubeconfig() const { return (dir.path() / "kubeconfig").string(); }
  std::string log() const { return test::read_file(dir.path() / "sim.log"); }
  // `kubectl ARGS` against the simulator, with its own discovery cache.
  Result kubectl(const std::string& args) const {
    return shell("kubectl --kubeconfig " + kubeconfig() + " --cache-dir " +
                 (dir.path() / "cache").string() + " " + args);
  }
  std::string kubectl_command() const {
    return "kubectl --kubeconfig " + kubeconfig() + " --cache-dir " +
           (dir.path() / "cache").string();
  }
  // The names of the pods in demo-apps that are Running and ready.
  std::set<std::string> ready_pods() const {
    auto r = kubectl("get pods -n demo-apps -o json");
    std::set<std::string> out;
    Json list = Json::parse(r.output, nullptr, false);
    if (list.is_discarded()) return out;
    for (const auto& p : list["items"]) {
      for (const auto& c : p["status"].value("conditions", Json::array())) {
        if (c["type"] == "Ready" && c["status"] == "True") out.insert(p["metadata"]["name"]);
      }
    }
    return out;
  }
  bool wait_for_ready(std::size_t n) const {
    return test::poll_until([&] { return ready_pods().size() == n; }, std::chrono::seconds(30));
  }
};

Sim& sim() {
  static Sim instance;
  return instance;
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_kubeconfig_is_one_skippy_reads) {
  if (skipped()) return;
  auto connection = skippy::k8s::load_kubeconfig(sim().kubeconfig());
  BOOST_REQUIRE(std::holds_alternative<skippy::k8s::Connection>(connection));
  BOOST_TEST(std::get<skippy::k8s::Connection>(connection).server ==
             "http://127.0.0.1:" + std::to_string(sim().port));
}

BOOST_AUTO_TEST_CASE(get_pods_in_all_namespaces) {
  if (skipped()) return;
  BOOST_REQUIRE(sim().wait_for_ready(3));
  auto r = sim().kubectl("get pods -A");
  BOOST_TEST(r.code == 0);
  BOOST_TEST(r.output.starts_with("NAMESPACE   NAME"), r.output);
  BOOST_TEST(r.output.find("READY   STATUS    RESTARTS   AGE") != std::string::npos, r.output);
  std::size_t running = 0;
  for (std::size_t at = 0; (at = r.output.find("demo-apps   web-", at)) != std::string::npos; ++at)
    ++running;
  BOOST_TEST(running == 3u, r.output);
  BOOST_TEST(r.output.find("1/1     Running   0") != std::string::npos, r.output);
}

BOOST_AUTO_TEST_CASE(get_deployment_as_json) {
  if (skipped()) return;
  BOOST_REQUIRE(sim().wait_for_ready(3));
  auto r = sim().kubectl("get deploy web -n demo-apps -o json");
  BOOST_REQUIRE(r.code == 0);
  Json d = Json::parse(r.output);
  BOOST_TEST(d["kind"] == "Deployment");
  BOOST_TEST(d["apiVersion"] == "apps/v1");
  BOOST_TEST(d["spec"]["replicas"] == 3);
  BOOST_TEST(d["spec"]["strategy"]["type"] == "RollingUpdate");
  BOOST_TEST(d["status"]["readyReplicas"] == 3);
  BOOST_TEST(d["status"]["observedGeneration"] == d["metadata"]["generation"]);
  BOOST_TEST(!d["metadata"]["uid"].get<std::string>().empty());
}

BOOST_AUTO_TEST_CASE(describe_a_pod) {
  if (skipped()) return;
  BOOST_REQUIRE(sim().wait_for_ready(3));
  std::string pod = *sim().ready_pods().begin();
  auto r = sim().kubectl("describe pod -n demo-apps " + pod);
  BOOST_TEST(r.code == 0, r.output);
  BOOST_TEST(r.output.find("Name:         " + pod) != std::string::npos, r.output);
  BOOST_TEST(r.output.find("Status:       Running") != std::string::npos, r.output);
  BOOST_TEST(r.output.find("Controlled By:  ReplicaSet/web-") != std::string::npos, r.output);
  BOOST_TEST(r.output.find("Successfully assigned demo-apps/" + pod) != std::string::npos,
             r.output);
  BOOST_TEST(r.output.find("Started container nginx") != std::string::npos, r.output);
}

BOOST_AUTO_TEST_CASE(a_missing_pod_is_kubectls_not_found) {
  if (skipped()) return;
  auto r = sim().kubectl("get pod nope -n demo-apps");
  BOOST_TEST(r.code == 1);
  BOOST_TEST(
      r.output.find("Error from server (NotFound): pods \"nope\" not found") != std::string::npos,
      r.output);
}

BOOST_AUTO_TEST_CASE(delete_a_pod_and_see_it_replaced_in_a_watch) {
  if (skipped()) return;
  BOOST_REQUIRE(sim().wait_for_ready(3));
  auto before = sim().ready_pods();
  std::string victim = *before.begin();
  test::TempDir dir("skippy-sim-watch");
  auto watch_log = dir.path() / "watch.log";
  test::Process watch({"/bin/sh", "-c", sim().kubectl_command() + " get pods -n demo-apps -w"},
                      watch_log);
  BOOST_REQUIRE(
      test::poll_until([&] { return test::read_file(watch_log).find(victim) != std::string::npos; },
                       std::chrono::seconds(10)));
  auto r = sim().kubectl("delete pod -n demo-apps " + victim);
  BOOST_TEST(r.code == 0, r.output);
  BOOST_TEST(r.output.find("pod \"" + victim + "\" deleted") != std::string::npos, r.output);
  // The watch shows a pod that was not there before: the replacement.
  bool replaced = test::poll_until(
      [&] {
        std::string seen = test::read_file(watch_log);
        std::istringstream lines(seen);
        std::string line;
        while (std::getline(lines, line)) {
          std::string name = line.substr(0, line.find(' '));
          if (name.starts_with("web-") && !before.count(name)) return true;
        }
        return false;
      },
      std::chrono::seconds(10));
  BOOST_TEST(replaced, test::read_file(watch_log));
  watch.stop(SIGTERM);
  BOOST_REQUIRE(sim().wait_for_ready(3));
  BOOST_TEST(!sim().ready_pods().count(victim));
}

BOOST_AUTO_TEST_CASE(scale_then_rollout_restart) {
  if (skipped()) return;
  BOOST_REQUIRE(sim().wait_for_ready(3));
  auto r = sim().kubectl("scale deployment web -n demo-apps --replicas=4");
  BOOST_TEST(r.code == 0, r.output);
  BOOST_TEST(r.output.find("deployment.apps/web scaled") != std::string::npos, r.output);
  BOOST_REQUIRE(sim().wait_for_ready(4));
  auto before = sim().ready_pods();
  r = sim().kubectl("rollout restart deployment web -n demo-apps");
  BOOST_TEST(r.code == 0, r.output);
  BOOST_TEST(r.output.find("deployment.apps/web restarted") != std::string::npos, r.output);
  r = sim().kubectl("rollout status deployment web -n demo-apps --timeout=60s");
  BOOST_TEST(r.code == 0, r.output);
  BOOST_TEST(r.output.find("deployment \"web\" successfully rolled out") != std::string::npos,
             r.output);
  BOOST_REQUIRE(sim().wait_for_ready(4));
  for (const auto& name : sim().ready_pods()) BOOST_TEST(!before.count(name));
  r = sim().kubectl("scale deployment web -n demo-apps --replicas=3");
  BOOST_TEST(r.code == 0, r.output);
  BOOST_REQUIRE(sim().wait_for_ready(3));
}

BOOST_AUTO_TEST_CASE(apply_a_healing_policy_and_get_it_back) {
  if (skipped()) return;
  std::string file = (sim().dir.path() / "policy.yaml").string();
  // Plain `kubectl apply`: it downloads /openapi/v2 to validate, finds no schema to hold
  // the object to, and goes on.
  auto r = sim().kubectl("apply -f " + file);
  BOOST_TEST(r.code == 0, r.output);
  BOOST_TEST(r.output.find("healingpolicy.kubeskippy.io/memory-leak created") != std::string::npos,
             r.output);
  r = sim().kubectl("get healingpolicies -n demo-apps");
  BOOST_TEST(r.code == 0, r.output);
  BOOST_TEST(r.output.find("memory-leak   automatic") != std::string::npos, r.output);
  std::string changed = test::read_file(file);
  changed.replace(changed.find("mode: automatic"), 15, "mode: manual");
  test::write_file(file, changed);
  r = sim().kubectl("apply -f " + file);
  BOOST_TEST(
      r.output.find("healingpolicy.kubeskippy.io/memory-leak configured") != std::string::npos,
      r.output);
  r = sim().kubectl("get hp -A -o json");
  Json list = Json::parse(r.output);
  BOOST_REQUIRE(list["items"].size() == 1u);
  BOOST_TEST(list["items"][0]["spec"]["mode"] == "manual");
  BOOST_TEST(list["items"][0]["spec"]["triggers"][0]["metricTrigger"]["threshold"] == 85);
}

BOOST_AUTO_TEST_CASE(updates_a_real_api_server_refuses_are_refused) {
  if (skipped()) return;
  BOOST_REQUIRE(sim().wait_for_ready(3));
  std::string pod = *sim().ready_pods().begin();
  auto refused = [&](const std::string& args, const std::string& says) {
    auto r = sim().kubectl(args);
    BOOST_TEST(r.code == 1, args << ": " << r.output);
    BOOST_TEST(r.output.find(says) != std::string::npos, args << ": " << r.output);
  };
  // A pod template on a Pod: its spec is immutable but for a few fields.
  refused(
      "patch pod " + pod +
          R"( -n demo-apps --type merge -p '{"spec":{"template":{"metadata":{"labels":{"a":"b"}}}}}')",
      "The Pod \"" + pod +
          "\" is invalid: spec: Forbidden: pod updates may not change fields other than "
          "`spec.containers[*].image`");
  refused(
      "patch pod " + pod +
          R"( -n demo-apps --type strategic -p '{"spec":{"containers":[{"name":"nginx","resources":{"limits":{"memory":"1Gi"}}}]}}')",
      "is invalid: spec: Forbidden: pod updates may not change fields other than");
  refused("patch pod " + pod +
              R"( -n demo-apps --type json -p '[{"op":"remove","path":"/spec/containers/0"}]')",
          "spec.containers: Forbidden: pod updates may not add or remove containers");
  // Labels and annotations as apimachinery checks them; names never change.
  refused("patch pod " + pod +
              R"( -n demo-apps --type merge -p '{"metadata":{"labels":{"bad key":"x"}}}')",
          "is invalid: metadata.labels: Invalid value: \"bad key\": name part must consist of "
          "alphanumeric characters");
  refused("patch pod " + pod +
              R"( -n demo-apps --type merge -p '{"metadata":{"annotations":{"-x":"y"}}}')",
          "is invalid: metadata.annotations: Invalid value: \"-x\"");
  refused("patch pod " + pod + R"( -n demo-apps --type merge -p '{"metadata":{"name":"other"}}')",
          "the name of the object (other) does not match the name on the URL (" + pod + ")");
  // Replicas are never negative, through the scale subresource or the Deployment itself; an
  // apps/v1 selector never changes.
  refused(
      R"(patch deployment web -n demo-apps --subresource=scale --type merge -p '{"spec":{"replicas":-1}}')",
      "The Scale \"web\" is invalid: spec.replicas: Invalid value: -1: must be greater than "
      "or equal to 0");
  refused(R"(patch deployment web -n demo-apps --type merge -p '{"spec":{"replicas":-1}}')",
          "The Deployment \"web\" is invalid: spec.replicas: Invalid value: -1: must be greater "
          "than or equal to 0");
  refused(
      R"(patch deployment web -n demo-apps --type merge -p '{"spec":{"selector":{"matchLabels":{"app":"web","x":"y"}}}}')",
      "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":"
      "\"web\", \"x\":\"y\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: "
      "field is immutable");
  // What a pod may change, it changes.
  auto r = sim().kubectl(
      "patch pod " + pod +
      R"( -n demo-apps --type json -p '[{"op":"replace","path":"/spec/containers/0/image","value":"nginx:1.27.1"}]')");
  BOOST_TEST(r.code == 0, r.output);
  BOOST_TEST(r.output.find("pod/" + pod + " patched") != std::string::npos, r.output);
  r = sim().kubectl("get deploy web -n demo-apps -o jsonpath={.spec.replicas}");
  BOOST_TEST(r.output == "3");
}

BOOST_AUTO_TEST_CASE(sim_refuses_an_address_that_is_not_loopback) {
  auto r = shell(std::string(SKIPPY_BINARY) + " sim --listen 0.0.0.0:8080");
  BOOST_TEST(r.code == 2);
  BOOST_TEST(r.output.find("the simulator listens on 127.0.0.1 only") != std::string::npos,
             r.output);
}
