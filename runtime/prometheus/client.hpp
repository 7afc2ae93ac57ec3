// A client of the Prometheus HTTP API (/api/v1/query, /api/v1/query_range) over libcurl, for
// Prometheus and the servers that speak the same API (Thanos, Mimir, VictoriaMetrics).
//
// Requests are POSTed form-encoded (long queries fit), gzip-compressed responses are accepted,
// connections are kept and reused across calls, and a tick's queries go out concurrently, at
// most max_concurrency at once. Failed attempts are retried with exponential backoff, but only
// transport errors, timeouts and HTTP 5xx/429 (Retry-After honoured); never 4xx. Evaluation
// times are always the caller's: the client never reads the clock to choose one.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "runtime/prometheus/decode.hpp"

namespace skippy::prometheus {

struct ClientOptions {
  // Where the API lives: "http://127.0.0.1:9090", or with a path prefix for servers that mount
  // it elsewhere ("http://mimir:8080/prometheus", "http://vmselect:8481/select/0/prometheus").
  std::string base_url = "http://127.0.0.1:9090";
  std::int64_t timeout_ms = 10'000;  // per attempt: connect, send, evaluate, receive
  // The most one call may take, every attempt and wait included (0: no bound beyond
  // timeout_ms per attempt). An attempt is cut off at the deadline, and a retry whose wait
  // would reach it is not made: a caller that must go on (a tick) waits no longer.
  std::int64_t deadline_ms = 0;
  int retries = 2;  // further attempts after the first, for retryable failures
  std::int64_t backoff_initial_ms = 100;  // wait before the first retry; doubles each retry
  std::int64_t backoff_max_ms = 5'000;    // cap on one wait; a longer Retry-After is not waited for
  std::string bearer_token;               // "Authorization: Bearer ..." when set (wins over basic)
  std::string basic_user;                 // HTTP basic auth when set
  std::string basic_password;
  std::string ca_file;                // PEM bundle to verify the server's certificate with
  bool insecure_skip_verify = false;  // do not verify the server's certificate or name
  std::size_t max_concurrency = 8;    // transfers in flight at once in query_many
  std::string user_agent = "skippy-prometheus-client/0.1";
  // Extra request headers, "Name: value" (e.g. "X-Scope-OrgID: team-a" for Mimir tenants).
  std::vector<std::string> headers;
  std::size_t max_response_bytes = std::size_t{1} << 30;  // larger responses fail (not retried)
  // How to wait between attempts; tests inject one that records and returns at once.
  // Empty: std::this_thread::sleep_for.
  std::function<void(std::chrono::milliseconds)> sleep;
};

struct Error {
  enum class Kind : std::uint8_t {
    Transport,   // no usable HTTP response: refused, reset, TLS, DNS, too large
    Timeout,     // no complete response within timeout_ms
    Http,        // a non-2xx status without a Prometheus error body
    Decode,      // a 2xx response whose body is not a valid API response
    Prometheus,  // the server answered {"status": "error", ...} (any HTTP status)
  };
  Kind kind = Kind::Transport;
  int http_status = 0;     // 0 when there was no HTTP response
  std::string message;     // one line, with the URL, what happened and where
  std::string error_type;  // Prometheus: its errorType ("bad_data", "execution", "timeout", ...)
  std::size_t decode_offset = 0;  // Decode: byte offset of the problem in the body
};
std::string_view to_string(Error::Kind kind);

struct Outcome {
  std::variant<QueryResult, Error> value;
  int attempts = 0;                       // requests sent (1 + retries used)
  std::chrono::milliseconds duration{0};  // first send to final answer, backoff included
  std::int64_t connections_opened = 0;    // new connections over all attempts (0: reused)

  bool ok() const { return std::holds_alternative<QueryResult>(value); }
  QueryResult& result() { return std::get<QueryResult>(value); }
  const QueryResult& result() const { return std::get<QueryResult>(value); }
  const Error& error() const { return std::get<Error>(value); }
};

// One client per Prometheus. Methods may be called from any thread; calls are serialised (a
// client is one connection pool). Construction does no I/O.
class Client {
 public:
  explicit Client(ClientOptions options);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // An instant query evaluated at time_ms (milliseconds since the epoch).
  Outcome query(std::string_view promql, std::int64_t time_ms);
  // A range query over [start_ms, end_ms] every step_ms.
  Outcome query_range(std::string_view promql, std::int64_t start_ms, std::int64_t end_ms,
                      std::int64_t step_ms);
  // Instant queries at one time, sent concurrently (at most max_concurrency in flight); the
  // outcomes are in the order of `queries`.
  std::vector<Outcome> query_many(std::span<const std::string> queries, std::int64_t time_ms);

  const ClientOptions& options() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// "1700000000.123": milliseconds as the API's seconds.
std::string format_seconds(std::int64_t ms);

}  // namespace skippy::prometheus
