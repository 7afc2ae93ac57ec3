// Test support for the safety runtime: action requests, configurations with every global limit
// off (so that a test turns on the one it is about) and cluster facts, built in one line; and
// printers for Boost.Test.
#pragma once

#include <ostream>
#include <string>
#include <string_view>

#include "runtime/safety/action_request.hpp"
#include "runtime/safety/cluster_facts.hpp"
#include "runtime/safety/config.hpp"
#include "runtime/safety/gatekeeper.hpp"

namespace skippy::testing {

inline constexpr std::int64_t kSecond = 1000;
inline constexpr std::int64_t kMinute = 60 * kSecond;
inline constexpr std::int64_t kHour = 60 * kMinute;

// A destructive restart of pod `pod` (of Deployment apps/web) by `policy`, in mode automatic,
// fired at `fired_at_ms`, with no limits of the policy's own.
inline safety::ActionRequest pod_action(std::string_view policy, std::string_view pod,
                                        std::string_view action = "restart",
                                        std::int64_t fired_at_ms = 0, std::int32_t priority = 10) {
  safety::ActionRequest r;
  r.policy = policy;
  r.trigger = "crashing";
  r.action = action;
  r.destructive = true;
  r.priority = priority;
  r.target.kind = "Pod";
  r.target.namespace_name = "apps";
  r.target.name = pod;
  r.target.workload_kind = "Deployment";
  r.target.workload_name = "web";
  r.mode = bytecode::Mode::Automatic;
  r.fired_at_ms = fired_at_ms;
  r.arguments.push_back({"strategy", "\"rolling\""});
  r.id = safety::action_id(r);
  return r;
}

// The request with its id computed again after a test changed the fields it derives from.
inline safety::ActionRequest with_id(safety::ActionRequest r) {
  r.id = safety::action_id(r);
  return r;
}

// Every global limit off: no global rate limit, no concurrency limit, no circuit breaker, no
// health check after an action (a success is the end).
inline safety::SafetyConfig open_config() {
  safety::SafetyConfig c;
  c.max_actions_per_hour = 0;
  c.max_in_flight = 0;
  c.max_in_flight_per_workload = 0;
  c.breaker.max_unhealthy_share = 0;
  c.breaker.max_failures = 0;
  c.health_check.timeout_ms = 0;
  return c;
}

// Deployment apps/web with `replicas`, `unavailable` of them not ready.
inline safety::ClusterFacts web_facts(std::int64_t replicas = 4, std::int64_t unavailable = 0) {
  safety::ClusterFacts f;
  f.workloads["Deployment/apps/web"] = {replicas, unavailable};
  return f;
}

}  // namespace skippy::testing

namespace skippy::safety {

inline std::ostream& operator<<(std::ostream& out, ActionState s) {
  return out << action_state_name(s);
}
inline std::ostream& operator<<(std::ostream& out, ApproveResult r) {
  return out << approve_result_name(r);
}
inline std::ostream& operator<<(std::ostream& out, ExecutionStatus s) {
  return out << execution_status_name(s);
}

}  // namespace skippy::safety
