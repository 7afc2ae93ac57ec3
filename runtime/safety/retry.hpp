// When to try a failed action again: only after a transient failure (a timeout, a 5xx, a 429),
// never after a permanent one (a 4xx that will not change by asking again). A pure function of
// the attempt number; time is an argument.
#pragma once

#include <cstdint>
#include <optional>

namespace skippy::safety {

enum class ExecutionStatus : std::uint8_t { Success, TransientFailure, PermanentFailure };
const char* execution_status_name(ExecutionStatus status);

struct RetryPolicy {
  std::uint32_t max_attempts = 3;      // attempts in all, the first included
  std::int64_t base_delay_ms = 1'000;  // before the second attempt
  std::int64_t max_delay_ms = 60'000;  // the delay doubles per attempt up to this
};

// The delay after attempt `attempt` (1 for the first) ended with `status`: base * 2^(attempt-1),
// at most max_delay_ms. Nothing when the action is not to be tried again: it succeeded, failed
// permanently, or used up max_attempts.
std::optional<std::int64_t> retry_delay(const RetryPolicy& policy, ExecutionStatus status,
                                        std::uint32_t attempt);

// The time of the next attempt after attempt `attempt` ended at `ended_ms`, if there is one.
std::optional<std::int64_t> next_attempt_at(const RetryPolicy& policy, ExecutionStatus status,
                                            std::uint32_t attempt, std::int64_t ended_ms);

}  // namespace skippy::safety
