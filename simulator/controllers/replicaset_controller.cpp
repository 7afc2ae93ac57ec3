// The ReplicaSet controller: keeps spec.replicas active pods, creating what is missing and
// deleting the surplus (pods not ready first, then the newest), and reports replicas,
// readyReplicas and availableReplicas.
#include <algorithm>

#include "simulator/controllers/controller.hpp"
#include "simulator/object_meta.hpp"
#include "simulator/pod_state.hpp"
#include "simulator/rest.hpp"

namespace skippy::sim {

void run_replicaset_controller(ControllerContext& context) {
  const ResourceType& replicasets = resource("replicasets");
  const ResourceType& pods = resource("pods");
  for (const Json& rs : list_copy(context.store, replicasets)) {
    if (being_deleted(rs)) continue;
    std::int64_t desired = int_at(rs, "/spec/replicas", 1);
    auto owned = owned_pods(context.store, rs);
    auto count = static_cast<std::int64_t>(owned.size());
    for (; count < desired; ++count) {
      auto created = create_object(context.store, pods, namespace_of(rs),
                                   pod_from_template(rs, Json::object(), ""), context.now_ms);
      if (error_of(created)) break;
      const Json& pod = std::get<Json>(created);
      context.events.record(context.store, rs, "Normal", "SuccessfulCreate",
                            "Created pod: " + name_of(pod), "replicaset-controller",
                            context.now_ms);
      owned.push_back(pod);
    }
    if (count > desired) {
      // Victims: not ready before ready, then the newest first.
      std::sort(owned.begin(), owned.end(), [](const Json& a, const Json& b) {
        if (pod_ready(a) != pod_ready(b)) return !pod_ready(a);
        return string_at(a, "/metadata/creationTimestamp") >
               string_at(b, "/metadata/creationTimestamp");
      });
      while (count > desired) {
        const Json& victim = owned.front();
        delete_object(context.store, {&pods, namespace_of(victim), name_of(victim)},
                      Propagation::Background, context.now_ms);
        context.events.record(context.store, rs, "Normal", "SuccessfulDelete",
                              "Deleted pod: " + name_of(victim), "replicaset-controller",
                              context.now_ms);
        owned.erase(owned.begin());
        --count;
      }
    }
    std::int64_t ready = 0;
    for (const Json& pod : owned) ready += pod_ready(pod) ? 1 : 0;
    Json status = {{"replicas", count},
                   {"fullyLabeledReplicas", count},
                   {"readyReplicas", ready},
                   {"availableReplicas", ready},
                   {"observedGeneration", int_at(rs, "/metadata/generation", 1)}};
    const Json* current = context.store.find(replicasets, namespace_of(rs), name_of(rs));
    if (current) write_status(context.store, replicasets, *current, status);
  }
}

}  // namespace skippy::sim
