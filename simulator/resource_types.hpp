// The resources the simulated API server serves: one table that discovery, routing, the store
// and the table printer all read, so that they cannot disagree about a name or a kind.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace skippy::sim {

struct ResourceType {
  std::string_view group;     // "" for the core group
  std::string_view version;   // "v1", "v1alpha1"
  std::string_view plural;    // the path segment: "pods"
  std::string_view singular;  // "pod"
  std::string_view kind;      // "Pod"
  bool namespaced = true;
  std::vector<std::string_view> short_names;   // "po"
  std::vector<std::string_view> subresources;  // "status", "scale", "eviction"
  std::vector<std::string_view> categories;    // "all"

  // "v1" or "apps/v1", as objects carry it.
  std::string api_version() const;
  // "PodList".
  std::string list_kind() const;
  bool has_subresource(std::string_view name) const;
};

// Every resource served, core group first, in the order discovery lists them.
const std::vector<ResourceType>& resource_types();

// The resource `plural` of `group`/`version`, or nullptr.
const ResourceType* find_resource(std::string_view group, std::string_view version,
                                  std::string_view plural);
// A served resource by its plural, which is unique across the served groups ("pods",
// "deployments"); for the simulator's own code, which names only resources that exist.
const ResourceType& resource(std::string_view plural);
// The resource of an object's apiVersion and kind, or nullptr.
const ResourceType* find_kind(std::string_view api_version, std::string_view kind);

// The API groups served besides the core group, each with its one version, in order.
struct GroupVersion {
  std::string_view group;
  std::string_view version;
};
std::vector<GroupVersion> served_groups();

}  // namespace skippy::sim
