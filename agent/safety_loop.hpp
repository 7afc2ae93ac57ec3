// The safety side of a tick, the same for `skippy run`, `skippy test` and `skippy replay`:
// the gatekeeper, its journal, the executor and the approvals API, behind one lock (approvals
// arrive on the web server's threads while ticks run on the main one). Each tick: decide,
// save the journal, execute, save it again, so that a crash between deciding and executing
// can neither repeat an action nor forget a cooldown.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>

#include "agent/journal_store.hpp"
#include "agent/sinks.hpp"
#include "runtime/alerting/alertmanager.hpp"
#include "runtime/cluster/cluster_view.hpp"
#include "runtime/engine/advisor.hpp"
#include "runtime/monitor/self_metrics.hpp"
#include "runtime/safety/action_records.hpp"
#include "runtime/safety/executor.hpp"
#include "runtime/safety/gatekeeper.hpp"

namespace skippy::agent {

class SafetyLoop final : public monitor::ApprovalDesk, public engine::OutcomeSource {
 public:
  // Starts from the journal kept in `journal` (none: the safety state lives in this object
  // only); a journal that cannot be read is an error (the state it holds is never silently
  // dropped). Without an executor every decision is a dry run. `clock` stamps approvals (Unix
  // milliseconds). The log and the audit of `sinks` take what the loop does.
  static std::unique_ptr<SafetyLoop> open(safety::SafetyConfig config,
                                          std::unique_ptr<JournalStore> journal,
                                          std::unique_ptr<safety::Executor> executor,
                                          std::function<std::int64_t()> clock, Sinks sinks,
                                          std::string& error);

  // What became of one tick's proposals.
  struct TickOutcome {
    std::vector<safety::HealthVerdict> verdicts;      // earlier actions' health checks
    std::vector<safety::Decision> decisions;          // one per proposal, in order
    std::vector<safety::ExecutionReport> executions;  // this tick's and due retries
    std::size_t failed = 0;                           // executions that did not succeed
  };
  // Decides about one tick's proposals at now, against the view, and carries out what is let
  // through (and the retries due). `write_decisions` writes the decisions (with their
  // proposals' context) to the audit before anything is executed.
  TickOutcome tick(std::span<const safety::ActionRequest> requests,
                   const cluster::ClusterView& view, std::int64_t now_ms,
                   const std::function<void(std::span<const safety::Decision>)>& write_decisions);

  std::string pending_json() override;
  std::pair<int, std::string> approve(std::string_view id) override;

  // Where actions are recorded in the cluster, and approved through their records; it must be
  // the executor's records (or null: no records).
  void set_records(safety::ActionRecords* records) { records_ = records; }
  // Takes over from another instance: adopts the actions recorded in the cluster (their
  // cooldowns and rate windows), then saves the journal.
  safety::AdoptSummary adopt_recorded(std::int64_t now_ms);

  bool executes() const { return executor_ != nullptr; }

  // The Alertmanagers whose active silences the silence gate checks, asked once per tick that
  // has something to decide; with `notify_decisions` every action executed or blocked is sent
  // to them as an alert. Null (the default): no Alertmanager.
  void set_alertmanagers(const alerting::Alertmanagers* alertmanagers, bool notify_decisions) {
    alertmanagers_ = alertmanagers;
    notify_decisions_ = notify_decisions;
  }
  // What the status page shows of the safety state at now: the circuit breaker, the actions
  // not ended, the cooldowns still running.
  monitor::SafetyStatus status(std::int64_t now_ms) const;

  // The outcome ledger, for outcomes() in policies and for the analyzer.
  engine::OutcomeStats outcomes(std::string_view policy, std::string_view action,
                                std::string_view workload_key, std::int64_t within_ms,
                                std::int64_t now_ms) const override;
  // Every (policy, action) of the ledger with its counts over the window, for /metrics.
  std::vector<monitor::RuntimeMetrics::ActionOutcomes> outcome_totals(std::int64_t within_ms,
                                                                      std::int64_t now_ms) const;

 private:
  SafetyLoop(safety::SafetyConfig config, safety::SafetyState state,
             std::unique_ptr<JournalStore> journal, std::unique_ptr<safety::Executor> executor,
             std::function<std::int64_t()> clock, Sinks sinks);
  // With notify_decisions, sends the tick's executed and blocked actions to the Alertmanagers.
  void alert_decisions(const TickOutcome& out, std::int64_t now_ms);
  // Saves the journal if there is one; false (logged) when it could not be written.
  bool save();

  mutable std::mutex mutex_;
  safety::Gatekeeper gatekeeper_;
  std::unique_ptr<JournalStore> journal_;
  std::unique_ptr<safety::Executor> executor_;
  std::function<std::int64_t()> clock_;
  Sinks sinks_;
  safety::ActionRecords* records_ = nullptr;
  const alerting::Alertmanagers* alertmanagers_ = nullptr;
  bool notify_decisions_ = false;
};

}  // namespace skippy::agent
