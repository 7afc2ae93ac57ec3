// Simulated failing apps: what the containers of a pod do over simulated time, read from the
// pod's annotations (a Deployment's pod template carries them to its pods):
//
//   sim.skippy.io/behaviour: memory-leak | crash-loop | cpu-spike | flaky-web-app |
//                            memory-degradation | cpu-oscillation | network-degradation |
//                            chaos-monkey
//   memory-leak  sim.skippy.io/start-percent (30)         working set at start, % of the limit
//                sim.skippy.io/growth-percent-per-minute (10)   growth, % of the limit a minute
//   crash-loop   sim.skippy.io/exit-after-seconds (30)    run time before the app exits (code 1)
//   cpu-spike    sim.skippy.io/spike-percent (95)         CPU during a spike, % of the limit
//                sim.skippy.io/idle-percent (10)          CPU between spikes, % of the limit
//                sim.skippy.io/spike-seconds (240)        length of a spike
//                sim.skippy.io/period-seconds (600)       from one spike's start to the next's
//   flaky-web-app  sim.skippy.io/requests-per-second (20)  HTTP requests served
//                sim.skippy.io/error-percent (1)          5xx answers outside bursts
//                sim.skippy.io/burst-error-percent (30)   5xx answers in a burst
//                sim.skippy.io/burst-chance-percent (25)  chance that a period is a burst
//                sim.skippy.io/latency-ms (50)            mean latency outside bursts
//                sim.skippy.io/burst-latency-ms (800)     mean latency in a burst
//                sim.skippy.io/period-seconds (600)       length of a period, burst or not
//                sim.skippy.io/seed (0)                   with the pod's name, picks the bursts
//   memory-degradation  sim.skippy.io/start-percent (30)  working set at start, % of the limit
//                sim.skippy.io/ceiling-percent (95)       what the working set approaches
//                sim.skippy.io/half-life-minutes (5)      half the way to the ceiling each time
//   cpu-oscillation  sim.skippy.io/base-percent (50)      middle of the wave, % of the CPU limit
//                sim.skippy.io/amplitude-percent (40)     from the middle to a crest
//                sim.skippy.io/period-seconds (600)       from one crest to the next
//   network-degradation  sim.skippy.io/step-seconds (60)  length of a step
//                sim.skippy.io/healthy-steps (5)          steps without errors in each cycle
//                sim.skippy.io/degraded-steps (5)         then steps of rising errors
//                sim.skippy.io/max-error-percent (50)     share of bad packets and 5xx answers
//                                                         in the last degraded step
//                sim.skippy.io/requests-per-second (20), sim.skippy.io/latency-ms (50)
//   chaos-monkey  sim.skippy.io/target-selector (none)    label selector of the pods it kills,
//                                                         in its own namespace; required
//                sim.skippy.io/interval-seconds (120)     one kill every interval from its start
//                sim.skippy.io/seed (0)                   picks the victims
//
// A container's state is a pure function of the behaviour, the container's limits, when the
// pod started and the time asked about: runs end (OOMKilled at the memory limit, or Error
// for crash-loop), the kubelet waits out a back-off (10s doubling to 5m, reset after a run of
// 10 minutes) in CrashLoopBackOff, and the next run starts. Pods without a behaviour run
// steadily at a small share of their limits. The web apps (flaky-web-app, network-degradation)
// also serve HTTP traffic (http_at) and every running pod has network traffic (network_at),
// both as counters from the pod's start. A chaos monkey's own containers run steadily; its kills
// are chaos_rounds and chaos_victim, carried out by the chaos monkey controller.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include <nlohmann/json.hpp>

namespace skippy::sim {

using Json = nlohmann::json;

enum class BehaviourKind {
  Steady,
  MemoryLeak,
  CrashLoop,
  CpuSpike,
  FlakyWebApp,
  MemoryDegradation,
  CpuOscillation,
  NetworkDegradation,
  ChaosMonkey,
};

struct Behaviour {
  BehaviourKind kind = BehaviourKind::Steady;
  double start_percent = 30;
  double growth_percent_per_minute = 10;
  double exit_after_seconds = 30;
  double spike_percent = 95;
  double idle_percent = 10;
  double spike_seconds = 240;
  double period_seconds = 600;
  double requests_per_second = 20;
  double error_percent = 1;
  double burst_error_percent = 30;
  double burst_chance_percent = 25;
  double latency_ms = 50;
  double burst_latency_ms = 800;
  double seed = 0;
  double ceiling_percent = 95;
  double half_life_minutes = 5;
  double base_percent = 50;
  double amplitude_percent = 40;
  double step_seconds = 60;
  double healthy_steps = 5;
  double degraded_steps = 5;
  double max_error_percent = 50;
  double interval_seconds = 120;
  std::string target_selector;  // chaos-monkey: a label selector as a query gives it
};

// A container's limits in bytes and cores; 0 when it has none.
struct Limits {
  double memory_bytes = 0;
  double cpu_cores = 0;
};

// The behaviour of a pod or pod template (its metadata.annotations), or why the annotations
// are wrong ("sim.skippy.io/behaviour: unknown behaviour \"leak\"; ..."). A memory-leak needs a
// memory limit and a cpu-spike a CPU limit on every container of `pod` (a pod or a template).
std::variant<Behaviour, std::string> behaviour_of(const Json& pod);
// The pod has a valid behaviour other than steady.
bool has_behaviour(const Json& pod);
// The limits of one container (an element of spec.containers).
Limits limits_of(const Json& container);

// One container at one moment.
struct ContainerAt {
  int restarts = 0;                   // runs that ended
  bool running = true;                // false: waiting in CrashLoopBackOff
  std::int64_t run_started_ms = 0;    // the current run's start, or the last run's
  std::int64_t backoff_until_ms = 0;  // when waiting: when the next run starts
  std::int64_t last_exit_ms = 0;      // when restarts > 0: when the last run ended
  std::int64_t last_started_ms = 0;   // when restarts > 0: when the last ended run started
  std::string last_reason;            // "OOMKilled" or "Error"
  int last_exit_code = 0;             // 137 or 1
  double memory_bytes = 0;            // working set now (0 while waiting)
  double cpu_seconds = 0;             // CPU used by the current run (a counter)
};

ContainerAt container_at(const Behaviour& behaviour, const Limits& limits,
                         std::int64_t pod_started_ms, std::int64_t now_ms);

// The upper bounds of the latency histogram's buckets in seconds (a Prometheus client's
// defaults); +Inf is the count.
inline constexpr std::array<double, 11> kLatencyBuckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                           0.5,   1,    2.5,   5,    10};

// HTTP requests a web app's container has answered since its run started, as counters.
// Latencies are exponentially distributed around the mean of the moment.
struct HttpAt {
  double requests = 0;                       // every answer
  double errors = 0;                         // 5xx answers
  double latency_sum_seconds = 0;            // the histogram's _sum
  std::array<double, 11> latency_buckets{};  // answered within each bound (cumulative)
};

// The behaviour serves HTTP (flaky-web-app, network-degradation); the 5xx code it answers with.
bool serves_http(const Behaviour& behaviour);
const char* error_code(const Behaviour& behaviour);
// The traffic from `run_started_ms` to `now_ms` of a pod that started at `pod_started_ms`.
// `pod_seed` tells pods apart (seed_of); a flaky web app's bursts depend on it and on the
// period, and repeat every 64 periods.
HttpAt http_at(const Behaviour& behaviour, std::uint64_t pod_seed, std::int64_t pod_started_ms,
               std::int64_t run_started_ms, std::int64_t now_ms);
// The seed of a pod named `pod_name` with a behaviour's seed.
std::uint64_t seed_of(const Behaviour& behaviour, std::string_view pod_name);

// A pod's network traffic since it started (counters, as cAdvisor gives them per interface).
// Every pod receives 50 and sends 40 packets a second; in a network-degradation step with a
// share s of bad packets, s/5 of the packets each way are errors and as many are dropped.
struct NetworkAt {
  double receive_bytes = 0, receive_packets = 0, receive_errors = 0, receive_dropped = 0;
  double transmit_bytes = 0, transmit_packets = 0, transmit_errors = 0, transmit_dropped = 0;
};
NetworkAt network_at(const Behaviour& behaviour, std::int64_t pod_started_ms, std::int64_t now_ms);

// How many kills a chaos monkey that started at `started_ms` has due at `now_ms`: one each
// interval, the first one interval after its start.
std::int64_t chaos_rounds(const Behaviour& behaviour, std::int64_t started_ms, std::int64_t now_ms);
// Which of `candidates` pods (sorted by name) round `round` (from 1) kills.
std::size_t chaos_victim(const Behaviour& behaviour, std::int64_t round, std::size_t candidates);

}  // namespace skippy::sim
