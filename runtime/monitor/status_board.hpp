// What the status page shows, as the last tick left it: each policy's health and its
// triggers' states per target, the newest decisions (their audit records), and whether this
// replica leads. The tick thread publishes a snapshot after each tick; the web server's
// threads read a copy. Plain data only: nothing in it points into the engine.
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace skippy::monitor {

// One trigger's state for one target that is not inactive.
struct TargetState {
  std::string target;         // "ns/name" or "Kind/ns/name"
  std::string phase;          // pending, firing or clearing
  std::int64_t since_ms = 0;  // pending: the condition has held since; else: firing since
};

struct TriggerStatus {
  std::string name;
  std::string source;                // "FILE:LINE"
  std::vector<TargetState> targets;  // the targets it is not inactive for
};

struct PolicyStatus {
  std::string name;
  std::string source;  // "FILE:LINE"
  std::string mode;
  bool evaluated = false;  // at the tick published with it
  bool healthy = true;
  std::string last_error;
  std::int64_t last_evaluation_ms = 0;  // 0: never evaluated
  std::size_t targets = 0;
  std::vector<TriggerStatus> triggers;
};

// One decision about a proposal: its audit record and what the list shows of it.
struct DecisionStatus {
  std::string id, time, policy, trigger, action, target, outcome;
  // The gates in short: "all 10 passed", or each gate that did not pass with its verdict
  // ("cooldown blocked").
  std::string gates;
  std::string record;                  // the decision record (JSON)
  std::vector<std::string> followups;  // its execution and health-check records, in order
};

// An action that has not ended: waiting for approval (pending, approved) or holding its
// budget (in-flight, retrying, verifying).
struct OpenAction {
  std::string id, state, policy, action, target;
  std::int64_t since_ms = 0;     // when it entered its state
  std::int64_t deadline_ms = 0;  // approval expiry, timeout, next attempt or health deadline
  std::uint32_t attempts = 0;
};

// A cooldown still running: "policy/action/Kind/namespace/name" (per target) or a policy.
struct Cooldown {
  std::string key;
  std::int64_t until_ms = 0;
};

// The safety runtime's state after the tick.
struct SafetyStatus {
  bool breaker_open = false;
  std::int64_t breaker_open_until_ms = 0;
  std::vector<OpenAction> actions;  // by deadline
  std::vector<Cooldown> cooldowns;  // by key
};

enum class Leadership { NoElection, Leading, StandingBy };
const char* leadership_name(Leadership l);  // "no election", "leading", "standing by"

struct StatusSnapshot {
  std::int64_t time_ms = 0;  // the tick's; 0 before the first
  Leadership leadership = Leadership::NoElection;
  std::vector<PolicyStatus> policies;
  SafetyStatus safety;
  std::deque<DecisionStatus> decisions;  // oldest first, at most the board's limit
  // The decision with this id (or the only one it is a prefix of), if it is kept.
  const DecisionStatus* decision(std::string_view id) const;
};

class StatusBoard {
 public:
  explicit StatusBoard(std::size_t max_decisions = 200) : max_decisions_(max_decisions) {}

  // After a tick at `now_ms`: the policies as it left them (a policy not evaluated keeps its
  // previous last evaluation time), and the audit records it wrote, in order: decision
  // records join the list (the oldest leave past the limit), execution and health-check
  // records join their decision's.
  void publish(std::int64_t now_ms, std::vector<PolicyStatus> policies, Leadership leadership,
               const std::vector<std::string>& audit_records, SafetyStatus safety = {});

  StatusSnapshot snapshot() const;  // a copy, from any thread

 private:
  mutable std::mutex mutex_;
  StatusSnapshot current_;
  std::size_t max_decisions_;
};

}  // namespace skippy::monitor
