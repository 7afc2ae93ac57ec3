// A cluster view read from YAML: the objects of a cluster at one moment, written either in
// a short form or as Kubernetes manifests. Used by tests, `skippy test` and `skippy run`
// without a cluster. The short form:
//
//   pods:
//     - {namespace: demo-apps, name: a, labels: {issue: memory-leak}, owner: Deployment/leaky,
//        phase: Running, ready: true, restarts: 2, waiting_reason: CrashLoopBackOff}
//   deployments:                       # also statefulsets, daemonsets, replicasets
//     - {namespace: demo-apps, name: leaky, replicas: 3, ready_replicas: 2}
//   events:
//     - {namespace: demo-apps, object: Pod/a, reason: OOMKilled, type: Warning, at: 120s}
//
// and `objects:` holds Kubernetes manifests (Pod, Deployment, StatefulSet, DaemonSet,
// ReplicaSet, Event) as `kubectl get -o yaml` prints them.
#pragma once

#include <string>
#include <vector>

#include "runtime/cluster/cluster_view.hpp"

namespace YAML {
class Node;
}

namespace skippy::cluster {

class SnapshotClusterView final : public ClusterView {
 public:
  std::span<const Pod> pods() const override { return pods_; }
  std::span<const Workload> workloads() const override { return workloads_; }
  const Workload* find_workload(std::string_view kind, std::string_view namespace_name,
                                std::string_view name) const override;
  std::int64_t count_events(std::string_view namespace_name, std::string_view kind,
                            std::string_view name, std::string_view reason, std::string_view type,
                            std::int64_t since_ms, std::int64_t until_ms) const override;
  std::vector<const Event*> recent_events(std::string_view namespace_name, std::string_view kind,
                                          std::string_view name, std::int64_t since_ms,
                                          std::int64_t until_ms, std::size_t limit) const override;

  std::vector<Pod>& mutable_pods() { return pods_; }
  std::vector<Workload>& mutable_workloads() { return workloads_; }
  std::vector<Event>& mutable_events() { return events_; }

 private:
  std::vector<Pod> pods_;
  std::vector<Workload> workloads_;
  std::vector<Event> events_;
};

struct SnapshotError {
  std::string path;  // where in the document: "pods[2].restarts"
  int line = 0;      // 1-based, 0 when unknown
  std::string message;
  int column = 0;  // 1-based, 0 when unknown
};

// Parses a snapshot; on errors the view holds what parsed and `errors` says what did not.
SnapshotClusterView parse_snapshot(const std::string& yaml, std::vector<SnapshotError>& errors);
// The same, from a node of a larger document (a test file's `cluster`): lines are the
// document's.
SnapshotClusterView parse_snapshot(const YAML::Node& root, std::vector<SnapshotError>& errors);

}  // namespace skippy::cluster
