#include "runtime/safety/health_check.hpp"

namespace skippy::safety {
namespace {

// "Kind namespace/name", as a person reads it.
std::string who(std::string_view kind, std::string_view namespace_name, std::string_view name) {
  std::string out;
  out.reserve(kind.size() + namespace_name.size() + name.size() + 2);
  out.append(kind).append(" ").append(namespace_name).append("/").append(name);
  return out;
}

std::string gone(const ActionRequest& r) {
  return "gone: the " + r.action + " removed it";
}

}  // namespace

bool health_checked(const ActionRequest& r) {
  return r.destructive || r.action == "restart" || r.action == "scale" || r.action == "patch";
}

bool removes_target(const ActionRequest& r) {
  return r.action == "delete" || r.action == "evict" ||
         (r.action == "restart" && r.target.kind == "Pod");
}

std::string health_subject(const ActionRequest& r) {
  const Target& t = r.target;
  return t.workload_name.empty() ? who(t.kind, t.namespace_name, t.name)
                                 : who(t.workload_kind, t.namespace_name, t.workload_name);
}

TargetHealth target_health(const ActionRequest& r, const ClusterFacts& facts) {
  const Target& t = r.target;
  TargetHealth out;
  if (t.kind == "Pod" && t.workload_name.empty()) {  // a bare pod: nothing makes a new one
    const bool* ready = facts.bare_pod(target_key(t));
    if (!ready) {
      out.healthy = removes_target(r);
      out.detail = out.healthy ? gone(r) : "no longer exists";
    } else {
      out.healthy = *ready;
      out.detail = out.healthy ? "ready" : "";
    }
    return out;
  }
  const WorkloadFacts* w = facts.workload(workload_key(t));
  if (!w) {  // a pod's workload gone is no effect of the pod's action
    out.healthy = t.kind != "Pod" && removes_target(r);
    out.detail = out.healthy ? gone(r) : "no longer exists";
    return out;
  }
  out.healthy = w->unavailable == 0;
  out.detail = out.healthy ? "ready: " + std::to_string(w->replicas - w->unavailable) + "/" +
                                 std::to_string(w->replicas) + " replicas"
                           : std::to_string(w->unavailable) + " of " + std::to_string(w->replicas) +
                                 " replicas unavailable";
  return out;
}

}  // namespace skippy::safety
