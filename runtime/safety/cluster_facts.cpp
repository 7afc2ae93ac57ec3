#include "runtime/safety/cluster_facts.hpp"

#include <algorithm>
#include <string>

#include "runtime/safety/action_request.hpp"

namespace skippy::safety {

ClusterFacts cluster_facts(const cluster::ClusterView& view) {
  ClusterFacts facts;
  for (const auto& w : view.workloads()) {
    WorkloadFacts f;
    f.replicas = w.replicas;
    f.unavailable = std::max<std::int64_t>(0, w.replicas - std::min(w.replicas, w.ready_replicas));
    facts.workloads[object_key(w.kind, w.meta.namespace_name, w.meta.name)] = f;
  }
  auto pods = view.pods();
  if (!pods.empty()) {
    auto unhealthy = std::count_if(pods.begin(), pods.end(), [](const cluster::Pod& p) {
      return !p.ready || p.phase != "Running";
    });
    facts.unhealthy_share = static_cast<double>(unhealthy) / static_cast<double>(pods.size());
  }
  return facts;
}

}  // namespace skippy::safety
