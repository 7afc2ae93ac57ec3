// Two replicas of `skippy run` with leader election against `skippy sim`, all processes on
// loopback: only the Lease's holder acts; when it is killed, the other takes over within the
// lease duration, adopts what the first did from its HealingAction object, and does not do it
// again. With the records turned off the second replica repeats the action, which is what the
// records prevent.
#define BOOST_TEST_MODULE run_failover
#include <boost/test/unit_test.hpp>

#include <nlohmann/json.hpp>

#include "tests/simulator/sim_process.hpp"

namespace fs = std::filesystem;
namespace test = skippy::test;
using namespace std::chrono_literals;
using Json = nlohmann::json;

namespace {

// Grows the web Deployment by one replica, at most once an hour.
constexpr const char* kPolicy = R"(policy grow {
  select deployments in namespace "demo" where label("app") == "web"
  mode automatic
  every 1s
  trigger small when workload.replicas < 5
  safety {
    cooldown 1h per target
    max_actions 5 per 1h
  }
  on small do scale(by: +1, max: 5)
}
)";

constexpr const char* kScenario = R"(apiVersion: v1
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
)";

struct Setup {
  test::TempDir dir{"skippy-failover-test"};
  std::unique_ptr<test::SimProcess> sim;
  skippy::k8s::ApiClient* api = nullptr;
  fs::path kubeconfig;

  Setup() {
    test::write_file(dir.path() / "grow.skippy", kPolicy);
    test::write_file(dir.path() / "scenario.yaml", kScenario);
    sim = std::make_unique<test::SimProcess>(dir.path(), dir.path() / "scenario.yaml");
    api = sim->api.get();
    kubeconfig = sim->kubeconfig;
  }

  std::unique_ptr<test::Process> replica(const std::string& name,
                                         std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {SKIPPY_BINARY,
                                     "run",
                                     "--policies",
                                     (dir.path() / "grow.skippy").string(),
                                     "--kubeconfig",
                                     kubeconfig.string(),
                                     "--prometheus.url",
                                     "http://127.0.0.1:1",  // never asked: no PromQL signal
                                     "--restore.max-lookback",
                                     "0s",
                                     "--web.listen-address",
                                     "",
                                     "--safety.journal",
                                     (dir.path() / (name + ".journal")).string(),
                                     "--audit.file",
                                     (dir.path() / (name + ".audit")).string(),
                                     "--leader-elect",
                                     "--leader-elect-identity",
                                     name,
                                     "--leader-elect-lease-duration",
                                     "3s",
                                     "--leader-elect-renew-deadline",
                                     "2s",
                                     "--leader-elect-retry-period",
                                     "500ms"};
    args.insert(args.end(), extra.begin(), extra.end());
    return std::make_unique<test::Process>(args, dir.path() / (name + ".log"));
  }
  std::string log(const std::string& name) { return test::read_file(dir.path() / (name + ".log")); }
  std::string audit(const std::string& name) {
    return fs::exists(dir.path() / (name + ".audit"))
               ? test::read_file(dir.path() / (name + ".audit"))
               : "";
  }
  int replicas() {
    auto got = api->get("/apis/apps/v1/namespaces/demo/deployments/web");
    if (!got.ok()) return -1;
    return Json::parse(got.body)["spec"]["replicas"].get<int>();
  }
  std::vector<Json> healing_actions() {
    auto got = api->get("/apis/kubeskippy.io/v1alpha1/namespaces/default/healingactions");
    std::vector<Json> out;
    if (!got.ok()) return out;
    Json list = Json::parse(got.body);
    for (auto& item : list["items"]) out.push_back(item);
    return out;
  }
  std::string lease_holder() {
    auto got = api->get("/apis/coordination.k8s.io/v1/namespaces/default/leases/skippy");
    if (!got.ok()) return "";
    return Json::parse(got.body)["spec"].value("holderIdentity", "");
  }
  std::size_t count(const std::string& text, const std::string& part) {
    std::size_t n = 0;
    for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
    return n;
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(the_other_replica_takes_over_and_does_not_repeat_the_action) {
  Setup s;
  auto a = s.replica("replica-a");
  BOOST_REQUIRE_MESSAGE(test::poll_until([&] { return s.lease_holder() == "replica-a"; }, 20s),
                        s.log("replica-a"));
  auto b = s.replica("replica-b");
  // a acts once; b, standing by, decides nothing.
  BOOST_REQUIRE_MESSAGE(test::poll_until([&] { return s.replicas() == 3; }, 20s),
                        s.log("replica-a"));
  BOOST_REQUIRE(test::poll_until(
      [&] {
        return s.log("replica-b").find("standing by (the Lease is held by replica-a)") !=
               std::string::npos;
      },
      20s));
  BOOST_TEST(s.audit("replica-b").empty(), s.audit("replica-b"));
  auto records = s.healing_actions();
  BOOST_REQUIRE_MESSAGE(records.size() == 1u, s.log("replica-a"));
  BOOST_TEST(records[0]["metadata"]["annotations"]["skippy.io/instance"] == "replica-a");

  // The leader dies without a word: b takes over once the lease has run out on its clock.
  a->stop(SIGKILL);
  auto killed = std::chrono::steady_clock::now();
  BOOST_REQUIRE_MESSAGE(test::poll_until([&] { return s.lease_holder() == "replica-b"; }, 20s),
                        s.log("replica-b"));
  auto took = std::chrono::steady_clock::now() - killed;
  BOOST_TEST(took < 8s);  // lease 3 s + retry 0.5 s, with room for a loaded machine
  // b proposes the action again each tick: the same firing (a duplicate of the adopted id)
  // when b saw the trigger fire at the same tick as a, else a new one the adopted cooldown
  // holds back.
  auto held_back = [&] {
    auto audit = s.audit("replica-b");
    return s.count(audit, "\"outcome\":\"duplicate\"") +
           s.count(audit, "\"outcome\":\"blocked:cooldown\"");
  };
  bool held = test::poll_until([&] { return held_back() >= 3; }, 20s);
  BOOST_REQUIRE_MESSAGE(held, s.log("replica-b") + s.audit("replica-b"));
  BOOST_TEST(s.log("replica-b").find("taking over: adopted 1 actions") != std::string::npos,
             s.log("replica-b"));
  BOOST_TEST(s.replicas() == 3);
  BOOST_TEST(s.healing_actions().size() == 1u);
  BOOST_TEST(s.count(s.audit("replica-b"), "\"outcome\":\"execute\"") == 0u, s.audit("replica-b"));
}

BOOST_AUTO_TEST_CASE(without_the_records_the_new_leader_would_act_again) {
  Setup s;
  auto a = s.replica("replica-a", {"--healing-actions", "false"});
  BOOST_REQUIRE_MESSAGE(test::poll_until([&] { return s.replicas() == 3; }, 20s),
                        s.log("replica-a"));
  auto b = s.replica("replica-b", {"--healing-actions", "false"});
  BOOST_REQUIRE(test::poll_until(
      [&] { return s.log("replica-b").find("standing by") != std::string::npos; }, 20s));
  a->stop(SIGKILL);
  // b knows nothing of a's action: its own gates let the same action through again.
  BOOST_TEST(test::poll_until([&] { return s.replicas() == 4; }, 20s), s.log("replica-b"));
  BOOST_TEST(s.healing_actions().empty());
}
