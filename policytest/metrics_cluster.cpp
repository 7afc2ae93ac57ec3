#include "policytest/metrics_cluster.hpp"

#include <functional>
#include <map>
#include <utility>

#include "runtime/cluster/manifest.hpp"

namespace skippy::policytest {
namespace {

using Key = std::pair<std::string, std::string>;  // namespace, name

std::string label(const prometheus::Labels& labels, std::string_view name) {
  return std::string(labels.get(name).value_or(""));
}

// Runs `query` at `time_ms` and calls `each` with every series' labels and value.
void each_series(prometheus::Client& client, const std::string& query, std::int64_t time_ms,
                 std::vector<std::string>& errors,
                 const std::function<void(const prometheus::Labels&, double)>& each) {
  auto outcome = client.query(query, time_ms);
  if (!outcome.ok()) {
    errors.push_back("query `" + query + "`: " + outcome.error().message);
    return;
  }
  for (const auto& series : outcome.result()) {
    if (!series.samples.empty()) each(series.labels, series.samples.front().value);
  }
}

}  // namespace

cluster::SnapshotClusterView cluster_from_metrics(prometheus::Client& client, std::int64_t time_ms,
                                                  std::vector<std::string>& errors) {
  std::map<Key, cluster::Pod> pods;
  each_series(client, "kube_pod_info", time_ms, errors, [&](const auto& l, double) {
    auto& p = pods[{label(l, "namespace"), label(l, "pod")}];
    p.meta.namespace_name = label(l, "namespace");
    p.meta.name = label(l, "pod");
    p.node = label(l, "node");
    p.owner_kind = p.workload_kind = label(l, "created_by_kind");
    p.owner_name = p.workload_name = label(l, "created_by_name");
    if (p.owner_kind == "<none>")
      p.owner_kind = p.workload_kind = p.owner_name = p.workload_name = "";
  });
  auto known = [&](const auto& l) -> cluster::Pod* {
    auto it = pods.find({label(l, "namespace"), label(l, "pod")});
    return it == pods.end() ? nullptr : &it->second;
  };
  each_series(client, "kube_pod_labels", time_ms, errors, [&](const auto& l, double) {
    if (auto* p = known(l)) {
      for (const auto& [name, value] : l) {
        if (name.starts_with("label_")) p->meta.labels[std::string(name.substr(6))] = value;
      }
    }
  });
  each_series(client, "kube_pod_status_phase == 1", time_ms, errors, [&](const auto& l, double) {
    if (auto* p = known(l)) p->phase = label(l, "phase");
  });
  each_series(client, "kube_pod_status_ready{condition=\"true\"}", time_ms, errors,
              [&](const auto& l, double v) {
                if (auto* p = known(l)) p->ready = v == 1;
              });
  each_series(client, "sum by (namespace, pod) (kube_pod_container_status_restarts_total)", time_ms,
              errors, [&](const auto& l, double v) {
                if (auto* p = known(l)) p->restarts = static_cast<std::int64_t>(v);
              });

  std::map<Key, cluster::Workload> deployments, replicasets;
  each_series(client, "kube_deployment_spec_replicas", time_ms, errors,
              [&](const auto& l, double v) {
                auto& w = deployments[{label(l, "namespace"), label(l, "deployment")}];
                w.kind = "Deployment";
                w.meta.namespace_name = label(l, "namespace");
                w.meta.name = label(l, "deployment");
                w.replicas = w.ready_replicas = w.available_replicas = w.updated_replicas =
                    static_cast<std::int64_t>(v);
              });
  each_series(client, "kube_deployment_status_replicas_available", time_ms, errors,
              [&](const auto& l, double v) {
                auto it = deployments.find({label(l, "namespace"), label(l, "deployment")});
                if (it != deployments.end())
                  it->second.ready_replicas = it->second.available_replicas =
                      static_cast<std::int64_t>(v);
              });
  each_series(client, "kube_replicaset_owner{owner_kind=\"Deployment\"}", time_ms, errors,
              [&](const auto& l, double) {
                auto& w = replicasets[{label(l, "namespace"), label(l, "replicaset")}];
                w.kind = "ReplicaSet";
                w.meta.namespace_name = label(l, "namespace");
                w.meta.name = label(l, "replicaset");
                w.owner_kind = "Deployment";
                w.owner_name = label(l, "owner_name");
              });

  cluster::SnapshotClusterView view;
  for (auto& [_, p] : pods) view.mutable_pods().push_back(std::move(p));
  for (auto* group : {&deployments, &replicasets}) {
    for (auto& [_, w] : *group) view.mutable_workloads().push_back(std::move(w));
  }
  cluster::resolve_workloads(view.mutable_pods(), view.workloads());
  return view;
}

}  // namespace skippy::policytest
