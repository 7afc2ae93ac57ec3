// Simulated failing apps: what the containers of a pod do over simulated time, read from the
// pod's annotations (a Deployment's pod template carries them to its pods):
//
//   sim.skippy.io/behaviour: memory-leak | crash-loop | cpu-spike
//   memory-leak  sim.skippy.io/start-percent (30)         working set at start, % of the limit
//                sim.skippy.io/growth-percent-per-minute (10)   growth, % of the limit a minute
//   crash-loop   sim.skippy.io/exit-after-seconds (30)    run time before the app exits (code 1)
//   cpu-spike    sim.skippy.io/spike-percent (95)         CPU during a spike, % of the limit
//                sim.skippy.io/idle-percent (10)          CPU between spikes, % of the limit
//                sim.skippy.io/spike-seconds (240)        length of a spike
//                sim.skippy.io/period-seconds (600)       from one spike's start to the next's
//
// A container's state is a pure function of the behaviour, the container's limits, when the
// pod started and the time asked about: runs end (OOMKilled at the memory limit, or Error
// for crash-loop), the kubelet waits out a back-off (10s doubling to 5m, reset after a run of
// 10 minutes) in CrashLoopBackOff, and the next run starts. Pods without a behaviour run
// steadily at a small share of their limits.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include <nlohmann/json.hpp>

namespace skippy::sim {

using Json = nlohmann::json;

enum class BehaviourKind { Steady, MemoryLeak, CrashLoop, CpuSpike };

struct Behaviour {
  BehaviourKind kind = BehaviourKind::Steady;
  double start_percent = 30;
  double growth_percent_per_minute = 10;
  double exit_after_seconds = 30;
  double spike_percent = 95;
  double idle_percent = 10;
  double spike_seconds = 240;
  double period_seconds = 600;
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

}  // namespace skippy::sim
