// Test support: the simulated API server in this process, on a free 127.0.0.1 port, with an
// API client for it; stopped at the end of the test.
#pragma once

#include <boost/test/unit_test.hpp>

#include <memory>

#include "k8s-adapter/api_client.hpp"
#include "simulator/api_server.hpp"
#include "simulator/simulation.hpp"

namespace skippy::test {

struct SimApi {
  sim::Simulation simulation;
  std::unique_ptr<sim::ApiServer> server;
  std::unique_ptr<k8s::ApiClient> client;

  explicit SimApi(std::int64_t start_ms) {
    simulation.bootstrap(start_ms);
    server = std::make_unique<sim::ApiServer>(simulation, sim::ServerOptions{}, start_ms);
    auto why = server->start();
    BOOST_REQUIRE_MESSAGE(!why, why.value_or(""));
    client = std::make_unique<k8s::ApiClient>(connection());
  }
  ~SimApi() { server->shutdown(); }

  k8s::Connection connection() const {
    k8s::Connection c;
    c.server = "http://127.0.0.1:" + std::to_string(server->port());
    return c;
  }
};

}  // namespace skippy::test
