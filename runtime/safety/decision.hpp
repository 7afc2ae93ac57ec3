// What the gatekeeper decided about one proposal: every gate's verdict, in order, and the
// outcome. decision_record.hpp turns a decision into one JSON line.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "runtime/safety/action_request.hpp"

namespace skippy::safety {

// The gates, in the order they run.
enum class Gate : std::uint8_t {
  Mode,            // monitor records only; dryrun executes nothing; manual waits for approval
  Arguments,       // an argument unknown when proposed blocks
  Protected,       // protected namespaces, labels and annotations
  Silence,         // an active Alertmanager silence matches the action's alert labels
  Cooldown,        // per (policy, action, target) and per policy
  RateLimit,       // per policy (max_actions per window) and global (per hour), sliding
  BlastRadius,     // max_unavailable of the target's workload, counting actions in flight
  CircuitBreaker,  // open while too many targets are unhealthy or after repeated failures
  Concurrency,     // actions in flight: global, per workload, per policy
  Approval,        // manual mode or the policy's `approve`: waits for a human
};
inline constexpr std::size_t kGateCount = 10;
const char* gate_name(Gate gate);

enum class Verdict : std::uint8_t { NotReached, Passed, Blocked };
const char* verdict_name(Verdict verdict);

struct GateVerdict {
  Verdict verdict = Verdict::NotReached;
  std::string_view reason;  // why it blocked (some passes say on what grounds); views the decision
};

enum class Outcome : std::uint8_t {
  Execute,           // run it now: its budget is reserved
  DryRun,            // nothing runs; `would` says what would have happened
  Recorded,          // mode monitor
  AwaitingApproval,  // pending until approved or expired
  Blocked,           // by `blocked_by`
  Duplicate,         // the same id was already executed, is in flight or pending
  Expired,           // a pending (or approved) action's approval expired
};
const char* outcome_name(Outcome outcome);

// The gates' verdicts of one decision, and where each gate's reason lies in the decision's
// text. Recorded in gate order; a gate not recorded was not reached.
class GateLog {
 public:
  // Records gate g's verdict and appends its reason to `text`.
  void record(Gate g, Verdict verdict, std::string_view why, std::string& text);
  GateVerdict gate(Gate g, std::string_view text) const;
  // Where the recorded gates' reasons end in the text.
  std::size_t text_end() const { return recorded_ ? ends_[recorded_ - 1] : 0; }

 private:
  std::array<Verdict, kGateCount> verdicts_{};
  std::uint8_t recorded_ = 0;
  std::array<std::uint16_t, kGateCount> ends_{};  // gate g's reason ends here
};

struct Decision {
  // Points into the proposals passed to decide(), or into the gatekeeper's own copy for an
  // approved or expired action: valid until the next call that changes the gatekeeper.
  const ActionRequest* request = nullptr;
  std::int64_t time_ms = 0;
  Outcome outcome = Outcome::Blocked;
  Outcome would = Outcome::Execute;  // DryRun only: what would have happened
  Gate blocked_by = Gate::Mode;      // Blocked, and DryRun that would have been blocked

  GateVerdict gate(Gate g) const { return log_.gate(g, text()); }
  // Duplicate and Expired: why.
  std::string_view reason() const { return text().substr(log_.text_end()); }
  // The verdicts, and the text that holds their reasons followed by the decision's own reason.
  // A tick's decisions with the same text share one copy: a decision stays small.
  void set(const GateLog& log, std::shared_ptr<const std::string> text) {
    log_ = log;
    text_ = std::move(text);
  }

 private:
  std::string_view text() const { return text_ ? std::string_view(*text_) : std::string_view(); }
  GateLog log_;
  std::shared_ptr<const std::string> text_;
};

// "execute", "blocked:cooldown", "dry-run", ...; for a dry run, what it would have been is
// would_text.
std::string outcome_text(const Decision& decision);
std::string would_text(const Decision& decision);

}  // namespace skippy::safety
