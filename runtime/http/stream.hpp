// A long-lived HTTP response read line by line as it arrives, for Kubernetes watches (a
// chunked stream of JSON lines that stays open for minutes). Each complete line goes to a
// callback while the transfer runs; the stream ends when the server closes it, when the
// callback or `cancelled` says stop (checked at least every 50 ms, so a stop is prompt), or
// when nothing arrives for idle_timeout_ms. Blocking, never throws.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "runtime/http/exchange.hpp"

namespace skippy::http {

struct StreamEnd {
  int status = 0;           // the HTTP status; 0 when no response came
  std::string body;         // a non-2xx response's body (its lines do not go to the callback)
  std::string error;        // refused, idle too long, line too long...; "" for a clean close
  std::string retry_after;  // the Retry-After header, as sent
  bool stopped = false;     // the callback or `cancelled` ended it
  std::size_t lines = 0;    // lines given to the callback
};

// Sends `request` (its timeout_ms bounds the connection's setup, max_response_bytes a line)
// and calls on_line with each line of a 2xx body, without its newline; a line the callback
// answers false to ends the stream. A last line without a newline is not a complete line and
// is dropped (a watch event cut off by a dropped connection).
StreamEnd stream_lines(const Request& request, const Credentials& credentials,
                       std::int64_t idle_timeout_ms,
                       const std::function<bool(std::string_view line)>& on_line,
                       const std::function<bool()>& cancelled);

}  // namespace skippy::http
