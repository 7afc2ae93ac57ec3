// What the gates need from the cluster, and no more: each workload's replicas and how many of
// them are unavailable now, and the share of targets that is unhealthy.
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
  double unhealthy_share = 0;          // of the targets, 0..1

  const WorkloadFacts* workload(std::string_view key) const {
    auto it = workloads.find(key);
    return it == workloads.end() ? nullptr : &it->second;
  }
};

// Facts from a cluster view: every workload's replicas and unready replicas, and the share of
// pods that are not ready (or not running).
ClusterFacts cluster_facts(const cluster::ClusterView& view);

}  // namespace skippy::safety
