// The safety runtime's own settings, for every policy at once (the policies' rules travel with
// each ActionRequest). docs/safety.md describes each setting and its default.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/cluster/cluster_view.hpp"
#include "runtime/safety/retry.hpp"

namespace skippy::safety {

inline constexpr std::int64_t kMinuteMs = 60'000;
inline constexpr std::int64_t kHourMs = 60 * kMinuteMs;

// Out of reach unless a policy has `allow system_namespaces`.
inline constexpr std::array<std::string_view, 3> kSystemNamespaces = {"kube-system", "kube-public",
                                                                      "kube-node-lease"};

struct CircuitBreakerConfig {
  // Destructive actions stop while more than this share (0..1) of the targets is unhealthy,
  // as Cluster API's maxUnhealthy; 0 turns the check off.
  double max_unhealthy_share = 0.4;
  // This many failed actions within failure_window_ms open the breaker for cool_off_ms;
  // 0 turns the check off.
  std::uint32_t max_failures = 5;
  std::int64_t failure_window_ms = 10 * kMinuteMs;
  std::int64_t cool_off_ms = 15 * kMinuteMs;
};

// After an action that changes its target's pods succeeds, the gatekeeper waits for its target
// to be ready again before it calls the action done (health_checked() says which actions).
struct HealthCheckConfig {
  // The target must be ready within this long after the action succeeded, or the action counts
  // as failed; 0 turns the check off (success is then the end).
  std::int64_t timeout_ms = 5 * kMinuteMs;
  // No verdict before this long after the success: the cluster view may not show the action's
  // effect yet (a restarted pod still ready, a scaled workload not yet counting its replicas).
  std::int64_t initial_delay_ms = 30'000;
};

struct SafetyConfig {
  // Protected in addition to kSystemNamespaces; a policy's `allow system_namespaces` does not
  // lift these.
  std::vector<std::string> protected_namespaces;
  // A target with one of these labels (annotations) is out of reach; an empty value protects
  // whatever the value.
  cluster::Labels protected_labels = {{"skippy.io/protected", "true"}};
  cluster::Labels protected_annotations = {{"skippy.io/protected", "true"}};
  std::uint32_t max_actions_per_hour = 100;  // all policies together, sliding; 0: no limit
  CircuitBreakerConfig breaker;
  std::uint32_t max_in_flight = 10;              // all policies together; 0: no limit
  std::uint32_t max_in_flight_per_workload = 1;  // actions on one workload's objects; 0: none
  std::int64_t approval_expiry_ms = kHourMs;     // a pending or approved action expires then
  // An action in flight with no result after this long counts as failed and is released.
  std::int64_t in_flight_timeout_ms = 15 * kMinuteMs;
  // How long an id is remembered after it was last proposed (so a firing never runs twice).
  std::int64_t id_retention_ms = 24 * kHourMs;
  // An action that healed counts as recurred when its trigger fires again on the same target
  // within this long after it ended (the outcome ledger).
  std::int64_t recurrence_window_ms = kHourMs;
  RetryPolicy retry;
  HealthCheckConfig health_check;
  bool dry_run = false;  // --dry-run: every policy as if in mode dryrun
};

}  // namespace skippy::safety
