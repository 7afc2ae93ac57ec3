// When a call to a model may go out: at most N calls and M tokens in any hour, never before
// a Retry-After the server asked for has passed, and not while the breaker is open (an
// exhausted quota opens it for an hour; five failures in a row, for five minutes; after
// that, one call decides: an answer closes it, a failure opens it again). Time is an
// argument (the tick's clock), so tests run at fixed timestamps.
#pragma once

#include <cstdint>
#include <deque>
#include <string>

namespace skippy::model {

struct BudgetLimits {
  std::int64_t calls_per_hour = 120;      // 0: no limit
  std::int64_t tokens_per_hour = 200000;  // 0: no limit
};

inline constexpr std::int64_t kQuotaBreakerMs = 3'600'000;
inline constexpr std::int64_t kFailureBreakerMs = 300'000;
inline constexpr int kFailuresToOpen = 5;

class CallBudget {
 public:
  explicit CallBudget(BudgetLimits limits = {}) : limits_(limits) {}

  // Why no call may go out at `now_ms` (a short phrase, and `code` the metrics' reason:
  // budget_calls, budget_tokens, retry_after, breaker), or "" when one may.
  std::string refusal(std::int64_t now_ms, std::string* code = nullptr) const;

  void record_call(std::int64_t now_ms);
  void record_tokens(std::int64_t now_ms, std::int64_t tokens);
  void retry_after(std::int64_t now_ms, std::int64_t wait_ms);
  void quota_exhausted(std::int64_t now_ms);
  void failure(std::int64_t now_ms);  // no usable response
  void success();                     // a response came (whatever the answer said)

  std::int64_t calls_left(std::int64_t now_ms) const;   // -1 without a limit
  std::int64_t tokens_left(std::int64_t now_ms) const;  // -1 without a limit

 private:
  struct Spent {
    std::int64_t at_ms;
    std::int64_t tokens;  // 0 for a call
  };
  std::int64_t in_last_hour(const std::deque<Spent>& list, std::int64_t now_ms,
                            bool count_tokens) const;
  void forget_before(std::int64_t now_ms);

  BudgetLimits limits_;
  std::deque<Spent> calls_;
  std::deque<Spent> tokens_;
  std::int64_t retry_until_ms_ = 0;
  std::int64_t open_until_ms_ = 0;
  std::string open_why_;
  int failures_ = 0;
};

}  // namespace skippy::model
