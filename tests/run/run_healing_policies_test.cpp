// `skippy run --healing-policies` against `skippy sim`, all on loopback: the cluster's
// HealingPolicy objects are translated and compiled in memory and run beside the policy files;
// a broken object gets a Ready condition False saying why and does not stop the others; a new
// object is picked up at the next tick.
#define BOOST_TEST_MODULE run_healing_policies
#include <boost/test/unit_test.hpp>

#include <nlohmann/json.hpp>

#include "tests/simulator/sim_process.hpp"

namespace fs = std::filesystem;
namespace test = skippy::test;
using namespace std::chrono_literals;
using Json = nlohmann::json;

namespace {

constexpr const char* kPolicyFile = R"(policy from_file {
  select pods in namespace "demo"
  mode dryrun
  every 1s
  trigger waiting when pod.waiting_reason == "CrashLoopBackOff"
  on waiting do restart()
  safety {
    cooldown 10m per target
    max_actions 2 per 1h
  }
}
)";

std::string healing_policy(const std::string& name, const std::string& kind) {
  return R"(apiVersion: kubeskippy.io/v1alpha1
kind: HealingPolicy
metadata: {name: )" +
         name + R"(, namespace: demo}
spec:
  selector:
    namespaces: [demo]
    labelSelector: {matchLabels: {app: web}}
    resources: [{apiVersion: v1, kind: )" +
         kind + R"(}]
  triggers:
    - name: restarts
      type: metric
      metricTrigger: {query: restart_count, threshold: 3, operator: ">", duration: 1m}
  actions:
    - name: restart
      type: restart
      restartAction: {strategy: rolling}
  mode: dryrun
)";
}

}  // namespace

BOOST_AUTO_TEST_CASE(healing_policy_objects_run_beside_the_files_and_broken_ones_say_why) {
  test::TempDir dir("skippy-healing-policies-test");
  test::write_file(dir.path() / "file.skippy", kPolicyFile);
  test::write_file(dir.path() / "scenario.yaml",
                   "apiVersion: v1\nkind: Namespace\nmetadata: {name: demo}\n---\n" +
                       healing_policy("restart-web", "Pod") + "---\n" +
                       healing_policy("watch-nodes", "Node"));
  test::SimProcess sim(dir.path(), dir.path() / "scenario.yaml");
  fs::path kubeconfig = sim.kubeconfig;
  auto& api = *sim.api;
  auto ready = [&](const std::string& name) -> Json {
    auto got = api.get("/apis/kubeskippy.io/v1alpha1/namespaces/demo/healingpolicies/" + name);
    if (!got.ok()) return {};
    auto status = Json::parse(got.body).value("status", Json::object());
    for (auto& c : status.value("conditions", Json::array()))
      if (c.value("type", "") == "Ready") return c;
    return {};
  };

  test::Process run(
      {SKIPPY_BINARY, "run", "--policies", (dir.path() / "file.skippy").string(), "--kubeconfig",
       kubeconfig.string(), "--healing-policies", "--prometheus.url", "http://127.0.0.1:1",
       "--prometheus.timeout", "200", "--restore.max-lookback", "0s", "--web.listen-address", "",
       "--audit.file", (dir.path() / "audit.jsonl").string()},
      dir.path() / "run.log");
  auto log = [&] { return test::read_file(dir.path() / "run.log"); };
  BOOST_REQUIRE_MESSAGE(
      test::poll_until([&] { return log().find("tick ") != std::string::npos; }, 30s), log());
  // The file's policy and the translated object run; the object that selects nodes does not.
  BOOST_TEST(log().find("policies: 2 (") != std::string::npos, log());
  // Writing the objects' statuses does not count as a change to them.
  BOOST_TEST(log().find("reloaded") == std::string::npos, log());
  BOOST_TEST(log().find("HealingPolicy demo/watch-nodes does not run: TranslationFailed") !=
                 std::string::npos,
             log());
  BOOST_REQUIRE(test::poll_until([&] { return !ready("watch-nodes").is_null(); }, 10s));
  auto broken = ready("watch-nodes");
  BOOST_TEST(broken["status"] == "False");
  BOOST_TEST(broken["reason"] == "TranslationFailed");
  BOOST_TEST(broken["message"].get<std::string>().find("no resource kind that Skippy selects") !=
                 std::string::npos,
             broken.dump());
  auto good = ready("restart-web");
  BOOST_TEST(good["status"] == "True", good.dump());
  BOOST_TEST(good["reason"] == "Compiled");

  // A new object runs from the next tick.
  std::string json = Json{
      {"apiVersion", "kubeskippy.io/v1alpha1"},
      {"kind", "HealingPolicy"},
      {"metadata", {{"name", "restart-api"}, {"namespace", "demo"}}},
      {"spec",
       {{"selector",
         {{"namespaces", {"demo"}},
          {"resources", {{{"apiVersion", "apps/v1"}, {"kind", "Deployment"}}}}}},
        {"triggers",
         {{{"name", "errors"},
           {"type", "metric"},
           {"metricTrigger", {{"query", "error_rate"}, {"threshold", 5}, {"operator", ">"}}}}}},
        {"actions", {{{"name", "restart"}, {"type", "restart"}, {"priority", 10}}}},
        {"mode",
         "monitor"}}}}.dump();
  auto created = api.send("POST", "/apis/kubeskippy.io/v1alpha1/namespaces/demo/healingpolicies",
                          json, "application/json");
  BOOST_REQUIRE_MESSAGE(created.ok(), created.error);
  BOOST_TEST(test::poll_until(
                 [&] { return log().find("reloaded: 3 policies") != std::string::npos; }, 30s),
             log());
  BOOST_TEST(ready("restart-api")["status"] == "True");
  run.stop(SIGTERM);
}
