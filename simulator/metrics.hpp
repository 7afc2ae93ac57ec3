// Per-pod metrics in the Prometheus text exposition format (0.0.4), under the names and labels
// that cAdvisor (through the kubelet) and kube-state-metrics give them in a real cluster, so
// that queries written for a cluster work unchanged against the simulator:
//
//   cAdvisor, one series per running container:
//     container_memory_working_set_bytes, container_cpu_usage_seconds_total (a counter from
//     the container's start), container_spec_memory_limit_bytes (0 without a limit)
//       {namespace, pod, container}
//     container_network_{receive,transmit}_{bytes,packets,errors}_total and
//     container_network_{receive,transmit}_packets_dropped_total, one series per running pod
//       {namespace, pod, interface="eth0"}
//   the app's own, for the web apps (flaky-web-app, network-degradation), per running container:
//     http_requests_total{namespace, pod, container, method="GET", code="200"|"500"|"503"}
//     http_request_duration_seconds, a histogram: _bucket{namespace, pod, container, le},
//       _sum and _count
//   kube-state-metrics:
//     kube_pod_container_status_restarts_total{namespace, pod, container}
//     kube_pod_container_status_waiting_reason{namespace, pod, container, reason}
//     kube_pod_container_resource_limits{namespace, pod, container, node, resource, unit}
//     kube_pod_status_ready{namespace, pod, condition="true"|"false"|"unknown"}
//     kube_pod_status_phase{namespace, pod, phase}
//     kube_pod_owner{namespace, pod, owner_kind, owner_name, owner_is_controller}
//     kube_deployment_status_replicas_available{namespace, deployment}
//
// Usage comes from each pod's behaviour at `now_ms` (behaviour.hpp); the rest from the store.
// Samples carry no timestamps: Prometheus stamps them when it scrapes.
#pragma once

#include <cstdint>
#include <string>

#include "simulator/object_store.hpp"

namespace skippy::sim {

std::string metrics_text(const ObjectStore& store, std::int64_t now_ms);

}  // namespace skippy::sim
