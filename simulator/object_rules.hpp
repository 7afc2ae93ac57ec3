// What the API server does to an object of a kind before storing it: the defaults it fills in
// (a Deployment's replicas and strategy, a Pod's restartPolicy, ...) and the validation that
// answers 422 Invalid (names, a workload's selector that must match its template's labels, a
// Pod's containers). A subset of the real rules: enough that what passes here is what a real
// cluster would take, not every rule a real cluster checks.
#pragma once

#include <optional>

#include "simulator/api_error.hpp"
#include "simulator/resource_types.hpp"

namespace skippy::sim {

void apply_defaults(const ResourceType& type, Json& object);

// The first problem of `object`, or nullopt. `object` has its defaults.
std::optional<ApiError> validate(const ResourceType& type, const Json& object);

// Whether `name` is a DNS-1123 subdomain (lower-case letters, digits, '-' and '.', at most 253
// characters, starting and ending with a letter or digit).
bool valid_object_name(std::string_view name);

}  // namespace skippy::sim
