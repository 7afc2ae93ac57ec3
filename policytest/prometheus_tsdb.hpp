// A Prometheus of a test's own: the input series written as OpenMetrics, backfilled into a
// fresh TSDB with `promtool tsdb create-blocks-from openmetrics`, and `prometheus` started
// over it on a free 127.0.0.1 port. Staleness markers cannot be written in OpenMetrics text:
// they are sent afterwards through Prometheus's remote-write receiver (with an out-of-order
// window, so they land among the backfilled samples). Stopped, and its files removed, when
// the object goes.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "policytest/series.hpp"

namespace skippy::policytest {

struct TimedSeries {
  SeriesLabels labels;
  std::vector<std::pair<std::int64_t, Sample>> samples;  // (Unix milliseconds, sample), in order
};

// The OpenMetrics text of the series' values (not `_`, not stale markers), `# EOF` last.
std::string openmetrics_text(const std::vector<TimedSeries>& series);

struct Tools {
  std::string promtool = "promtool";
  std::string prometheus = "prometheus";
};

class TestPrometheus {
 public:
  // Nullptr with `error` when a tool is missing or fails.
  static std::unique_ptr<TestPrometheus> start(const std::vector<TimedSeries>& series,
                                               const Tools& tools, std::string& error);
  // start() in two halves, so that one Prometheus boots while another serves: launch()
  // backfills the series and starts prometheus without waiting for it; ready() waits until it
  // answers (on another port if its port was taken meanwhile) and sends the staleness
  // markers, false with `error` if it does not.
  static std::unique_ptr<TestPrometheus> launch(const std::vector<TimedSeries>& series,
                                                const Tools& tools, std::string& error);
  bool ready(std::string& error);
  ~TestPrometheus();
  TestPrometheus(const TestPrometheus&) = delete;
  TestPrometheus& operator=(const TestPrometheus&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  TestPrometheus() = default;
  bool spawn_prometheus(std::string& error);
  std::string dir_;
  std::string prometheus_;  // the binary
  std::string markers_;     // the staleness markers' remote-write request, or empty
  int port_ = 0;
  pid_t pid_ = -1;
  bool ready_ = false;
};

// Whether `program` can be run: a path, or a name found on PATH.
bool program_exists(const std::string& program);

}  // namespace skippy::policytest
