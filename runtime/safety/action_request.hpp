// What the safety runtime decides about: one proposed action, described without the engine's
// or the VM's structures. The runtime turns each proposal of a tick into an ActionRequest.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/bytecode/program.hpp"
#include "runtime/cluster/cluster_view.hpp"

namespace skippy::safety {

// What an action acts on.
struct Target {
  std::string kind;  // Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet
  std::string namespace_name;
  std::string name;
  // A pod's top workload (Deployment for a ReplicaSet's pod); empty for a bare pod. For a
  // workload target it may be left empty: the workload is then the target itself.
  std::string workload_kind;
  std::string workload_name;
  cluster::Labels labels;
  cluster::Labels annotations;
};

// "Kind/namespace/name": how an object is named in ids, keys and records. The assign_ forms
// write into `out`, reusing its memory.
std::string object_key(std::string_view kind, std::string_view namespace_name,
                       std::string_view name);
void assign_object_key(std::string& out, std::string_view kind, std::string_view namespace_name,
                       std::string_view name);

// The target's object_key.
std::string target_key(const Target& target);

// "Kind/namespace/name" of the workload whose replicas an action on the target disrupts;
// empty for a bare pod.
std::string workload_key(const Target& target);
void assign_workload_key(std::string& out, const Target& target);

// A policy's safety rules in force for an action. Zero means "not set" for every limit.
struct PolicyLimits {
  std::int64_t cooldown_target_ms = 0;     // per (policy, action, target)
  std::int64_t cooldown_policy_ms = 0;     // per policy
  std::uint32_t max_actions = 0;           // actions of the policy ...
  std::int64_t max_actions_window_ms = 0;  // ... in any window this long
  std::uint32_t max_unavailable = 0;       // replicas of the target's workload disrupted at once
  bool max_unavailable_percent = false;    // max_unavailable is a percentage (rounded up)
  std::uint32_t max_concurrent = 0;        // actions of the policy in flight
  bool allow_system_namespaces = false;
};

// The compiled policy's rules as PolicyLimits.
PolicyLimits policy_limits(const bytecode::SafetyConfig& safety);

// Whether the compiled policy's `approve` list names the stdlib action `action`.
bool approval_required(const bytecode::SafetyConfig& safety, std::uint16_t action);

struct Argument {
  std::string name;
  std::string json;  // the value as JSON text: 3, "rolling", true
};

struct ActionRequest {
  std::string id;  // action_id(...): same firing, same action, same target, same id
  std::string policy;
  std::string trigger;
  std::string action;
  bool destructive = false;   // can take capacity away (stdlib's ActionDecl::destructive)
  std::int32_t priority = 0;  // lower runs first
  Target target;
  std::vector<Argument> arguments;
  bool unknown_arguments = false;  // an argument was unknown when proposed: always blocked
  bytecode::Mode mode = bytecode::Mode::Monitor;  // the policy's
  PolicyLimits limits;                            // the policy's
  bool approval_required = false;                 // the policy's `approve` lists the action
  std::int64_t fired_at_ms = 0;                   // when the trigger fired
};

// 32 hex digits: 128-bit FNV-1a over the policy, trigger and action names, the target key and
// the firing time, each part delimited so that ("ab", "c") and ("a", "bc") differ.
std::string action_id(std::string_view policy, std::string_view trigger, std::string_view action,
                      std::string_view target_key, std::int64_t fired_at_ms);

// The text of the request's string argument `name` (its JSON unquoted); "" when it has no such
// string argument.
std::string string_argument(const ActionRequest& request, std::string_view name);

// The id of a request from its own fields.
std::string action_id(const ActionRequest& request);

}  // namespace skippy::safety
