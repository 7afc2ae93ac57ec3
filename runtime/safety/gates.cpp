#include "runtime/safety/gates.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "base/literals.hpp"

namespace skippy::safety {
namespace {

using base::format_duration;

std::string percent(double share) {
  return std::to_string(std::lround(share * 100)) + "%";
}

// A rate window: the real one and, in a dry run, the would-be one; either may be missing.
struct Windows {
  SlidingWindow* real = nullptr;
  SlidingWindow* shadow = nullptr;

  // Events in the window at now, each window taking `length_ms` (when given) first.
  std::size_t count(std::int64_t now_ms, std::int64_t length_ms = 0) const {
    std::size_t n = 0;
    for (auto* w : {real, shadow}) {
      if (!w) continue;
      if (length_ms > 0) w->set_length(length_ms);
      n += w->count(now_ms);
    }
    return n;
  }
  // When a slot frees up: the oldest event, real or would-be, leaves its window.
  std::int64_t next_slot_ms() const {
    std::int64_t at = std::numeric_limits<std::int64_t>::max();
    for (auto* w : {real, shadow})
      if (w && !w->empty()) at = std::min(at, w->next_slot_ms());
    return at;
  }
};

SlidingWindow* policy_window(Ledger* ledger, std::string_view policy) {
  if (!ledger) return nullptr;
  auto it = ledger->state.policy_windows.find(policy);
  return it == ledger->state.policy_windows.end() ? nullptr : &it->second;
}

std::string window_full(std::string limit, std::size_t used, const Windows& w,
                        std::int64_t now_ms) {
  return limit + ": " + std::to_string(used) + " taken; the next in " +
         format_duration(w.next_slot_ms() - now_ms);
}

// A count over the real ledger and, in a dry run, the would-be one.
template <class Value, class Read>
Value both(const GateContext& c, Read read) {
  Value v = read(c.real);
  if (c.shadow) v += read(*c.shadow);
  return v;
}

bool matches(const cluster::Labels& protect, const cluster::Labels& have, std::string& which) {
  for (const auto& [key, value] : protect) {
    auto it = have.find(key);
    if (it != have.end() && (value.empty() || it->second == value)) {
      which = key + "=" + it->second;
      return true;
    }
  }
  return false;
}

}  // namespace

const std::string& GateInput::cooldown_key() {
  if (!have_cooldown_key_) assign_target_cooldown_key(scratch_.cooldown, request);
  have_cooldown_key_ = true;
  return scratch_.cooldown;
}

const std::string& GateInput::workload_key() {
  if (!have_workload_key_) assign_workload_key(scratch_.workload, request.target);
  have_workload_key_ = true;
  return scratch_.workload;
}

bool breaker_open(const SafetyState& state, std::int64_t now_ms) {
  return state.breaker_open_until_ms > now_ms;
}

Verdict check_mode(GateInput& in, const GateContext& c, std::string& reason) {
  switch (in.request.mode) {
    case bytecode::Mode::Monitor:
      reason = "mode monitor: evaluated and recorded, never acted on";
      return Verdict::Blocked;
    case bytecode::Mode::DryRun:
      reason = "mode dryrun: every gate runs, nothing is executed";
      return Verdict::Passed;
    case bytecode::Mode::Manual:
      reason = "mode manual: every action waits for approval";
      break;
    case bytecode::Mode::Automatic:
      break;
  }
  if (c.config.dry_run) reason = "dry run: every gate runs, nothing is executed";
  return Verdict::Passed;
}

Verdict check_arguments(GateInput& in, const GateContext&, std::string& reason) {
  if (!in.request.unknown_arguments) return Verdict::Passed;
  reason = "an argument was unknown when the action was proposed";
  return Verdict::Blocked;
}

Verdict check_protected(GateInput& in, const GateContext& c, std::string& reason) {
  const auto& t = in.request.target;
  bool system = std::find(kSystemNamespaces.begin(), kSystemNamespaces.end(), t.namespace_name) !=
                kSystemNamespaces.end();
  if (system && !in.request.limits.allow_system_namespaces) {
    reason = "namespace " + t.namespace_name +
             " is a system namespace and the policy does not allow system_namespaces";
    return Verdict::Blocked;
  }
  const auto& configured = c.config.protected_namespaces;
  if (std::find(configured.begin(), configured.end(), t.namespace_name) != configured.end()) {
    reason = "namespace " + t.namespace_name + " is protected";
    return Verdict::Blocked;
  }
  std::string which;
  if (matches(c.config.protected_labels, t.labels, which)) {
    reason = "the target's label " + which + " protects it";
    return Verdict::Blocked;
  }
  if (matches(c.config.protected_annotations, t.annotations, which)) {
    reason = "the target's annotation " + which + " protects it";
    return Verdict::Blocked;
  }
  return Verdict::Passed;
}

Verdict check_silence(GateInput& in, const GateContext& c, std::string& reason) {
  const SilenceView* view = c.silences;
  if (!view || view->asked == 0) return Verdict::Passed;
  if (view->answered == 0) {
    reason = "alertmanager unreachable: " + view->problem;
    if (!view->required) {
      reason += "; acting without its silences";
      return Verdict::Passed;
    }
    reason += "; silences are required";
    return Verdict::Blocked;
  }
  const Silence* s = find_silence(*view, alert_labels(in.request), c.now_ms);
  if (!s) return Verdict::Passed;
  reason = "silenced by " + s->id + " for " + format_duration(s->ends_ms - c.now_ms);
  if (!s->created_by.empty() || !s->comment.empty())
    reason += " (" + s->created_by + (s->comment.empty() ? "" : ": " + s->comment) + ")";
  return Verdict::Blocked;
}

Verdict check_cooldown(GateInput& in, const GateContext& c, std::string& reason) {
  const auto& r = in.request;
  auto until = [&](auto member, std::string_view key) {
    std::int64_t at = value_of(c.real.state.*member, key);
    if (c.shadow) at = std::max(at, value_of(c.shadow->state.*member, key));
    return at;
  };
  if (r.limits.cooldown_target_ms > 0) {
    std::int64_t at = until(&SafetyState::target_cooldowns, in.cooldown_key());
    if (at > c.now_ms) {
      reason = "cooldown " + format_duration(r.limits.cooldown_target_ms) +
               " per target: " + format_duration(at - c.now_ms) + " left";
      return Verdict::Blocked;
    }
  }
  if (r.limits.cooldown_policy_ms > 0) {
    std::int64_t at = until(&SafetyState::policy_cooldowns, r.policy);
    if (at > c.now_ms) {
      reason = "cooldown " + format_duration(r.limits.cooldown_policy_ms) +
               " per policy: " + format_duration(at - c.now_ms) + " left";
      return Verdict::Blocked;
    }
  }
  return Verdict::Passed;
}

Verdict check_rate_limit(GateInput& in, const GateContext& c, std::string& reason) {
  const auto& limits = in.request.limits;
  if (limits.max_actions > 0 && limits.max_actions_window_ms > 0) {
    Windows w{policy_window(&c.real, in.request.policy),
              policy_window(c.shadow, in.request.policy)};
    std::size_t used = w.count(c.now_ms, limits.max_actions_window_ms);
    if (used >= limits.max_actions) {
      reason = window_full("max_actions " + std::to_string(limits.max_actions) + " per " +
                               format_duration(limits.max_actions_window_ms),
                           used, w, c.now_ms);
      return Verdict::Blocked;
    }
  }
  std::uint32_t global = c.config.max_actions_per_hour;
  if (global > 0) {
    Windows w{&c.real.state.global_window, c.shadow ? &c.shadow->state.global_window : nullptr};
    std::size_t used = w.count(c.now_ms);
    if (used >= global) {
      reason = window_full("global limit of " + std::to_string(global) + " actions per hour", used,
                           w, c.now_ms);
      return Verdict::Blocked;
    }
  }
  return Verdict::Passed;
}

Verdict check_blast_radius(GateInput& in, const GateContext& c, std::string& reason) {
  const auto& r = in.request;
  if (!r.destructive || r.limits.max_unavailable == 0) return Verdict::Passed;
  const std::string& key = in.workload_key();
  if (key.empty()) return Verdict::Passed;  // a bare pod: one replica of one
  const WorkloadFacts* facts = c.facts.workload(key);
  if (!facts) {
    reason = "the replicas of " + key + " are not known";
    return Verdict::Blocked;
  }
  std::int64_t allowed = r.limits.max_unavailable;
  if (r.limits.max_unavailable_percent)
    allowed = (facts->replicas * static_cast<std::int64_t>(r.limits.max_unavailable) + 99) / 100;
  std::int64_t disrupting = both<std::int64_t>(c, [&](const Ledger& l) {
    return static_cast<std::int64_t>(value_of(l.workload_load, key).disrupting);
  });
  if (facts->unavailable + disrupting + 1 > allowed) {
    reason = key + ": " + std::to_string(facts->unavailable) + " of " +
             std::to_string(facts->replicas) + " replicas unavailable and " +
             std::to_string(disrupting) + " being disrupted; max_unavailable " +
             std::to_string(r.limits.max_unavailable) +
             (r.limits.max_unavailable_percent ? "%" : "") + " allows " + std::to_string(allowed);
    return Verdict::Blocked;
  }
  return Verdict::Passed;
}

Verdict check_circuit_breaker(GateInput& in, const GateContext& c, std::string& reason) {
  if (!in.request.destructive) return Verdict::Passed;
  const auto& breaker = c.config.breaker;
  if (breaker.max_unhealthy_share > 0 && c.facts.unhealthy_share > breaker.max_unhealthy_share) {
    reason = "open: " + percent(c.facts.unhealthy_share) +
             " of targets are unhealthy, more than the " + percent(breaker.max_unhealthy_share) +
             " allowed";
    return Verdict::Blocked;
  }
  if (breaker_open(c.real.state, c.now_ms)) {
    reason = "open after " + std::to_string(breaker.max_failures) + " failed actions within " +
             format_duration(breaker.failure_window_ms) + "; closes in " +
             format_duration(c.real.state.breaker_open_until_ms - c.now_ms);
    return Verdict::Blocked;
  }
  return Verdict::Passed;
}

Verdict check_concurrency(GateInput& in, const GateContext& c, std::string& reason) {
  const auto& r = in.request;
  std::uint32_t max = c.config.max_in_flight;
  std::uint32_t total = both<std::uint32_t>(c, [](const Ledger& l) { return l.in_flight; });
  if (max > 0 && total >= max) {
    reason = std::to_string(total) + " actions in flight, the most allowed at once";
    return Verdict::Blocked;
  }
  max = c.config.max_in_flight_per_workload;
  const std::string& key = in.workload_key();
  if (max > 0 && !key.empty()) {
    std::uint32_t on_workload = both<std::uint32_t>(
        c, [&](const Ledger& l) { return value_of(l.workload_load, key).in_flight; });
    if (on_workload >= max) {
      reason = std::to_string(on_workload) + " actions in flight on " + key +
               ", the most allowed on one workload";
      return Verdict::Blocked;
    }
  }
  max = r.limits.max_concurrent;
  if (max > 0) {
    std::uint32_t of_policy = both<std::uint32_t>(
        c, [&](const Ledger& l) { return value_of(l.policy_in_flight, r.policy); });
    if (of_policy >= max) {
      reason = "max_concurrent " + std::to_string(max) + ": " + std::to_string(of_policy) +
               " actions of the policy in flight";
      return Verdict::Blocked;
    }
  }
  return Verdict::Passed;
}

Verdict check_approval(GateInput& in, const GateContext& c, std::int64_t approved_ms,
                       std::string& reason) {
  const auto& r = in.request;
  if (r.mode != bytecode::Mode::Manual && !r.approval_required) return Verdict::Passed;
  if (approved_ms >= 0) {
    reason = "approved " + format_duration(c.now_ms - approved_ms) + " ago";
    return Verdict::Passed;
  }
  reason = r.mode == bytecode::Mode::Manual
               ? "mode manual: waits for approval"
               : "the policy's approve lists " + r.action + ": waits for approval";
  return Verdict::Blocked;
}

Verdict check_gate(Gate gate, GateInput& in, const GateContext& c, std::int64_t approved_ms,
                   std::string& reason) {
  switch (gate) {
    case Gate::Mode:
      return check_mode(in, c, reason);
    case Gate::Arguments:
      return check_arguments(in, c, reason);
    case Gate::Protected:
      return check_protected(in, c, reason);
    case Gate::Silence:
      return check_silence(in, c, reason);
    case Gate::Cooldown:
      return check_cooldown(in, c, reason);
    case Gate::RateLimit:
      return check_rate_limit(in, c, reason);
    case Gate::BlastRadius:
      return check_blast_radius(in, c, reason);
    case Gate::CircuitBreaker:
      return check_circuit_breaker(in, c, reason);
    case Gate::Concurrency:
      return check_concurrency(in, c, reason);
    case Gate::Approval:
      return check_approval(in, c, approved_ms, reason);
  }
  reason = "no such gate";
  return Verdict::Blocked;
}

}  // namespace skippy::safety
