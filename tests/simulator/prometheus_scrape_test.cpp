// `skippy sim --speed 60` with the memory-leak scenario, scraped every second by a real
// `prometheus`: the memory-leak sample's query answers with each leaking pod's working set as
// a percentage of its limit, and the answer grows as simulated minutes pass.
#define BOOST_TEST_MODULE simulator_prometheus_scrape
#include <boost/test/unit_test.hpp>

#include <map>
#include <thread>

#include <nlohmann/json.hpp>

#include "tests/prometheus/prometheus_server.hpp"

using namespace skippy::test;
using namespace std::chrono_literals;

namespace {

// The query of samples/memory-leak.skippy's mem_pct signal.
constexpr const char* kMemoryPercent =
    "100 * container_memory_working_set_bytes{container!=\"\"} / on(namespace, pod, container) "
    "container_spec_memory_limit_bytes > 0";

// The instant answer to `query`, by pod.
std::map<std::string, double> by_pod(const PrometheusServer& prometheus, const std::string& query) {
  CURL* curl = curl_easy_init();
  char* escaped = curl_easy_escape(curl, query.c_str(), static_cast<int>(query.size()));
  std::string form = std::string("query=") + escaped;
  curl_free(escaped);
  curl_easy_cleanup(curl);
  auto [status, body] = http_request(prometheus.url() + "/api/v1/query", &form);
  std::map<std::string, double> out;
  if (status != 200) return out;
  auto answer = nlohmann::json::parse(body, nullptr, false);
  if (!answer.is_object() || !answer.contains("data")) return out;
  for (const auto& sample : answer["data"].value("result", nlohmann::json::array())) {
    out[sample["metric"].value("pod", "")] = std::stod(sample["value"][1].get<std::string>());
  }
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(prometheus_scrapes_a_leaking_pod_growing) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  TempDir dir("skippy-sim-scrape");
  std::string address = "127.0.0.1:" + std::to_string(free_port());
  Process sim({SKIPPY_BINARY, "sim", "--listen", address, "--speed", "60", "--scenario",
               std::string(SKIPPY_SOURCE_DIR) + "/samples/scenarios/memory-leak.yaml"},
              dir.path() / "sim.log");
  BOOST_REQUIRE_MESSAGE(poll_until([&] { return http_ok("http://" + address + "/metrics"); }, 10s),
                        read_file(dir.path() / "sim.log"));
  PrometheusServer prometheus(ScrapeTarget{address, "1s"});
  std::map<std::string, double> first;
  BOOST_REQUIRE(poll_until(
      [&] {
        first = by_pod(prometheus, kMemoryPercent);
        return first.size() == 2;
      },
      30s));
  // Three real seconds are three simulated minutes: 5% of the limit a minute, 15% in all,
  // less what a scrape a second behind loses.
  std::this_thread::sleep_for(3s);
  std::map<std::string, double> later = by_pod(prometheus, kMemoryPercent);
  BOOST_REQUIRE(later.size() == 2u);
  for (const auto& [pod, percent] : first) {
    BOOST_TEST_CONTEXT(pod) {
      BOOST_TEST(pod.starts_with("memory-leak-app-"));
      BOOST_TEST(percent >= 30.0);
      BOOST_TEST(later[pod] >= percent + 8);
      BOOST_TEST(later[pod] < 100.0);
    }
  }
}
