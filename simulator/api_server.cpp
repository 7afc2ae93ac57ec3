#include "simulator/api_server.hpp"

#include <CivetServer.h>

#include <thread>

#include "simulator/api_handler.hpp"

namespace skippy::sim {
namespace {

constexpr std::size_t kMaxBody = 3 * 1024 * 1024;  // the real server's limit

void reply(mg_connection* conn, const ApiResponse& r) {
  mg_printf(conn,
            "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\nCache-Control: "
            "no-cache, private\r\nConnection: close\r\n\r\n",
            r.status, mg_get_response_code_text(conn, r.status), r.content_type.c_str(),
            r.body.size());
  mg_write(conn, r.body.data(), r.body.size());
}

bool send_chunk(mg_connection* conn, const std::string& data) {
  char size[24];
  std::snprintf(size, sizeof size, "%zx\r\n", data.size());
  return mg_write(conn, size, std::strlen(size)) > 0 &&
         mg_write(conn, data.data(), data.size()) > 0 && mg_write(conn, "\r\n", 2) > 0;
}

std::string header(mg_connection* conn, const char* name) {
  const char* v = mg_get_header(conn, name);
  return v ? v : "";
}

}  // namespace

SimClock::SimClock(std::int64_t start_ms, double speed)
    : start_ms_(start_ms), speed_(speed), real_start_(std::chrono::steady_clock::now()) {}

std::int64_t SimClock::now_ms() const {
  auto real =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - real_start_);
  return start_ms_ + static_cast<std::int64_t>(real.count() * speed_);
}

struct ApiServer::Handler {
  ApiServer* server = nullptr;

  void serve(mg_connection* conn) {
    const mg_request_info* info = mg_get_request_info(conn);
    ApiRequest request;
    request.method = info->request_method ? info->request_method : "";
    request.path = info->local_uri ? info->local_uri : "";
    request.query = info->query_string ? info->query_string : "";
    request.accept = header(conn, "Accept");
    request.content_type = header(conn, "Content-Type");
    auto body = read_body(conn, kMaxBody);
    if (!body) {
      reply(conn, {413, "application/json",
                   ApiError{413, "RequestEntityTooLarge", "the request body is too large", nullptr}
                       .status_text()});
      return;
    }
    request.body = std::move(*body);
    ApiResult result;
    {
      std::lock_guard lock(server->mutex_);
      std::int64_t before = server->simulation_.store().revision();
      result = handle_request(server->simulation_.store(), request, server->clock_.now_ms());
      if (server->simulation_.store().revision() != before) server->changed_.notify_all();
    }
    if (auto* response = std::get_if<ApiResponse>(&result)) {
      if (server->options_.log)
        server->options_.log(request.method + " " + request.path +
                             (request.query.empty() ? "" : "?" + request.query) + " " +
                             std::to_string(response->status));
      reply(conn, *response);
      return;
    }
    if (server->options_.log)
      server->options_.log(request.method + " " + request.path + "?" + request.query + " watch");
    stream(conn, std::get<WatchSpec>(std::move(result)));
  }

  void stream(mg_connection* conn, WatchSpec spec) {
    using Clock = std::chrono::steady_clock;
    mg_printf(conn,
              "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: "
              "chunked\r\nCache-Control: no-cache, private\r\nConnection: close\r\n\r\n");
    auto deadline = spec.timeout_seconds > 0
                        ? Clock::now() + std::chrono::seconds(spec.timeout_seconds)
                        : Clock::time_point::max();
    auto quiet = std::chrono::milliseconds(server->options_.quiet_interval_ms);
    auto last_write = Clock::now();
    WatchStream watch(std::move(spec));
    std::unique_lock lock(server->mutex_);
    while (!server->stopping_) {
      std::string lines = watch.poll(server->simulation_.store(), server->clock_.now_ms());
      std::int64_t seen = server->simulation_.store().revision();
      lock.unlock();
      auto now = Clock::now();
      if (!lines.empty()) {
        if (!send_chunk(conn, lines)) return;
        last_write = now;
      } else if (now - last_write >= quiet) {
        std::string b = watch.bookmark();
        if (!send_chunk(conn, b.empty() ? "\n" : b)) return;
        last_write = now;
      }
      if (watch.ended() || now >= deadline) break;
      lock.lock();
      auto wake = std::min(deadline, now + std::chrono::milliseconds(500));
      server->changed_.wait_until(lock, wake, [&] {
        return server->stopping_ || server->simulation_.store().revision() != seen;
      });
    }
    if (lock.owns_lock()) lock.unlock();
    mg_write(conn, "0\r\n\r\n", 5);
  }
};

ApiServer::ApiServer(Simulation& simulation, ServerOptions options, std::int64_t start_ms)
    : simulation_(simulation),
      options_(std::move(options)),
      clock_(start_ms, options_.speed),
      handler_(std::make_unique<Handler>()) {
  handler_->server = this;
}

ApiServer::~ApiServer() {
  shutdown();
}

std::optional<std::string> ApiServer::start() {
  return http_.start(
      options_.listen, [this](mg_connection* conn) { handler_->serve(conn); }, 64);
}

void ApiServer::run(const volatile std::sig_atomic_t& stop) {
  auto interval = std::chrono::milliseconds(options_.step_interval_ms);
  while (!stop && !stopping_) {
    {
      std::lock_guard lock(mutex_);
      std::int64_t before = simulation_.store().revision();
      simulation_.step(clock_.now_ms());
      if (simulation_.store().revision() != before) changed_.notify_all();
    }
    std::this_thread::sleep_for(interval);
  }
}

void ApiServer::shutdown() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  http_.stop();
}

}  // namespace skippy::sim
