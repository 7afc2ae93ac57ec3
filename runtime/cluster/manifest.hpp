// How a Kubernetes object maps to the cluster view's records, written once for any document
// tree: YAML manifests in snapshots, the API server's JSON in the Kubernetes adapter. `Node`
// adapts a tree; each field read says what it falls back to when the field is missing:
//
//   Node operator[](const char* key) const;         a map's field, or a missing node
//   bool is_map() const;
//   std::string text(std::string_view fallback = {}) const;
//   std::int64_t integer(std::int64_t fallback = 0) const;
//   bool boolean(bool fallback) const;
//   std::int64_t time() const;                       an RFC 3339 timestamp in ms; 0 if missing
//   Labels labels() const;                           a map of strings
//   template <class F> void each(F f) const;         f(Node) for each item of a list
//
// A field of the wrong type is the adapter's to report; the mapping takes its fallback.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "runtime/cluster/cluster_view.hpp"
#include "runtime/cluster/events.hpp"

namespace skippy::cluster {

// Annotations too large to keep for every object and never useful to a policy.
inline bool kept_annotation(std::string_view key) {
  return key != "kubectl.kubernetes.io/last-applied-configuration";
}

template <class Node>
ObjectMeta manifest_meta(const Node& metadata) {
  ObjectMeta meta;
  meta.namespace_name = metadata["namespace"].text("default");
  meta.name = metadata["name"].text();
  meta.labels = metadata["labels"].labels();
  meta.annotations = metadata["annotations"].labels();
  std::erase_if(meta.annotations, [](const auto& kv) { return !kept_annotation(kv.first); });
  meta.created_ms = metadata["creationTimestamp"].time();
  return meta;
}

// The ownerReference with controller: true, as (kind, name); empty when there is none.
template <class Node>
void manifest_controller(const Node& metadata, std::string& kind, std::string& name) {
  metadata["ownerReferences"].each([&](const Node& o) {
    if (o["controller"].boolean(false)) {
      kind = o["kind"].text();
      name = o["name"].text();
    }
  });
}

// A Pod: its controller, phase, Ready condition and container statuses (restarts summed, a
// waiting container's reason, the last termination's reason and exit code).
template <class Node>
Pod manifest_pod(const Node& object) {
  Pod p;
  const Node metadata = object["metadata"];
  const Node status = object["status"];
  p.meta = manifest_meta(metadata);
  manifest_controller(metadata, p.owner_kind, p.owner_name);
  p.workload_kind = p.owner_kind;
  p.workload_name = p.owner_name;
  p.phase = status["phase"].text("Pending");
  p.ready = false;
  status["conditions"].each([&](const Node& c) {
    if (c["type"].text() == "Ready") p.ready = c["status"].text() == "True";
  });
  status["containerStatuses"].each([&](const Node& cs) {
    p.restarts += cs["restartCount"].integer();
    const Node waiting = cs["state"]["waiting"];
    if (waiting.is_map()) p.waiting_reason = waiting["reason"].text();
    const Node terminated = cs["lastState"]["terminated"];
    if (terminated.is_map()) {
      p.terminated_reason = terminated["reason"].text();
      p.last_exit_code = terminated["exitCode"].integer();
    }
  });
  p.node = object["spec"]["nodeName"].text();
  return p;
}

// A Deployment, StatefulSet, DaemonSet or ReplicaSet (`kind`): desired and observed replicas
// (a DaemonSet's are its scheduled pods) and its controller.
template <class Node>
Workload manifest_workload(std::string kind, const Node& object) {
  Workload w;
  const Node metadata = object["metadata"];
  const Node status = object["status"];
  const bool daemons = kind == "DaemonSet";
  w.kind = std::move(kind);
  w.meta = manifest_meta(metadata);
  w.replicas =
      daemons ? status["desiredNumberScheduled"].integer() : object["spec"]["replicas"].integer(1);
  w.ready_replicas = status[daemons ? "numberReady" : "readyReplicas"].integer();
  w.available_replicas = status[daemons ? "numberAvailable" : "availableReplicas"].integer();
  w.updated_replicas = status[daemons ? "updatedNumberScheduled" : "updatedReplicas"].integer();
  manifest_controller(metadata, w.owner_kind, w.owner_name);
  return w;
}

// An Event (core/v1): the object it is about, and when it was last seen (lastTimestamp, or
// for events.k8s.io-style series eventTime and series.lastObservedTime).
template <class Node>
Event manifest_event(const Node& object) {
  Event e;
  const Node involved = object["involvedObject"];
  e.namespace_name = object["metadata"]["namespace"].text("default");
  e.involved_kind = involved["kind"].text();
  e.involved_name = involved["name"].text();
  e.reason = object["reason"].text();
  e.type = object["type"].text("Normal");
  e.message = capped_event_message(object["message"].text());
  e.count = object["count"].integer(object["series"]["count"].integer(1));
  e.last_seen_ms = object["lastTimestamp"].time();
  if (e.last_seen_ms == 0) e.last_seen_ms = object["series"]["lastObservedTime"].time();
  if (e.last_seen_ms == 0) e.last_seen_ms = object["eventTime"].time();
  return e;
}

// Milliseconds since the epoch of an RFC 3339 timestamp ("2026-01-01T00:00:10Z", with
// fractions or an offset), or std::nullopt when `text` is not one.
std::optional<std::int64_t> parse_rfc3339_ms(std::string_view text);

// Each pod's top workload: a ReplicaSet's pods belong to the workload that controls the
// ReplicaSet (a Deployment), as `kubectl` shows them. `workloads` must hold the ReplicaSets.
void resolve_workloads(std::span<Pod> pods, std::span<const Workload> workloads);

}  // namespace skippy::cluster
