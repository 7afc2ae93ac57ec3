#include "k8s-adapter/live_cluster.hpp"

#include <algorithm>
#include <tuple>

#include "runtime/cluster/events.hpp"
#include "runtime/cluster/manifest.hpp"

namespace skippy::k8s {
namespace {

auto workload_order(const cluster::Workload& w) {
  return std::tie(w.kind, w.meta.namespace_name, w.meta.name);
}

// A workload cache's decoder: list items do not say their kind, so the cache knows it.
Cache<cluster::Workload>::Decode workload_decoder(const char* kind) {
  return [kind](simdjson::dom::element object, cluster::Workload& out) {
    return decode_workload(kind, object, out);
  };
}

template <class T>
void copy_values(const Cache<T>& cache, std::vector<T>& out) {
  cache.read([&](const typename Cache<T>::Map& items) {
    for (const auto& [key, value] : items) out.push_back(value);
  });
}

}  // namespace

LiveCluster::LiveCluster(Connection connection, LiveClusterOptions options)
    : pod_cache_(decode_pod),
      deployment_cache_(workload_decoder("Deployment")),
      statefulset_cache_(workload_decoder("StatefulSet")),
      daemonset_cache_(workload_decoder("DaemonSet")),
      replicaset_cache_(workload_decoder("ReplicaSet")),
      event_cache_(decode_event),
      budget_cache_(decode_disruption_budget),
      policy_cache_(decode_raw) {
  auto add = [&](std::string path, Store& store) {
    informers_.push_back(std::make_unique<Informer>(connection, std::move(path), store,
                                                    options.informer, options.client));
  };
  add("/api/v1/pods", pod_cache_);
  add("/apis/apps/v1/deployments", deployment_cache_);
  add("/apis/apps/v1/statefulsets", statefulset_cache_);
  add("/apis/apps/v1/daemonsets", daemonset_cache_);
  add("/apis/apps/v1/replicasets", replicaset_cache_);
  add("/api/v1/events", event_cache_);
  add("/apis/policy/v1/poddisruptionbudgets", budget_cache_);
  required_ = informers_.size();
  if (!options.healing_policies_path.empty()) add(options.healing_policies_path, policy_cache_);
}

LiveCluster::~LiveCluster() {
  stop();
}

void LiveCluster::start() {
  for (auto& i : informers_) i->start();
}

void LiveCluster::stop() {
  for (auto& i : informers_) i->stop();
}

std::string LiveCluster::wait_synced(std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  std::string missing;
  for (std::size_t k = 0; k < required_; ++k) {
    Informer* i = informers_[k].get();
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (i->wait_synced(std::max(left, std::chrono::milliseconds(0)))) continue;
    std::string error = i->last_error();
    missing += (missing.empty() ? "" : "; ") + i->path() +
               (error.empty() ? "" : " (last error: " + error + ")");
  }
  if (missing.empty()) return {};
  return "not synced after " + std::to_string(limit.count()) + " ms: " + missing;
}

void LiveCluster::refresh() {
  pods_.clear();
  workloads_.clear();
  events_.clear();
  budgets_.clear();
  healing_policies_.clear();
  copy_values(pod_cache_, pods_);
  for (const auto* cache :
       {&deployment_cache_, &statefulset_cache_, &daemonset_cache_, &replicaset_cache_})
    copy_values(*cache, workloads_);
  copy_values(event_cache_, events_);
  copy_values(budget_cache_, budgets_);
  copy_values(policy_cache_, healing_policies_);
  // Caches are hash maps: sort, so that ticks see objects in one stable order.
  std::sort(pods_.begin(), pods_.end(), [](const auto& a, const auto& b) {
    return std::tie(a.meta.namespace_name, a.meta.name) <
           std::tie(b.meta.namespace_name, b.meta.name);
  });
  std::sort(workloads_.begin(), workloads_.end(),
            [](const auto& a, const auto& b) { return workload_order(a) < workload_order(b); });
  std::sort(healing_policies_.begin(), healing_policies_.end(), [](const auto& a, const auto& b) {
    return std::tie(a.namespace_name, a.name) < std::tie(b.namespace_name, b.name);
  });
  cluster::resolve_workloads(pods_, workloads_);
}

const cluster::Workload* LiveCluster::find_workload(std::string_view kind,
                                                    std::string_view namespace_name,
                                                    std::string_view name) const {
  auto it =
      std::lower_bound(workloads_.begin(), workloads_.end(), std::tie(kind, namespace_name, name),
                       [](const cluster::Workload& w, const auto& wanted) {
                         return std::tuple<std::string_view, std::string_view, std::string_view>(
                                    w.kind, w.meta.namespace_name, w.meta.name) < wanted;
                       });
  if (it == workloads_.end() || it->kind != kind || it->meta.namespace_name != namespace_name ||
      it->meta.name != name)
    return nullptr;
  return &*it;
}

std::int64_t LiveCluster::count_events(std::string_view namespace_name, std::string_view kind,
                                       std::string_view name, std::string_view reason,
                                       std::string_view type, std::int64_t since_ms,
                                       std::int64_t until_ms) const {
  return cluster::count_events(events_, namespace_name, kind, name, reason, type, since_ms,
                               until_ms);
}

std::vector<const cluster::Event*> LiveCluster::recent_events(
    std::string_view namespace_name, std::string_view kind, std::string_view name,
    std::int64_t since_ms, std::int64_t until_ms, std::size_t limit) const {
  return cluster::recent_events(events_, namespace_name, kind, name, since_ms, until_ms, limit);
}

}  // namespace skippy::k8s
