#include "runtime/safety/gatekeeper.hpp"

#include <algorithm>
#include <optional>

#include "dsl/literals.hpp"
#include "runtime/safety/gates.hpp"

namespace skippy::safety {
namespace {

constexpr std::int64_t kSweepEveryMs = kMinuteMs;

std::string ago(std::int64_t then_ms, std::int64_t now_ms) {
  return dsl::format_duration(std::max<std::int64_t>(0, now_ms - then_ms)) + " ago";
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
    case ActionState::Succeeded:
      return "executed " + ago(e.decided_ms, now_ms) + ", succeeded";
    case ActionState::Failed:
      return "executed " + ago(e.decided_ms, now_ms) + ", failed " + ago(e.updated_ms, now_ms);
    case ActionState::Expired:
      return "its approval expired " + ago(e.updated_ms, now_ms);
  }
  return "already decided";
}

// Priority (lower first), then policy, target, action and id; an approved action before a
// proposal of the same id.
struct WorkItem {
  const ActionRequest* request;
  bool from_approval;
};

bool runs_before(const WorkItem& x, const WorkItem& y) {
  const auto& a = *x.request;
  const auto& b = *y.request;
  if (a.priority != b.priority) return a.priority < b.priority;
  if (int c = a.policy.compare(b.policy)) return c < 0;
  if (int c = a.target.kind.compare(b.target.kind)) return c < 0;
  if (int c = a.target.namespace_name.compare(b.target.namespace_name)) return c < 0;
  if (int c = a.target.name.compare(b.target.name)) return c < 0;
  if (int c = a.action.compare(b.action)) return c < 0;
  if (int c = a.id.compare(b.id)) return c < 0;
  return x.from_approval && !y.from_approval;
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
  real_.recount();
  for (const auto& [id, e] : real_.state.actions) {
    if (e.state == ActionState::Retrying)
      retries_.emplace(e.deadline_ms, id);
    else if (is_open(e.state))
      deadlines_.emplace(e.deadline_ms, id);
  }
}

std::vector<Decision> Gatekeeper::decide(std::span<const ActionRequest> proposals,
                                         const ClusterFacts& facts, std::int64_t now_ms) {
  std::vector<Decision> out;
  expire(now_ms, out);
  shadow_.clear_in_flight();  // dry-run actions are taken to end within their tick

  std::vector<WorkItem> work;
  work.reserve(proposals.size());
  for (const auto& p : proposals) work.push_back({&p, false});
  for (const auto& [deadline, id] : deadlines_) {
    const auto& e = real_.state.actions.find(id)->second;
    if (e.state == ActionState::Approved) work.push_back({e.request.get(), true});
  }
  std::sort(work.begin(), work.end(), runs_before);

  out.reserve(out.size() + work.size());
  for (const auto& item : work)
    out.push_back(decide_one(*item.request, item.from_approval, facts, now_ms));
  return out;
}

Decision Gatekeeper::decide_one(const ActionRequest& r, bool from_approval,
                                const ClusterFacts& facts, std::int64_t now_ms) {
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
      d.reason = duplicate_reason(e, now_ms);
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
      d.reason = "an earlier dry run let the same id through";
      return d;
    }
  }

  GateInput in(r);
  GateContext context{config_, facts, real_, dry ? &shadow_ : nullptr, now_ms};
  std::optional<Gate> first_block;
  for (std::size_t g = 0; g < kGateCount; ++g) {
    auto gate = static_cast<Gate>(g);
    auto& verdict = d.gates[g];
    verdict.verdict = check_gate(gate, in, context, approved_ms, verdict.reason);
    if (verdict.verdict != Verdict::Blocked) continue;
    if (!first_block) first_block = gate;
    if (!dry || gate == Gate::Mode) break;  // a dry run runs every gate: it tells the truth
  }
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
  while (!deadlines_.empty() && deadlines_.begin()->first <= now_ms) {
    std::string id = deadlines_.begin()->second;
    deadlines_.erase(deadlines_.begin());
    auto it = real_.state.actions.find(id);
    if (it == real_.state.actions.end()) continue;
    auto& e = it->second;
    if (e.state == ActionState::Pending || e.state == ActionState::Approved) {
      Decision d;
      d.request = e.request.get();
      d.time_ms = now_ms;
      d.outcome = Outcome::Expired;
      d.reason = "approval requested " + ago(e.decided_ms, now_ms) + " expired";
      d.gates[static_cast<std::size_t>(Gate::Approval)] = {Verdict::Blocked, d.reason};
      set_state(it->first, e, ActionState::Expired, 0, now_ms);
      out.push_back(std::move(d));
    } else if (e.state == ActionState::InFlight) {
      finish(it->first, e, ActionState::Failed, now_ms);  // no result in time
    }
  }
}

void Gatekeeper::set_state(const std::string& id, ActionEntry& e, ActionState state,
                           std::int64_t deadline_ms, std::int64_t now_ms) {
  if (is_open(e.state)) {
    deadlines_.erase({e.deadline_ms, id});
    retries_.erase({e.deadline_ms, id});
  }
  e.state = state;
  e.updated_ms = now_ms;
  e.deadline_ms = deadline_ms;
  if (state == ActionState::Retrying)
    retries_.emplace(deadline_ms, id);
  else if (is_open(state))
    deadlines_.emplace(deadline_ms, id);
}

void Gatekeeper::finish(const std::string& id, ActionEntry& e, ActionState state,
                        std::int64_t now_ms) {
  if (holds_budget(e.state) && e.request)
    real_.count_in_flight(*e.request, workload_key(e.request->target), -1);
  set_state(id, e, state, 0, now_ms);
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
  if (status == ExecutionStatus::Success) {
    finish(it->first, e, ActionState::Succeeded, now_ms);
  } else if (auto next = next_attempt_at(config_.retry, status, e.attempts, now_ms)) {
    set_state(it->first, e, ActionState::Retrying, *next, now_ms);
    return {true, e.state, *next};
  } else {
    finish(it->first, e, ActionState::Failed, now_ms);
  }
  return {true, e.state, 0};
}

std::vector<const ActionRequest*> Gatekeeper::start_due_retries(std::int64_t now_ms) {
  std::vector<const ActionRequest*> out;
  std::vector<std::string> due;
  for (auto it = retries_.begin(); it != retries_.end() && it->first <= now_ms; ++it)
    due.push_back(it->second);
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

ApproveResult Gatekeeper::approve(std::string_view id, std::int64_t now_ms) {
  auto it = real_.state.actions.find(id);
  if (it == real_.state.actions.end()) return ApproveResult::Unknown;
  auto& e = it->second;
  switch (e.state) {
    case ActionState::Pending:
      if (e.deadline_ms <= now_ms) return ApproveResult::Expired;  // decide() records it
      set_state(it->first, e, ActionState::Approved, e.deadline_ms, now_ms);
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
  for (const auto& [deadline, id] : deadlines_) {
    const auto& e = real_.state.actions.find(id)->second;
    if (e.state == ActionState::Pending || e.state == ActionState::Approved)
      out.push_back({e.request.get(), e.state, e.decided_ms, e.deadline_ms});
  }
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
