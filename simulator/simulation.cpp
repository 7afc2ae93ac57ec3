#include "simulator/simulation.hpp"

#include "simulator/rest.hpp"
#include "simulator/timestamps.hpp"

namespace skippy::sim {

Simulation::Simulation(SimulationOptions options) : options_(std::move(options)) {}

void Simulation::bootstrap(std::int64_t now_ms) {
  for (const char* ns : {"default", "kube-system", "kube-public", "kube-node-lease"}) {
    create_object(store_, resource("namespaces"), "", {{"metadata", {{"name", ns}}}}, now_ms);
  }
  for (const auto& name : options_.nodes) {
    Json node = {{"metadata",
                  {{"name", name},
                   {"labels",
                    {{"kubernetes.io/hostname", name},
                     {"kubernetes.io/os", "linux"},
                     {"kubernetes.io/arch", "amd64"}}}}},
                 {"spec", Json::object()}};
    auto created = create_object(store_, resource("nodes"), "", node, now_ms);
    if (error_of(created)) continue;
    Json stored = std::get<Json>(created);
    stored["status"] = {{"capacity", {{"cpu", "4"}, {"memory", "16Gi"}, {"pods", "110"}}},
                        {"allocatable", {{"cpu", "4"}, {"memory", "16Gi"}, {"pods", "110"}}},
                        {"conditions",
                         {{{"type", "Ready"},
                           {"status", "True"},
                           {"reason", "KubeletReady"},
                           {"message", "kubelet is posting ready status (simulated)"},
                           {"lastHeartbeatTime", rfc3339(now_ms)},
                           {"lastTransitionTime", rfc3339(now_ms)}}}},
                        {"nodeInfo",
                         {{"kubeletVersion", "v1.32.0-skippy-sim"},
                          {"operatingSystem", "linux"},
                          {"architecture", "amd64"},
                          {"containerRuntimeVersion", "simulated"}}}};
    store_.update(resource("nodes"), stored);
  }
}

void Simulation::step(std::int64_t now_ms) {
  ControllerContext context{store_, events_, options_, now_ms};
  pods_.step(context);
  run_behaviours(context);
  chaos_monkeys_.step(context);
  run_replicaset_controller(context);
  run_deployment_controller(context);
  run_statefulset_controller(context);
  run_daemonset_controller(context);
  run_disruption_controller(context);
  events_.expire(store_, now_ms);
}

}  // namespace skippy::sim
