// What the runtime knows of the cluster: targets and their Kubernetes state, reached through
// one narrow interface. A YAML snapshot implements it for tests and `skippy test`; the
// Kubernetes adapter implements it with informers for a live cluster.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace skippy::cluster {

using Labels = std::map<std::string, std::string, std::less<>>;

struct ObjectMeta {
  std::string namespace_name;
  std::string name;
  Labels labels;
  Labels annotations;
  std::int64_t created_ms = 0;
};

struct Pod {
  ObjectMeta meta;
  std::string phase = "Running";  // Pending, Running, Succeeded, Failed, Unknown
  bool ready = true;
  std::int64_t restarts = 0;      // summed over containers
  std::string waiting_reason;     // of a waiting container, "" if none waits
  std::string terminated_reason;  // of the last termination, "" if none
  std::int64_t last_exit_code = 0;
  std::string node;
  std::string owner_kind;  // the controller: ReplicaSet, StatefulSet, ...; "" for a bare pod
  std::string owner_name;
  std::string workload_kind;  // the top workload: Deployment for a ReplicaSet's pod
  std::string workload_name;
  double memory_limit_bytes = 0;
  double cpu_limit_cores = 0;
};

struct Workload {
  std::string kind;  // Deployment, StatefulSet, DaemonSet, ReplicaSet
  ObjectMeta meta;
  std::int64_t replicas = 0;
  std::int64_t ready_replicas = 0;
  std::int64_t available_replicas = 0;
  std::int64_t updated_replicas = 0;
  std::string owner_kind;  // the controller: Deployment for a ReplicaSet it rolls out, or ""
  std::string owner_name;
};

struct Event {
  std::string namespace_name;
  std::string involved_kind;
  std::string involved_name;
  std::string reason;
  std::string type;  // Normal, Warning
  std::int64_t count = 1;
  std::int64_t last_seen_ms = 0;
  std::string message;  // at most kEventMessageBytes, cut at a UTF-8 boundary with "…"
};

// Event messages are kept this long at most: evidence for an analyzer, not a log store.
inline constexpr std::size_t kEventMessageBytes = 512;

class ClusterView {
 public:
  virtual ~ClusterView() = default;
  virtual std::span<const Pod> pods() const = 0;
  virtual std::span<const Workload> workloads() const = 0;
  virtual const Workload* find_workload(std::string_view kind, std::string_view namespace_name,
                                        std::string_view name) const = 0;
  // Events about an object (or any object, for an empty kind) seen in (since_ms, until_ms],
  // filtered by reason and type when those are not empty; repeated events count `count` times.
  virtual std::int64_t count_events(std::string_view namespace_name, std::string_view kind,
                                    std::string_view name, std::string_view reason,
                                    std::string_view type, std::int64_t since_ms,
                                    std::int64_t until_ms) const = 0;
  // The events about an object seen in (since_ms, until_ms], newest first, at most `limit`.
  virtual std::vector<const Event*> recent_events(std::string_view namespace_name,
                                                  std::string_view kind, std::string_view name,
                                                  std::int64_t since_ms, std::int64_t until_ms,
                                                  std::size_t limit) const = 0;
};

}  // namespace skippy::cluster
