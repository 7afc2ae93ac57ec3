#include "runtime/safety/retry.hpp"

#include <algorithm>

namespace skippy::safety {

const char* execution_status_name(ExecutionStatus status) {
  switch (status) {
    case ExecutionStatus::Success:
      return "success";
    case ExecutionStatus::TransientFailure:
      return "transient-failure";
    case ExecutionStatus::PermanentFailure:
      return "permanent-failure";
  }
  return "?";
}

std::optional<std::int64_t> retry_delay(const RetryPolicy& policy, ExecutionStatus status,
                                        std::uint32_t attempt) {
  if (status != ExecutionStatus::TransientFailure) return std::nullopt;
  if (attempt == 0 || attempt >= policy.max_attempts) return std::nullopt;
  std::int64_t delay = std::max<std::int64_t>(policy.base_delay_ms, 0);
  for (std::uint32_t i = 1; i < attempt && delay < policy.max_delay_ms; ++i) delay *= 2;
  return std::min(delay, policy.max_delay_ms);
}

std::optional<std::int64_t> next_attempt_at(const RetryPolicy& policy, ExecutionStatus status,
                                            std::uint32_t attempt, std::int64_t ended_ms) {
  auto delay = retry_delay(policy, status, attempt);
  if (!delay) return std::nullopt;
  return ended_ms + *delay;
}

}  // namespace skippy::safety
