// Server-side printing: the meta.k8s.io/v1 Table kubectl asks for (`Accept:
// application/json;as=Table;v=v1;g=meta.k8s.io`) when it prints objects for a human, with
// the columns a real server gives for each kind (pods: NAME READY STATUS RESTARTS AGE, with IP
// and NODE for -o wide; deployments: NAME READY UP-TO-DATE AVAILABLE AGE; ...) and NAME AGE
// for the rest. Ages are measured at `now_ms`, simulated time.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "simulator/resource_types.hpp"

namespace skippy::sim {

using Json = nlohmann::json;

// Whether an Accept header asks for a Table.
bool wants_table(std::string_view accept);

// The Table of `objects`. `include_object` is the request's includeObject: "None", "Object",
// or "Metadata" (the default: each row carries the object's PartialObjectMetadata).
Json to_table(const ResourceType& type, const std::vector<const Json*>& objects,
              std::string_view resource_version, std::int64_t now_ms,
              std::string_view include_object, bool with_columns = true);

}  // namespace skippy::sim
