// The API server's objects as the adapter keeps them: decoded from JSON (simdjson's DOM) into
// compact typed records, never kept as whole JSON (a Pod's JSON is several kilobytes; its
// record a few hundred bytes). Pods, workloads and events map as in snapshots
// (runtime/cluster/manifest.hpp); PodDisruptionBudgets keep what the safety gates ask about;
// HealingPolicy objects keep their JSON text, for the CRD's translation into policies.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <string>

#include "runtime/cluster/cluster_view.hpp"

namespace skippy::k8s {

// A PodDisruptionBudget (policy/v1): which pods it covers and how many may be disrupted.
struct DisruptionBudget {
  std::string namespace_name;
  std::string name;
  cluster::Labels selector;           // spec.selector.matchLabels
  bool selector_expressions = false;  // spec.selector has matchExpressions (not kept)
  std::string min_available;          // "2" or "50%"; "" when not set
  std::string max_unavailable;        // likewise
  std::int64_t disruptions_allowed = 0;
  std::int64_t current_healthy = 0;
  std::int64_t desired_healthy = 0;
  std::int64_t expected_pods = 0;
};

// An object kept as its JSON text (minified), for kinds read elsewhere (HealingPolicy).
struct RawObject {
  std::string namespace_name;
  std::string name;
  std::string json;
};

// Each decodes one object (an item of a list, or a watch event's object) into `out` and
// returns "" or what was wrong, with the field: "status.containerStatuses[0].restartCount:
// expected a whole number". A wrong field takes its fallback; the rest of the record is kept.
std::string decode_pod(simdjson::dom::element object, cluster::Pod& out);
std::string decode_workload(std::string kind, simdjson::dom::element object,
                            cluster::Workload& out);
std::string decode_event(simdjson::dom::element object, cluster::Event& out);
std::string decode_disruption_budget(simdjson::dom::element object, DisruptionBudget& out);
std::string decode_raw(simdjson::dom::element object, RawObject& out);

// "namespace/name" (or "name" for a cluster-scoped object) of an object; "" without a name.
std::string object_key(simdjson::dom::element object);

}  // namespace skippy::k8s
