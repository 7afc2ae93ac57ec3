// The budgets that actions use up: the persistent SafetyState plus the counts of actions in
// flight that derive from it (globally, per policy, per workload, and the replicas they
// disrupt). The gatekeeper keeps one ledger for real actions and one for dry runs.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "runtime/safety/safety_state.hpp"

namespace skippy::safety {

struct WorkloadLoad {
  std::uint32_t in_flight = 0;   // actions on the workload's objects
  std::uint32_t disrupting = 0;  // of which destructive: each takes one replica down
};

// The entry of `key`, default-constructed when missing; finds without allocating.
template <class Value>
Value& entry_of(StringMap<Value>& map, std::string_view key) {
  auto it = map.find(key);
  if (it == map.end()) it = map.emplace(std::string(key), Value{}).first;
  return it->second;
}

template <class Value>
Value value_of(const StringMap<Value>& map, std::string_view key) {
  auto it = map.find(key);
  return it == map.end() ? Value{} : it->second;
}

class Ledger {
 public:
  SafetyState state;
  std::uint32_t in_flight = 0;
  StringMap<std::uint32_t> policy_in_flight;
  StringMap<WorkloadLoad> workload_load;

  // Uses up the request's budget at now: its cooldowns start, the rate windows count it and it
  // is in flight.
  void reserve(const ActionRequest& r, std::string_view cooldown_key, std::string_view workload_key,
               std::int64_t now_ms);
  // Counts an action in flight (+1) or no longer in flight (-1).
  void count_in_flight(const ActionRequest& r, std::string_view workload_key, int delta);
  // Forgets every count of actions in flight (dry runs: they are taken to end within a tick).
  void clear_in_flight();
  // Counts the actions in flight again from state.actions.
  void recount();
  // Drops what can no longer matter at now: ended actions not proposed for `retention_ms`,
  // cooldowns that ended, rate windows that emptied.
  void sweep(std::int64_t now_ms, std::int64_t retention_ms);
};

}  // namespace skippy::safety
