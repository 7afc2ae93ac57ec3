// The safety runtime's core: every proposal of a tick goes through the gates, in priority
// order, and comes out with a decision; what is let through reserves its budget at once, so
// caps hold exactly however many proposals arrive together. Results of execution, human
// approvals and the health of targets after an action feed back. Time is always an argument.
#pragma once

#include <cstdint>
#include <memory>
#include <set>
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
#include "runtime/safety/health_check.hpp"
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
  bool applied = false;  // the id was in flight and took the result
  // The action's state after it: Verifying when it succeeded and its target must now become
  // ready (check_health says when it has), Succeeded when no health check applies.
  ActionState state = ActionState::Failed;
  std::int64_t retry_at_ms = 0;  // Retrying: when start_due_retries() returns it
};

// What check_health concluded about an action that waited for its target to be ready.
struct HealthVerdict {
  // The gatekeeper's copy: it stays valid whatever the gatekeeper does next.
  std::shared_ptr<const ActionRequest> request;
  ActionState state = ActionState::Failed;  // Succeeded or Failed
  std::int64_t time_ms = 0;                 // when the action took that state
  // "Deployment apps/web ready: 3/3 replicas", "Pod apps/a not ready within 5m".
  std::string reason;
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
  // `silences`: what the Alertmanagers said at this tick, for the silence gate.
  std::vector<Decision> decide(std::span<const ActionRequest> proposals, const ClusterFacts& facts,
                               std::int64_t now_ms, const SilenceView& silences = {});

  // The result of executing action `id` (decided Execute, or returned by start_due_retries).
  // Failure releases its in-flight budget and counts toward the circuit breaker; a transient
  // failure is retried as config().retry says, holding its budget. Success releases the
  // budget, unless the health check applies (health_checked()): the action is then Verifying,
  // and keeps its budget until check_health finds its target ready.
  ResultEffect record_result(std::string_view id, ExecutionStatus status, std::int64_t now_ms);

  // The health check after an action: every Verifying action whose initial delay has passed at
  // now, with its target healthy in `facts`, succeeds (its budget released); one at or past
  // its deadline fails, counting toward the circuit breaker. Returns the verdicts of the
  // actions decide() failed at their deadline since the last call, then these in id order.
  // O(actions verifying).
  std::vector<HealthVerdict> check_health(const ClusterFacts& facts, std::int64_t now_ms);

  // The actions whose retry is due at now, in flight again from now on. A destructive retry
  // waits while the circuit breaker is open.
  std::vector<const ActionRequest*> start_due_retries(std::int64_t now_ms);

  // Whether an action waits for its health check (check_health then needs the cluster's facts).
  bool verifying() const { return !verifying_.empty(); }

  // An action another instance of the runtime decided at decided_ms (read from the cluster's
  // records when this instance takes over): its cooldowns and rate windows count from then,
  // and its id is known, so proposing it again is a duplicate. It is recorded as ended, in
  // `state` (Succeeded or Failed), without counting toward this instance's circuit breaker.
  // False when the id is already known.
  bool adopt(const ActionRequest& request, ActionState state, std::int64_t decided_ms,
             std::int64_t now_ms);

  ApproveResult approve(std::string_view id, std::int64_t now_ms);
  // Actions waiting for approval, or approved and waiting for the gates; oldest deadline first.
  std::vector<PendingApproval> pending() const;
  // Whether pending() would list any: O(1).
  bool awaiting_approval() const { return awaiting_ > 0; }

  const ActionEntry* find(std::string_view id) const;
  bool breaker_open(std::int64_t now_ms) const;
  const SafetyConfig& config() const { return config_; }
  // What the journal saves.
  const SafetyState& state() const { return real_.state; }

 private:
  Decision decide_one(const ActionRequest& request, bool from_approval, const ClusterFacts& facts,
                      std::int64_t now_ms, const SilenceView& silences);
  void expire(std::int64_t now_ms, std::vector<Decision>& out);
  void set_state(const std::string& id, ActionEntry& entry, ActionState state,
                 std::int64_t deadline_ms, std::int64_t now_ms);
  void finish(const std::string& id, ActionEntry& entry, ActionState state, std::int64_t now_ms);
  // `text` as a string shared with the tick's other decisions that have the same.
  std::shared_ptr<const std::string> shared_text(std::string_view text);
  // Ends a Verifying action: Succeeded, or Failed with its target not ready by its deadline.
  HealthVerdict end_verifying(const std::string& id, ActionEntry& entry, ActionState state,
                              const TargetHealth& health, std::int64_t now_ms);
  // The entry a queued (deadline, id) stood for, if it still stands: the same deadline, and a
  // retry (or not) as asked.
  const ActionEntry* holds(const DeadlineQueue::Entry& queued, bool retry) const;

  SafetyConfig config_;
  Ledger real_;
  Ledger shadow_;            // what dry runs would have used up: never journaled
  DeadlineQueue deadlines_;  // pending, approved, in-flight and verifying actions: expiry, timeout
  DeadlineQueue retries_;    // retrying actions: the next attempt
  std::vector<std::string> approved_;  // ids approved, waiting for the gates (some maybe not)
  std::set<std::string, std::less<>> verifying_;  // ids Verifying, exactly
  std::vector<HealthVerdict> timed_out_;  // verifying actions expire() failed: for check_health
  KeyScratch scratch_;
  // This tick's decision texts, by their own text.
  std::unordered_map<std::string_view, std::shared_ptr<const std::string>> texts_;
  std::int64_t next_sweep_ms_ = 0;
  std::size_t awaiting_ = 0;  // actions Pending or Approved
};

}  // namespace skippy::safety
