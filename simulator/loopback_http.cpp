#include "simulator/loopback_http.hpp"

#include <CivetServer.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

namespace skippy::sim {
namespace {

// Connects to 127.0.0.1:`port` and hangs up: wakes civetweb's listening thread, which otherwise
// notices that it is stopping only when its poll times out, seconds later.
void poke(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  (void)::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  ::close(fd);
}

}  // namespace

std::variant<int, std::string> loopback_port(std::string_view listen) {
  auto colon = listen.rfind(':');
  std::string host(listen.substr(0, colon == std::string_view::npos ? 0 : colon));
  std::string port = colon == std::string_view::npos ? "" : std::string(listen.substr(colon + 1));
  if (colon == std::string_view::npos || (host != "127.0.0.1" && host != "localhost"))
    return "--listen " + std::string(listen) +
           ": the simulator listens on 127.0.0.1 only (give 127.0.0.1:PORT)";
  if (port.empty() || port.size() > 5 ||
      port.find_first_not_of("0123456789") != std::string::npos || std::stoi(port) > 65535)
    return "--listen " + std::string(listen) + ": the port must be a number from 0 to 65535";
  return std::stoi(port);
}

struct LoopbackServer::Handler : CivetHandler {
  Serve serve;

  bool handleGet(CivetServer*, mg_connection* conn) override { return call(conn); }
  bool handlePost(CivetServer*, mg_connection* conn) override { return call(conn); }
  bool handlePut(CivetServer*, mg_connection* conn) override { return call(conn); }
  bool handlePatch(CivetServer*, mg_connection* conn) override { return call(conn); }
  bool handleDelete(CivetServer*, mg_connection* conn) override { return call(conn); }
  bool call(mg_connection* conn) {
    serve(conn);
    return true;
  }
};

LoopbackServer::LoopbackServer() : handler_(std::make_unique<Handler>()) {}

LoopbackServer::~LoopbackServer() {
  stop();
}

std::optional<std::string> LoopbackServer::start(const std::string& listen, Serve serve,
                                                 int threads) {
  handler_->serve = std::move(serve);
  auto port = loopback_port(listen);
  if (auto* why = std::get_if<std::string>(&port)) return *why;
  std::vector<std::string> civet = {
      "listening_ports",   "127.0.0.1:" + std::to_string(std::get<int>(port)),
      "num_threads",       std::to_string(threads),
      "enable_keep_alive", "no"};
  try {
    server_ = std::make_unique<CivetServer>(civet);
  } catch (const CivetException& e) {
    return "cannot listen on " + listen + ": " + e.what();
  }
  server_->addHandler("/", *handler_);
  auto ports = server_->getListeningPorts();
  port_ = ports.empty() ? 0 : ports.front();
  return std::nullopt;
}

void LoopbackServer::stop() {
  if (!server_) return;
  // civetweb's stop waits for its listening thread: poked until it has stopped.
  std::atomic<bool> closed{false};
  std::thread waker([&] {
    while (!closed) {
      poke(port_);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  server_->close();
  closed = true;
  waker.join();
  server_.reset();
}

std::optional<std::string> read_body(mg_connection* conn, std::size_t max) {
  std::string body;
  char buf[16384];
  int n = 0;
  while ((n = mg_read(conn, buf, sizeof buf)) > 0) {
    body.append(buf, static_cast<std::size_t>(n));
    if (body.size() > max) return std::nullopt;
  }
  return body;
}

}  // namespace skippy::sim
