#include "runtime/safety/executor.hpp"

#include <algorithm>

#include "runtime/safety/gatekeeper.hpp"

namespace skippy::safety {

ExecutionStatus classify_http_status(int status) {
  if (status >= 200 && status < 300) return ExecutionStatus::Success;
  if (status == 0 || status == 408 || status == 429) return ExecutionStatus::TransientFailure;
  if (status >= 500 && status < 600 && status != 501 && status != 505)
    return ExecutionStatus::TransientFailure;
  return ExecutionStatus::PermanentFailure;
}

void RecordingExecutor::script(std::string_view id, std::vector<ExecutionStatus> statuses) {
  auto& queue = scripts_[std::string(id)];
  queue.insert(queue.end(), statuses.begin(), statuses.end());
}

ExecutionResult RecordingExecutor::execute(const ActionRequest& request, std::int64_t now_ms) {
  calls_.push_back({request.id, request.action, target_key(request.target), now_ms});
  ExecutionResult result;
  auto it = scripts_.find(request.id);
  if (it != scripts_.end() && !it->second.empty()) {
    result.status = it->second.front();
    it->second.pop_front();
    if (result.status != ExecutionStatus::Success)
      result.message = std::string("scripted ") + execution_status_name(result.status);
  }
  return result;
}

std::size_t RecordingExecutor::calls_of(std::string_view id) const {
  return static_cast<std::size_t>(
      std::count_if(calls_.begin(), calls_.end(), [&](const Call& c) { return c.id == id; }));
}

namespace {

ExecutionReport execute_one(const ActionRequest& request, Executor& executor,
                            Gatekeeper& gatekeeper, std::int64_t now_ms) {
  ExecutionReport report;
  report.request = &request;
  report.time_ms = now_ms;
  const ActionEntry* entry = gatekeeper.find(request.id);
  report.attempt = entry ? entry->attempts : 1;
  report.result = executor.execute(request, now_ms);
  report.effect = gatekeeper.record_result(request.id, report.result.status, now_ms);
  return report;
}

}  // namespace

std::vector<ExecutionReport> execute_decisions(std::span<const Decision> decisions,
                                               Executor& executor, Gatekeeper& gatekeeper,
                                               std::int64_t now_ms) {
  std::vector<ExecutionReport> out;
  for (const auto& d : decisions) {
    if (d.outcome == Outcome::Execute)
      out.push_back(execute_one(*d.request, executor, gatekeeper, now_ms));
  }
  return out;
}

std::vector<ExecutionReport> execute_due_retries(Executor& executor, Gatekeeper& gatekeeper,
                                                 std::int64_t now_ms) {
  std::vector<ExecutionReport> out;
  for (const auto* request : gatekeeper.start_due_retries(now_ms))
    out.push_back(execute_one(*request, executor, gatekeeper, now_ms));
  return out;
}

}  // namespace skippy::safety
