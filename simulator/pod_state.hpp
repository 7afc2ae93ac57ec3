// What a pod's status says about it, as controllers and the disruption budget read it.
#pragma once

#include <nlohmann/json.hpp>

namespace skippy::sim {

using Json = nlohmann::json;

// The Ready condition is True.
bool pod_ready(const Json& pod);
// Neither Succeeded nor Failed, and not being deleted: a pod that counts toward replicas.
bool pod_active(const Json& pod);

}  // namespace skippy::sim
