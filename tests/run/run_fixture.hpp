// What the tests of `skippy run` share: the series they backfill Prometheus with, a cluster
// snapshot and a policy that reads them, one `skippy run --once`, and readers for the audit
// file and /metrics.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "tests/runtime/prometheus/support.hpp"

namespace skippy::test {

struct RunResult {
  int code;
  std::string audit;  // the audit file, "" when none was written
  std::string log;    // standard output and error
};

// `skippy run --once --audit.file DIR/audit.jsonl ARGS...`, its output in DIR/run.log (both
// removed first).
inline RunResult run_once_in(const std::filesystem::path& dir, std::vector<std::string> args) {
  const auto audit = dir / "audit.jsonl";
  std::filesystem::remove(audit);
  std::filesystem::remove(dir / "run.log");
  args.insert(args.begin(), {SKIPPY_BINARY, "run", "--once", "--audit.file", audit.string()});
  Process p(args, dir / "run.log");
  int code = p.wait();
  return {code, std::filesystem::exists(audit) ? read_file(audit) : "", read_file(dir / "run.log")};
}

// Series every 15 s for 10 minutes from t0 (seconds):
// - container_memory_working_set_bytes: leaky-1 grows from 50% to 90% of 1 GiB (89% at
//   t0 + 585 s); steady-1 stays at 40%;
// - kube_pod_container_status_restarts_total: 0 for leaky-1, 7 for steady-1;
// - kube_pod_status_ready{condition="true"}: 1 for both.
inline std::string openmetrics(std::int64_t t0) {
  std::ostringstream out;
  auto series = [&](const char* name, const char* pod, const char* labels, auto value) {
    for (int i = 0; i < 41; ++i) {
      out << name << "{namespace=\"demo-apps\",pod=\"" << pod << "\"" << labels << "} " << value(i)
          << ' ' << t0 + 15 * i << '\n';
    }
  };
  constexpr double kGiB = 1073741824.0;
  out << "# TYPE container_memory_working_set_bytes gauge\n";
  series("container_memory_working_set_bytes", "leaky-1", ",container=\"app\"",
         [&](int i) { return static_cast<std::int64_t>((0.5 + 0.01 * i) * kGiB); });
  series("container_memory_working_set_bytes", "steady-1", ",container=\"app\"",
         [&](int) { return static_cast<std::int64_t>(0.4 * kGiB); });
  out << "# TYPE kube_pod_container_status_restarts_total gauge\n";
  series("kube_pod_container_status_restarts_total", "leaky-1", ",container=\"app\"",
         [](int) { return 0; });
  series("kube_pod_container_status_restarts_total", "steady-1", ",container=\"app\"",
         [](int) { return 7; });
  out << "# TYPE kube_pod_status_ready gauge\n";
  series("kube_pod_status_ready", "leaky-1", ",condition=\"true\"", [](int) { return 1; });
  series("kube_pod_status_ready", "steady-1", ",condition=\"true\"", [](int) { return 1; });
  out << "# EOF\n";
  return out.str();
}

// The same data ending now, for runs that evaluate at the wall clock's time: leaky-1 is at
// 90%.
inline std::string recent_openmetrics() {
  auto now = std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  return openmetrics(now - 600);
}

// A policy of the demo-apps pods labelled issue=memory-leak, in mode automatic, evaluated
// every `interval`, with a cooldown and a rate cap; `body` holds its signals, triggers and
// handlers, from line 9 on.
inline std::string pod_policy(std::string_view name, std::string_view interval,
                              std::string_view body) {
  return "policy " + std::string(name) +
         " {\n"
         "  select pods in namespace \"demo-apps\" where label(\"issue\") == \"memory-leak\"\n"
         "  mode automatic\n"
         "  every " +
         std::string(interval) +
         "\n"
         "  safety {\n"
         "    cooldown 10m per target\n"
         "    max_actions 2 per 1h\n"
         "  }\n" +
         std::string(body) + "}\n";
}

// Restarts leaky-1 once its memory passes 85% (at t0 + 585 s it is at 89%); the handler is
// on line 11.
inline std::string memory_policy(std::string_view interval) {
  return pod_policy("memory_leak", interval,
                    "  signal mem_pct = promql(`100 * container_memory_working_set_bytes / "
                    "1073741824`) by (namespace, pod) max on missing unknown\n"
                    "  trigger high_memory when mem_pct > 85\n"
                    "  on high_memory do restart(strategy: rolling) priority 10\n");
}

// Restarts leaky-1 when ai.analyze() (the model, or the deterministic analyzer) says so; the
// handler is on lines 11 to 14.
inline std::string advised_memory_policy(std::string_view interval) {
  return pod_policy(
      "memory_leak", interval,
      "  signal mem_pct = promql(`100 * container_memory_working_set_bytes / "
      "1073741824`) by (namespace, pod) max on missing unknown\n"
      "  trigger high_memory when mem_pct > 85\n"
      "  on high_memory do {\n"
      "    let v = ai.analyze(signals: [mem_pct], threshold: 95, horizon: 30m)\n"
      "    if v.action == restart and v.confidence >= 0.5 then restart() priority 10\n"
      "  }\n");
}

inline const char* kCluster = R"(pods:
  - {namespace: demo-apps, name: leaky-1, labels: {issue: memory-leak}, owner: Deployment/leaky}
  - {namespace: demo-apps, name: steady-1, labels: {issue: memory-leak}, owner: Deployment/steady}
  - {namespace: demo-apps, name: ignored, labels: {issue: none}}
deployments:
  - {namespace: demo-apps, name: leaky, replicas: 1}
  - {namespace: demo-apps, name: steady, replicas: 1}
)";

// A policy in mode manual: its restart of crashy-1 (in kCrashLoopCluster) waits for approval
// from the first tick. It reads no PromQL.
inline const char* kManualPolicy = R"(policy crash_restart {
  select pods in namespace "demo-apps" where label("issue") == "crashloop"
  mode manual
  every 1s
  safety {
    cooldown 10m per target
    max_actions 2 per 1h
  }
  trigger crashing when pod.restarts > 5
  on crashing do restart() priority 10
}
)";

inline const char* kCrashLoopCluster = R"(pods:
  - {namespace: demo-apps, name: crashy-1, labels: {issue: crashloop}, owner: Deployment/crashy, restarts: 9}
deployments:
  - {namespace: demo-apps, name: crashy, replicas: 2, ready_replicas: 2}
)";

// The lines of an audit file (one JSON record each).
inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// The value of one series in Prometheus's text format, named with its labels as the
// exposition writes them (sorted): `skippy_policy_healthy{policy="x"}`.
inline std::optional<double> metric_value(const std::string& exposition, std::string_view series) {
  std::istringstream in(exposition);
  for (std::string line; std::getline(in, line);) {
    if (line.size() > series.size() && line.starts_with(series) && line[series.size()] == ' ')
      return std::stod(line.substr(series.size() + 1));
  }
  return std::nullopt;
}

}  // namespace skippy::test
