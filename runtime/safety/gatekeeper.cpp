#include "runtime/safety/gatekeeper.hpp"

#include <algorithm>
#include <optional>
#include <tuple>

#include "base/literals.hpp"
#include "runtime/safety/decision_order.hpp"
#include "runtime/safety/gates.hpp"

namespace skippy::safety {
namespace {

constexpr std::int64_t kSweepEveryMs = kMinuteMs;

std::string ago(std::int64_t then_ms, std::int64_t now_ms) {
  return base::format_duration(std::max<std::int64_t>(0, now_ms - then_ms)) + " ago";
}

std::string duplicate_reason(const ActionEntry& e, std::int64_t now_ms) {
  switch (e.state) {
    case ActionState::Pending:
      return "waits for approval, requested " + ago(e.decided_ms, now_ms);
    case ActionState::Approved:
      return "approved " + ago(e.updated_ms, now_ms) + ": decided as the approved action";
    case ActionState::InFlight:
      return "in flight, started " + ago(e.updated_ms, now_ms);
    case ActionState::Retrying:
      return "failed transiently " + ago(e.updated_ms, now_ms) + ", to be retried";
    case ActionState::Verifying:
      return "executed " + ago(e.decided_ms, now_ms) + ", succeeded " + ago(e.updated_ms, now_ms) +
             ", waits for its target to be ready";
    case ActionState::Succeeded:
      return "executed " + ago(e.decided_ms, now_ms) + ", succeeded";
    case ActionState::Failed:
      return "executed " + ago(e.decided_ms, now_ms) + ", failed " + ago(e.updated_ms, now_ms);
    case ActionState::Expired:
      return "its approval expired " + ago(e.updated_ms, now_ms);
  }
  return "already decided";
}

Outcome outcome_of(std::optional<Gate> first_block) {
  if (!first_block) return Outcome::Execute;
  if (*first_block == Gate::Mode) return Outcome::Recorded;
  if (*first_block == Gate::Approval) return Outcome::AwaitingApproval;
  return Outcome::Blocked;
}

}  // namespace

const char* approve_result_name(ApproveResult result) {
  switch (result) {
    case ApproveResult::Approved:
      return "approved";
    case ApproveResult::AlreadyApproved:
      return "already-approved";
    case ApproveResult::Expired:
      return "expired";
    case ApproveResult::NotPending:
      return "not-pending";
    case ApproveResult::Unknown:
      return "unknown";
  }
  return "?";
}

Gatekeeper::Gatekeeper(SafetyConfig config, SafetyState state) : config_(std::move(config)) {
  real_.state = std::move(state);
  real_.state.global_window.set_length(kHourMs);
  real_.state.failures.set_length(config_.breaker.failure_window_ms);
  shadow_.state.global_window.set_length(kHourMs);
  for (auto& [id, e] : real_.state.actions) {  // cannot run, retry or release without it
    if (is_open(e.state) && !e.request) e.state = ActionState::Failed;
  }
  real_.recount();
  for (const auto& [id, e] : real_.state.actions) {
    if (e.state == ActionState::Retrying)
      retries_.push(e.deadline_ms, id);
    else if (is_open(e.state))
      deadlines_.push(e.deadline_ms, id);
    if (e.state == ActionState::Approved) approved_.push_back(id);
    if (e.state == ActionState::Verifying) verifying_.insert(id);
    if (e.state == ActionState::Pending || e.state == ActionState::Approved) ++awaiting_;
  }
}

std::vector<Decision> Gatekeeper::decide(std::span<const ActionRequest> proposals,
                                         const ClusterFacts& facts, std::int64_t now_ms,
                                         const SilenceView& silences) {
  std::vector<Decision> out;
  texts_.clear();
  expire(now_ms, out);
  shadow_.clear_in_flight();  // dry-run actions are taken to end within their tick

  std::vector<const ActionRequest*> approved;
  std::erase_if(approved_, [&](const std::string& id) {
    const ActionEntry* e = find(id);
    if (!e || e->state != ActionState::Approved) return true;
    approved.push_back(e->request.get());
    return false;
  });
  // A trigger that fires again on a target an action healed makes that outcome a recurrence.
  if (!real_.state.outcomes.empty()) {
    for (const auto& r : proposals)
      real_.state.outcomes.note_firing(r, config_.recurrence_window_ms);
  }
  auto work = decision_order(proposals, approved);
  out.reserve(out.size() + work.size());
  // The order jumps around the proposals: fetch a request a few decisions ahead (all of its
  // cache lines), and what it points to (its id, its first label) once it has arrived.
  constexpr std::size_t kAhead = 16;
  auto fetch = [](const ActionRequest* r) {
    const char* bytes = reinterpret_cast<const char*>(r);
    for (std::size_t offset = 0; offset < sizeof(ActionRequest); offset += 64)
      __builtin_prefetch(bytes + offset);
  };
  for (std::size_t i = 0; i < work.size() && i < kAhead; ++i) fetch(work[i].request);
  for (std::size_t i = 0; i < work.size(); ++i) {
    if (i + kAhead < work.size()) fetch(work[i + kAhead].request);
    if (i + kAhead / 2 < work.size()) {
      const ActionRequest& next = *work[i + kAhead / 2].request;
      __builtin_prefetch(next.id.data());
      if (!next.target.labels.empty()) __builtin_prefetch(&*next.target.labels.begin());
    }
    out.push_back(decide_one(*work[i].request, work[i].from_approval, facts, now_ms, silences));
  }
  return out;
}

Decision Gatekeeper::decide_one(const ActionRequest& r, bool from_approval,
                                const ClusterFacts& facts, std::int64_t now_ms,
                                const SilenceView& silences) {
  Decision d;
  d.request = &r;
  d.time_ms = now_ms;
  std::int64_t approved_ms = -1;
  auto known = real_.state.actions.find(r.id);
  if (known != real_.state.actions.end()) {
    auto& e = known->second;
    e.last_seen_ms = now_ms;
    if (!from_approval || e.state != ActionState::Approved) {
      d.outcome = Outcome::Duplicate;
      d.set({}, shared_text(duplicate_reason(e, now_ms)));
      return d;
    }
    approved_ms = e.updated_ms;
  }
  const bool dry = config_.dry_run || r.mode == bytecode::Mode::DryRun;
  if (dry) {
    auto seen = shadow_.state.actions.find(r.id);
    if (seen != shadow_.state.actions.end()) {
      seen->second.last_seen_ms = now_ms;
      d.outcome = Outcome::DryRun;
      d.would = Outcome::Duplicate;
      d.set({}, shared_text("an earlier dry run let the same id through"));
      return d;
    }
  }

  GateInput in(r, scratch_);
  GateContext context{config_, facts, real_, dry ? &shadow_ : nullptr, now_ms, &silences};
  std::optional<Gate> first_block;
  std::string& reason = scratch_.reason;
  std::string& text = scratch_.text;
  text.clear();
  GateLog log;
  for (std::size_t g = 0; g < kGateCount; ++g) {
    auto gate = static_cast<Gate>(g);
    reason.clear();
    Verdict verdict = check_gate(gate, in, context, approved_ms, reason);
    log.record(gate, verdict, reason, text);
    if (verdict != Verdict::Blocked) continue;
    if (!first_block) first_block = gate;
    if (!dry || gate == Gate::Mode) break;  // a dry run runs every gate: it tells the truth
  }
  d.set(log, shared_text(text));
  const Outcome result = outcome_of(first_block);
  if (first_block) d.blocked_by = *first_block;
  if (dry && result != Outcome::Recorded) {
    d.outcome = Outcome::DryRun;
    d.would = result;
  } else {
    d.outcome = result;
  }
  if (result != Outcome::Execute && result != Outcome::AwaitingApproval) return d;

  Ledger& ledger = dry ? shadow_ : real_;
  if (result == Outcome::Execute) ledger.reserve(r, in.cooldown_key(), in.workload_key(), now_ms);
  auto [it, inserted] = ledger.state.actions.try_emplace(r.id);
  ActionEntry& e = it->second;
  e.last_seen_ms = now_ms;
  if (inserted) e.decided_ms = now_ms;
  if (dry) {  // remembered so that the same id later says duplicate, as it would be
    e.state = ActionState::Succeeded;
    return d;
  }
  if (!e.request) e.request = std::make_shared<const ActionRequest>(r);
  if (result == Outcome::Execute) {
    e.attempts = 1;
    set_state(it->first, e, ActionState::InFlight, now_ms + config_.in_flight_timeout_ms, now_ms);
  } else {
    set_state(it->first, e, ActionState::Pending, now_ms + config_.approval_expiry_ms, now_ms);
  }
  return d;
}

void Gatekeeper::expire(std::int64_t now_ms, std::vector<Decision>& out) {
  if (now_ms >= next_sweep_ms_) {
    real_.sweep(now_ms, config_.id_retention_ms);
    shadow_.sweep(now_ms, config_.id_retention_ms);
    next_sweep_ms_ = now_ms + kSweepEveryMs;
  }
  auto& breaker_until = real_.state.breaker_open_until_ms;
  if (breaker_until != 0 && breaker_until <= now_ms) {  // cooled off: closes, failures forgotten
    breaker_until = 0;
    real_.state.failures.clear();
  }
  while (deadlines_.due(now_ms)) {
    auto queued = deadlines_.pop();
    if (!holds(queued, false)) continue;
    auto it = real_.state.actions.find(queued.second);
    auto& e = it->second;
    if (e.state == ActionState::Pending || e.state == ActionState::Approved) {
      Decision d;
      d.request = e.request.get();
      d.time_ms = now_ms;
      d.outcome = Outcome::Expired;
      std::string why = "approval requested " + ago(e.decided_ms, now_ms) + " expired";
      std::string text;
      GateLog log;
      log.record(Gate::Approval, Verdict::Blocked, why, text);
      d.set(log, shared_text(text + why));
      set_state(it->first, e, ActionState::Expired, 0, now_ms);
      out.push_back(std::move(d));
    } else if (e.state == ActionState::InFlight) {
      finish(it->first, e, ActionState::Failed, now_ms);  // no result in time
    } else if (e.state == ActionState::Verifying) {       // its target not ready in time
      timed_out_.push_back(end_verifying(it->first, e, ActionState::Failed, {}, now_ms));
    }
  }
}

void Gatekeeper::set_state(const std::string& id, ActionEntry& e, ActionState state,
                           std::int64_t deadline_ms, std::int64_t now_ms) {
  auto waits = [](ActionState st) { return is_open(st) && st != ActionState::Retrying; };
  auto awaits = [](ActionState st) {
    return st == ActionState::Pending || st == ActionState::Approved;
  };
  if (awaits(e.state) != awaits(state)) awaiting_ = awaits(state) ? awaiting_ + 1 : awaiting_ - 1;
  // Its entry in deadlines_ stands for the new state too (approved, or verifying at the very
  // time it would have timed out in flight).
  bool queued = waits(e.state) && waits(state) && e.deadline_ms == deadline_ms;
  if (e.state == ActionState::Verifying && state != ActionState::Verifying)
    verifying_.erase(id);
  else if (state == ActionState::Verifying)
    verifying_.insert(id);
  e.state = state;
  e.updated_ms = now_ms;
  e.deadline_ms = deadline_ms;
  if (state == ActionState::Retrying)
    retries_.push(deadline_ms, id);
  else if (waits(state) && !queued)
    deadlines_.push(deadline_ms, id);
}

std::shared_ptr<const std::string> Gatekeeper::shared_text(std::string_view text) {
  if (text.empty()) return nullptr;
  auto it = texts_.find(text);
  if (it != texts_.end()) return it->second;
  auto shared = std::make_shared<const std::string>(text);
  texts_.emplace(*shared, shared);  // the key views the shared string, which the map keeps
  return shared;
}

const ActionEntry* Gatekeeper::holds(const DeadlineQueue::Entry& queued, bool retry) const {
  const ActionEntry* e = find(queued.second);
  if (!e || e->deadline_ms != queued.first) return nullptr;
  bool retrying = e->state == ActionState::Retrying;
  return retry == retrying && is_open(e->state) ? e : nullptr;
}

void Gatekeeper::finish(const std::string& id, ActionEntry& e, ActionState state,
                        std::int64_t now_ms) {
  if (holds_budget(e.state) && e.request)
    real_.count_in_flight(*e.request, workload_key(e.request->target), -1);
  set_state(id, e, state, 0, now_ms);
  if (e.request && (state == ActionState::Succeeded || state == ActionState::Failed))
    real_.state.outcomes.record(*e.request, state == ActionState::Succeeded, e.decided_ms, now_ms);
  if (state != ActionState::Failed) return;
  const auto& breaker = config_.breaker;
  auto& failures = real_.state.failures;
  failures.add(now_ms);
  if (breaker.max_failures > 0 && failures.count(now_ms) >= breaker.max_failures) {
    auto& until = real_.state.breaker_open_until_ms;
    until = std::max(until, now_ms + breaker.cool_off_ms);
  }
}

ResultEffect Gatekeeper::record_result(std::string_view id, ExecutionStatus status,
                                       std::int64_t now_ms) {
  auto it = real_.state.actions.find(id);
  if (it == real_.state.actions.end()) return {};
  auto& e = it->second;
  if (e.state != ActionState::InFlight) return {false, e.state, 0};
  const auto& check = config_.health_check;
  if (status == ExecutionStatus::Success && check.timeout_ms > 0 && health_checked(*e.request)) {
    set_state(it->first, e, ActionState::Verifying, now_ms + check.timeout_ms, now_ms);
  } else if (status == ExecutionStatus::Success) {
    finish(it->first, e, ActionState::Succeeded, now_ms);
  } else if (auto next = next_attempt_at(config_.retry, status, e.attempts, now_ms)) {
    set_state(it->first, e, ActionState::Retrying, *next, now_ms);
    return {true, e.state, *next};
  } else {
    finish(it->first, e, ActionState::Failed, now_ms);
  }
  return {true, e.state, 0};
}

std::vector<HealthVerdict> Gatekeeper::check_health(const ClusterFacts& facts,
                                                    std::int64_t now_ms) {
  std::vector<HealthVerdict> out = std::move(timed_out_);
  timed_out_.clear();
  for (auto next = verifying_.begin(); next != verifying_.end();) {
    auto it = real_.state.actions.find(*next++);  // ending it drops it from verifying_
    auto& e = it->second;
    const bool late = now_ms >= e.deadline_ms;
    // Too early: the cluster view may not show the action's effect yet.
    if (!late && now_ms < e.updated_ms + config_.health_check.initial_delay_ms) continue;
    TargetHealth health = target_health(*e.request, facts);
    if (late)
      out.push_back(end_verifying(it->first, e, ActionState::Failed, health, now_ms));
    else if (health.healthy)
      out.push_back(end_verifying(it->first, e, ActionState::Succeeded, health, now_ms));
  }
  return out;
}

HealthVerdict Gatekeeper::end_verifying(const std::string& id, ActionEntry& e, ActionState state,
                                        const TargetHealth& health, std::int64_t now_ms) {
  HealthVerdict out{e.request, state, now_ms, health_subject(*e.request)};
  if (state == ActionState::Succeeded) {
    out.reason.append(" ").append(health.detail);
  } else {
    out.reason.append(" not ready within ")
        .append(base::format_duration(e.deadline_ms - e.updated_ms));
    if (!health.healthy && !health.detail.empty()) out.reason.append(": ").append(health.detail);
  }
  finish(id, e, state, now_ms);
  return out;
}

std::vector<const ActionRequest*> Gatekeeper::start_due_retries(std::int64_t now_ms) {
  std::vector<const ActionRequest*> out;
  std::vector<std::string> due;
  while (retries_.due(now_ms)) {
    auto queued = retries_.pop();
    if (holds(queued, true)) due.push_back(std::move(queued.second));
  }
  for (const auto& id : due) {
    auto it = real_.state.actions.find(id);
    auto& e = it->second;
    if (e.request->destructive && breaker_open(now_ms)) {  // waits for the breaker to close
      set_state(it->first, e, ActionState::Retrying, real_.state.breaker_open_until_ms, now_ms);
      continue;
    }
    ++e.attempts;
    set_state(it->first, e, ActionState::InFlight, now_ms + config_.in_flight_timeout_ms, now_ms);
    out.push_back(e.request.get());
  }
  return out;
}

bool Gatekeeper::adopt(const ActionRequest& r, ActionState state, std::int64_t decided_ms,
                       std::int64_t now_ms) {
  if (real_.state.actions.contains(r.id)) return false;
  GateInput in(r, scratch_);
  real_.reserve(r, in.cooldown_key(), in.workload_key(), decided_ms);
  real_.count_in_flight(r, in.workload_key(), -1);  // it ran elsewhere, and has ended
  ActionEntry& e = real_.state.actions[r.id];
  e.state = state == ActionState::Succeeded ? ActionState::Succeeded : ActionState::Failed;
  e.decided_ms = decided_ms;
  e.updated_ms = e.last_seen_ms = now_ms;
  e.attempts = 1;
  e.request = std::make_shared<const ActionRequest>(r);
  return true;
}

ApproveResult Gatekeeper::approve(std::string_view id, std::int64_t now_ms) {
  auto it = real_.state.actions.find(id);
  if (it == real_.state.actions.end()) return ApproveResult::Unknown;
  auto& e = it->second;
  switch (e.state) {
    case ActionState::Pending:
      if (e.deadline_ms <= now_ms) return ApproveResult::Expired;  // decide() records it
      set_state(it->first, e, ActionState::Approved, e.deadline_ms, now_ms);
      approved_.push_back(it->first);
      return ApproveResult::Approved;
    case ActionState::Approved:
      return ApproveResult::AlreadyApproved;
    case ActionState::Expired:
      return ApproveResult::Expired;
    default:
      return ApproveResult::NotPending;
  }
}

std::vector<PendingApproval> Gatekeeper::pending() const {
  std::vector<PendingApproval> out;
  for (const auto& queued : deadlines_.entries()) {
    const ActionEntry* e = holds(queued, false);
    if (e && (e->state == ActionState::Pending || e->state == ActionState::Approved))
      out.push_back({e->request.get(), e->state, e->decided_ms, e->deadline_ms});
  }
  std::sort(out.begin(), out.end(), [](const PendingApproval& a, const PendingApproval& b) {
    return std::tie(a.expires_ms, a.request->id) < std::tie(b.expires_ms, b.request->id);
  });
  out.erase(std::unique(out.begin(), out.end(),
                        [](const auto& a, const auto& b) { return a.request == b.request; }),
            out.end());
  return out;
}

const ActionEntry* Gatekeeper::find(std::string_view id) const {
  auto it = real_.state.actions.find(id);
  return it == real_.state.actions.end() ? nullptr : &it->second;
}

bool Gatekeeper::breaker_open(std::int64_t now_ms) const {
  return safety::breaker_open(real_.state, now_ms);
}

}  // namespace skippy::safety
