// The safety side of `skippy run`: the gatekeeper, its journal, the executor and the
// approvals API, behind one lock (approvals arrive on the web server's threads while ticks
// run on the main one). Each tick: decide, save the journal, execute, save it again, so that
// a crash between deciding and executing can neither repeat an action nor forget a cooldown.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <ostream>
#include <span>
#include <string>

#include "k8s-adapter/healing_actions.hpp"
#include "runtime/cluster/cluster_view.hpp"
#include "runtime/monitor/self_metrics.hpp"
#include "runtime/safety/executor.hpp"
#include "runtime/safety/gatekeeper.hpp"

namespace skippy::cli {

class RunSafety final : public monitor::ApprovalDesk {
 public:
  // Starts from the journal at `journal_path` when one is given and exists; a journal that
  // cannot be read is an error (the state it holds is never silently dropped). Without an
  // executor every decision is a dry run. `clock` stamps approvals (Unix milliseconds).
  static std::unique_ptr<RunSafety> open(safety::SafetyConfig config, std::string journal_path,
                                         std::unique_ptr<safety::Executor> executor,
                                         std::function<std::int64_t()> clock, std::string& error);

  struct Writers {
    // Writes a tick's decisions (with their proposals' context) to the audit.
    std::function<void(std::span<const safety::Decision>)> decisions;
    std::ostream* audit = nullptr;  // execution records
    monitor::RuntimeMetrics* metrics = nullptr;
  };
  struct TickSummary {
    std::size_t executed = 0;  // executions, retries included
    std::size_t failed = 0;    // of which did not succeed
  };
  // Decides about one tick's proposals at now, against the view, and carries out what is let
  // through (and the retries due).
  TickSummary tick(std::span<const safety::ActionRequest> requests,
                   const cluster::ClusterView& view, std::int64_t now_ms, const Writers& out);

  std::string pending_json() override;
  std::pair<int, std::string> approve(std::string_view id) override;

  // Where actions are recorded in the cluster, and approved through their objects; it must be
  // the executor's HealingActions (or null: no records).
  void set_records(k8s::HealingActions* records) { records_ = records; }
  // Takes over from another instance: adopts the actions recorded in the cluster (their
  // cooldowns and rate windows), then saves the journal.
  k8s::AdoptSummary adopt_recorded(std::int64_t now_ms);

  bool executes() const { return executor_ != nullptr; }

 private:
  RunSafety(safety::SafetyConfig config, safety::SafetyState state, std::string journal_path,
            std::unique_ptr<safety::Executor> executor, std::function<std::int64_t()> clock);
  // Saves the journal if there is one; false (logged) when it could not be written.
  bool save();

  std::mutex mutex_;
  safety::Gatekeeper gatekeeper_;
  std::string journal_path_;
  std::unique_ptr<safety::Executor> executor_;
  std::function<std::int64_t()> clock_;
  k8s::HealingActions* records_ = nullptr;
};

}  // namespace skippy::cli
