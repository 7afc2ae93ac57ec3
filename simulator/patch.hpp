// PATCH bodies by content type: JSON Patch (RFC 6902, application/json-patch+json), JSON
// merge patch (RFC 7386, application/merge-patch+json), both from nlohmann/json, and strategic
// merge patch (application/strategic-merge-patch+json, strategic_merge.hpp; built-in kinds
// only, as the real server has it). Server-side apply (application/apply-patch+yaml) is not
// supported and answers 415.
#pragma once

#include <string_view>

#include "simulator/api_error.hpp"
#include "simulator/resource_types.hpp"

namespace skippy::sim {

// `original` with the patch applied. 400 for a body that is not JSON, 415 for a content type
// not supported for `type`, 422 for a patch that cannot apply (a failed `test`, a missing path,
// a malformed directive).
Outcome<Json> apply_patch(const ResourceType& type, const Json& original,
                          std::string_view content_type, std::string_view body);

// The media type without parameters, lower-cased: "application/json; charset=utf-8" gives
// "application/json".
std::string media_type(std::string_view content_type);

}  // namespace skippy::sim
