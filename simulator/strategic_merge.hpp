// Strategic merge patch, as the API server applies `application/strategic-merge-patch+json`
// (what `kubectl apply`, `kubectl edit` and `kubectl rollout restart` send for built-in kinds),
// for the subset that matters to the workloads simulated here:
//
//   - maps merge key by key; a null value deletes the key;
//   - lists of objects merge by their merge key, chosen by the list's field name:
//     containers, initContainers, ephemeralContainers, env, volumes, imagePullSecrets by `name`,
//     ports by `containerPort` (`port` when the elements have none), volumeMounts by
//     `mountPath`, conditions by `type`, ownerReferences by `uid`; other lists are replaced;
//   - `finalizers` merges as a set of strings;
//   - directives: `$patch: replace` (the map replaces the original) and `$patch: delete` (the
//     map, or the list element with its merge key, is removed), `$patch: replace` as a list
//     element (the list is replaced by the rest of the patch list),
//     `$deleteFromPrimitiveList/FIELD` (values removed from a list of strings); `$retainKeys`
//     and `$setElementOrder/FIELD` are accepted and ignored.
//
// The real server takes its merge keys from the Go types and OpenAPI of each kind; custom
// resources never get a strategic merge patch (415, as here: see patch.hpp).
#pragma once

#include <string>
#include <variant>

#include <nlohmann/json.hpp>

namespace skippy::sim {

using Json = nlohmann::json;

// `original` with `patch` applied, or why the patch is malformed ("spec.containers: ...").
std::variant<Json, std::string> strategic_merge(const Json& original, const Json& patch);

// The merge key of the list called `field` whose elements look like `element`, "" when the
// list is replaced as a whole.
std::string merge_key_of(const std::string& field, const Json& element);

}  // namespace skippy::sim
