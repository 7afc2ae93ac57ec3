// Failing apps in the simulator at fixed simulated times: a container's state as a pure
// function of its behaviour (memory at a time, OOMKilled at the limit, crash-loop runs and
// back-off, CPU spikes), the kubelet's status and events for it in a stepped simulation, the
// sample scenarios loading, and GET /metrics: the series the samples' queries read, in text
// that `promtool check metrics` accepts.
#define BOOST_TEST_MODULE simulator_behaviour
#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

#include "simulator/api_handler.hpp"
#include "simulator/behaviour.hpp"
#include "simulator/metrics.hpp"
#include "simulator/object_meta.hpp"
#include "simulator/pod_state.hpp"
#include "simulator/rest.hpp"
#include "simulator/scenario.hpp"
#include "simulator/simulation.hpp"
#include "tests/simulator/sim_cluster.hpp"

using namespace skippy::sim;

namespace {

constexpr double kMi = 1024.0 * 1024;
constexpr std::int64_t kSecond = 1'000;
constexpr std::int64_t kMinute = 60'000;

Behaviour behaviour(const Json& annotations, const Json& limits) {
  Json pod = {{"metadata", {{"annotations", annotations}}},
              {"spec", {{"containers", {{{"name", "app"}, {"resources", {{"limits", limits}}}}}}}}};
  auto b = behaviour_of(pod);
  if (const auto* why = std::get_if<std::string>(&b)) BOOST_FAIL(*why);
  return std::get<Behaviour>(b);
}

std::string behaviour_error(const Json& annotations, const Json& limits) {
  Json pod = {{"metadata", {{"annotations", annotations}}},
              {"spec", {{"containers", {{{"name", "app"}, {"resources", {{"limits", limits}}}}}}}}};
  auto b = behaviour_of(pod);
  return std::holds_alternative<std::string>(b) ? std::get<std::string>(b) : "";
}

// The text of the sample scenario `samples/scenarios/NAME`.
std::string sample(const std::string& name) {
  std::ifstream in(std::string(SKIPPY_SOURCE_DIR) + "/samples/scenarios/" + name);
  BOOST_REQUIRE_MESSAGE(in, name);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A cluster of one sample scenario in demo-apps, with its events by reason.
struct Cluster : SimCluster {
  explicit Cluster(const std::string& scenario) : SimCluster(sample(scenario), "demo-apps") {}
  std::vector<Json> events(const std::string& reason) {
    std::vector<Json> out;
    for (const auto& e : list("events")) {
      if (e.value("reason", "") == reason) out.push_back(e);
    }
    return out;
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(a_leaking_container_grows_until_its_limit_then_is_oomkilled_and_restarts) {
  Behaviour b = behaviour({{"sim.skippy.io/behaviour", "memory-leak"},
                           {"sim.skippy.io/start-percent", "30"},
                           {"sim.skippy.io/growth-percent-per-minute", "5"}},
                          {{"memory", "256Mi"}});
  Limits limits{256 * kMi, 0};
  ContainerAt at = container_at(b, limits, kT0, kT0 + 10 * kMinute);
  BOOST_TEST(at.running);
  BOOST_TEST(at.restarts == 0);
  BOOST_TEST(at.memory_bytes == 0.8 * 256 * kMi, boost::test_tools::tolerance(1e-9));
  // 30% + 5%/min reaches 100% at 14 minutes: OOMKilled, then 10s of back-off.
  at = container_at(b, limits, kT0, kT0 + 14 * kMinute);
  BOOST_TEST(!at.running);
  BOOST_TEST(at.restarts == 1);
  BOOST_TEST(at.last_reason == "OOMKilled");
  BOOST_TEST(at.last_exit_code == 137);
  BOOST_TEST(at.last_exit_ms == kT0 + 14 * kMinute);
  BOOST_TEST(at.backoff_until_ms == kT0 + 14 * kMinute + 10 * kSecond);
  at = container_at(b, limits, kT0, kT0 + 15 * kMinute + 10 * kSecond);
  BOOST_TEST(at.running);
  BOOST_TEST(at.restarts == 1);
  BOOST_TEST(at.run_started_ms == kT0 + 14 * kMinute + 10 * kSecond);
  BOOST_TEST(at.memory_bytes == 0.35 * 256 * kMi, boost::test_tools::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(a_crash_looping_container_backs_off_10s_20s_40s) {
  Behaviour b = behaviour(
      {{"sim.skippy.io/behaviour", "crash-loop"}, {"sim.skippy.io/exit-after-seconds", "20"}},
      Json::object());
  // Runs 0-20s, waits to 30s, runs to 50s, waits to 70s, runs to 90s, waits to 130s.
  struct Expect {
    std::int64_t at_s;
    bool running;
    int restarts;
  };
  for (Expect e :
       {Expect{10, true, 0}, Expect{20, false, 1}, Expect{29, false, 1}, Expect{30, true, 1},
        Expect{60, false, 2}, Expect{75, true, 2}, Expect{100, false, 3}, Expect{130, true, 3}}) {
    ContainerAt at = container_at(b, {}, kT0, kT0 + e.at_s * kSecond);
    BOOST_TEST_CONTEXT("at " << e.at_s << "s") {
      BOOST_TEST(at.running == e.running);
      BOOST_TEST(at.restarts == e.restarts);
      if (e.restarts > 0) BOOST_TEST(at.last_reason == "Error");
    }
  }
  BOOST_TEST(container_at(b, {}, kT0, kT0 + 100 * kSecond).backoff_until_ms == kT0 + 130 * kSecond);
}

BOOST_AUTO_TEST_CASE(a_cpu_spike_uses_its_share_of_the_limit_in_spikes) {
  Behaviour b = behaviour({{"sim.skippy.io/behaviour", "cpu-spike"},
                           {"sim.skippy.io/spike-percent", "95"},
                           {"sim.skippy.io/idle-percent", "10"},
                           {"sim.skippy.io/spike-seconds", "240"},
                           {"sim.skippy.io/period-seconds", "600"}},
                          {{"cpu", "1"}});
  Limits limits{0, 1.0};
  auto tol = boost::test_tools::tolerance(1e-9);
  BOOST_TEST(container_at(b, limits, kT0, kT0 + 240 * kSecond).cpu_seconds == 228.0, tol);
  BOOST_TEST(container_at(b, limits, kT0, kT0 + 600 * kSecond).cpu_seconds == 264.0, tol);
  BOOST_TEST(container_at(b, limits, kT0, kT0 + 660 * kSecond).cpu_seconds == 264.0 + 57, tol);
  BOOST_TEST(container_at(b, limits, kT0, kT0 + 660 * kSecond).restarts == 0);
}

BOOST_AUTO_TEST_CASE(wrong_behaviour_annotations_are_explained) {
  BOOST_TEST(behaviour_error({{"sim.skippy.io/behaviour", "leak"}}, Json::object()) ==
             "sim.skippy.io/behaviour: unknown behaviour \"leak\" (memory-leak, crash-loop or "
             "cpu-spike)");
  BOOST_TEST(behaviour_error({{"sim.skippy.io/behaviour", "memory-leak"}}, {{"cpu", "1"}}) ==
             "sim.skippy.io/behaviour: memory-leak needs a memory limit on container \"app\"");
  BOOST_TEST(
      behaviour_error(
          {{"sim.skippy.io/behaviour", "crash-loop"}, {"sim.skippy.io/exit-after-seconds", "soon"}},
          Json::object()) == "sim.skippy.io/exit-after-seconds: must be a number from 1 to 86400");
  BOOST_TEST(behaviour_error(
                 {{"sim.skippy.io/behaviour", "crash-loop"}, {"sim.skippy.io/exit-after", "20"}},
                 Json::object()) == "sim.skippy.io/exit-after: not a behaviour parameter");
  auto located = parse_scenario(R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata:
      labels: {app: web}
      annotations: {sim.skippy.io/behaviour: leak}
    spec:
      containers: [{name: app, image: "nginx"}]
)",
                                "bad.yaml");
  BOOST_REQUIRE(std::holds_alternative<std::vector<Manifest>>(located));
  Simulation sim;
  sim.bootstrap(kT0);
  auto errors = apply_manifests(sim.store(), std::get<std::vector<Manifest>>(located), kT0);
  BOOST_REQUIRE(errors.size() == 1u);
  BOOST_TEST(errors[0].starts_with("bad.yaml:1: sim.skippy.io/behaviour: unknown behaviour"));
}

BOOST_AUTO_TEST_CASE(the_kubelet_reports_a_crash_loop_with_back_off_and_events) {
  Cluster c("crash-loop.yaml");
  c.run(5 * kSecond);  // scheduled, running, ready
  for (const auto& pod : c.pods()) BOOST_TEST(pod_ready(pod));
  c.run(60 * kSecond);  // crashes at about 21s and 51s after start, in back-off after the second
  auto pods = c.pods();
  BOOST_REQUIRE(pods.size() == 2u);
  for (const auto& pod : pods) {
    const Json& s = pod["status"]["containerStatuses"][0];
    BOOST_TEST(s["restartCount"].get<int>() == 2);
    BOOST_TEST(string_at(s, "/state/waiting/reason") == "CrashLoopBackOff");
    BOOST_TEST(
        string_at(s, "/state/waiting/message").starts_with("back-off 20s restarting failed"));
    BOOST_TEST(string_at(s, "/lastState/terminated/reason") == "Error");
    BOOST_TEST(!s["ready"].get<bool>());
    BOOST_TEST(!pod_ready(pod));
  }
  auto backoff = c.events("BackOff");
  BOOST_REQUIRE(backoff.size() == 2u);
  for (const auto& e : backoff) {
    BOOST_TEST(e["type"] == "Warning");
    BOOST_TEST(e["count"] == 2);
  }
  c.run(20 * kSecond);  // running again and ready after 3s
  for (const auto& pod : c.pods()) BOOST_TEST(pod_ready(pod));
}

BOOST_AUTO_TEST_CASE(the_kubelet_reports_an_oomkill_and_the_leak_starts_again) {
  Cluster c("memory-leak.yaml");
  c.run(5 * kSecond);
  c.run(14 * kMinute);  // 30% + 5%/min of 256Mi: OOMKilled 14 minutes after start
  for (const auto& pod : c.pods()) {
    const Json& s = pod["status"]["containerStatuses"][0];
    BOOST_TEST(s["restartCount"].get<int>() == 1);
    BOOST_TEST(string_at(s, "/lastState/terminated/reason") == "OOMKilled");
    BOOST_TEST(int_at(s, "/lastState/terminated/exitCode") == 137);
  }
  BOOST_TEST(c.events("OOMKilled").size() == 2u);
}

BOOST_AUTO_TEST_CASE(every_sample_scenario_loads_and_together_they_share_the_namespace) {
  Simulation sim;
  sim.bootstrap(kT0);
  std::vector<Manifest> all;
  for (const char* name : {"memory-leak.yaml", "crash-loop.yaml", "cpu-spike.yaml"}) {
    auto m = load_scenario(std::string(SKIPPY_SOURCE_DIR) + "/samples/scenarios/" + name);
    BOOST_REQUIRE_MESSAGE(std::holds_alternative<std::vector<Manifest>>(m), name);
    for (auto& x : std::get<std::vector<Manifest>>(m)) all.push_back(x);
  }
  auto errors = apply_manifests(sim.store(), all, kT0);
  BOOST_TEST(errors.empty());
  BOOST_TEST(sim.store().list(resource("deployments"), "demo-apps").size() == 3u);
}

BOOST_AUTO_TEST_CASE(metrics_carry_the_series_the_samples_read_and_promtool_accepts_them) {
  Cluster c("memory-leak.yaml");
  c.run(5 * kSecond);
  c.run(7 * kMinute);
  ApiRequest request{"GET", "/metrics", "", "", "", ""};
  auto result = handle_request(c.sim.store(), request, c.now);
  BOOST_REQUIRE(std::holds_alternative<ApiResponse>(result));
  const auto& response = std::get<ApiResponse>(result);
  BOOST_TEST(response.status == 200);
  BOOST_TEST(response.content_type == "text/plain; version=0.0.4; charset=utf-8");
  const std::string& text = response.body;
  std::string pod = name_of(c.pods().at(0));
  std::string id = "namespace=\"demo-apps\",pod=\"" + pod + "\",container=\"app\"";
  BOOST_TEST(text.find("# TYPE container_cpu_usage_seconds_total counter\n") != std::string::npos);
  BOOST_TEST(text.find("container_spec_memory_limit_bytes{" + id + "} 268435456\n") !=
             std::string::npos);
  BOOST_TEST(text.find("container_memory_working_set_bytes{" + id + "} ") != std::string::npos);
  BOOST_TEST(text.find("kube_pod_container_status_restarts_total{" + id + "} 0\n") !=
             std::string::npos);
  BOOST_TEST(text.find("kube_pod_status_ready{namespace=\"demo-apps\",pod=\"" + pod +
                       "\",condition=\"true\"} 1\n") != std::string::npos);
  BOOST_TEST(text.find("kube_pod_owner{namespace=\"demo-apps\",pod=\"" + pod +
                       "\",owner_kind=\"ReplicaSet\"") != std::string::npos);
  BOOST_TEST(text.find("kube_deployment_status_replicas_available{namespace=\"demo-apps\","
                       "deployment=\"memory-leak-app\"} 2\n") != std::string::npos);
  BOOST_TEST(text.find("resource=\"memory\",unit=\"byte\"} 268435456\n") != std::string::npos);
  BOOST_TEST(text.find("resource=\"cpu\",unit=\"core\"} 0.5\n") != std::string::npos);

  std::string path = "/tmp/skippy_sim_metrics_" + std::to_string(::getpid()) + ".txt";
  std::ofstream(path) << text;
  std::string command = "promtool check metrics < " + path + " > " + path + ".out 2>&1";
  int rc = std::system(command.c_str());
  std::ifstream out(path + ".out");
  std::string said((std::istreambuf_iterator<char>(out)), std::istreambuf_iterator<char>());
  BOOST_TEST(rc == 0, "promtool check metrics: " << said);
  std::remove(path.c_str());
  std::remove((path + ".out").c_str());
}

BOOST_AUTO_TEST_CASE(a_waiting_container_shows_its_reason_and_no_usage) {
  Cluster c("crash-loop.yaml");
  c.run(5 * kSecond);
  c.run(60 * kSecond);
  auto result = handle_request(c.sim.store(), {"GET", "/metrics", "", "", "", ""}, c.now);
  const std::string& text = std::get<ApiResponse>(result).body;
  std::string pod = name_of(c.pods().at(0));
  std::string id = "namespace=\"demo-apps\",pod=\"" + pod + "\",container=\"app\"";
  BOOST_TEST(text.find("kube_pod_container_status_waiting_reason{" + id +
                       ",reason=\"CrashLoopBackOff\"} 1\n") != std::string::npos);
  BOOST_TEST(text.find("kube_pod_container_status_restarts_total{" + id + "} 2\n") !=
             std::string::npos);
  BOOST_TEST(text.find("container_memory_working_set_bytes{" + id + "}") == std::string::npos);
}
