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
// GET /openapi/v2 as kubectl asks for it (protobuf, gnostic's openapi_v2.Document): a document
// that publishes no schema, only `swagger: "2.0"`. kubectl then finds no schema for any kind and
// its client-side validation accepts every object, as for a CRD without one; the API server's
// own checks still apply. (/openapi/v3 stays 404, so kubectl takes this one.)
std::string openapi_v2_protobuf();
Json api_versions();
Json api_group_list();
// nullopt for a group not served.
std::optional<Json> api_group(std::string_view group);
// The APIResourceList of a group version ("" for the core group), nullopt when not served.
std::optional<Json> api_resource_list(std::string_view group, std::string_view version);

}  // namespace skippy::sim
