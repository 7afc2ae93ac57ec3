// An API server stand-in for tests of `skippy run` that carry out actions: an HTTP server on
// loopback that records every request and answers 200 {} at once (or holds each answer for a
// minute while `hold` is set), and a kubeconfig that points at it.
#pragma once

#include <atomic>
#include <chrono>
#include <string>

#include "tests/runtime/prometheus/support.hpp"

namespace skippy::test {

struct ApiServer {
  std::atomic<bool> hold{false};
  FaultServer server{[this](const Request&) {
    Response r;
    r.body = "{}";
    if (hold) r.delay = std::chrono::minutes(1);
    return r;
  }};
  std::size_t count(const std::string& method, const std::string& path) const {
    std::size_t n = 0;
    for (const auto& r : server.requests()) n += r.method == method && r.path == path ? 1 : 0;
    return n;
  }
};

// A kubeconfig whose current context is `server` with the bearer token s3cret.
inline void write_kubeconfig(const fs::path& path, const std::string& server) {
  write_file(path,
             "apiVersion: v1\nkind: Config\ncurrent-context: test\n"
             "clusters: [{name: c, cluster: {server: \"" +
                 server +
                 "\"}}]\n"
                 "contexts: [{name: test, context: {cluster: c, user: u}}]\n"
                 "users: [{name: u, user: {token: s3cret}}]\n");
}

}  // namespace skippy::test
