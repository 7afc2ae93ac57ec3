// How decided actions reach the cluster: an Executor runs one action and says whether it
// worked, and if not, whether asking again could help. The Kubernetes adapter implements it;
// RecordingExecutor records calls for tests.
#pragma once

#include <cstdint>
#include <deque>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/safety/action_request.hpp"
#include "runtime/safety/decision.hpp"
#include "runtime/safety/gatekeeper.hpp"
#include "runtime/safety/retry.hpp"
#include "runtime/safety/string_map.hpp"

namespace skippy::safety {

struct ExecutionResult {
  ExecutionStatus status = ExecutionStatus::Success;
  std::string message;  // what was done, or what went wrong: for the log and the audit
};

class Executor {
 public:
  virtual ~Executor() = default;
  // Runs the request's action (with its arguments) on its target, at now.
  virtual ExecutionResult execute(const ActionRequest& request, std::int64_t now_ms) = 0;
};

// An HTTP status as an execution status: 2xx success; no response (0), 408, 429 and 5xx but
// 501 and 505 transient; every other status permanent (a 4xx will not change by asking again).
ExecutionStatus classify_http_status(int status);

// Records every call; answers success unless told otherwise, per id, attempt by attempt.
class RecordingExecutor final : public Executor {
 public:
  struct Call {
    std::string id;
    std::string action;
    std::string target;  // target_key
    std::int64_t at_ms = 0;
  };

  // The statuses the next executions of `id` return, in order; success after them.
  void script(std::string_view id, std::vector<ExecutionStatus> statuses);
  ExecutionResult execute(const ActionRequest& request, std::int64_t now_ms) override;
  const std::vector<Call>& calls() const { return calls_; }
  std::size_t calls_of(std::string_view id) const;

 private:
  std::vector<Call> calls_;
  StringMap<std::deque<ExecutionStatus>> scripts_;
};

// One execution: the action, which attempt it was, what the executor said and what the
// gatekeeper made of it (succeeded, retrying at ..., failed).
struct ExecutionReport {
  const ActionRequest* request = nullptr;  // valid until the gatekeeper next changes
  std::uint32_t attempt = 1;
  std::int64_t time_ms = 0;
  ExecutionResult result;
  ResultEffect effect;
};

// Executes the decisions that say Execute and records each result with the gatekeeper. The
// runtime saves the journal before (so that a crash cannot repeat what was decided) and after.
std::vector<ExecutionReport> execute_decisions(std::span<const Decision> decisions,
                                               Executor& executor, Gatekeeper& gatekeeper,
                                               std::int64_t now_ms);

// Executes the retries due at now and records their results.
std::vector<ExecutionReport> execute_due_retries(Executor& executor, Gatekeeper& gatekeeper,
                                                 std::int64_t now_ms);

}  // namespace skippy::safety
