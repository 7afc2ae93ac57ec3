// The StatefulSet controller: pods NAME-0 .. NAME-(n-1). With OrderedReady (the default) it
// creates one pod at a time, each once the ones before it are ready, and removes the highest
// ordinal first; with Parallel it creates every missing pod at once. A template change rolls
// the pods from the highest ordinal down, one at a time, each once all are ready.
#include "simulator/controllers/controller.hpp"
#include "simulator/names.hpp"
#include "simulator/object_meta.hpp"
#include "simulator/pod_state.hpp"
#include "simulator/rest.hpp"

namespace skippy::sim {
namespace {

constexpr const char* kRevisionLabel = "controller-revision-hash";

void sync_statefulset(ControllerContext& context, const Json& sts) {
  const ResourceType& pods = resource("pods");
  std::string name = name_of(sts);
  std::string revision = name + "-" + safe_suffix(fnv1a(sts["spec"]["template"].dump()), 10);
  std::int64_t desired = int_at(sts, "/spec/replicas", 1);
  bool parallel = string_at(sts, "/spec/podManagementPolicy") == "Parallel";
  // The pods by ordinal; ordinals the set does not own stay empty.
  std::map<std::int64_t, Json> by_ordinal;
  for (Json& pod : owned_pods(context.store, sts)) {
    std::string pod_name = name_of(pod);
    if (!pod_name.starts_with(name + "-")) continue;
    std::string ordinal = pod_name.substr(name.size() + 1);
    if (ordinal.empty() || ordinal.find_first_not_of("0123456789") != std::string::npos) continue;
    by_ordinal[std::atoll(ordinal.c_str())] = std::move(pod);
  }
  bool all_ready = true;
  for (std::int64_t i = 0; i < desired; ++i) {
    auto it = by_ordinal.find(i);
    if (it != by_ordinal.end()) {
      all_ready = all_ready && pod_ready(it->second);
      continue;
    }
    if (!parallel && !all_ready) break;
    std::string pod_name = name + "-" + std::to_string(i);
    Json labels = {{kRevisionLabel, revision},
                   {"statefulset.kubernetes.io/pod-name", pod_name},
                   {"apps.kubernetes.io/pod-index", std::to_string(i)}};
    Json pod = pod_from_template(sts, labels, pod_name);
    pod["spec"]["hostname"] = pod_name;
    if (sts["spec"].contains("serviceName")) pod["spec"]["subdomain"] = sts["spec"]["serviceName"];
    auto created = create_object(context.store, pods, namespace_of(sts), pod, context.now_ms);
    if (error_of(created)) break;
    by_ordinal[i] = std::get<Json>(created);
    context.events.record(context.store, sts, "Normal", "SuccessfulCreate",
                          "create Pod " + pod_name + " in StatefulSet " + name + " successful",
                          "statefulset-controller", context.now_ms);
    all_ready = false;
    if (!parallel) break;
  }
  // Scale down from the highest ordinal, one per step unless Parallel.
  std::vector<std::int64_t> surplus;
  for (auto it = by_ordinal.rbegin(); it != by_ordinal.rend() && it->first >= desired; ++it)
    surplus.push_back(it->first);
  for (std::int64_t ordinal : surplus) {
    std::string pod_name = name_of(by_ordinal[ordinal]);
    delete_object(context.store, {&pods, namespace_of(sts), pod_name}, Propagation::Background,
                  context.now_ms);
    context.events.record(context.store, sts, "Normal", "SuccessfulDelete",
                          "delete Pod " + pod_name + " in StatefulSet " + name + " successful",
                          "statefulset-controller", context.now_ms);
    by_ordinal.erase(ordinal);
    if (!parallel) break;
  }
  // Roll: the highest ordinal of an older revision goes once every pod is ready.
  std::int64_t ready = 0, updated = 0, count = 0;
  for (const auto& [i, pod] : by_ordinal) {
    ++count;
    ready += pod_ready(pod) ? 1 : 0;
    updated += string_at(pod, "/metadata/labels/controller-revision-hash") == revision ? 1 : 0;
  }
  if (count == desired && ready == desired && updated < desired) {
    for (auto it = by_ordinal.rbegin(); it != by_ordinal.rend(); ++it) {
      if (string_at(it->second, "/metadata/labels/controller-revision-hash") == revision) continue;
      delete_object(context.store, {&pods, namespace_of(sts), name_of(it->second)},
                    Propagation::Background, context.now_ms);
      break;
    }
  }
  Json status = {{"observedGeneration", int_at(sts, "/metadata/generation", 1)},
                 {"replicas", count},
                 {"readyReplicas", ready},
                 {"availableReplicas", ready},
                 {"currentReplicas", updated},
                 {"updatedReplicas", updated},
                 {"currentRevision", revision},
                 {"updateRevision", revision}};
  const ResourceType& statefulsets = resource("statefulsets");
  if (const Json* stored = context.store.find(statefulsets, namespace_of(sts), name))
    write_status(context.store, statefulsets, *stored, status);
}

}  // namespace

void run_statefulset_controller(ControllerContext& context) {
  for (const Json& sts : list_copy(context.store, resource("statefulsets"))) {
    if (!being_deleted(sts)) sync_statefulset(context, sts);
  }
}

}  // namespace skippy::sim
