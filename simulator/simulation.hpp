// The simulated cluster: the object store, the fixed nodes and namespaces a cluster starts
// with, and the controllers, stepped at a simulated time the caller gives. A step runs the
// scheduler and kubelet, then the failing apps' restarts and back-off (behaviour.hpp), then
// the chaos monkeys' kills, then the ReplicaSet, Deployment, StatefulSet, DaemonSet and
// disruption controllers, then expires old events; changes show in the store (and so in watches) as
// they are made.
#pragma once

#include <cstdint>

#include "simulator/controllers/chaos_monkey.hpp"
#include "simulator/controllers/controller.hpp"
#include "simulator/controllers/events.hpp"
#include "simulator/controllers/pod_lifecycle.hpp"
#include "simulator/object_store.hpp"

namespace skippy::sim {

class Simulation {
 public:
  explicit Simulation(SimulationOptions options = {});

  // Creates the namespaces default, kube-system, kube-public and kube-node-lease, and a Node
  // for each name in the options.
  void bootstrap(std::int64_t now_ms);
  // Runs every controller once at `now_ms`.
  void step(std::int64_t now_ms);

  ObjectStore& store() { return store_; }
  const ObjectStore& store() const { return store_; }
  const SimulationOptions& options() const { return options_; }

 private:
  SimulationOptions options_;
  ObjectStore store_;
  EventRecorder events_;
  PodLifecycle pods_;
  ChaosMonkeys chaos_monkeys_;
};

}  // namespace skippy::sim
