#include "runtime/model/call_budget.hpp"

#include <algorithm>

namespace skippy::model {
namespace {
constexpr std::int64_t kHourMs = 3'600'000;
}

std::int64_t CallBudget::in_last_hour(const std::deque<Spent>& list, std::int64_t now_ms,
                                      bool count_tokens) const {
  std::int64_t n = 0;
  for (const auto& s : list) {
    if (s.at_ms > now_ms - kHourMs && s.at_ms <= now_ms) n += count_tokens ? s.tokens : 1;
  }
  return n;
}

void CallBudget::forget_before(std::int64_t now_ms) {
  for (auto* list : {&calls_, &tokens_}) {
    while (!list->empty() && list->front().at_ms <= now_ms - kHourMs) list->pop_front();
  }
}

std::string CallBudget::refusal(std::int64_t now_ms, std::string* code) const {
  auto say = [&](const char* c, std::string text) {
    if (code) *code = c;
    return text;
  };
  if (now_ms < open_until_ms_)
    return say("breaker", "the breaker is open for " +
                              std::to_string((open_until_ms_ - now_ms + 999) / 1000) + "s more (" +
                              open_why_ + ")");
  if (now_ms < retry_until_ms_)
    return say("retry_after", "the backend asked to wait " +
                                  std::to_string((retry_until_ms_ - now_ms + 999) / 1000) +
                                  "s more (Retry-After)");
  if (limits_.calls_per_hour > 0 && in_last_hour(calls_, now_ms, false) >= limits_.calls_per_hour)
    return say("budget_calls", "the budget of " + std::to_string(limits_.calls_per_hour) +
                                   " calls per hour is spent");
  if (limits_.tokens_per_hour > 0 && in_last_hour(tokens_, now_ms, true) >= limits_.tokens_per_hour)
    return say("budget_tokens", "the budget of " + std::to_string(limits_.tokens_per_hour) +
                                    " tokens per hour is spent");
  return "";
}

void CallBudget::record_call(std::int64_t now_ms) {
  forget_before(now_ms);
  calls_.push_back({now_ms, 0});
}

void CallBudget::record_tokens(std::int64_t now_ms, std::int64_t tokens) {
  forget_before(now_ms);
  if (tokens > 0) tokens_.push_back({now_ms, tokens});
}

void CallBudget::retry_after(std::int64_t now_ms, std::int64_t wait_ms) {
  retry_until_ms_ = std::max(retry_until_ms_, now_ms + std::min(wait_ms, kHourMs));
}

void CallBudget::quota_exhausted(std::int64_t now_ms) {
  open_until_ms_ = now_ms + kQuotaBreakerMs;
  open_why_ = "the backend's quota is exhausted";
}

void CallBudget::failure(std::int64_t now_ms) {
  // A failure right after the breaker closed opens it again at once (half-open).
  const bool probing = failures_ >= kFailuresToOpen;
  ++failures_;
  if (probing || failures_ == kFailuresToOpen) {
    open_until_ms_ = std::max(open_until_ms_, now_ms + kFailureBreakerMs);
    open_why_ = std::to_string(failures_) + " calls in a row failed";
  }
}

void CallBudget::success() {
  failures_ = 0;
}

std::int64_t CallBudget::calls_left(std::int64_t now_ms) const {
  if (limits_.calls_per_hour <= 0) return -1;
  return std::max<std::int64_t>(0, limits_.calls_per_hour - in_last_hour(calls_, now_ms, false));
}

std::int64_t CallBudget::tokens_left(std::int64_t now_ms) const {
  if (limits_.tokens_per_hour <= 0) return -1;
  return std::max<std::int64_t>(0, limits_.tokens_per_hour - in_last_hour(tokens_, now_ms, true));
}

}  // namespace skippy::model
