#include "k8s-adapter/api_client.hpp"

#include <simdjson.h>

#include <algorithm>
#include <thread>

#include "runtime/http/exchange.hpp"
#include "runtime/http/retry_after.hpp"

namespace skippy::k8s {

bool retryable_status(int status) {
  return status == 0 || status == 429 || (status >= 500 && status != 501 && status != 505);
}

std::string describe_status(int status, std::string_view body) {
  std::string out = std::to_string(status);
  simdjson::ondemand::parser parser;
  simdjson::padded_string padded(body);
  simdjson::ondemand::document doc;
  std::string_view kind, reason, message;
  bool is_status = !parser.iterate(padded).get(doc) &&
                   !doc.find_field_unordered("kind").get_string().get(kind) && kind == "Status";
  if (is_status) {
    // Fields are looked up in any order; a missing one stays empty.
    if (doc.find_field_unordered("reason").get_string().get(reason)) reason = {};
    if (doc.find_field_unordered("message").get_string().get(message)) message = {};
    if (!reason.empty()) out += " " + std::string(reason);
    if (!message.empty()) out += ": " + std::string(message);
    return out;
  }
  std::string start;
  for (char c : body.substr(0, 200)) {
    auto u = static_cast<unsigned char>(c);
    start += (u >= 0x20 && u < 0x7f) ? c : ' ';
  }
  while (!start.empty() && start.back() == ' ') start.pop_back();
  if (!start.empty()) out += ": " + start + (body.size() > 200 ? "..." : "");
  return out;
}

ApiClient::ApiClient(Connection connection, ApiClientOptions options)
    : connection_(std::move(connection)), options_(std::move(options)) {
  if (options_.max_attempts < 1) options_.max_attempts = 1;
  if (options_.conflict_attempts < 1) options_.conflict_attempts = 1;
}

void ApiClient::wait(std::int64_t ms) const {
  if (ms <= 0) return;
  if (options_.sleep) {
    options_.sleep(std::chrono::milliseconds(ms));
  } else {
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  }
}

std::int64_t ApiClient::now_ms() const {
  if (options_.clock_ms) return options_.clock_ms();
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

ApiResult ApiClient::send(std::string_view method, std::string_view path, std::string body,
                          std::string content_type) const {
  ApiResult result;
  const std::string where = std::string(method) + " " + std::string(path);
  const std::int64_t start = now_ms();
  std::int64_t backoff = std::max<std::int64_t>(options_.backoff_initial_ms, 0);
  http::Request request;
  request.method = method;
  request.url = connection_.server + std::string(path);
  request.body = std::move(body);
  request.content_type = std::move(content_type);
  request.user_agent = options_.user_agent;
  request.max_response_bytes = options_.max_response_bytes;
  for (;;) {
    request.timeout_ms = options_.timeout_ms;
    if (options_.deadline_ms > 0)
      request.timeout_ms = std::clamp<std::int64_t>(options_.deadline_ms - (now_ms() - start), 1,
                                                    options_.timeout_ms);
    http::Response response = http::exchange(request, connection_.credentials);
    ++result.attempts;
    result.status = response.status;
    result.body = std::move(response.body);
    if (response.ok()) {
      result.error.clear();
      return result;
    }
    result.error =
        where + ": " +
        (response.error.empty() ? describe_status(response.status, result.body) : response.error);
    if (!retryable_status(response.status)) return result;
    if (result.attempts >= options_.max_attempts) {
      result.error += " (after " + std::to_string(result.attempts) + " attempts)";
      return result;
    }
    std::int64_t delay = std::min(std::max(backoff, http::retry_after_ms(response.retry_after)),
                                  options_.backoff_max_ms);
    if (options_.deadline_ms > 0 && now_ms() - start + delay >= options_.deadline_ms) {
      result.error += " (after " + std::to_string(result.attempts) +
                      " attempts; no time for another within the deadline of " +
                      std::to_string(options_.deadline_ms) + " ms)";
      return result;
    }
    wait(delay);
    backoff = std::min(backoff * 2, options_.backoff_max_ms);
  }
}

ApiResult ApiClient::update(std::string_view path, const Change& change) const {
  ApiResult result;
  int attempts = 0;
  for (int round = 1; round <= options_.conflict_attempts; ++round) {
    ApiResult current = get(path);
    attempts += current.attempts;
    if (!current.ok()) {
      current.attempts = attempts;
      return current;
    }
    std::string why;
    std::optional<std::string> next = change(current.body, why);
    if (!next) {
      current.attempts = attempts;
      if (!why.empty()) current.error = "PUT " + std::string(path) + ": " + why;
      return current;
    }
    result = send("PUT", path, std::move(*next), "application/json");
    attempts += result.attempts;
    result.attempts = attempts;
    if (result.status != 409) return result;
  }
  result.error += " (still conflicting after " + std::to_string(options_.conflict_attempts) +
                  " reads of fresh state)";
  return result;
}

}  // namespace skippy::k8s
