// The safety state that must survive a restart: what became of every recent action id, the
// cooldowns, the rate windows and the circuit breaker. The journal stores exactly this; the
// gatekeeper derives its counts of actions in flight from it.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "runtime/safety/action_request.hpp"
#include "runtime/safety/outcomes.hpp"
#include "runtime/safety/sliding_window.hpp"
#include "runtime/safety/string_map.hpp"

namespace skippy::safety {

enum class ActionState : std::uint8_t {
  Pending,    // waits for approval until deadline_ms
  Approved,   // approved; runs when the other gates let it, until deadline_ms
  InFlight,   // executing; holds its budget; counts as failed at deadline_ms without a result
  Retrying,   // failed transiently; holds its budget; tried again at deadline_ms
  Verifying,  // succeeded at updated_ms; holds its budget until the target is ready, or fails
              // at deadline_ms (the health check after an action)
  Succeeded,  // done
  Failed,     // failed permanently, ran out of attempts, timed out, or its target was not ready
  Expired,    // its approval expired
};
const char* action_state_name(ActionState state);
bool parse_action_state(std::string_view name, ActionState& out);
// Whether an action in this state holds in-flight budget (InFlight, Retrying, Verifying).
bool holds_budget(ActionState state);
// Whether the action has not ended (Pending, Approved, InFlight, Retrying, Verifying): it keeps
// its request.
bool is_open(ActionState state);

struct ActionEntry {
  ActionState state = ActionState::InFlight;
  std::int64_t decided_ms = 0;    // when it was let through, or made to wait for approval
  std::int64_t updated_ms = 0;    // when it entered its state
  std::int64_t last_seen_ms = 0;  // when last proposed: remembered id_retention_ms after
  std::int64_t deadline_ms = 0;   // see ActionState
  std::uint32_t attempts = 0;     // executions started
  std::shared_ptr<const ActionRequest> request;  // always kept while is_open(state)
};

struct SafetyState {
  StringMap<ActionEntry> actions;            // by id
  StringMap<std::int64_t> target_cooldowns;  // "policy/action/Kind/namespace/name" -> until
  StringMap<std::int64_t> policy_cooldowns;  // policy -> until
  StringMap<SlidingWindow> policy_windows;   // policy -> its actions' times (max_actions)
  SlidingWindow global_window;               // every action's time (max_actions_per_hour)
  SlidingWindow failures;                    // failed actions' times (circuit breaker)
  std::int64_t breaker_open_until_ms = 0;    // opened by failures, closed after cool-off
  OutcomeLedger outcomes;                    // what ended actions achieved
};

// The key of a (policy, action, target) cooldown, written into `out` (reusing its memory).
void assign_target_cooldown_key(std::string& out, const ActionRequest& request);

}  // namespace skippy::safety
