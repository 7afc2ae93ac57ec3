// The discovery documents kubectl reads before anything else: /version, /api (APIVersions),
// /apis (APIGroupList), /apis/GROUP (APIGroup) and the APIResourceList of each group version
// (/api/v1, /apis/apps/v1, ...), with verbs, short names, categories and subresources, all
// from the one resource table. Only the unaggregated format is served: a client asking for
// aggregated discovery (apidiscovery.k8s.io/v2) gets this with Content-Type
// application/json, and kubectl falls back to it as it does with older servers.
#pragma once

#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

namespace skippy::sim {

using Json = nlohmann::json;

Json version_info();
Json api_versions();
Json api_group_list();
// nullopt for a group not served.
std::optional<Json> api_group(std::string_view group);
// The APIResourceList of a group version ("" for the core group), nullopt when not served.
std::optional<Json> api_resource_list(std::string_view group, std::string_view version);

}  // namespace skippy::sim
