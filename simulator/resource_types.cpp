#include "simulator/resource_types.hpp"

#include <algorithm>

namespace skippy::sim {

std::string ResourceType::api_version() const {
  if (group.empty()) return std::string(version);
  return std::string(group) + "/" + std::string(version);
}

std::string ResourceType::list_kind() const {
  return std::string(kind) + "List";
}

bool ResourceType::has_subresource(std::string_view name) const {
  return std::find(subresources.begin(), subresources.end(), name) != subresources.end();
}

const std::vector<ResourceType>& resource_types() {
  static const std::vector<ResourceType> types = {
      {"", "v1", "namespaces", "namespace", "Namespace", false, {"ns"}, {"status"}, {}},
      {"", "v1", "nodes", "node", "Node", false, {"no"}, {"status"}, {}},
      {"", "v1", "pods", "pod", "Pod", true, {"po"}, {"status", "eviction"}, {"all"}},
      {"", "v1", "events", "event", "Event", true, {"ev"}, {}, {}},
      {"apps",
       "v1",
       "deployments",
       "deployment",
       "Deployment",
       true,
       {"deploy"},
       {"status", "scale"},
       {"all"}},
      {"apps",
       "v1",
       "replicasets",
       "replicaset",
       "ReplicaSet",
       true,
       {"rs"},
       {"status", "scale"},
       {"all"}},
      {"apps",
       "v1",
       "statefulsets",
       "statefulset",
       "StatefulSet",
       true,
       {"sts"},
       {"status", "scale"},
       {"all"}},
      {"apps", "v1", "daemonsets", "daemonset", "DaemonSet", true, {"ds"}, {"status"}, {"all"}},
      {"policy",
       "v1",
       "poddisruptionbudgets",
       "poddisruptionbudget",
       "PodDisruptionBudget",
       true,
       {"pdb"},
       {"status"},
       {}},
      {"coordination.k8s.io", "v1", "leases", "lease", "Lease", true, {}, {}, {}},
      {"kubeskippy.io",
       "v1alpha1",
       "healingpolicies",
       "healingpolicy",
       "HealingPolicy",
       true,
       {"hp"},
       {"status"},
       {}},
      {"kubeskippy.io",
       "v1alpha1",
       "healingactions",
       "healingaction",
       "HealingAction",
       true,
       {"ha"},
       {"status"},
       {}},
  };
  return types;
}

const ResourceType* find_resource(std::string_view group, std::string_view version,
                                  std::string_view plural) {
  for (const auto& t : resource_types()) {
    if (t.group == group && t.version == version && t.plural == plural) return &t;
  }
  return nullptr;
}

const ResourceType& resource(std::string_view plural) {
  for (const auto& t : resource_types()) {
    if (t.plural == plural) return t;
  }
  return resource_types().front();  // not reached: callers name served resources
}

const ResourceType* find_kind(std::string_view api_version, std::string_view kind) {
  for (const auto& t : resource_types()) {
    if (t.kind == kind && t.api_version() == api_version) return &t;
  }
  return nullptr;
}

std::vector<GroupVersion> served_groups() {
  std::vector<GroupVersion> out;
  for (const auto& t : resource_types()) {
    if (t.group.empty()) continue;
    bool seen = std::any_of(out.begin(), out.end(), [&](const GroupVersion& g) {
      return g.group == t.group && g.version == t.version;
    });
    if (!seen) out.push_back({t.group, t.version});
  }
  return out;
}

}  // namespace skippy::sim
