// A fault-injecting proxy in front of a real Prometheus, on 127.0.0.1: queries pass through
// to it, except those whose PromQL contains the fault's pattern, which get the fault
// instead (a 5xx, a truncated or invalid body, a connection cut mid-body, or an answer
// slower than any timeout). It can also stand for a Prometheus behind an authenticating proxy,
// which real Prometheus cannot be by itself: every request without the bearer token is
// refused with 401, as such a proxy answers. Built on the fault server of the client's tests.
#pragma once

#include <mutex>
#include <string>

#include "tests/runtime/prometheus/prometheus_server.hpp"
#include "tests/runtime/prometheus/support.hpp"

namespace skippy::test {

enum class Fault {
  None,
  ServerError,    // HTTP 503 with a plain-text body, as a proxy or an overloaded server answers
  TruncatedJson,  // the real answer cut in half, its Content-Length matching what is sent
  CutMidBody,     // the real answer's Content-Length, half its body, then the connection closes
  InvalidJson,    // a 200 whose body is not JSON
  Slow,           // the real answer, 30 s late
};

class FaultProxy {
 public:
  explicit FaultProxy(std::string upstream)
      : upstream_(std::move(upstream)), server_([this](const Request& r) { return answer(r); }) {
    curl_global_init(CURL_GLOBAL_DEFAULT);
  }

  std::string url() const { return server_.url(); }

  // From now on, a request without `Authorization: Bearer TOKEN` gets 401.
  void require_bearer(std::string token) {
    std::lock_guard lock(mutex_);
    bearer_ = std::move(token);
  }
  // How many requests were refused for want of the token.
  std::size_t refused() const {
    std::lock_guard lock(mutex_);
    return refused_;
  }

  // Queries whose PromQL contains `pattern` get `fault` from now on.
  void inject(std::string pattern, Fault fault) {
    std::lock_guard lock(mutex_);
    pattern_ = std::move(pattern);
    fault_ = fault;
  }

 private:
  Response answer(const Request& request) {
    Fault fault = Fault::None;
    {
      std::lock_guard lock(mutex_);
      if (!bearer_.empty()) {
        auto it = request.headers.find("authorization");
        if (it == request.headers.end() || it->second != "Bearer " + bearer_) {
          ++refused_;
          Response refused;
          refused.status = 401;
          refused.headers = {"WWW-Authenticate: Bearer"};
          refused.body = "Unauthorized";
          return refused;
        }
      }
      if (!pattern_.empty() && request.form("query").find(pattern_) != std::string::npos)
        fault = fault_;
    }
    Response out;
    switch (fault) {
      case Fault::ServerError:
        out.status = 503;
        out.body = "upstream unavailable";
        return out;
      case Fault::InvalidJson:
        out.body = "<html><body>Service Temporarily Unavailable</body></html>";
        return out;
      default:
        break;
    }
    out = forward(request);
    auto half = out.body.size() / 2;
    if (fault == Fault::TruncatedJson) out.body.resize(half);
    if (fault == Fault::CutMidBody) {
      out.declared_length = out.body.size();
      out.body.resize(half);
    }
    if (fault == Fault::Slow) out.delay = std::chrono::seconds(30);  // cut short by stop()
    return out;
  }

  // The same request, sent to the real Prometheus; its status and body.
  Response forward(const Request& request) const {
    auto [status, body] = http_request(upstream_ + request.path, &request.body, 10000);
    Response out;
    out.status = status == 0 ? 502 : static_cast<int>(status);
    out.body = std::move(body);
    return out;
  }

  std::string upstream_;
  mutable std::mutex mutex_;
  std::string bearer_;
  std::size_t refused_ = 0;
  std::string pattern_;
  Fault fault_ = Fault::None;
  FaultServer server_;  // last: stopped first, while the rest is still there
};

}  // namespace skippy::test
