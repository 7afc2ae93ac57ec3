// civetweb on 127.0.0.1 for the simulator's servers (the API server, the model stand-in): the
// port of a listen address, a server that gives every request, whatever its method and path,
// to one function and stops promptly, and a request's body read with a limit.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

class CivetServer;
struct mg_connection;

namespace skippy::sim {

// The port of a listen address on 127.0.0.1 ("127.0.0.1:8001", "localhost:8001"), or why the
// address is refused.
std::variant<int, std::string> loopback_port(std::string_view listen);

class LoopbackServer {
 public:
  LoopbackServer();
  ~LoopbackServer();
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  // The function a request goes to, on one of the workers' threads.
  using Serve = std::function<void(mg_connection*)>;

  // Listens on `listen` (127.0.0.1:PORT) with `threads` workers, without keep-alive, `serve`
  // answering every request; the reason when it cannot.
  std::optional<std::string> start(const std::string& listen, Serve serve, int threads);
  int port() const { return port_; }
  // Stops listening and waits for the handlers to return: they must be on their way out.
  void stop();

 private:
  struct Handler;  // civetweb's handler: every method to `serve`
  std::unique_ptr<Handler> handler_;
  std::unique_ptr<CivetServer> server_;
  int port_ = 0;
};

// A request's body, or nullopt when it is longer than `max` bytes (then the rest is not read).
std::optional<std::string> read_body(mg_connection* conn, std::size_t max);

}  // namespace skippy::sim
