// A `skippy test` file: promtool's unit-test layout, with the cluster beside the series and
// expected actions instead of expected alerts.
//
//   policy_files: [memory-leak.skippy]        # relative to this file
//   evaluation_interval: 15s                  # default: the policies' tick step
//   tests:
//     - name: restarts the leaking pod
//       interval: 1m                          # between input samples; default: evaluation_interval
//       input_series:
//         - series: 'container_memory_working_set_bytes{namespace="demo-apps", pod="a"}'
//           values: '100+50x20'
//       cluster: {pods: [{namespace: demo-apps, name: a, labels: {issue: memory-leak}}]}
//       cluster_changes:                      # the whole view from `at` on
//         - at: 10m
//           cluster: {pods: []}
//       expected_actions:
//         - at: 5m
//           actions: [{policy: memory_leak, action: restart, target: demo-apps/a, outcome:
//           executed}]
//       expected_no_actions_until: 4m
//       expected_triggers:                    # a trigger's state for a target after a tick
//         - {at: 30s, policy: memory_leak, trigger: high_memory, target: demo-apps/a,
//            state: pending}
//
// Every mistake is reported with its line and column; loading never throws.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "policytest/series.hpp"
#include "runtime/cluster/snapshot.hpp"

namespace skippy::policytest {

struct Location {
  int line = 0;  // 1-based; 0 when unknown
  int column = 0;
};

struct InputSeries {
  SeriesLabels labels;
  std::string selector;  // as written
  std::vector<Sample> samples;
  Location where;
};

// One action at one time: what a test expects, or what the policies did.
struct ActionLine {
  std::string policy;
  std::string action;
  std::string target;   // "namespace/name" for a pod, "Kind/namespace/name" for a workload
  std::string outcome;  // executed, blocked:cooldown, awaiting-approval, recorded, ...
  friend bool operator==(const ActionLine&, const ActionLine&) = default;
  friend auto operator<=>(const ActionLine&, const ActionLine&) = default;
};

struct ExpectedAt {
  std::int64_t at_ms = 0;
  std::vector<ActionLine> actions;
  Location where;
};

// A trigger's state for one target: what a test expects at a time, or what it was.
struct TriggerLine {
  std::string policy;
  std::string trigger;
  std::string target;  // as ActionLine's
  std::string state;   // inactive, pending, firing (firing or clearing)
  friend bool operator==(const TriggerLine&, const TriggerLine&) = default;
};

struct ExpectedTrigger {
  std::int64_t at_ms = 0;
  TriggerLine line;
  std::string path;  // "tests[0].expected_triggers[1]", for errors about its names
  Location where, policy_where, trigger_where, target_where;
};

struct ClusterAt {
  std::int64_t at_ms = 0;
  std::shared_ptr<const cluster::SnapshotClusterView> view;
};

struct TestCase {
  std::string name;
  Location where;
  std::int64_t interval_ms = 0;  // between input samples
  std::vector<InputSeries> input_series;
  std::vector<ClusterAt> cluster;  // by time; the first at 0
  std::vector<ExpectedAt> expected;
  std::optional<std::int64_t> no_actions_until_ms;
  std::vector<ExpectedTrigger> expected_triggers;  // in the file's order
  // The last time the test evaluates: its latest expectation.
  std::int64_t end_ms() const;
};

struct TestFile {
  std::string path;
  std::vector<std::string> policy_files;    // resolved against the file's directory
  std::int64_t evaluation_interval_ms = 0;  // 0: the policies' step
  std::vector<TestCase> tests;
};

struct FileError {
  Location where;
  std::string message;
};

// Reads a test file's text; `path` names it in errors and resolves its policy files.
TestFile parse_test_file(const std::string& text, const std::string& path,
                         std::vector<FileError>& errors);

// A pod target's key without its kind ("Pod/ns/a" is "ns/a"), as actions name targets.
std::string normal_target(std::string target);

}  // namespace skippy::policytest
