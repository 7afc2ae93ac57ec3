// The health check after an action: whether the target of an action that succeeded is ready
// again, as the cluster facts say. The gatekeeper holds such an action in state Verifying, with
// its budget, until its target is healthy or the check's timeout passes (docs/safety.md, "The
// health check after an action").
#pragma once

#include <string>

#include "runtime/safety/action_request.hpp"
#include "runtime/safety/cluster_facts.hpp"

namespace skippy::safety {

// Whether the check applies to the request: its action changes the target's pods. That is
// every destructive action, and restart, scale and patch whichever way they go (a rollout
// restart and a scale-up take no capacity away, but their new pods must still come up); not
// annotate, label or notify.
bool health_checked(const ActionRequest& request);

// Whether the request's action removes its target when it works: delete, evict, and restart
// of a pod (a pod restarts by being deleted). A bare pod gone afterwards is healthy.
bool removes_target(const ActionRequest& request);

// What must be ready after the request's action: the target's workload ("Deployment
// apps/web"), or the target itself when it is a workload or a bare pod ("Pod apps/a").
std::string health_subject(const ActionRequest& request);

// How the health subject is.
struct TargetHealth {
  bool healthy = false;
  // How it is: "ready: 3/3 replicas", "ready", "gone: the delete removed it"; when not healthy,
  // what is wrong ("1 of 3 replicas unavailable", "no longer exists"), or empty when "not
  // ready" says it all.
  std::string detail;
};

// The health of the request's target in `facts`: a workload (the target's, or the target
// itself) is healthy with no replica unavailable; a bare pod when it is ready and running.
// Whatever no longer exists is healthy only when the action removed it.
TargetHealth target_health(const ActionRequest& request, const ClusterFacts& facts);

}  // namespace skippy::safety
