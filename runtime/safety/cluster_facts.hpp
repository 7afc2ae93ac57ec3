// What the gates and the health check need from the cluster, and no more: each workload's
// replicas and how many of them are unavailable now, whether each bare pod is ready, and the
// share of targets that is unhealthy.
#pragma once

#include <cstdint>
#include <string_view>

#include "runtime/cluster/cluster_view.hpp"
#include "runtime/safety/string_map.hpp"

namespace skippy::safety {

struct WorkloadFacts {
  std::int64_t replicas = 0;
  std::int64_t unavailable = 0;  // replicas not ready now, whoever disrupted them
};

struct ClusterFacts {
  StringMap<WorkloadFacts> workloads;  // by workload_key: "Kind/namespace/name"
  // Pods without a workload, by object_key: "Pod/namespace/name" -> ready and running. A pod
  // of a workload is not here: its workload's replicas say how it is.
  StringMap<bool> bare_pods;
  double unhealthy_share = 0;  // of the targets, 0..1

  const WorkloadFacts* workload(std::string_view key) const {
    auto it = workloads.find(key);
    return it == workloads.end() ? nullptr : &it->second;
  }
  const bool* bare_pod(std::string_view key) const {
    auto it = bare_pods.find(key);
    return it == bare_pods.end() ? nullptr : &it->second;
  }
};

// Facts from a cluster view: every workload's replicas and unready replicas, every bare pod's
// readiness, and the share of pods that are not ready (or not running). O(pods + workloads).
ClusterFacts cluster_facts(const cluster::ClusterView& view);

}  // namespace skippy::safety
