// Test support: a simulation bootstrapped at a fixed time with a scenario's manifests, stepped
// every 500 ms of simulated time, and read or called as kubectl would, in one namespace unless
// told another.
#pragma once

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "simulator/api_handler.hpp"
#include "simulator/pod_state.hpp"
#include "simulator/rest.hpp"
#include "simulator/scenario.hpp"
#include "simulator/simulation.hpp"

namespace skippy::sim {

constexpr std::int64_t kT0 = 1'700'000'000'000;  // a whole second

struct SimCluster {
  Simulation sim;
  std::int64_t now = kT0;
  std::string namespace_name;

  // `scenario` is the text of a scenario file; `namespace_name` the one the reads default to.
  SimCluster(const std::string& scenario, std::string ns) : namespace_name(std::move(ns)) {
    sim.bootstrap(now);
    auto manifests = parse_scenario(scenario, "scenario.yaml");
    BOOST_REQUIRE(std::holds_alternative<std::vector<Manifest>>(manifests));
    auto errors = apply_manifests(sim.store(), std::get<std::vector<Manifest>>(manifests), now);
    BOOST_REQUIRE(errors.empty());
  }
  // Steps every 500 ms of simulated time for `ms`.
  void run(std::int64_t ms) {
    for (std::int64_t end = now + ms; now < end;) {
      now += 500;
      sim.step(now);
    }
  }
  std::vector<Json> list(const char* plural, const std::string& ns = "") {
    std::vector<Json> out;
    for (const Json* o : sim.store().list(resource(plural), ns.empty() ? namespace_name : ns))
      out.push_back(*o);
    return out;
  }
  std::vector<Json> pods(const std::string& ns = "") { return list("pods", ns); }
  std::size_t ready_pods(const std::string& ns = "") {
    std::size_t n = 0;
    for (const auto& p : pods(ns)) n += pod_ready(p) ? 1 : 0;
    return n;
  }
  Json get(const char* plural, const std::string& name, const std::string& ns = "") {
    const Json* o = sim.store().find(resource(plural), ns.empty() ? namespace_name : ns, name);
    BOOST_REQUIRE(o);
    return *o;
  }
  ApiResponse call(const std::string& method, const std::string& path, const std::string& body = "",
                   const std::string& content_type = "application/json") {
    auto query = path.find('?');
    ApiRequest r{method,
                 path.substr(0, query),
                 query == std::string::npos ? "" : path.substr(query + 1),
                 "application/json",
                 content_type,
                 body};
    auto result = handle_request(sim.store(), r, now);
    BOOST_REQUIRE(std::holds_alternative<ApiResponse>(result));
    return std::get<ApiResponse>(result);
  }
};

}  // namespace skippy::sim
