// Test support: a real single-node VictoriaMetrics (`victoria-metrics`, Debian's package) on a
// free 127.0.0.1 port, with the same interface as PrometheusServer: loaded with the same
// OpenMetrics text (through its /api/v1/import/prometheus, timestamps turned from seconds to
// milliseconds, then /internal/force_flush so that it is queryable at once), stopped and
// removed with the object (the import is made durable by a restart). Retention is 100 years (the
// data is from 2023) and the rollup cache is off, so that every query reads the stored samples.
#pragma once

#include <cmath>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>

#include "tests/runtime/prometheus/prometheus_server.hpp"

namespace skippy::test {

// OpenMetrics sample lines (`name{labels} value seconds`) as Prometheus's text format wants
// them for an import (`... milliseconds`); comments and `# EOF` dropped.
inline std::string with_millisecond_timestamps(const std::string& openmetrics) {
  std::istringstream in(openmetrics);
  std::string out;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    auto space = line.rfind(' ');
    const std::string seconds = line.substr(space + 1);
    out +=
        line.substr(0, space + 1) + std::to_string(std::llround(std::stod(seconds) * 1000)) + "\n";
  }
  return out;
}

class VictoriaMetricsServer : public ServerProcess {
 public:
  explicit VictoriaMetricsServer(const std::string& openmetrics)
      : ServerProcess("skippy-victoria-metrics-test") {
    start();
    const std::string body = with_millisecond_timestamps(openmetrics);
    auto [status, answer] = http_request(url() + "/api/v1/import/prometheus", &body, 10000);
    if (status != 204 && status != 200)
      throw std::runtime_error("victoria-metrics refused the import (" + std::to_string(status) +
                               "): " + answer);
    // Written to disk by a graceful stop: a killed VictoriaMetrics loses the samples it still
    // buffers in memory (a few seconds' worth), and the fault tests kill it.
    http_get(url() + "/internal/force_flush");
    stop(SIGINT);
    start();
  }

  void start() {
    process_ = std::make_unique<Process>(
        std::vector<std::string>{"victoria-metrics",
                                 "-storageDataPath=" + (dir_.path() / "data").string(),
                                 "-httpListenAddr=" + address(), "-retentionPeriod=100y",
                                 "-search.disableCache", "-loggerLevel=ERROR"},
        dir_.path() / "victoria-metrics.log");
    bool ready = poll_until([&] { return process_->running() && http_ok(url() + "/health"); },
                            std::chrono::seconds(60));
    if (!ready)
      throw std::runtime_error("victoria-metrics did not get ready: " +
                               read_file(dir_.path() / "victoria-metrics.log"));
  }
};

// The backend a test suite runs against: Prometheus, or VictoriaMetrics when the suite is
// built with SKIPPY_TEST_VICTORIA_METRICS (the same tests, a second executable).
#ifdef SKIPPY_TEST_VICTORIA_METRICS
using BackendServer = VictoriaMetricsServer;
inline constexpr bool kVictoriaMetrics = true;
#else
using BackendServer = PrometheusServer;
inline constexpr bool kVictoriaMetrics = false;
#endif

}  // namespace skippy::test
