// Requests to the Kubernetes API server with a connection's credentials. Answers that may
// come out differently a moment later are retried with exponential backoff: no answer at all,
// 429 Too Many Requests and 5xx (not 501 Not Implemented or 505, which will not change),
// waiting at least what Retry-After asks, within a bounded number of attempts and a deadline
// for the whole call. Any other 4xx is the caller's mistake and is returned at once. An error
// reads as the API server's Status says it:
//   GET /api/v1/namespaces/x/pods/y: 404 NotFound: pods "y" not found
// update() is read-modify-write with optimistic concurrency: on 409 Conflict it reads the
// object again and reapplies the change, a bounded number of times.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "k8s-adapter/kubeconfig.hpp"

namespace skippy::k8s {

struct ApiClientOptions {
  std::int64_t timeout_ms = 10'000;       // per attempt
  std::int64_t deadline_ms = 30'000;      // every attempt and wait of one call (0: none)
  int max_attempts = 5;                   // attempts of one request, the first included
  std::int64_t backoff_initial_ms = 200;  // before the second attempt; doubles each time
  std::int64_t backoff_max_ms = 10'000;   // cap on one wait, Retry-After included
  int conflict_attempts = 5;              // read-modify-write rounds of update()
  std::size_t max_response_bytes = std::size_t{256} << 20;
  std::string user_agent = "skippy";
  // How to wait between attempts, and the monotonic clock the deadline is measured on; tests
  // inject both. Empty: std::this_thread::sleep_for and std::chrono::steady_clock.
  std::function<void(std::chrono::milliseconds)> sleep;
  std::function<std::int64_t()> clock_ms;
};

struct ApiResult {
  int status = 0;     // the last answer's HTTP status; 0 when none came
  std::string body;   // the last answer's body
  std::string error;  // "" on a 2xx; otherwise one line, as above
  int attempts = 0;   // requests sent
  bool ok() const { return error.empty(); }
};

// What a change does to the object it is given (its JSON as the API server sent it): the JSON
// to PUT back, or std::nullopt to send nothing, with `why` set when that is an error.
using Change =
    std::function<std::optional<std::string>(std::string_view current, std::string& why)>;

class ApiClient {
 public:
  explicit ApiClient(Connection connection, ApiClientOptions options = {});

  // `path` starts at the server's root: "/api/v1/namespaces/x/pods?limit=500".
  ApiResult get(std::string_view path) const { return send("GET", path); }
  ApiResult send(std::string_view method, std::string_view path, std::string body = {},
                 std::string content_type = {}) const;
  // GET `path`, apply `change`, PUT the result; again from a fresh GET on 409 Conflict.
  ApiResult update(std::string_view path, const Change& change) const;

  const Connection& connection() const { return connection_; }
  const ApiClientOptions& options() const { return options_; }

 private:
  void wait(std::int64_t ms) const;
  std::int64_t now_ms() const;

  Connection connection_;
  ApiClientOptions options_;
};

// Whether an answer (0: none) is worth trying again.
bool retryable_status(int status);

// "404 NotFound: pods \"y\" not found" from a Status body; the status and the start of the
// body when the body is not a Status.
std::string describe_status(int status, std::string_view body);

}  // namespace skippy::k8s
