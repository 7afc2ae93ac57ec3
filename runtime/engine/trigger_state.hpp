// The state of one trigger for one target, advanced once per evaluation. Time arrives only
// as an argument: the same inputs at the same timestamps give the same states.
//
//   inactive --true--> pending --held `for`--> firing --(clear holds `clear ... for`)--> inactive
//                                              firing <--> clearing (with `clear when`)
//
// Without `clear when`, a firing trigger resolves when its condition is false (after
// `keep_firing_for`), exactly as a Prometheus alerting rule does. Unknown never counts as
// recovery: a firing trigger stays firing while its condition or clear condition is
// unknown; a pending trigger goes back to inactive (it has not held continuously).
#pragma once

#include <cstdint>
#include <limits>

#include "runtime/bytecode/program.hpp"
#include "runtime/bytecode/value.hpp"

namespace skippy::engine {

enum class TriggerPhase : std::uint8_t { Inactive, Pending, Firing, Clearing };
const char* trigger_phase_name(TriggerPhase p);

inline constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::min();

struct TriggerState {
  TriggerPhase phase = TriggerPhase::Inactive;
  std::int64_t active_since_ms = kNever;       // the condition has held since (pending/firing)
  std::int64_t fired_at_ms = kNever;           // when it last started firing
  std::int64_t clear_since_ms = kNever;        // the clear condition has held since (clearing)
  std::int64_t keep_firing_since_ms = kNever;  // it would have resolved since (keep_firing_for)
};

// What one evaluation did to a trigger, for metrics and the audit log.
enum class TriggerChange : std::uint8_t {
  None,           // no change of phase
  Pending,        // inactive -> pending
  Fired,          // -> firing (from inactive with `for 0s`, or from pending)
  PendingReset,   // pending -> inactive: the condition did not hold for `for`
  Clearing,       // firing -> clearing
  ClearingReset,  // clearing -> firing: the clear condition stopped holding
  Resolved,       // firing/clearing -> inactive
};
const char* trigger_change_name(TriggerChange c);

// Advances `state` to time `now_ms` given this evaluation's condition and clear condition
// (the clear is ignored unless the trigger has `clear when`). Returns what changed.
TriggerChange step_trigger(TriggerState& state, const bytecode::Trigger& trigger,
                           bytecode::Truth condition, bytecode::Truth clear, std::int64_t now_ms);

// Firing or clearing: the trigger's actions may be proposed.
inline bool is_firing(const TriggerState& s) {
  return s.phase == TriggerPhase::Firing || s.phase == TriggerPhase::Clearing;
}

}  // namespace skippy::engine
