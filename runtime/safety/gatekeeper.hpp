// The safety runtime's core: every proposal of a tick goes through the gates, in priority
// order, and comes out with a decision; what is let through reserves its budget at once, so
// caps hold exactly however many proposals arrive together. Results of execution and human
// approvals feed back. Time is always an argument.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "runtime/safety/cluster_facts.hpp"
#include "runtime/safety/config.hpp"
#include "runtime/safety/deadline_queue.hpp"
#include "runtime/safety/decision.hpp"
#include "runtime/safety/gates.hpp"
#include "runtime/safety/ledger.hpp"
#include "runtime/safety/retry.hpp"

namespace skippy::safety {

enum class ApproveResult : std::uint8_t {
  Approved,         // it runs at the next decide() the other gates allow
  AlreadyApproved,  // nothing changed
  Expired,          // too late: the approval window closed
  NotPending,       // the id is known but does not wait for approval (executed, blocked, ...)
  Unknown,          // no such id
};
const char* approve_result_name(ApproveResult result);

// What record_result did.
struct ResultEffect {
  bool applied = false;                     // the id was in flight and took the result
  ActionState state = ActionState::Failed;  // the action's state after it
  std::int64_t retry_at_ms = 0;             // Retrying: when start_due_retries() returns it
};

struct PendingApproval {
  const ActionRequest* request = nullptr;
  ActionState state = ActionState::Pending;  // Pending or Approved
  std::int64_t requested_ms = 0;
  std::int64_t expires_ms = 0;
};

class Gatekeeper {
 public:
  // Starts from `state`, as loaded from the journal (or empty on a first start). An action not
  // yet ended must have its request (the journal ensures it); one without counts as failed.
  explicit Gatekeeper(SafetyConfig config, SafetyState state = {});

  // Decides about the proposals of one tick at now, and about approved actions waiting to run:
  // sorted by priority (lower first), then policy, target, action and id. Actions whose
  // approval expired come first, as Expired decisions. O(1) amortised per proposal beyond the
  // sort.
  std::vector<Decision> decide(std::span<const ActionRequest> proposals, const ClusterFacts& facts,
                               std::int64_t now_ms);

  // The result of executing action `id` (decided Execute, or returned by start_due_retries).
  // Success and failure release its in-flight budget; failures count toward the circuit
  // breaker; a transient failure is retried as config().retry says, holding its budget.
  ResultEffect record_result(std::string_view id, ExecutionStatus status, std::int64_t now_ms);

  // The actions whose retry is due at now, in flight again from now on. A destructive retry
  // waits while the circuit breaker is open.
  std::vector<const ActionRequest*> start_due_retries(std::int64_t now_ms);

  ApproveResult approve(std::string_view id, std::int64_t now_ms);
  // Actions waiting for approval, or approved and waiting for the gates; oldest deadline first.
  std::vector<PendingApproval> pending() const;

  const ActionEntry* find(std::string_view id) const;
  bool breaker_open(std::int64_t now_ms) const;
  const SafetyConfig& config() const { return config_; }
  // What the journal saves.
  const SafetyState& state() const { return real_.state; }

 private:
  Decision decide_one(const ActionRequest& request, bool from_approval, const ClusterFacts& facts,
                      std::int64_t now_ms);
  void expire(std::int64_t now_ms, std::vector<Decision>& out);
  void set_state(const std::string& id, ActionEntry& entry, ActionState state,
                 std::int64_t deadline_ms, std::int64_t now_ms);
  void finish(const std::string& id, ActionEntry& entry, ActionState state, std::int64_t now_ms);
  // `text` as a string shared with the tick's other decisions that have the same.
  std::shared_ptr<const std::string> shared_text(std::string_view text);
  // The entry a queued (deadline, id) stood for, if it still stands: the same deadline, and a
  // retry (or not) as asked.
  const ActionEntry* holds(const DeadlineQueue::Entry& queued, bool retry) const;

  SafetyConfig config_;
  Ledger real_;
  Ledger shadow_;            // what dry runs would have used up: never journaled
  DeadlineQueue deadlines_;  // pending, approved and in-flight actions: expiry and timeout
  DeadlineQueue retries_;    // retrying actions: the next attempt
  std::vector<std::string> approved_;  // ids approved, waiting for the gates (some maybe not)
  KeyScratch scratch_;
  // This tick's decision texts, by their own text.
  std::unordered_map<std::string_view, std::shared_ptr<const std::string>> texts_;
  std::int64_t next_sweep_ms_ = 0;
};

}  // namespace skippy::safety
