// The runtime's cluster view of a live cluster: informers keep caches of Pods, Deployments,
// StatefulSets, DaemonSets, ReplicaSets, Events, PodDisruptionBudgets and HealingPolicies up
// to date in the background, and refresh() (called at the start of each tick) copies them
// into the vectors the view hands out. Between two refreshes the view does not change, so a
// tick sees one consistent cluster however many watch events arrive meanwhile. Each pod's top
// workload is resolved at refresh, as snapshots resolve it: pod -> ReplicaSet -> Deployment.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "k8s-adapter/cache.hpp"
#include "k8s-adapter/informer.hpp"
#include "k8s-adapter/objects.hpp"
#include "runtime/cluster/cluster_view.hpp"

namespace skippy::k8s {

struct LiveClusterOptions {
  InformerOptions informer;
  ApiClientOptions client;
  // Where HealingPolicy objects are listed; "" to keep none. Optional: a cluster without the
  // CRD answers 404 and the view has no HealingPolicies, without waiting for them.
  std::string healing_policies_path = "/apis/kubeskippy.io/v1alpha1/healingpolicies";
};

class LiveCluster final : public cluster::ClusterView {
 public:
  explicit LiveCluster(Connection connection, LiveClusterOptions options = {});
  ~LiveCluster() override;

  void start();  // starts every informer
  void stop();
  // Waits until every informer of a built-in kind has listed once, or `limit` passes; "" or
  // which have not ("not synced after 30000 ms: /api/v1/events (last error: ...)").
  std::string wait_synced(std::chrono::milliseconds limit);
  // Copies the caches into the view; what pods(), workloads() and the rest return until the
  // next refresh.
  void refresh();

  std::span<const cluster::Pod> pods() const override { return pods_; }
  std::span<const cluster::Workload> workloads() const override { return workloads_; }
  const cluster::Workload* find_workload(std::string_view kind, std::string_view namespace_name,
                                         std::string_view name) const override;
  std::int64_t count_events(std::string_view namespace_name, std::string_view kind,
                            std::string_view name, std::string_view reason, std::string_view type,
                            std::int64_t since_ms, std::int64_t until_ms) const override;
  std::vector<const cluster::Event*> recent_events(std::string_view namespace_name,
                                                   std::string_view kind, std::string_view name,
                                                   std::int64_t since_ms, std::int64_t until_ms,
                                                   std::size_t limit) const override;
  std::span<const DisruptionBudget> disruption_budgets() const { return budgets_; }
  std::span<const RawObject> healing_policies() const { return healing_policies_; }

  const std::vector<std::unique_ptr<Informer>>& informers() const { return informers_; }

 private:
  Cache<cluster::Pod> pod_cache_;
  Cache<cluster::Workload> deployment_cache_, statefulset_cache_, daemonset_cache_,
      replicaset_cache_;
  Cache<cluster::Event> event_cache_;
  Cache<DisruptionBudget> budget_cache_;
  Cache<RawObject> policy_cache_;
  std::vector<std::unique_ptr<Informer>> informers_;
  std::size_t required_ = 0;  // the first informers, which wait_synced waits for

  std::vector<cluster::Pod> pods_;
  std::vector<cluster::Workload> workloads_;  // sorted by kind, namespace, name
  std::vector<cluster::Event> events_;
  std::vector<DisruptionBudget> budgets_;
  std::vector<RawObject> healing_policies_;
};

}  // namespace skippy::k8s
