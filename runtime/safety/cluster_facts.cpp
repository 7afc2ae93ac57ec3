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
  std::size_t unhealthy = 0;
  for (const auto& p : pods) {
    const bool healthy = p.ready && p.phase == "Running";
    unhealthy += healthy ? 0 : 1;
    if (p.workload_name.empty())
      facts.bare_pods[object_key("Pod", p.meta.namespace_name, p.meta.name)] = healthy;
  }
  if (!pods.empty())
    facts.unhealthy_share = static_cast<double>(unhealthy) / static_cast<double>(pods.size());
  return facts;
}

}  // namespace skippy::safety
