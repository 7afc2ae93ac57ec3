// What every simulated controller gets for one step: the store, the event recorder, the
// simulation's settings and the simulated time. A controller reads the objects it manages,
// makes the changes that move them toward their spec, and writes their status; a step changes
// nothing when there is nothing to do, so that watches stay quiet in a steady state.
#pragma once

#include <cstdint>
#include <vector>

#include "simulator/controllers/events.hpp"
#include "simulator/object_store.hpp"

namespace skippy::sim {

struct SimulationOptions {
  std::vector<std::string> nodes = {"sim-node-1", "sim-node-2", "sim-node-3"};
  std::int64_t start_delay_ms = 1'000;  // from scheduling to Running
  std::int64_t ready_delay_ms = 3'000;  // from Running to Ready
};

struct ControllerContext {
  ObjectStore& store;
  EventRecorder& events;
  const SimulationOptions& options;
  std::int64_t now_ms = 0;
};

// Copies of the objects of `type` in `namespace_name` ("" for all): controllers change the
// store while they walk them.
std::vector<Json> list_copy(const ObjectStore& store, const ResourceType& type,
                            std::string_view namespace_name = {});
// The active pods (pod_state.hpp) whose controller is `owner`.
std::vector<Json> owned_pods(const ObjectStore& store, const Json& owner);
// Writes `status` into the stored `object` (no change, no new revision).
void write_status(ObjectStore& store, const ResourceType& type, Json object, Json status);
// A pod for `owner` from its pod template, with `extra_labels` and the owner as controller;
// `name` empty for a generated name (owner name and '-').
Json pod_from_template(const Json& owner, const Json& extra_labels, const std::string& name);
// The int-or-percent `value` of `total` (percentages round up when `round_up`, else down).
std::int64_t int_or_percent(const Json& value, std::int64_t total, bool round_up);
// Sets the condition `type` in `conditions` (an array), keeping lastTransitionTime while the
// status stays and lastUpdateTime while nothing changes.
void set_condition(Json& conditions, const std::string& type, bool status,
                   const std::string& reason, const std::string& message, std::int64_t now_ms);
// Sets the pod condition `type` as the kubelet writes it (lastProbeTime null, no reason).
void set_pod_condition(Json& pod, const std::string& type, bool status, std::int64_t now_ms);

void run_pod_lifecycle(ControllerContext& context);
void run_replicaset_controller(ControllerContext& context);
void run_deployment_controller(ControllerContext& context);
void run_statefulset_controller(ControllerContext& context);
void run_daemonset_controller(ControllerContext& context);
void run_disruption_controller(ControllerContext& context);
// Failing apps (behaviour.hpp): restarts, back-off and readiness of pods with a behaviour.
void run_behaviours(ControllerContext& context);

}  // namespace skippy::sim
