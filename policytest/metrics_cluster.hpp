// The cluster as kube-state-metrics told Prometheus it was at one time, for `skippy replay`
// without a snapshot: pods (kube_pod_info, with their labels from kube_pod_labels, phase,
// readiness and restarts), ReplicaSets with their Deployment (kube_replicaset_owner) and
// Deployments with their replicas (kube_deployment_spec_replicas, ..._status_replicas_available).
// kube-state-metrics exports only the labels it is told to, with names made Prometheus-safe
// (`app.kubernetes.io/name` becomes `label_app_kubernetes_io_name`): a pod's labels are those
// names without `label_`, so selections on labels with `.`, `/` or `-` do not match.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/cluster/snapshot.hpp"
#include "runtime/prometheus/client.hpp"

namespace skippy::policytest {

// `errors` gets a line per query that failed; the view holds what the others said.
cluster::SnapshotClusterView cluster_from_metrics(prometheus::Client& client, std::int64_t time_ms,
                                                  std::vector<std::string>& errors);

}  // namespace skippy::policytest
