#include "runtime/safety/ledger.hpp"

#include <algorithm>

namespace skippy::safety {
namespace {

void extend(StringMap<std::int64_t>& cooldowns, std::string_view key, std::int64_t until) {
  auto& slot = entry_of(cooldowns, key);
  slot = std::max(slot, until);
}

std::uint32_t shifted(std::uint32_t count, int delta) {
  return delta < 0 && count == 0 ? 0 : static_cast<std::uint32_t>(static_cast<int>(count) + delta);
}

template <class Map, class Expired>
void erase_if_expired(Map& map, Expired expired) {
  for (auto it = map.begin(); it != map.end();) it = expired(it->second) ? map.erase(it) : ++it;
}

}  // namespace

void Ledger::reserve(const ActionRequest& r, std::string_view cooldown_key,
                     std::string_view workload_key, std::int64_t now_ms) {
  const auto& limits = r.limits;
  if (limits.cooldown_target_ms > 0)
    extend(state.target_cooldowns, cooldown_key, now_ms + limits.cooldown_target_ms);
  if (limits.cooldown_policy_ms > 0)
    extend(state.policy_cooldowns, r.policy, now_ms + limits.cooldown_policy_ms);
  if (limits.max_actions > 0 && limits.max_actions_window_ms > 0) {
    auto& window = entry_of(state.policy_windows, r.policy);
    window.set_length(limits.max_actions_window_ms);
    window.add(now_ms);
  }
  state.global_window.add(now_ms);
  count_in_flight(r, workload_key, +1);
}

void Ledger::count_in_flight(const ActionRequest& r, std::string_view workload_key, int delta) {
  in_flight = shifted(in_flight, delta);
  auto& policy = entry_of(policy_in_flight, r.policy);
  policy = shifted(policy, delta);
  if (workload_key.empty()) return;
  auto& load = entry_of(workload_load, workload_key);
  load.in_flight = shifted(load.in_flight, delta);
  if (r.destructive) load.disrupting = shifted(load.disrupting, delta);
}

void Ledger::clear_in_flight() {
  in_flight = 0;
  policy_in_flight.clear();
  workload_load.clear();
}

void Ledger::recount() {
  clear_in_flight();
  for (const auto& [id, entry] : state.actions) {
    if (holds_budget(entry.state) && entry.request)
      count_in_flight(*entry.request, workload_key(entry.request->target), +1);
  }
}

void Ledger::sweep(std::int64_t now_ms, std::int64_t retention_ms) {
  erase_if_expired(state.actions, [&](const ActionEntry& e) {
    return !is_open(e.state) && e.last_seen_ms + retention_ms <= now_ms;
  });
  auto ended = [&](std::int64_t until) { return until <= now_ms; };
  erase_if_expired(state.target_cooldowns, ended);
  erase_if_expired(state.policy_cooldowns, ended);
  erase_if_expired(state.policy_windows, [&](SlidingWindow& w) { return w.count(now_ms) == 0; });
  state.global_window.count(now_ms);
  state.failures.count(now_ms);
  state.outcomes.sweep(now_ms);
  erase_if_expired(policy_in_flight, [](std::uint32_t n) { return n == 0; });
  erase_if_expired(workload_load, [](const WorkloadLoad& l) { return l.in_flight == 0; });
}

}  // namespace skippy::safety
