// What the API server does to an object of a kind before storing it: the defaults it fills in
// (a Deployment's replicas and strategy, a Pod's restartPolicy, ...) and the validation that
// answers 422 Invalid, in kube-apiserver's words: on create, names, labels and annotations as
// apimachinery checks them, a workload's selector that must match its template's labels and
// replicas that are not negative, a Pod's containers; on update, besides, a Pod's immutable
// spec, a workload's immutable selector, a StatefulSet's immutable fields and the uid. One
// place for every rule, so PUT, PATCH and the scale subresource all get them. A subset of the
// real rules: every field Skippy writes is checked as a real cluster checks it.
#pragma once

#include <optional>

#include "simulator/api_error.hpp"
#include "simulator/resource_types.hpp"

namespace skippy::sim {

void apply_defaults(const ResourceType& type, Json& object);

// What is wrong with `object` on create, or nullopt: 422 Invalid with every field error, as
// kube-apiserver words it. `object` has its defaults.
std::optional<ApiError> validate(const ResourceType& type, const Json& object);

// The same for `new_object` replacing `old_object` (PUT, PATCH, the scale subresource), with
// the rules of an update: a Pod's spec is immutable but for kube-apiserver's few updatable
// fields, a workload's selector never changes, nor a StatefulSet's spec outside replicas,
// template, updateStrategy and the like, nor an object's uid.
std::optional<ApiError> validate_update(const ResourceType& type, const Json& old_object,
                                        const Json& new_object);

// Whether `name` is a DNS-1123 subdomain (lower-case letters, digits, '-' and '.', at most 253
// characters, starting and ending with a letter or digit).
bool valid_object_name(std::string_view name);

}  // namespace skippy::sim
