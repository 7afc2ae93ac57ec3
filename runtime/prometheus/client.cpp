// The Prometheus API client: one curl multi handle (its connection cache is what keeps
// connections alive between calls) and a pool of easy handles, one per transfer in flight.
// Every call runs in rounds: the round's requests go out together, bounded by
// max_concurrency; those that failed in a retryable way wait out one backoff (the longest
// any of them needs) and form the next round, unless that wait would reach the deadline.
#include "runtime/prometheus/client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <mutex>
#include <thread>

#include "runtime/http/retry_after.hpp"

namespace skippy::prometheus {

std::string_view to_string(Error::Kind kind) {
  switch (kind) {
    case Error::Kind::Transport:
      return "transport";
    case Error::Kind::Timeout:
      return "timeout";
    case Error::Kind::Http:
      return "http";
    case Error::Kind::Decode:
      return "decode";
    case Error::Kind::Prometheus:
      return "prometheus";
  }
  return "?";
}

std::string format_seconds(std::int64_t ms) {
  std::uint64_t magnitude =
      ms < 0 ? 0 - static_cast<std::uint64_t>(ms) : static_cast<std::uint64_t>(ms);
  std::string frac = std::to_string(magnitude % 1000);
  frac.insert(0, 3 - frac.size(), '0');
  return (ms < 0 ? "-" : "") + std::to_string(magnitude / 1000) + "." + frac;
}

namespace {

using Clock = std::chrono::steady_clock;

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// Printable, one line, at most `limit` bytes of a response body for messages.
std::string snippet(std::string_view body, std::size_t limit = 160) {
  std::string out;
  for (char c : body.substr(0, limit)) {
    auto u = static_cast<unsigned char>(c);
    out += (u >= 0x20 && u < 0x7f) ? c : ' ';
  }
  if (body.size() > limit) out += "...";
  return out;
}

bool retryable_curl_code(CURLcode code) {
  switch (code) {
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_NOT_BUILT_IN:
    case CURLE_BAD_FUNCTION_ARGUMENT:
    case CURLE_OUT_OF_MEMORY:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_LOGIN_DENIED:
    case CURLE_WRITE_ERROR:  // ours: the response exceeded max_response_bytes
    case CURLE_FILESIZE_EXCEEDED:
      return false;
    default:
      return true;
  }
}

// One request and what its attempts produced.
struct Job {
  std::string url;
  std::string form;  // application/x-www-form-urlencoded body
  Outcome outcome;
  bool done = false;
  std::int64_t retry_delay_ms = 0;  // set when an attempt failed in a retryable way
};

// One transfer in flight.
struct Transfer {
  CURL* easy = nullptr;
  Job* job = nullptr;
  std::string body;
  std::size_t max_bytes = 0;
  bool too_large = false;
  std::int64_t timeout_ms = 0;  // this attempt's: timeout_ms, or less near the deadline
  std::string retry_after;      // the final response's Retry-After and Date headers
  std::string date;
  curl_slist* headers = nullptr;
  char error_buffer[CURL_ERROR_SIZE] = {};
};

std::size_t on_write(char* data, std::size_t size, std::size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::size_t n = size * count;
  if (t->body.size() + n > t->max_bytes) {
    t->too_large = true;
    return 0;  // aborts the transfer with CURLE_WRITE_ERROR
  }
  // Keep room for the decoder's padding so decoding never copies the body.
  std::size_t need = t->body.size() + n + decode_padding();
  if (need > t->body.capacity()) t->body.reserve(std::max(need, t->body.capacity() * 2));
  t->body.append(data, n);
  return n;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::size_t n = size * count;
  std::string_view line(data, n);
  if (line.starts_with("HTTP/")) {  // a new response (after 100 Continue, say): forget the last
    t->retry_after.clear();
    t->date.clear();
  }
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  std::string name(line.substr(0, colon));
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (name == "retry-after") t->retry_after = trim(line.substr(colon + 1));
  if (name == "date") t->date = trim(line.substr(colon + 1));
  return n;
}

// Retry-After in milliseconds, -1 when absent or unusable.
std::int64_t retry_after_ms(const Transfer& t) {
  return http::retry_after_ms(t.retry_after, t.date);
}

}  // namespace

struct Client::Impl {
  ClientOptions options;
  std::string base;  // base_url without a trailing '/'
  CURLM* multi = nullptr;
  std::vector<CURL*> idle;  // easy handles kept for reuse
  Decoder decoder;
  std::mutex mutex;
  Clock::time_point call_start;  // when the current call sent its first request

  explicit Impl(ClientOptions o) : options(std::move(o)) {
    global_init();
    base = options.base_url;
    while (!base.empty() && base.back() == '/') base.pop_back();
    if (options.max_concurrency == 0) options.max_concurrency = 1;
    if (options.retries < 0) options.retries = 0;
    multi = curl_multi_init();
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, static_cast<long>(options.max_concurrency));
  }

  ~Impl() {
    for (CURL* e : idle) curl_easy_cleanup(e);
    if (multi) curl_multi_cleanup(multi);
  }

  std::string escape(std::string_view s) {
    std::string out;
    char* escaped = curl_easy_escape(nullptr, s.data(), static_cast<int>(s.size()));
    if (escaped) {
      out = escaped;
      curl_free(escaped);
    }
    return out;
  }

  Job make_job(std::string_view path, std::string_view promql, std::string params) {
    Job job;
    job.url = base + std::string(path);
    job.form =
        "query=" + escape(promql) + params + "&timeout=" + format_seconds(options.timeout_ms);
    return job;
  }

  void sleep_ms(std::int64_t ms) {
    if (ms <= 0) return;
    auto d = std::chrono::milliseconds(ms);
    if (options.sleep) {
      options.sleep(d);
    } else {
      std::this_thread::sleep_for(d);
    }
  }

  std::int64_t backoff_ms(int attempt) const {
    // attempt 1 failed: backoff_initial; then doubling, capped.
    std::int64_t d = std::max<std::int64_t>(options.backoff_initial_ms, 0);
    for (int i = 1; i < attempt && d < options.backoff_max_ms; ++i) d *= 2;
    return std::min(d, std::max<std::int64_t>(options.backoff_max_ms, 0));
  }

  void configure(Transfer& t) {
    CURL* e = t.easy;
    curl_easy_reset(e);
    curl_easy_setopt(e, CURLOPT_URL, t.job->url.c_str());
    curl_easy_setopt(e, CURLOPT_POST, 1L);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, t.job->form.c_str());
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(t.job->form.size()));
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(t.timeout_ms));
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(t.timeout_ms));
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "gzip, deflate");
    curl_easy_setopt(e, CURLOPT_USERAGENT, options.user_agent.c_str());
    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t.error_buffer);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &on_write);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, &t);
    curl_easy_setopt(e, CURLOPT_PRIVATE, &t);
    t.headers = curl_slist_append(t.headers, "Accept: application/json");
    t.headers = curl_slist_append(t.headers, "Expect:");  // no 100-continue round trip
    if (!options.bearer_token.empty()) {
      t.headers =
          curl_slist_append(t.headers, ("Authorization: Bearer " + options.bearer_token).c_str());
    } else if (!options.basic_user.empty()) {
      curl_easy_setopt(e, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
      curl_easy_setopt(e, CURLOPT_USERNAME, options.basic_user.c_str());
      curl_easy_setopt(e, CURLOPT_PASSWORD, options.basic_password.c_str());
    }
    for (const auto& h : options.headers) t.headers = curl_slist_append(t.headers, h.c_str());
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, t.headers);
    if (!options.ca_file.empty()) curl_easy_setopt(e, CURLOPT_CAINFO, options.ca_file.c_str());
    if (options.insecure_skip_verify) {
      curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    t.max_bytes = options.max_response_bytes;
    t.body.reserve(16384);
  }

  // What one finished transfer means for its job: sets done, or retry_delay_ms for a retry.
  void finish(Transfer& t, CURLcode code) {
    Job& job = *t.job;
    Outcome& out = job.outcome;
    ++out.attempts;
    long connects = 0;
    curl_easy_getinfo(t.easy, CURLINFO_NUM_CONNECTS, &connects);
    out.connections_opened += connects;
    const bool last_attempt = out.attempts > options.retries;
    const std::string where = "POST " + job.url;

    Error error;
    bool retryable = false;
    if (code != CURLE_OK) {
      std::string detail = t.error_buffer[0] ? t.error_buffer : curl_easy_strerror(code);
      if (t.too_large) {
        error.kind = Error::Kind::Transport;
        error.message = where + ": response larger than max_response_bytes (" +
                        std::to_string(options.max_response_bytes) + ")";
      } else if (code == CURLE_OPERATION_TIMEDOUT) {
        error.kind = Error::Kind::Timeout;
        error.message = where + ": no complete response within " + std::to_string(t.timeout_ms) +
                        " ms (" + detail + ")";
        retryable = true;
      } else {
        error.kind = Error::Kind::Transport;
        error.message = where + ": " + detail;
        retryable = retryable_curl_code(code);
      }
    } else {
      long status = 0;
      curl_easy_getinfo(t.easy, CURLINFO_RESPONSE_CODE, &status);
      error.http_status = static_cast<int>(status);
      std::string body_start = snippet(t.body);
      DecodeResult decoded = decoder.decode(std::move(t.body));
      t.body = std::string();
      if (status >= 200 && status < 300) {
        if (auto* result = std::get_if<QueryResult>(&decoded)) {
          out.value = std::move(*result);
          job.done = true;
          return;
        }
      }
      retryable = status >= 500 || status == 429;
      if (auto* api = std::get_if<ApiError>(&decoded)) {
        error.kind = Error::Kind::Prometheus;
        error.error_type = api->error_type;
        error.message = where + ": HTTP " + std::to_string(status) + ": " + api->error_type + ": " +
                        api->message;
      } else if (status < 200 || status >= 300) {
        error.kind = Error::Kind::Http;
        error.message = where + ": HTTP " + std::to_string(status) +
                        (body_start.empty() ? std::string() : ": " + body_start);
      } else {
        const auto& bad = std::get<DecodeError>(decoded);
        error.kind = Error::Kind::Decode;
        error.decode_offset = bad.offset;
        error.message = where + ": invalid response body: " + to_string(bad);
      }
    }
    if (retryable && !last_attempt) {
      std::int64_t delay = backoff_ms(out.attempts);
      std::int64_t asked = retry_after_ms(t);
      if (asked > options.backoff_max_ms) {
        error.message +=
            " (Retry-After " + std::to_string(asked) + " ms exceeds backoff_max_ms; not retried)";
      } else {
        job.retry_delay_ms = std::max(delay, asked);
        out.value = std::move(error);
        return;
      }
    } else if (retryable && out.attempts > 1) {
      error.message += " (after " + std::to_string(out.attempts) + " attempts)";
    }
    out.value = std::move(error);
    job.done = true;
  }

  std::int64_t elapsed_ms() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - call_start).count();
  }

  // An attempt's time limit: timeout_ms, cut short by the call's deadline.
  std::int64_t attempt_timeout_ms() const {
    std::int64_t limit = options.timeout_ms;
    if (options.deadline_ms > 0) limit = std::min(limit, options.deadline_ms - elapsed_ms());
    return std::max<std::int64_t>(limit, 1);
  }

  // Sends every job in `round` once, concurrently, at most max_concurrency in flight.
  void run_round(std::vector<Job*>& round) {
    std::vector<std::unique_ptr<Transfer>> active;
    std::size_t next = 0;
    auto start = [&](Job* job) {
      auto t = std::make_unique<Transfer>();
      t->job = job;
      t->timeout_ms = attempt_timeout_ms();
      if (idle.empty()) {
        t->easy = curl_easy_init();
      } else {
        t->easy = idle.back();
        idle.pop_back();
      }
      configure(*t);
      curl_multi_add_handle(multi, t->easy);
      active.push_back(std::move(t));
    };
    auto release = [&](Transfer* t) {
      curl_multi_remove_handle(multi, t->easy);
      curl_slist_free_all(t->headers);
      t->headers = nullptr;
      idle.push_back(t->easy);
      auto it =
          std::find_if(active.begin(), active.end(), [t](const auto& p) { return p.get() == t; });
      active.erase(it);
    };
    while (next < round.size() || !active.empty()) {
      while (next < round.size() && active.size() < options.max_concurrency) start(round[next++]);
      int running = 0;
      curl_multi_perform(multi, &running);
      int queued = 0;
      while (CURLMsg* msg = curl_multi_info_read(multi, &queued)) {
        if (msg->msg != CURLMSG_DONE) continue;
        Transfer* t = nullptr;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &t);
        CURLcode code = msg->data.result;
        finish(*t, code);
        release(t);
      }
      if (running > 0) curl_multi_poll(multi, nullptr, 0, 100, nullptr);
    }
  }

  // A job that would be retried but has no time left: it ends with its last error.
  void end_at_deadline(Job& job) {
    auto& error = std::get<Error>(job.outcome.value);
    error.message += " (";
    if (job.outcome.attempts > 1)
      error.message += "after " + std::to_string(job.outcome.attempts) + " attempts; ";
    error.message += "no time for a retry within the deadline of " +
                     std::to_string(options.deadline_ms) + " ms)";
    job.done = true;
    job.outcome.duration = std::chrono::milliseconds(elapsed_ms());
  }

  void run(std::vector<Job>& jobs) {
    call_start = Clock::now();
    std::vector<Job*> round;
    for (auto& j : jobs) round.push_back(&j);
    while (!round.empty()) {
      for (Job* j : round) j->retry_delay_ms = 0;
      run_round(round);
      std::vector<Job*> again;
      std::int64_t wait = 0;
      for (Job* j : round) {
        if (j->done) {
          j->outcome.duration = std::chrono::milliseconds(elapsed_ms());
        } else {
          again.push_back(j);
          wait = std::max(wait, j->retry_delay_ms);
        }
      }
      if (options.deadline_ms > 0 && elapsed_ms() + wait >= options.deadline_ms) {
        for (Job* j : again) end_at_deadline(*j);
        again.clear();
      }
      round.swap(again);
      if (!round.empty()) sleep_ms(wait);
    }
  }
};

Client::Client(ClientOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
Client::~Client() = default;

const ClientOptions& Client::options() const {
  return impl_->options;
}

Outcome Client::query(std::string_view promql, std::int64_t time_ms) {
  std::lock_guard lock(impl_->mutex);
  std::vector<Job> jobs;
  jobs.push_back(impl_->make_job("/api/v1/query", promql, "&time=" + format_seconds(time_ms)));
  impl_->run(jobs);
  return std::move(jobs.front().outcome);
}

Outcome Client::query_range(std::string_view promql, std::int64_t start_ms, std::int64_t end_ms,
                            std::int64_t step_ms) {
  std::lock_guard lock(impl_->mutex);
  std::vector<Job> jobs;
  jobs.push_back(impl_->make_job("/api/v1/query_range", promql,
                                 "&start=" + format_seconds(start_ms) + "&end=" +
                                     format_seconds(end_ms) + "&step=" + format_seconds(step_ms)));
  impl_->run(jobs);
  return std::move(jobs.front().outcome);
}

std::vector<Outcome> Client::query_many(std::span<const std::string> queries,
                                        std::int64_t time_ms) {
  std::lock_guard lock(impl_->mutex);
  std::vector<Job> jobs;
  jobs.reserve(queries.size());
  const std::string time = "&time=" + format_seconds(time_ms);
  for (const auto& q : queries) jobs.push_back(impl_->make_job("/api/v1/query", q, time));
  impl_->run(jobs);
  std::vector<Outcome> outcomes;
  outcomes.reserve(jobs.size());
  for (auto& j : jobs) outcomes.push_back(std::move(j.outcome));
  return outcomes;
}

}  // namespace skippy::prometheus
