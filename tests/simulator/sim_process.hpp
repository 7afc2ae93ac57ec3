// Test support: `skippy sim` as a process on a free 127.0.0.1 port over a scenario file,
// its kubeconfig written into `dir`, with an API client for it; killed at the end of the test.
#pragma once

#include <boost/test/unit_test.hpp>

#include <memory>

#include "k8s-adapter/api_client.hpp"
#include "k8s-adapter/kubeconfig.hpp"
#include "tests/runtime/prometheus/support.hpp"

namespace skippy::test {

struct SimProcess {
  std::filesystem::path kubeconfig;
  std::unique_ptr<Process> process;
  std::unique_ptr<k8s::ApiClient> api;

  SimProcess(const std::filesystem::path& dir, const std::filesystem::path& scenario)
      : kubeconfig(dir / "kubeconfig.yaml") {
    process = std::make_unique<Process>(
        std::vector<std::string>{SKIPPY_BINARY, "sim", "--listen",
                                 "127.0.0.1:" + std::to_string(free_port()), "--scenario",
                                 scenario.string(), "--kubeconfig-out", kubeconfig.string()},
        dir / "sim.log");
    BOOST_REQUIRE_MESSAGE(
        poll_until([&] { return std::filesystem::exists(kubeconfig); }, std::chrono::seconds(10)),
        read_file(dir / "sim.log"));
    auto connection = k8s::load_kubeconfig(kubeconfig.string());
    BOOST_REQUIRE(std::holds_alternative<k8s::Connection>(connection));
    api = std::make_unique<k8s::ApiClient>(std::get<k8s::Connection>(connection));
  }
};

}  // namespace skippy::test
