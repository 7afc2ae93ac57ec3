// ai.analyze() answered by a language model (Ollama, or any OpenAI-compatible server), which
// may advise and never act beyond the site's allowed actions. Every question is first
// answered by the fallback advisor (the deterministic analyzer); the model's answer replaces
// that answer only when it came in time and passed validation (runtime/model/answer.hpp).
//
// Calls run on worker threads, never on the tick thread: a tick hands a call over and waits
// for its answer at most until its deadline, `timeout` after the tick's first call, so a
// hanging model delays no tick by more than `timeout` in all. A call may run on past that (up
// to `call_timeout`), and an answer that comes later still lands in the cache, for the next
// time the same evidence is seen. Answers are cached
// per (backend, model, prompt version, allowed actions, redacted evidence) until `cache_ttl`;
// calls are held to budgets, Retry-After and a breaker (runtime/model/call_budget.hpp).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "runtime/engine/advisor.hpp"
#include "runtime/model/answer.hpp"
#include "runtime/model/call_budget.hpp"
#include "runtime/model/prompt.hpp"
#include "runtime/model/redaction.hpp"

namespace skippy::model {

struct ModelSettings {
  Backend backend = Backend::Ollama;
  std::string url;  // the server: http://127.0.0.1:11434, https://api.openai.com, .../v1
  Generation generation;
  std::string api_key;  // sent only as `Authorization: Bearer`; never logged or recorded
  std::string ca_file;  // to verify an https server with, "" for the system's
  std::int64_t timeout_ms = 10'000;  // how long a tick waits for answers, in all
  // How long one call may run: past its tick's wait, so that a slow answer still lands in
  // the cache. 0: three times timeout_ms.
  std::int64_t call_timeout_ms = 0;
  BudgetLimits budget;
  std::int64_t cache_ttl_ms = 600'000;
  bool redact = true;
  std::size_t workers = 2;
  std::size_t max_queue = 16;  // calls waiting for a worker; more fall back at once
};

// What the advisor reports as it goes (to /metrics); call_ended runs on a worker thread.
struct CallReport {
  CallOutcome outcome = CallOutcome::Unreachable;
  bool accepted = false;  // the answer passed validation
  double seconds = 0;
  std::int64_t prompt_tokens = 0;
  std::int64_t completion_tokens = 0;
  bool late = false;  // no tick was waiting for it any more
};

class ModelObserver {
 public:
  virtual ~ModelObserver() = default;
  virtual void call_ended(const CallReport& report) = 0;
  virtual void cache_hit() = 0;
  // reason: timeout, budget_calls, budget_tokens, retry_after, breaker, queue_full, invalid,
  // refused, truncated, rate_limited, quota, http_error, unreachable, bad_response
  virtual void fell_back(std::string_view reason) = 0;
  virtual void budget_left(std::int64_t calls, std::int64_t tokens) = 0;  // -1: no limit
};

class ModelAdvisor final : public engine::Advisor {
 public:
  // `fallback` (and `observer`, when given) must outlive the advisor.
  ModelAdvisor(ModelSettings settings, engine::Advisor& fallback,
               ModelObserver* observer = nullptr);
  ~ModelAdvisor() override;  // cancels the calls in flight (within about a second)
  ModelAdvisor(const ModelAdvisor&) = delete;
  ModelAdvisor& operator=(const ModelAdvisor&) = delete;

  engine::Verdict analyze(const engine::AdviceQuestion& question) override;

  // Waits until no call is in flight or queued, at most `limit`; whether none is.
  bool drain(std::chrono::milliseconds limit);

  const ModelSettings& settings() const { return settings_; }

 private:
  struct Call;
  struct Cached;
  using Clock = std::chrono::steady_clock;

  void work();
  void finish(Call& call, std::unique_lock<std::mutex>& lock);
  engine::Verdict answer_of(const engine::Verdict& base, const Prompt& prompt, const Reply& reply,
                            const Validation& validation, engine::ModelCall call);
  engine::Verdict fall_back(engine::Verdict base, engine::ModelCall call, std::string_view code,
                            std::string why, bool cacheable);

  ModelSettings settings_;
  engine::Advisor& fallback_;
  ModelObserver* observer_;

  std::mutex mutex_;
  std::condition_variable changed_;  // a call was queued or ended, or the advisor stops
  bool stopping_ = false;
  std::atomic<bool> cancel_{false};  // the calls in flight stop
  std::vector<std::shared_ptr<Call>> queue_;
  std::map<std::string, std::shared_ptr<Call>, std::less<>> in_flight_;  // by prompt digest
  std::map<std::string, Cached, std::less<>> cache_;                     // by prompt digest
  Redactor redactor_;
  CallBudget budget_;
  std::int64_t tick_ms_ = -1;   // the tick being answered (its clock)
  Clock::time_point deadline_;  // ... and when its waiting ends
  std::vector<std::thread> workers_;
};

}  // namespace skippy::model
