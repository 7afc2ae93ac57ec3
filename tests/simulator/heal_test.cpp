// The README's demo, shortened: `skippy sim --speed 10` with the memory-leak scenario (over
// 85% of the limit after 30 real seconds, OOMKilled after 120), a real `prometheus` scraping
// it every second, and `skippy run` acting on the simulator through a kubeconfig with the
// memory-leak sample policy made quicker (every 5s, `for 10s` instead of every 15s, `for 1m`).
// The runtime restarts a leaking pod before the OOM killer gets it, and the simulator shows it:
// the pod is deleted, its ReplicaSet replaces it, and no pod was OOMKilled.
#define BOOST_TEST_MODULE simulator_heal
#include <boost/test/unit_test.hpp>

#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "tests/runtime/prometheus/prometheus_server.hpp"

using namespace skippy::test;
using namespace std::chrono_literals;
using Json = nlohmann::json;

namespace {

// samples/memory-leak.skippy at a test's pace: every 5s and `for 10s` instead of every 15s
// and `for 1m`.
std::string quick_memory_leak_policy() {
  std::string text = read_file(fs::path(SKIPPY_SOURCE_DIR) / "samples/memory-leak.skippy");
  for (auto [from, to] : {std::pair<std::string, std::string>{"every 15s", "every 5s"},
                          {"mem_pct > 85 for 1m", "mem_pct > 85 for 10s"}}) {
    auto at = text.find(from);
    BOOST_REQUIRE_MESSAGE(at != std::string::npos, "samples/memory-leak.skippy: no " << from);
    text.replace(at, from.size(), to);
  }
  return text;
}

// The audit records in `path` (one JSON object a line).
std::vector<Json> records(const fs::path& path) {
  std::vector<Json> out;
  std::istringstream in(read_file(path));
  for (std::string line; std::getline(in, line);) {
    auto record = Json::parse(line, nullptr, false);
    if (record.is_object()) out.push_back(record);
  }
  return out;
}

// GET `path` on the simulator, as JSON (an empty object when it did not answer 200).
Json get(const std::string& address, const std::string& path) {
  auto [status, body] = http_get("http://" + address + path);
  Json parsed = status == 200 ? Json::parse(body, nullptr, false) : Json();
  return parsed.is_object() ? parsed : Json::object();
}

// The names of the leaking app's pods that are running.
std::set<std::string> pod_names(const std::string& address) {
  std::set<std::string> out;
  Json pods = get(address, "/api/v1/namespaces/demo-apps/pods?labelSelector=app%3Dmemory-leak-app");
  for (const auto& pod : pods.value("items", Json::array())) {
    if (pod["status"].value("phase", "") == "Running")
      out.insert(pod["metadata"].value("name", ""));
  }
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_runtime_restarts_a_leaking_deployment_before_the_oom_killer) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  TempDir dir("skippy-sim-heal");
  std::string address = "127.0.0.1:" + std::to_string(free_port());
  fs::path kubeconfig = dir.path() / "kubeconfig";
  Process sim({SKIPPY_BINARY, "sim", "--listen", address, "--speed", "10", "--kubeconfig-out",
               kubeconfig.string(), "--scenario",
               std::string(SKIPPY_SOURCE_DIR) + "/samples/scenarios/memory-leak.yaml"},
              dir.path() / "sim.log");
  BOOST_REQUIRE_MESSAGE(poll_until([&] { return pod_names(address).size() == 2; }, 10s),
                        read_file(dir.path() / "sim.log"));
  std::set<std::string> before = pod_names(address);
  PrometheusServer prometheus(ScrapeTarget{address, "1s"});
  fs::path audit = dir.path() / "audit.jsonl";
  write_file(dir.path() / "memory-leak.skippy", quick_memory_leak_policy());
  Process run(
      {SKIPPY_BINARY, "run", "--policies", (dir.path() / "memory-leak.skippy").string(),
       "--kubeconfig", kubeconfig.string(), "--prometheus.url", prometheus.url(),
       "--web.listen-address", "127.0.0.1:" + std::to_string(free_port()), "--safety.journal",
       (dir.path() / "journal").string(), "--audit.file", audit.string()},
      dir.path() / "run.log");

  Json executed;
  bool restarted = poll_until(
      [&] {
        for (const auto& r : records(audit)) {
          if (r.value("event", "") == "execution" && r.value("policy", "") == "memory_leak" &&
              r.value("action", "") == "restart" && r.value("status", "") == "success") {
            executed = r;
            return true;
          }
        }
        return false;
      },
      100s);
  BOOST_REQUIRE_MESSAGE(restarted, "no restart executed; run.log:\n"
                                       << read_file(dir.path() / "run.log") << "\naudit:\n"
                                       << read_file(audit));
  BOOST_TEST(executed.value("target", "").starts_with("Pod/demo-apps/memory-leak-app-"));
  BOOST_TEST(executed.value("state", "") == "verifying");  // until the rollout is done

  // Restarting a pod deletes it (docs/builtins.md); its ReplicaSet makes a new one.
  std::string victim = executed.value("target", "").substr(std::string("Pod/demo-apps/").size());
  BOOST_TEST(executed.value("message", "") == "delete Pod demo-apps/" + victim);
  std::set<std::string> after;
  bool replaced = poll_until(
      [&] {
        after = pod_names(address);
        return after.size() == 2 && !after.contains(victim);
      },
      10s);
  BOOST_TEST(replaced, "pods before: " << before.size() << ", after: " << after.size());
  for (const auto& pod : before) {
    if (pod != victim) BOOST_TEST(after.contains(pod));  // the other pod is still there
  }
  Json oom = get(address, "/api/v1/namespaces/demo-apps/events?fieldSelector=reason%3DOOMKilled");
  BOOST_TEST(oom.value("items", Json::array()).empty());
  run.stop();
}
