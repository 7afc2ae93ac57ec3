#include "runtime/engine/trigger_state.hpp"

namespace skippy::engine {
namespace {

using bytecode::Truth;

// The trigger would resolve now; with keep_firing_for it stays firing a while longer.
TriggerChange resolve(TriggerState& s, const bytecode::Trigger& t, std::int64_t now) {
  if (t.keep_firing_for_ms > 0) {
    if (s.keep_firing_since_ms == kNever) s.keep_firing_since_ms = now;
    if (now - s.keep_firing_since_ms < t.keep_firing_for_ms) return TriggerChange::None;
  }
  s = TriggerState{};
  return TriggerChange::Resolved;
}

TriggerChange start(TriggerState& s, const bytecode::Trigger& t, std::int64_t now) {
  s.active_since_ms = now;
  if (t.for_ms <= 0) {
    s.phase = TriggerPhase::Firing;
    s.fired_at_ms = now;
    return TriggerChange::Fired;
  }
  s.phase = TriggerPhase::Pending;
  return TriggerChange::Pending;
}

}  // namespace

const char* trigger_phase_name(TriggerPhase p) {
  switch (p) {
    case TriggerPhase::Inactive:
      return "inactive";
    case TriggerPhase::Pending:
      return "pending";
    case TriggerPhase::Firing:
      return "firing";
    case TriggerPhase::Clearing:
      return "clearing";
  }
  return "?";
}

const char* trigger_change_name(TriggerChange c) {
  switch (c) {
    case TriggerChange::None:
      return "none";
    case TriggerChange::Pending:
      return "pending";
    case TriggerChange::Fired:
      return "fired";
    case TriggerChange::PendingReset:
      return "pending_reset";
    case TriggerChange::Clearing:
      return "clearing";
    case TriggerChange::ClearingReset:
      return "clearing_reset";
    case TriggerChange::Resolved:
      return "resolved";
  }
  return "?";
}

TriggerChange step_trigger(TriggerState& s, const bytecode::Trigger& t, Truth condition,
                           Truth clear, std::int64_t now) {
  switch (s.phase) {
    case TriggerPhase::Inactive:
      return condition == Truth::True ? start(s, t, now) : TriggerChange::None;

    case TriggerPhase::Pending:
      if (condition != Truth::True) {
        s = TriggerState{};
        return TriggerChange::PendingReset;
      }
      if (now - s.active_since_ms >= t.for_ms) {
        s.phase = TriggerPhase::Firing;
        s.fired_at_ms = now;
        return TriggerChange::Fired;
      }
      return TriggerChange::None;

    case TriggerPhase::Firing:
      if (!t.has_clear) {
        if (condition == Truth::True) {
          s.keep_firing_since_ms = kNever;
          return TriggerChange::None;
        }
        if (condition == Truth::Unknown) return TriggerChange::None;  // missing is not recovery
        return resolve(s, t, now);
      }
      if (clear != Truth::True) {
        return TriggerChange::None;  // between the thresholds, or unknown: still firing
      }
      s.phase = TriggerPhase::Clearing;
      s.clear_since_ms = now;
      if (t.clear_for_ms <= 0) {
        auto c = resolve(s, t, now);
        return c == TriggerChange::Resolved ? c : TriggerChange::Clearing;
      }
      return TriggerChange::Clearing;

    case TriggerPhase::Clearing:
      if (clear != Truth::True) {
        s.phase = TriggerPhase::Firing;
        s.clear_since_ms = kNever;
        s.keep_firing_since_ms = kNever;
        return TriggerChange::ClearingReset;
      }
      if (now - s.clear_since_ms >= t.clear_for_ms) return resolve(s, t, now);
      return TriggerChange::None;
  }
  return TriggerChange::None;
}

}  // namespace skippy::engine
