// The DaemonSet controller: one pod on every simulated node, placed there directly (as the
// real controller pins it with node affinity). A template change replaces the pods one at a
// time, each once all are ready.
#include "simulator/controllers/controller.hpp"
#include "simulator/names.hpp"
#include "simulator/object_meta.hpp"
#include "simulator/pod_state.hpp"
#include "simulator/rest.hpp"

namespace skippy::sim {
namespace {

constexpr const char* kRevisionLabel = "controller-revision-hash";

void sync_daemonset(ControllerContext& context, const Json& ds) {
  const ResourceType& pods = resource("pods");
  std::string revision = safe_suffix(fnv1a(ds["spec"]["template"].dump()), 10);
  std::map<std::string, Json> by_node;
  for (Json& pod : owned_pods(context.store, ds)) {
    std::string node = string_at(pod, "/spec/nodeName");
    by_node[node] = std::move(pod);
  }
  for (const auto& node : context.options.nodes) {
    if (by_node.count(node)) continue;
    Json pod = pod_from_template(ds, {{kRevisionLabel, revision}}, "");
    pod["spec"]["nodeName"] = node;
    auto created = create_object(context.store, pods, namespace_of(ds), pod, context.now_ms);
    if (error_of(created)) break;
    by_node[node] = std::get<Json>(created);
    context.events.record(context.store, ds, "Normal", "SuccessfulCreate",
                          "Created pod: " + name_of(by_node[node]), "daemonset-controller",
                          context.now_ms);
  }
  std::int64_t ready = 0, updated = 0;
  for (const auto& [node, pod] : by_node) {
    ready += pod_ready(pod) ? 1 : 0;
    updated += string_at(pod, "/metadata/labels/controller-revision-hash") == revision ? 1 : 0;
  }
  auto scheduled = static_cast<std::int64_t>(by_node.size());
  if (ready == scheduled && updated < scheduled) {
    for (const auto& [node, pod] : by_node) {
      if (string_at(pod, "/metadata/labels/controller-revision-hash") == revision) continue;
      delete_object(context.store, {&pods, namespace_of(ds), name_of(pod)}, Propagation::Background,
                    context.now_ms);
      break;
    }
  }
  auto nodes = static_cast<std::int64_t>(context.options.nodes.size());
  Json status = {{"observedGeneration", int_at(ds, "/metadata/generation", 1)},
                 {"desiredNumberScheduled", nodes},
                 {"currentNumberScheduled", scheduled},
                 {"numberReady", ready},
                 {"numberAvailable", ready},
                 {"numberUnavailable", std::max<std::int64_t>(0, nodes - ready)},
                 {"numberMisscheduled", 0},
                 {"updatedNumberScheduled", updated}};
  const ResourceType& daemonsets = resource("daemonsets");
  if (const Json* stored = context.store.find(daemonsets, namespace_of(ds), name_of(ds)))
    write_status(context.store, daemonsets, *stored, status);
}

}  // namespace

void run_daemonset_controller(ControllerContext& context) {
  for (const Json& ds : list_copy(context.store, resource("daemonsets"))) {
    if (!being_deleted(ds)) sync_daemonset(context, ds);
  }
}

}  // namespace skippy::sim
