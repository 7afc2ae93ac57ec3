#include "agent/safety_loop.hpp"

#include <algorithm>
#include <map>
#include <tuple>

#include "agent/alerting.hpp"
#include "base/json_escape.hpp"
#include "base/time_format.hpp"
#include "runtime/safety/decision_record.hpp"

namespace skippy::agent {
namespace {

// Whether a decision changed what the journal holds (an action let through, waiting,
// expired); duplicates and blocks only touch what can be recomputed.
bool journaled(const safety::Decision& d) {
  return d.outcome == safety::Outcome::Execute || d.outcome == safety::Outcome::AwaitingApproval ||
         d.outcome == safety::Outcome::Expired;
}

// Feeds skippy_time_to_heal_seconds with an action that healed at healed_ms, measured from
// its trigger's firing.
void record_heal(monitor::RuntimeMetrics* metrics, const safety::ActionRequest& request,
                 std::int64_t healed_ms) {
  if (!metrics || request.fired_at_ms <= 0 || healed_ms < request.fired_at_ms) return;
  metrics->record_heal(request.policy, request.action,
                       std::chrono::milliseconds(healed_ms - request.fired_at_ms));
}

}  // namespace

std::unique_ptr<SafetyLoop> SafetyLoop::open(safety::SafetyConfig config,
                                             std::unique_ptr<JournalStore> journal,
                                             std::unique_ptr<safety::Executor> executor,
                                             std::function<std::int64_t()> clock, Sinks sinks,
                                             std::string& error) {
  safety::SafetyState state;
  if (journal) {
    bool found = false;
    auto loaded = journal->load(found, error);
    if (!loaded) return nullptr;
    if (found) {
      sinks.info("safety journal " + journal->where() + ": " +
                 std::to_string(loaded->actions.size()) + " actions, " +
                 std::to_string(loaded->target_cooldowns.size()) + " cooldowns");
    }
    state = std::move(*loaded);
  }
  if (!executor) config.dry_run = true;
  return std::unique_ptr<SafetyLoop>(new SafetyLoop(std::move(config), std::move(state),
                                                    std::move(journal), std::move(executor),
                                                    std::move(clock), std::move(sinks)));
}

SafetyLoop::SafetyLoop(safety::SafetyConfig config, safety::SafetyState state,
                       std::unique_ptr<JournalStore> journal,
                       std::unique_ptr<safety::Executor> executor,
                       std::function<std::int64_t()> clock, Sinks sinks)
    : gatekeeper_(std::move(config), std::move(state)),
      journal_(std::move(journal)),
      executor_(std::move(executor)),
      clock_(std::move(clock)),
      sinks_(std::move(sinks)) {}

bool SafetyLoop::save() {
  if (!journal_) return true;
  if (auto problem = journal_->save(gatekeeper_.state())) {
    sinks_.error("cannot save the safety journal " + journal_->where() + ": " + *problem);
    return false;
  }
  return true;
}

SafetyLoop::TickOutcome SafetyLoop::tick(
    std::span<const safety::ActionRequest> requests, const cluster::ClusterView& view,
    std::int64_t now_ms,
    const std::function<void(std::span<const safety::Decision>)>& write_decisions) {
  std::lock_guard lock(mutex_);
  TickOutcome out;
  // The cluster's facts cost a pass over every pod: only when something is to be decided.
  safety::ClusterFacts facts;
  if (!requests.empty() || gatekeeper_.verifying() || gatekeeper_.awaiting_approval())
    facts = safety::cluster_facts(view);
  // Earlier actions whose targets had to become ready again: done, or failed.
  out.verdicts = gatekeeper_.check_health(facts, now_ms);
  for (const auto& v : out.verdicts) {
    if (records_) records_->verdict(v);
    sinks_.audit_record(safety::health_record(v));
    std::string line = v.request->action + " " + safety::target_key(v.request->target) +
                       " (policy " + v.request->policy + "): " + v.reason;
    if (v.state == safety::ActionState::Succeeded) {
      record_heal(sinks_.metrics, *v.request, v.time_ms);
      sinks_.info("health check passed: " + line);
    } else {
      sinks_.warn("health check failed: " + line);
    }
  }
  // Approvals given on the actions' records since the last tick.
  if (records_ && gatekeeper_.awaiting_approval()) {
    for (const auto& a : records_->approvals()) {
      if (gatekeeper_.approve(a.id, now_ms) != safety::ApproveResult::Approved) continue;
      sinks_.info("action " + a.id + " approved by " + a.approved_by + " on its HealingAction");
      if (const auto* e = gatekeeper_.find(a.id); e && e->request)
        records_->approved(*e->request, a.approved_by, now_ms);
    }
  }
  // The Alertmanagers' silences, asked once for the tick's decisions.
  safety::SilenceView silences;
  if (alertmanagers_ && (!requests.empty() || gatekeeper_.awaiting_approval())) {
    silences = alertmanagers_->silences();
    if (silences.answered < silences.asked)
      sinks_.warn("alertmanager silences: " + silences.problem);
  }
  out.decisions = gatekeeper_.decide(requests, facts, now_ms, silences);
  if (write_decisions) write_decisions(out.decisions);
  const auto& decisions = out.decisions;
  if (records_) {
    for (const auto& d : decisions) {
      if (d.outcome == safety::Outcome::AwaitingApproval)
        records_->awaiting_approval(*d.request, now_ms, now_ms);
      else if (d.outcome == safety::Outcome::Expired)
        records_->expired(*d.request, now_ms);
    }
  }
  bool changed = !out.verdicts.empty();
  for (const auto& d : decisions) changed = changed || journaled(d);
  if (!executor_) {
    if (changed) save();
    alert_decisions(out, now_ms);
    return out;
  }
  auto& reports = out.executions;
  bool any_execute = false;
  for (const auto& d : decisions)
    any_execute = any_execute || d.outcome == safety::Outcome::Execute;
  if (changed && !save() && any_execute) {
    // Executing now could repeat after a crash what the lost journal would have prevented:
    // the actions fail instead, and count toward the circuit breaker.
    for (const auto& d : decisions) {
      if (d.outcome != safety::Outcome::Execute) continue;
      safety::ExecutionReport report;
      report.request = d.request;
      report.time_ms = now_ms;
      report.result = {safety::ExecutionStatus::PermanentFailure,
                       "not executed: the safety journal could not be saved"};
      report.effect = gatekeeper_.record_result(d.request->id, report.result.status, now_ms);
      reports.push_back(std::move(report));
    }
  } else {
    reports = safety::execute_decisions(decisions, *executor_, gatekeeper_, now_ms);
  }
  auto retries = safety::execute_due_retries(*executor_, gatekeeper_, now_ms);
  reports.insert(reports.end(), std::make_move_iterator(retries.begin()),
                 std::make_move_iterator(retries.end()));
  for (const auto& report : reports) {
    bool ok = report.result.status == safety::ExecutionStatus::Success;
    out.failed += ok ? 0 : 1;
    sinks_.audit_record(safety::execution_record(report));
    if (sinks_.metrics)
      sinks_.metrics->record_execution(report.request->policy, report.request->action,
                                       safety::execution_status_name(report.result.status));
    // Healed at once where no health check applies; otherwise when check_health says so.
    if (report.effect.applied && report.effect.state == safety::ActionState::Succeeded)
      record_heal(sinks_.metrics, *report.request, report.time_ms);
    std::string line =
        report.request->action + " " + safety::target_key(report.request->target) + " (policy " +
        report.request->policy + ", attempt " + std::to_string(report.attempt) +
        "): " + safety::execution_status_name(report.result.status) + ": " + report.result.message;
    if (ok) {
      sinks_.info("executed " + line);
    } else {
      sinks_.warn("execution failed: " + line);
    }
  }
  sinks_.audit_flush();
  if (!reports.empty()) save();
  alert_decisions(out, now_ms);
  return out;
}

void SafetyLoop::alert_decisions(const TickOutcome& out, std::int64_t now_ms) {
  if (!alertmanagers_ || !notify_decisions_) return;
  auto alerts = decision_alerts(out.decisions, out.executions, now_ms,
                                alertmanagers_->options().generator_url);
  if (alerts.empty()) return;
  if (std::string problem = alertmanagers_->post(alerts); !problem.empty())
    sinks_.warn("cannot tell Alertmanager of " + std::to_string(alerts.size()) +
                " decisions: " + problem);
}

safety::AdoptSummary SafetyLoop::adopt_recorded(std::int64_t now_ms) {
  std::lock_guard lock(mutex_);
  if (!records_) return {};
  auto summary = records_->adopt_from(gatekeeper_, now_ms);
  if (summary.adopted > 0) save();
  return summary;
}

monitor::SafetyStatus SafetyLoop::status(std::int64_t now_ms) const {
  std::lock_guard lock(mutex_);
  const auto& state = gatekeeper_.state();
  monitor::SafetyStatus out;
  out.breaker_open = gatekeeper_.breaker_open(now_ms);
  out.breaker_open_until_ms = state.breaker_open_until_ms;
  for (const auto& [id, entry] : state.actions) {
    if (!safety::is_open(entry.state) || !entry.request) continue;
    const auto& r = *entry.request;
    out.actions.push_back({id, safety::action_state_name(entry.state), r.policy, r.action,
                           safety::target_key(r.target), entry.updated_ms, entry.deadline_ms,
                           entry.attempts});
  }
  std::sort(out.actions.begin(), out.actions.end(), [](const auto& a, const auto& b) {
    return std::tie(a.deadline_ms, a.id) < std::tie(b.deadline_ms, b.id);
  });
  for (const auto* cooldowns : {&state.target_cooldowns, &state.policy_cooldowns})
    for (const auto& [key, until] : *cooldowns)
      if (until > now_ms) out.cooldowns.push_back({key, until});
  std::sort(out.cooldowns.begin(), out.cooldowns.end(),
            [](const auto& a, const auto& b) { return a.key < b.key; });
  return out;
}

std::string SafetyLoop::pending_json() {
  std::lock_guard lock(mutex_);
  std::string out = "{\"pending\":[";
  bool first = true;
  for (const auto& p : gatekeeper_.pending()) {
    const auto& r = *p.request;
    out += first ? "{" : ",{";
    first = false;
    out += "\"id\":\"" + base::json_escape(r.id) + "\"";
    out += ",\"policy\":\"" + base::json_escape(r.policy) + "\"";
    out += ",\"trigger\":\"" + base::json_escape(r.trigger) + "\"";
    out += ",\"action\":\"" + base::json_escape(r.action) + "\"";
    out += ",\"target\":\"" + base::json_escape(safety::target_key(r.target)) + "\"";
    out += ",\"state\":\"" + std::string(safety::action_state_name(p.state)) + "\"";
    out += ",\"requested\":\"" + base::format_time(p.requested_ms) + "\"";
    out += ",\"expires\":\"" + base::format_time(p.expires_ms) + "\"}";
  }
  return out + "]}";
}

std::pair<int, std::string> SafetyLoop::approve(std::string_view id) {
  std::lock_guard lock(mutex_);
  auto result = gatekeeper_.approve(id, clock_());
  int status = 409;
  if (result == safety::ApproveResult::Approved) {
    status = 200;
    save();
    sinks_.info("action " + std::string(id) +
                " approved: it runs at the next tick the gates allow");
  } else if (result == safety::ApproveResult::AlreadyApproved) {
    status = 200;
  } else if (result == safety::ApproveResult::Unknown) {
    status = 404;
  }
  return {status, "{\"id\":\"" + base::json_escape(id) + "\",\"result\":\"" +
                      safety::approve_result_name(result) + "\"}"};
}

}  // namespace skippy::agent

namespace skippy::agent {
namespace {

engine::OutcomeStats stats_of(const safety::OutcomeCounts& c) {
  return {c.attempts, c.healed, c.failed, c.recurred, c.recovery_ms_total};
}

}  // namespace

engine::OutcomeStats SafetyLoop::outcomes(std::string_view policy, std::string_view action,
                                          std::string_view workload_key, std::int64_t within_ms,
                                          std::int64_t now_ms) const {
  std::lock_guard lock(mutex_);
  return stats_of(
      gatekeeper_.state().outcomes.counts(policy, action, workload_key, within_ms, now_ms));
}

std::vector<monitor::RuntimeMetrics::ActionOutcomes> SafetyLoop::outcome_totals(
    std::int64_t within_ms, std::int64_t now_ms) const {
  std::lock_guard lock(mutex_);
  std::map<std::pair<std::string, std::string>, safety::OutcomeCounts> totals;
  for (const auto& [key, records] : gatekeeper_.state().outcomes.records) {
    const std::string policy = key.substr(0, key.find('\x1f'));
    for (const auto& r : records) {
      if (r.ended_ms < now_ms - within_ms || r.ended_ms > now_ms) continue;
      safety::tally(totals[{policy, r.action}], r);
    }
  }
  std::vector<monitor::RuntimeMetrics::ActionOutcomes> out;
  for (const auto& [key, c] : totals) out.push_back({key.first, key.second, stats_of(c)});
  return out;
}

}  // namespace skippy::agent
