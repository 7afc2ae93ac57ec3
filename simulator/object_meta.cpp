#include "simulator/object_meta.hpp"

namespace skippy::sim {

std::string string_at(const Json& object, const char* pointer) {
  Json::json_pointer p(pointer);
  if (!object.is_object() || !object.contains(p)) return "";
  const Json& v = object.at(p);
  return v.is_string() ? v.get<std::string>() : "";
}

std::int64_t int_at(const Json& object, const char* pointer, std::int64_t fallback) {
  Json::json_pointer p(pointer);
  if (!object.is_object() || !object.contains(p)) return fallback;
  const Json& v = object.at(p);
  return v.is_number_integer() ? v.get<std::int64_t>() : fallback;
}

std::int64_t resource_version_of(const Json& o) {
  std::string rv = string_at(o, "/metadata/resourceVersion");
  std::int64_t value = 0;
  for (char c : rv) {
    if (c < '0' || c > '9' || value > 1'000'000'000'000'000LL) return 0;
    value = value * 10 + (c - '0');
  }
  return value;
}

const Json& labels_of(const Json& o) {
  static const Json empty = Json::object();
  if (!o.is_object()) return empty;
  auto meta = o.find("metadata");
  if (meta == o.end() || !meta->is_object()) return empty;
  auto labels = meta->find("labels");
  return labels != meta->end() && labels->is_object() ? *labels : empty;
}

std::string annotation(const Json& o, std::string_view key) {
  if (!o.is_object() || !o.contains("metadata") || !o["metadata"].is_object()) return "";
  const Json& meta = o["metadata"];
  auto a = meta.find("annotations");
  if (a == meta.end() || !a->is_object()) return "";
  auto v = a->find(std::string(key));
  return v != a->end() && v->is_string() ? v->get<std::string>() : "";
}

Json owner_reference(const Json& owner, bool controller) {
  return {{"apiVersion", string_at(owner, "/apiVersion")},
          {"kind", string_at(owner, "/kind")},
          {"name", name_of(owner)},
          {"uid", uid_of(owner)},
          {"controller", controller},
          {"blockOwnerDeletion", true}};
}

std::string controller_uid(const Json& o) {
  Json::json_pointer p("/metadata/ownerReferences");
  if (!o.is_object() || !o.contains(p) || !o.at(p).is_array()) return "";
  for (const auto& ref : o.at(p)) {
    if (ref.is_object() && ref.value("controller", false) && ref.contains("uid") &&
        ref["uid"].is_string())
      return ref["uid"].get<std::string>();
  }
  return "";
}

bool owned_by(const Json& o, std::string_view owner_uid) {
  Json::json_pointer p("/metadata/ownerReferences");
  if (!o.is_object() || !o.contains(p) || !o.at(p).is_array()) return false;
  for (const auto& ref : o.at(p)) {
    if (ref.is_object() && ref.contains("uid") && ref["uid"] == owner_uid) return true;
  }
  return false;
}

bool being_deleted(const Json& o) {
  return !string_at(o, "/metadata/deletionTimestamp").empty();
}

}  // namespace skippy::sim
