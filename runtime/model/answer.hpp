// What came back from a model, read defensively: the API's envelope (Ollama's /api/chat or an
// OpenAI-compatible /v1/chat/completions: errors, truncated and refused answers, token counts,
// Retry-After, an exhausted quota), then the answer itself, held to the closed choice. Models
// do not reliably honour the schema they are given, so every rule of the schema is checked
// again here, and an answer that breaks any is rejected with why.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/http/exchange.hpp"
#include "runtime/model/prompt.hpp"

namespace skippy::model {

// How a call ended, as /metrics counts it (skippy_model_calls_total{outcome}).
enum class CallOutcome {
  Answered,     // an answer text came back (valid or not: validation is separate)
  Truncated,    // cut at the token limit (done_reason / finish_reason "length")
  Refused,      // a refusal, or OpenAI's content filter
  RateLimited,  // 429 with a Retry-After, or another rate limit
  Quota,        // insufficient_quota: no retry until the breaker closes
  HttpError,    // another status, or an error body
  Unreachable,  // no response: refused connection, timeout, cut body
  BadEnvelope,  // a response that is not the API's JSON
};
std::string_view outcome_name(CallOutcome outcome);

struct Reply {
  CallOutcome outcome = CallOutcome::Unreachable;
  std::string content;                 // the answer text, when Answered
  std::string problem;                 // why there is no answer text, one line
  std::int64_t prompt_tokens = 0;      // as the backend counted them
  std::int64_t completion_tokens = 0;  // ...
  std::int64_t retry_after_ms = -1;    // asked by the server, -1 when not
};

Reply read_reply(Backend backend, const http::Response& response);

struct Answer {
  std::string action;
  double confidence = 0;
  std::string reason;  // as written (placeholders not yet mapped back)
  std::vector<std::string> evidence;
};

// The longest reason accepted (bytes): a short reason, not an essay.
inline constexpr std::size_t kMaxReasonBytes = 600;

struct Validation {
  bool ok = false;
  Answer answer;
  std::string problem;  // why the answer was rejected
};

// Checks an answer text against the closed choice: a JSON object with exactly the fields
// action (one of `choices`, exactly), confidence (a finite number from 0 to 1), reason (a
// string of at most kMaxReasonBytes) and evidence (distinct strings, each one of `ids`), each
// field once.
Validation validate_answer(std::string_view content, std::span<const std::string> choices,
                           std::span<const std::string> ids);

}  // namespace skippy::model
