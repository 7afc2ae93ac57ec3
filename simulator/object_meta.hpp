// Reading an object's metadata (name, namespace, uid, labels, owners) without caring whether a
// field is there: what is missing reads as empty.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace skippy::sim {

using Json = nlohmann::json;

// The string at `pointer` ("/metadata/name"), "" when absent or not a string.
std::string string_at(const Json& object, const char* pointer);
// The integer at `pointer`, `fallback` when absent or not an integer.
std::int64_t int_at(const Json& object, const char* pointer, std::int64_t fallback = 0);

inline std::string name_of(const Json& o) {
  return string_at(o, "/metadata/name");
}
inline std::string namespace_of(const Json& o) {
  return string_at(o, "/metadata/namespace");
}
inline std::string uid_of(const Json& o) {
  return string_at(o, "/metadata/uid");
}
// metadata.resourceVersion as a number, 0 when absent or not a number.
std::int64_t resource_version_of(const Json& o);
// metadata.labels, or an empty object.
const Json& labels_of(const Json& o);
// The string value of annotation `key`, "" when absent.
std::string annotation(const Json& o, std::string_view key);

// An ownerReference to `owner` (its apiVersion and kind as it carries them).
Json owner_reference(const Json& owner, bool controller);
// The uid of the owner marked `controller: true`, "" when none.
std::string controller_uid(const Json& o);
bool owned_by(const Json& o, std::string_view owner_uid);
bool being_deleted(const Json& o);

}  // namespace skippy::sim
