#include "runtime/model/model_advisor.hpp"

#include <algorithm>

#include "runtime/http/exchange.hpp"

namespace skippy::model {
namespace {

// Bounds on what the advisor remembers.
constexpr std::size_t kMaxCached = 1024;
constexpr std::size_t kMaxNames = 20'000;         // then placeholders start again (with the cache)
constexpr std::int64_t kDefaultRetryMs = 10'000;  // a 429 that says no Retry-After
constexpr std::size_t kMaxResponseBytes = std::size_t{1} << 20;

// A reason as shown to people: the model's words, placeholders mapped back, no control
// characters.
std::string readable(std::string text) {
  for (char& c : text) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  return text;
}

// Whether the same prompt would very likely get the same reply (temperature 0): answers,
// refusals and truncations are cached; failures of the call are not.
bool repeatable(CallOutcome o) {
  return o == CallOutcome::Answered || o == CallOutcome::Truncated || o == CallOutcome::Refused;
}

}  // namespace

struct ModelAdvisor::Call {
  std::string key;  // the prompt digest
  std::string body;
  std::vector<std::string> choices;
  std::vector<std::string> ids;
  std::int64_t tick_ms = 0;  // the tick that sent it (budgets and expiry use the tick's clock)
  bool waited_for = true;
  bool done = false;
  Reply reply;
  Validation validation;
  double seconds = 0;
};

struct ModelAdvisor::Cached {
  std::int64_t expires_ms = 0;
  Reply reply;
  Validation validation;
};

ModelAdvisor::ModelAdvisor(ModelSettings settings, engine::Advisor& fallback,
                           ModelObserver* observer)
    : settings_(std::move(settings)),
      fallback_(fallback),
      observer_(observer),
      budget_(settings_.budget) {
  for (std::size_t i = 0; i < std::max<std::size_t>(1, settings_.workers); ++i)
    workers_.emplace_back([this] { work(); });
}

ModelAdvisor::~ModelAdvisor() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cancel_ = true;
  changed_.notify_all();
  for (auto& t : workers_) t.join();
}

bool ModelAdvisor::drain(std::chrono::milliseconds limit) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, limit, [this] { return in_flight_.empty(); });
}

void ModelAdvisor::work() {
  std::unique_lock lock(mutex_);
  for (;;) {
    changed_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, nothing left
    std::shared_ptr<Call> call = queue_.front();
    queue_.erase(queue_.begin());
    if (stopping_) {
      call->reply.problem = "the runtime is stopping";
      finish(*call, lock);
      continue;
    }
    lock.unlock();
    http::Request request;
    request.method = "POST";
    request.url = endpoint(settings_.backend, settings_.url);
    request.content_type = "application/json";
    request.body = call->body;
    request.headers.push_back("Accept: application/json");
    request.timeout_ms =
        settings_.call_timeout_ms > 0 ? settings_.call_timeout_ms : 3 * settings_.timeout_ms;
    request.cancel = &cancel_;
    request.max_response_bytes = kMaxResponseBytes;
    http::Credentials credentials;
    credentials.bearer_token = settings_.api_key;
    credentials.ca_file = settings_.ca_file;
    const auto started = Clock::now();
    http::Response response = http::exchange(request, credentials);
    call->seconds = std::chrono::duration<double>(Clock::now() - started).count();
    call->reply = read_reply(settings_.backend, response);
    if (call->reply.outcome == CallOutcome::Answered)
      call->validation = validate_answer(call->reply.content, call->choices, call->ids);
    lock.lock();
    finish(*call, lock);
  }
}

// Records a call's end (under the lock): budgets, breaker, cache; wakes the tick waiting.
void ModelAdvisor::finish(Call& call, std::unique_lock<std::mutex>& lock) {
  const Reply& r = call.reply;
  budget_.record_tokens(call.tick_ms, r.prompt_tokens + r.completion_tokens);
  if (r.outcome == CallOutcome::Quota) budget_.quota_exhausted(call.tick_ms);
  if (r.retry_after_ms >= 0) {
    budget_.retry_after(call.tick_ms, r.retry_after_ms);
  } else if (r.outcome == CallOutcome::RateLimited) {
    budget_.retry_after(call.tick_ms, kDefaultRetryMs);
  }
  if (r.outcome == CallOutcome::Unreachable || r.outcome == CallOutcome::HttpError ||
      r.outcome == CallOutcome::BadEnvelope) {
    budget_.failure(call.tick_ms);
  } else {
    budget_.success();
  }
  if (repeatable(r.outcome)) {
    if (cache_.size() >= kMaxCached) cache_.erase(cache_.begin());
    cache_[call.key] = Cached{call.tick_ms + settings_.cache_ttl_ms, r, call.validation};
  }
  call.done = true;
  const bool late = !call.waited_for;
  in_flight_.erase(call.key);
  CallReport report{r.outcome,       call.validation.ok,  call.seconds,
                    r.prompt_tokens, r.completion_tokens, late};
  lock.unlock();
  changed_.notify_all();
  if (observer_) observer_->call_ended(report);
  lock.lock();
}

engine::Verdict ModelAdvisor::fall_back(engine::Verdict base, engine::ModelCall call,
                                        std::string_view code, std::string why, bool cacheable) {
  call.fallback = std::move(why);
  base.model = std::move(call);
  base.cacheable = cacheable;
  if (observer_) observer_->fell_back(code);
  return base;
}

engine::Verdict ModelAdvisor::answer_of(const engine::Verdict& base, const Prompt& prompt,
                                        const Reply& reply, const Validation& validation,
                                        engine::ModelCall call) {
  call.tokens = reply.prompt_tokens + reply.completion_tokens;
  if (reply.outcome != CallOutcome::Answered) {
    std::string code(outcome_name(reply.outcome));
    return fall_back(base, std::move(call), code, reply.problem, repeatable(reply.outcome));
  }
  call.answer_digest = digest_hex({reply.content});
  if (!validation.ok) {
    call.validation = "rejected: " + validation.problem;
    return fall_back(base, std::move(call), "invalid",
                     "the answer was rejected: " + validation.problem, true);
  }
  call.validation = "accepted";
  engine::Verdict v = base;
  v.analyzer = std::string(backend_name(settings_.backend));
  v.action = validation.answer.action;
  v.confidence = validation.answer.confidence;
  v.reason = readable(redactor_.restore(validation.answer.reason));
  v.evidence.clear();
  for (const auto& id : validation.answer.evidence) {
    for (const auto& item : prompt.items) {
      if (item.id == id) v.evidence.push_back(item);
    }
  }
  v.model = std::move(call);
  return v;
}

engine::Verdict ModelAdvisor::analyze(const engine::AdviceQuestion& q) {
  engine::Verdict base = fallback_.analyze(q);
  const auto entered = Clock::now();
  std::unique_lock lock(mutex_);
  if (redactor_.size() > kMaxNames && in_flight_.empty()) {
    redactor_.clear();  // placeholders start again: the answers cached under the old ones go
    cache_.clear();
  }
  Prompt prompt = build_prompt(q, settings_.redact ? &redactor_ : nullptr);
  std::string body = request_body(settings_.backend, prompt, settings_.generation);
  engine::ModelCall call;
  call.backend = std::string(backend_name(settings_.backend));
  call.model = settings_.generation.model;
  call.prompt_digest = digest_hex({call.backend, kPromptVersion, body});
  call.evidence = prompt.question;
  auto report_budget = [&] {
    if (observer_)
      observer_->budget_left(budget_.calls_left(q.now_ms), budget_.tokens_left(q.now_ms));
  };

  std::erase_if(cache_, [&](const auto& entry) { return entry.second.expires_ms <= q.now_ms; });
  if (auto hit = cache_.find(call.prompt_digest); hit != cache_.end()) {
    call.cached = true;
    if (observer_) observer_->cache_hit();
    Cached cached = hit->second;
    return answer_of(base, prompt, cached.reply, cached.validation, std::move(call));
  }
  if (q.now_ms != tick_ms_) {
    tick_ms_ = q.now_ms;
    deadline_ = entered + std::chrono::milliseconds(settings_.timeout_ms);
  }
  std::shared_ptr<Call> pending;
  if (auto it = in_flight_.find(call.prompt_digest); it != in_flight_.end()) {
    pending = it->second;  // the same question is already on its way
    pending->waited_for = true;
  } else {
    std::string code;
    if (std::string why = budget_.refusal(q.now_ms, &code); !why.empty()) {
      report_budget();
      return fall_back(base, std::move(call), code, "no call: " + why, false);
    }
    if (Clock::now() >= deadline_)
      return fall_back(base, std::move(call), "timeout",
                       "no call: this tick already waited --ai.timeout (" +
                           std::to_string(settings_.timeout_ms) + "ms) for the model",
                       false);
    if (queue_.size() >= settings_.max_queue)
      return fall_back(base, std::move(call), "queue_full",
                       "no call: " + std::to_string(queue_.size()) + " calls are already waiting",
                       false);
    pending = std::make_shared<Call>();
    pending->key = call.prompt_digest;
    pending->body = std::move(body);
    pending->choices = prompt.choices;
    pending->ids = prompt.ids;
    pending->tick_ms = q.now_ms;
    budget_.record_call(q.now_ms);
    report_budget();
    queue_.push_back(pending);
    in_flight_[pending->key] = pending;
    changed_.notify_all();
  }
  changed_.wait_until(lock, deadline_, [&] { return pending->done || stopping_; });
  base.waited_s = std::chrono::duration<double>(Clock::now() - entered).count();
  if (!pending->done) {
    pending->waited_for = false;  // it lands in the cache when it comes
    return fall_back(
        base, std::move(call), "timeout",
        "no answer within --ai.timeout (" + std::to_string(settings_.timeout_ms) + "ms)", false);
  }
  call.latency_s = pending->seconds;
  report_budget();
  return answer_of(base, prompt, pending->reply, pending->validation, std::move(call));
}

}  // namespace skippy::model
