// Failing apps in the simulator at fixed simulated times: a container's state as a pure
// function of its behaviour (memory at a time, OOMKilled at the limit, crash-loop runs and
// back-off, CPU spikes and waves, memory creeping to a ceiling, a flaky web app's bursts, a
// network's degraded steps, a chaos monkey's victims), the kubelet's status and events for it
// in a stepped simulation, the sample scenarios loading, and GET /metrics: the series the
// samples' queries read, in text that `promtool check metrics` accepts.
#define BOOST_TEST_MODULE simulator_behaviour
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

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
             "sim.skippy.io/behaviour: unknown behaviour \"leak\" (memory-leak, crash-loop, "
             "cpu-spike, flaky-web-app, memory-degradation, cpu-oscillation, "
             "network-degradation, chaos-monkey)");
  BOOST_TEST(behaviour_error({{"sim.skippy.io/behaviour", "cpu-oscillation"},
                              {"sim.skippy.io/base-percent", "80"},
                              {"sim.skippy.io/amplitude-percent", "30"}},
                             {{"cpu", "1"}}) ==
             "sim.skippy.io/amplitude-percent: the wave must stay between 0 and 100% of the limit");
  BOOST_TEST(behaviour_error({{"sim.skippy.io/behaviour", "chaos-monkey"}}, Json::object()) ==
             "sim.skippy.io/target-selector: a chaos monkey needs a label selector of the pods it "
             "kills");
  BOOST_TEST(behaviour_error({{"sim.skippy.io/behaviour", "chaos-monkey"},
                              {"sim.skippy.io/target-selector", "app in (a"}},
                             Json::object())
                 .starts_with("sim.skippy.io/target-selector: "));
  BOOST_TEST(behaviour_error({{"sim.skippy.io/behaviour", "network-degradation"},
                              {"sim.skippy.io/degraded-steps", "2.5"}},
                             Json::object()) ==
             "sim.skippy.io/degraded-steps: must be a whole number from 1 to 1000");
  BOOST_TEST(behaviour_error({{"sim.skippy.io/behaviour", "memory-degradation"}}, {{"cpu", "1"}}) ==
             "sim.skippy.io/behaviour: memory-degradation needs a memory limit on container "
             "\"app\"");
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

namespace {

// The 5xx share and p99 latency of the requests a web app answered between `from` and `to`
// seconds after its pod started, as histogram_quantile reads the buckets (linear within one).
struct Window {
  double error_share;
  double p99;
};
Window window(const Behaviour& b, std::uint64_t seed, double from, double to) {
  auto at = [&](double s) { return http_at(b, seed, kT0, kT0, kT0 + std::llround(s * 1'000)); };
  HttpAt x = at(from), y = at(to);
  double n = y.requests - x.requests;
  double rank = 0.99 * n, below = 0, lower = 0;
  for (std::size_t i = 0; i < kLatencyBuckets.size(); ++i) {
    double count = y.latency_buckets[i] - x.latency_buckets[i];
    if (count >= rank)
      return {(y.errors - x.errors) / n,
              lower + (kLatencyBuckets[i] - lower) * (rank - below) / (count - below)};
    below = count;
    lower = kLatencyBuckets[i];
  }
  return {(y.errors - x.errors) / n, lower};
}

Behaviour flaky() {
  return behaviour({{"sim.skippy.io/behaviour", "flaky-web-app"},
                    {"sim.skippy.io/requests-per-second", "20"},
                    {"sim.skippy.io/error-percent", "1"},
                    {"sim.skippy.io/burst-error-percent", "30"},
                    {"sim.skippy.io/burst-chance-percent", "30"},
                    {"sim.skippy.io/latency-ms", "50"},
                    {"sim.skippy.io/burst-latency-ms", "800"},
                    {"sim.skippy.io/period-seconds", "300"}},
                   Json::object());
}

// The periods among the `n` from `first` in which the pod named `pod` has a burst, counted
// from `first`.
std::vector<int> bursts(const Behaviour& b, const std::string& pod, int n, int first = 0) {
  std::vector<int> out;
  for (int k = 0; k < n; ++k) {
    double from = (first + k) * 300.0;
    if (window(b, seed_of(b, pod), from, from + 300).error_share > 0.2) out.push_back(k);
  }
  return out;
}

// `promtool check metrics` on `text`: "" when it accepts it, else what it said.
std::string promtool_check(const std::string& text) {
  std::string path = "/tmp/skippy_sim_metrics_" + std::to_string(::getpid()) + ".txt";
  std::ofstream(path) << text;
  std::string command = "promtool check metrics < " + path + " > " + path + ".out 2>&1";
  int rc = std::system(command.c_str());
  std::ifstream out(path + ".out");
  std::string said((std::istreambuf_iterator<char>(out)), std::istreambuf_iterator<char>());
  std::remove(path.c_str());
  std::remove((path + ".out").c_str());
  return rc == 0 ? "" : "exit " + std::to_string(rc) + ": " + said;
}

std::string metrics_of(Cluster& c) {
  auto result = handle_request(c.sim.store(), {"GET", "/metrics", "", "", "", ""}, c.now);
  BOOST_REQUIRE(std::holds_alternative<ApiResponse>(result));
  return std::get<ApiResponse>(result).body;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_flaky_web_app_has_error_bursts_in_periods_its_name_and_seed_pick) {
  Behaviour b = flaky();
  auto tol = boost::test_tools::tolerance(1e-9);
  // Outside a burst 1% of answers are 500s and p99 is about 0.23 s (mean 50 ms); in a burst
  // 30% are, and p99 is about 3.7 s (mean 800 ms).
  std::vector<int> a = bursts(b, "flaky-web-app-a", 20);
  BOOST_TEST(a == (std::vector<int>{0, 7, 8, 12, 17}), boost::test_tools::per_element());
  BOOST_TEST(bursts(b, "flaky-web-app-b", 20) == (std::vector<int>{1, 9, 10, 12, 13, 14, 16, 18}),
             boost::test_tools::per_element());
  std::uint64_t seed = seed_of(b, "flaky-web-app-a");
  Window calm = window(b, seed, 300, 600),
         burst = window(b, seed, a.at(0) * 300.0, a.at(0) * 300.0 + 300);
  BOOST_TEST(calm.error_share == 0.01, tol);
  BOOST_TEST(burst.error_share == 0.30, tol);
  BOOST_TEST(calm.p99 > 0.1);
  BOOST_TEST(calm.p99 < 0.25);
  BOOST_TEST(burst.p99 > 2.5);
  BOOST_TEST(burst.p99 < 5);
  // 20 requests a second, counted from the pod's start; the pattern repeats every 64 periods.
  BOOST_TEST(http_at(b, seed, kT0, kT0, kT0 + 10 * kMinute).requests == 12'000.0, tol);
  BOOST_TEST(bursts(b, "flaky-web-app-a", 20, 64) == a, boost::test_tools::per_element());
  // Another seed, other bursts.
  Behaviour other = b;
  other.seed = 1;
  BOOST_TEST(bursts(other, "flaky-web-app-a", 20) != a);
}

BOOST_AUTO_TEST_CASE(a_degrading_container_creeps_towards_its_ceiling_and_never_reaches_it) {
  Behaviour b = behaviour({{"sim.skippy.io/behaviour", "memory-degradation"},
                           {"sim.skippy.io/start-percent", "40"},
                           {"sim.skippy.io/ceiling-percent", "95"},
                           {"sim.skippy.io/half-life-minutes", "3"}},
                          {{"memory", "256Mi"}});
  Limits limits{256 * kMi, 0};
  auto tol = boost::test_tools::tolerance(1e-9);
  auto percent = [&](std::int64_t ms) {
    return 100 * container_at(b, limits, kT0, kT0 + ms).memory_bytes / limits.memory_bytes;
  };
  BOOST_TEST(percent(0) == 40.0, tol);
  BOOST_TEST(percent(3 * kMinute) == 67.5, tol);   // half of the 55 points left
  BOOST_TEST(percent(6 * kMinute) == 81.25, tol);  // and half again
  BOOST_TEST(percent(12 * kMinute) > 90.0);
  BOOST_TEST(percent(24 * 60 * kMinute) < 95.0 + 1e-9);
  BOOST_TEST(container_at(b, limits, kT0, kT0 + 24 * 60 * kMinute).restarts == 0);
}

BOOST_AUTO_TEST_CASE(an_oscillating_container_uses_cpu_in_a_sine_wave) {
  Behaviour b = behaviour({{"sim.skippy.io/behaviour", "cpu-oscillation"},
                           {"sim.skippy.io/base-percent", "65"},
                           {"sim.skippy.io/amplitude-percent", "30"},
                           {"sim.skippy.io/period-seconds", "300"}},
                          {{"cpu", "500m"}});
  Limits limits{0, 0.5};
  auto tol = boost::test_tools::tolerance(1e-9);
  auto cpu = [&](std::int64_t s) {
    return container_at(b, limits, kT0, kT0 + s * kSecond).cpu_seconds;
  };
  // A whole wave averages the base: 65% of 0.5 cores for 300 s.
  BOOST_TEST(cpu(300) == 97.5, tol);
  BOOST_TEST(cpu(3'000) == 975.0, tol);
  // The rising half uses more than the falling half: 0.5 * (0.65 * 150 +- 0.30 * 300 / pi).
  constexpr double kPi = 3.14159265358979323846;
  BOOST_TEST(cpu(150) == 0.5 * (0.65 * 150 + 0.30 * 300 / kPi), tol);
  BOOST_TEST(cpu(300) - cpu(150) == 0.5 * (0.65 * 150 - 0.30 * 300 / kPi), tol);
  // At a crest 95% of the limit, at a trough 35%: the rate over one second.
  BOOST_TEST(cpu(76) - cpu(75) == 0.475, boost::test_tools::tolerance(1e-4));
  BOOST_TEST(cpu(226) - cpu(225) == 0.175, boost::test_tools::tolerance(1e-4));
}

BOOST_AUTO_TEST_CASE(a_degrading_network_fails_more_each_step_then_recovers) {
  Behaviour b = behaviour({{"sim.skippy.io/behaviour", "network-degradation"},
                           {"sim.skippy.io/step-seconds", "60"},
                           {"sim.skippy.io/healthy-steps", "5"},
                           {"sim.skippy.io/degraded-steps", "5"},
                           {"sim.skippy.io/max-error-percent", "50"},
                           {"sim.skippy.io/requests-per-second", "20"}},
                          Json::object());
  auto tol = boost::test_tools::tolerance(1e-9);
  auto net = [&](std::int64_t s) { return network_at(b, kT0, kT0 + s * kSecond); };
  // Five healthy minutes: packets and bytes, no errors.
  BOOST_TEST(net(300).receive_packets == 15'000.0, tol);
  BOOST_TEST(net(300).receive_bytes == 12'000'000.0, tol);
  BOOST_TEST(net(300).receive_errors == 0.0, tol);
  BOOST_TEST(net(300).transmit_dropped == 0.0, tol);
  // Then 10%, 20% ... 50% bad: a fifth of it errors, as many dropped, each way.
  BOOST_TEST(net(360).receive_errors == 50 * 60 * 0.1 / 5, tol);
  BOOST_TEST(net(600).receive_errors - net(540).receive_errors == 50 * 60 * 0.5 / 5, tol);
  BOOST_TEST(net(600).transmit_dropped - net(540).transmit_dropped == 40 * 60 * 0.5 / 5, tol);
  BOOST_TEST(net(660).receive_errors == net(600).receive_errors, tol);  // healthy again
  BOOST_TEST(net(1'200).receive_errors == 2 * net(600).receive_errors, tol);
  // The app's answers fail alike, and slow down to 11 times 50 ms in the worst step.
  Window worst = window(b, 0, 540, 600), healthy = window(b, 0, 0, 300);
  BOOST_TEST(worst.error_share == 0.5, tol);
  BOOST_TEST(healthy.error_share == 0.0, tol);
  BOOST_TEST(worst.p99 > 2.5);
  BOOST_TEST(healthy.p99 < 0.25);
  // Every pod has network traffic, without errors unless it degrades.
  Behaviour steady;
  BOOST_TEST(network_at(steady, kT0, kT0 + kMinute).transmit_bytes == 40 * 1200 * 60.0, tol);
  BOOST_TEST(network_at(steady, kT0, kT0 + kMinute).transmit_errors == 0.0, tol);
}

BOOST_AUTO_TEST_CASE(a_chaos_monkey_kills_the_pod_its_seed_picks_every_interval) {
  Behaviour b = behaviour({{"sim.skippy.io/behaviour", "chaos-monkey"},
                           {"sim.skippy.io/target-selector", "chaos=target"},
                           {"sim.skippy.io/interval-seconds", "120"},
                           {"sim.skippy.io/seed", "7"}},
                          Json::object());
  BOOST_TEST(chaos_rounds(b, kT0, kT0 + 119 * kSecond) == 0);
  BOOST_TEST(chaos_rounds(b, kT0, kT0 + 120 * kSecond) == 1);
  BOOST_TEST(chaos_rounds(b, kT0, kT0 + 600 * kSecond) == 5);
  std::vector<std::size_t> picks;
  for (int round = 1; round <= 6; ++round) picks.push_back(chaos_victim(b, round, 3));
  BOOST_TEST(picks == (std::vector<std::size_t>{2, 2, 1, 0, 1, 2}),
             boost::test_tools::per_element());

  // In the sample scenario: the pod that round 1 picks among chaos-target-app's three, sorted
  // by name, is deleted two minutes after the monkey starts, with a Killing event, and the
  // ReplicaSet replaces it.
  Cluster c("chaos-monkey.yaml");
  c.run(5 * kSecond);
  std::vector<std::string> targets;
  for (const auto& pod : c.pods()) {
    if (name_of(pod).starts_with("chaos-target-app-")) targets.push_back(name_of(pod));
  }
  BOOST_REQUIRE(targets.size() == 3u);
  std::sort(targets.begin(), targets.end());
  std::string victim = targets[chaos_victim(b, 1, 3)];
  c.run(110 * kSecond);
  BOOST_TEST(c.events("Killing").empty());
  c.run(10 * kSecond);
  auto killing = c.events("Killing");
  BOOST_REQUIRE(killing.size() == 1u);
  BOOST_TEST(string_at(killing[0], "/involvedObject/name") == victim);
  BOOST_TEST(string_at(killing[0], "/message") == "Stopping container app");
  std::vector<std::string> now;
  for (const auto& pod : c.pods()) {
    if (name_of(pod).starts_with("chaos-target-app-")) now.push_back(name_of(pod));
  }
  BOOST_TEST(now.size() == 3u);
  BOOST_TEST((std::find(now.begin(), now.end(), victim) == now.end()));
  BOOST_TEST(c.pods().size() == 4u);  // the monkey is never a victim
}

BOOST_AUTO_TEST_CASE(metrics_serve_the_web_apps_traffic_and_every_pods_network) {
  Cluster c("flaky-web-app.yaml");
  auto manifests = parse_scenario(sample("continuous-network-degradation.yaml"), "net.yaml");
  BOOST_REQUIRE(std::holds_alternative<std::vector<Manifest>>(manifests));
  BOOST_TEST(apply_manifests(c.sim.store(), std::get<std::vector<Manifest>>(manifests), c.now)
                 .empty());  // the namespace exists already
  c.run(5 * kSecond);
  c.run(9 * kMinute);  // the network app is in its fourth degraded step
  std::string text = metrics_of(c);
  std::string flaky, net;
  for (const auto& pod : c.pods()) {
    if (name_of(pod).starts_with("flaky-web-app-")) flaky = name_of(pod);
    if (name_of(pod).starts_with("continuous-network-")) net = name_of(pod);
  }
  std::string id = "namespace=\"demo-apps\",pod=\"" + flaky + "\",container=\"app\"";
  BOOST_TEST(text.find("# TYPE http_requests_total counter\n") != std::string::npos);
  BOOST_TEST(text.find("# TYPE http_request_duration_seconds histogram\n") != std::string::npos);
  BOOST_TEST(text.find("http_requests_total{" + id + ",method=\"GET\",code=\"200\"} ") !=
             std::string::npos);
  BOOST_TEST(text.find("http_requests_total{" + id + ",method=\"GET\",code=\"500\"} ") !=
             std::string::npos);
  BOOST_TEST(text.find("http_request_duration_seconds_bucket{" + id + ",le=\"0.25\"} ") !=
             std::string::npos);
  BOOST_TEST(text.find("http_request_duration_seconds_bucket{" + id + ",le=\"+Inf\"} ") !=
             std::string::npos);
  BOOST_TEST(text.find("http_request_duration_seconds_count{" + id + "} ") != std::string::npos);
  BOOST_TEST(text.find("http_request_duration_seconds_sum{" + id + "} ") != std::string::npos);
  std::string net_id = "namespace=\"demo-apps\",pod=\"" + net + "\"";
  BOOST_TEST(text.find("http_requests_total{" + net_id +
                       ",container=\"app\",method=\"GET\","
                       "code=\"503\"} ") != std::string::npos);
  for (const char* name :
       {"container_network_receive_bytes_total", "container_network_receive_packets_total",
        "container_network_receive_errors_total", "container_network_receive_packets_dropped_total",
        "container_network_transmit_bytes_total", "container_network_transmit_packets_total",
        "container_network_transmit_errors_total",
        "container_network_transmit_packets_dropped_total"}) {
    BOOST_TEST(text.find(std::string("# TYPE ") + name + " counter\n") != std::string::npos);
    BOOST_TEST(text.find(std::string(name) + "{" + net_id + ",interface=\"eth0\"} ") !=
               std::string::npos);
  }
  // The flaky app's pods have no errors on the wire: 0 errors, to the byte.
  BOOST_TEST(text.find("container_network_receive_errors_total{namespace=\"demo-apps\",pod=\"" +
                       flaky + "\",interface=\"eth0\"} 0\n") != std::string::npos);
  BOOST_TEST(promtool_check(text) == "");
}

BOOST_AUTO_TEST_CASE(the_kubelet_reports_a_crash_loop_with_back_off_and_events) {
  Cluster c("crash-loop.yaml");
  c.run(5 * kSecond);  // scheduled, running, ready
  for (const auto& pod : c.pods()) BOOST_TEST(pod_ready(pod));
  // Runs of 5s from about 1s, 16s and 41s after start, each followed by a back-off (10s, 20s,
  // 40s): in back-off after the third until about 86s.
  c.run(60 * kSecond);
  auto pods = c.pods();
  BOOST_REQUIRE(pods.size() == 2u);
  for (const auto& pod : pods) {
    const Json& s = pod["status"]["containerStatuses"][0];
    BOOST_TEST(s["restartCount"].get<int>() == 3);
    BOOST_TEST(string_at(s, "/state/waiting/reason") == "CrashLoopBackOff");
    BOOST_TEST(
        string_at(s, "/state/waiting/message").starts_with("back-off 40s restarting failed"));
    BOOST_TEST(string_at(s, "/lastState/terminated/reason") == "Error");
    BOOST_TEST(!s["ready"].get<bool>());
    BOOST_TEST(!pod_ready(pod));
  }
  auto backoff = c.events("BackOff");
  BOOST_REQUIRE(backoff.size() == 2u);
  for (const auto& e : backoff) {
    BOOST_TEST(e["type"] == "Warning");
    BOOST_TEST(e["count"] == 3);
  }
  c.run(25 * kSecond);  // running again and ready after 3s
  for (const auto& pod : c.pods()) BOOST_TEST(pod_ready(pod));
}

BOOST_AUTO_TEST_CASE(the_kubelet_reports_an_oomkill_and_the_leak_starts_again) {
  Cluster c("memory-leak.yaml");
  c.run(5 * kSecond);
  c.run(30 * kMinute);  // 70% + 1%/min of 256Mi: OOMKilled 30 minutes after start
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
  for (const char* name :
       {"memory-leak.yaml", "crash-loop.yaml", "cpu-spike.yaml", "flaky-web-app.yaml",
        "continuous-memory-degradation.yaml", "continuous-cpu-oscillation.yaml",
        "continuous-network-degradation.yaml", "chaos-monkey.yaml"}) {
    auto m = load_scenario(std::string(SKIPPY_SOURCE_DIR) + "/samples/scenarios/" + name);
    BOOST_REQUIRE_MESSAGE(std::holds_alternative<std::vector<Manifest>>(m), name);
    for (auto& x : std::get<std::vector<Manifest>>(m)) all.push_back(x);
  }
  auto errors = apply_manifests(sim.store(), all, kT0);
  BOOST_TEST(errors.empty());
  BOOST_TEST(sim.store().list(resource("deployments"), "demo-apps").size() == 9u);
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

  BOOST_TEST(promtool_check(text) == "");
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
  BOOST_TEST(text.find("kube_pod_container_status_restarts_total{" + id + "} 3\n") !=
             std::string::npos);
  BOOST_TEST(text.find("container_memory_working_set_bytes{" + id + "}") == std::string::npos);
}
