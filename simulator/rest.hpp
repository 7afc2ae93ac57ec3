// The API verbs over the store, with the rules the real API server applies around storage:
// the object's kind and namespace must be those of the request, the namespace must exist,
// defaults and validation (object_rules.hpp), a status subresource (the main resource cannot
// change status, `/status` changes nothing else), the scale subresource (an autoscaling/v1
// Scale over spec.replicas), and cascading deletion through ownerReferences. Both the HTTP
// server and scenario files create objects through here, so they get the same objects.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "simulator/object_store.hpp"

namespace skippy::sim {

// Which object a request is about.
struct ObjectRef {
  const ResourceType* type = nullptr;
  std::string namespace_name;  // "" for cluster-scoped resources
  std::string name;
};

enum class Propagation { Background, Foreground, Orphan };

// POST to a collection. `namespace_name` is the request's ("" for cluster-scoped types);
// status is dropped where the kind has a status subresource.
Outcome<Json> create_object(ObjectStore& store, const ResourceType& type,
                            std::string_view namespace_name, Json object, std::int64_t now_ms);

// PUT of the object or of its "status" subresource.
Outcome<Json> update_object(ObjectStore& store, const ObjectRef& ref, std::string_view subresource,
                            Json object);

// PATCH of the object or of its "status" subresource, in `content_type`.
Outcome<Json> patch_object(ObjectStore& store, const ObjectRef& ref, std::string_view subresource,
                           std::string_view content_type, std::string_view body);

// DELETE: removes the object and, unless orphaned, what it owns (foreground: dependents first).
// Deleting a namespace deletes everything in it.
Outcome<Json> delete_object(ObjectStore& store, const ObjectRef& ref, Propagation propagation,
                            std::int64_t now_ms);

// The scale subresource: GET, PUT and PATCH of an autoscaling/v1 Scale.
Outcome<Json> get_scale(const ObjectStore& store, const ObjectRef& ref);
Outcome<Json> update_scale(ObjectStore& store, const ObjectRef& ref, const Json& scale);
Outcome<Json> patch_scale(ObjectStore& store, const ObjectRef& ref, std::string_view content_type,
                          std::string_view body);

// The object, or 404 NotFound.
Outcome<Json> get_object(const ObjectStore& store, const ObjectRef& ref);

}  // namespace skippy::sim
