// The simulated API server over HTTP (civetweb), on 127.0.0.1 only: every request goes to
// handle_request() under one lock around the simulation; watches are streamed with chunked
// transfer encoding, woken whenever the store changes, with a BOOKMARK (when asked for) or a
// blank line after a quiet while, which lets a stream notice a client that has gone. run()
// advances simulated time at `speed` times real time and steps the controllers; this is the
// one place that reads the clock.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <variant>

#include "simulator/loopback_http.hpp"
#include "simulator/simulation.hpp"

namespace skippy::sim {

struct ServerOptions {
  std::string listen = "127.0.0.1:0";
  double speed = 1.0;                           // simulated seconds per real second
  std::int64_t step_interval_ms = 100;          // real time between controller steps
  std::int64_t quiet_interval_ms = 5'000;       // real time before a bookmark or a blank line
  std::function<void(const std::string&)> log;  // one line per request, when set
};

// Simulated time: `start_ms` at the moment of construction, then `speed` times real time.
class SimClock {
 public:
  SimClock(std::int64_t start_ms, double speed);
  std::int64_t now_ms() const;

 private:
  std::int64_t start_ms_;
  double speed_;
  std::chrono::steady_clock::time_point real_start_;
};

class ApiServer {
 public:
  ApiServer(Simulation& simulation, ServerOptions options, std::int64_t start_ms);
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // Starts listening; the reason when it cannot.
  std::optional<std::string> start();
  int port() const { return http_.port(); }
  // Steps the simulation until `stop` is set (by a signal handler).
  void run(const volatile std::sig_atomic_t& stop);
  // Ends every watch and stops listening.
  void shutdown();

 private:
  struct Handler;  // serves one request, or one watch stream, per call
  Simulation& simulation_;
  ServerOptions options_;
  SimClock clock_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::atomic<bool> stopping_{false};
  std::unique_ptr<Handler> handler_;
  LoopbackServer http_;
};

}  // namespace skippy::sim
