#include "simulator/object_store.hpp"

#include <algorithm>

#include "simulator/names.hpp"
#include "simulator/object_meta.hpp"
#include "simulator/timestamps.hpp"

namespace skippy::sim {
namespace {

std::string type_key(const ResourceType& type) {
  return std::string(type.group) + "/" + std::string(type.plural);
}

std::string object_key(std::string_view namespace_name, std::string_view name) {
  return std::string(namespace_name) + "/" + std::string(name);
}

// The object without what the server owns (metadata, status): what a change of generation
// compares.
Json spec_part(const Json& object) {
  Json out = object;
  out.erase("metadata");
  out.erase("status");
  return out;
}

bool has_finalizers(const Json& o) {
  Json::json_pointer p("/metadata/finalizers");
  return o.contains(p) && o.at(p).is_array() && !o.at(p).empty();
}

}  // namespace

std::string_view change_name(ChangeType type) {
  switch (type) {
    case ChangeType::Added:
      return "ADDED";
    case ChangeType::Modified:
      return "MODIFIED";
    case ChangeType::Deleted:
      return "DELETED";
  }
  return "ERROR";
}

ObjectStore::ObjectStore(std::size_t history_limit) : history_limit_(history_limit) {}

ObjectStore::Objects& ObjectStore::objects_of(const ResourceType& type) {
  return objects_[type_key(type)];
}

void ObjectStore::record(ChangeType type, const ResourceType& resource, const Json& object) {
  history_.push_back({revision_, type, &resource, object});
  while (history_.size() > history_limit_) {
    forgotten_ = history_.front().revision;
    history_.pop_front();
  }
}

Outcome<Json> ObjectStore::create(const ResourceType& type, Json object, std::int64_t now_ms) {
  if (!object.is_object()) return bad_request("the object is not a JSON object");
  if (!object.contains("metadata") || !object["metadata"].is_object())
    object["metadata"] = Json::object();
  Json& meta = object["metadata"];
  std::string ns = string_at(object, "/metadata/namespace");
  if (!type.namespaced) {
    meta.erase("namespace");
    ns.clear();
  } else if (ns.empty()) {
    return bad_request("the namespace of the object is missing");
  }
  Objects& objects = objects_of(type);
  std::string name = string_at(object, "/metadata/name");
  if (name.empty()) {
    std::string prefix = string_at(object, "/metadata/generateName");
    if (prefix.empty())
      return invalid(type.kind, type.group, "",
                     {required("metadata.name", "name or generateName is required")});
    do {
      name = prefix + safe_suffix(++suffixes_, 5);
    } while (objects.count(object_key(ns, name)));
    meta["name"] = name;
  }
  if (objects.count(object_key(ns, name))) return already_exists(type.plural, type.group, name);
  object["apiVersion"] = type.api_version();
  object["kind"] = type.kind;
  meta.erase("deletionTimestamp");
  meta["uid"] = uid_from(++uids_);
  meta["creationTimestamp"] = rfc3339(now_ms);
  meta["generation"] = 1;
  ++revision_;
  meta["resourceVersion"] = std::to_string(revision_);
  objects[object_key(ns, name)] = object;
  record(ChangeType::Added, type, object);
  return object;
}

Outcome<Json> ObjectStore::update(const ResourceType& type, Json object) {
  if (!object.is_object() || !object.contains("metadata") || !object["metadata"].is_object())
    return bad_request("the object has no metadata");
  std::string ns = type.namespaced ? namespace_of(object) : "";
  std::string name = name_of(object);
  Objects& objects = objects_of(type);
  auto it = objects.find(object_key(ns, name));
  if (it == objects.end()) return not_found(type.plural, type.group, name);
  const Json& old = it->second;
  std::string given = string_at(object, "/metadata/resourceVersion");
  if (!given.empty() && given != string_at(old, "/metadata/resourceVersion"))
    return conflict(type.plural, type.group, name);
  Json& meta = object["metadata"];
  object["apiVersion"] = type.api_version();
  object["kind"] = type.kind;
  for (const char* kept : {"uid", "creationTimestamp", "deletionTimestamp"}) {
    if (old["metadata"].contains(kept))
      meta[kept] = old["metadata"][kept];
    else
      meta.erase(kept);
  }
  std::int64_t generation = int_at(old, "/metadata/generation", 1);
  if (spec_part(object) != spec_part(old)) ++generation;
  meta["generation"] = generation;
  meta["resourceVersion"] = old["metadata"]["resourceVersion"];
  if (object == old) return object;
  ++revision_;
  meta["resourceVersion"] = std::to_string(revision_);
  if (being_deleted(object) && !has_finalizers(object)) {
    objects.erase(it);
    record(ChangeType::Deleted, type, object);
    return object;
  }
  it->second = object;
  record(ChangeType::Modified, type, object);
  return object;
}

Outcome<Json> ObjectStore::remove(const ResourceType& type, std::string_view namespace_name,
                                  std::string_view name, std::int64_t now_ms) {
  Objects& objects = objects_of(type);
  auto it = objects.find(object_key(type.namespaced ? namespace_name : "", name));
  if (it == objects.end()) return not_found(type.plural, type.group, name);
  Json object = it->second;
  ++revision_;
  object["metadata"]["resourceVersion"] = std::to_string(revision_);
  if (has_finalizers(object)) {
    if (!being_deleted(object)) object["metadata"]["deletionTimestamp"] = rfc3339(now_ms);
    it->second = object;
    record(ChangeType::Modified, type, object);
    return object;
  }
  objects.erase(it);
  record(ChangeType::Deleted, type, object);
  return object;
}

const Json* ObjectStore::find(const ResourceType& type, std::string_view namespace_name,
                              std::string_view name) const {
  auto t = objects_.find(type_key(type));
  if (t == objects_.end()) return nullptr;
  auto it = t->second.find(object_key(type.namespaced ? namespace_name : "", name));
  return it == t->second.end() ? nullptr : &it->second;
}

std::vector<const Json*> ObjectStore::list(const ResourceType& type,
                                           std::string_view namespace_name) const {
  std::vector<const Json*> out;
  auto t = objects_.find(type_key(type));
  if (t == objects_.end()) return out;
  std::string prefix = namespace_name.empty() ? "" : std::string(namespace_name) + "/";
  for (auto it = t->second.lower_bound(prefix); it != t->second.end(); ++it) {
    if (!prefix.empty() && !it->first.starts_with(prefix)) break;
    out.push_back(&it->second);
  }
  return out;
}

std::optional<std::vector<Change>> ObjectStore::changes_after(const ResourceType* type,
                                                              std::int64_t since) const {
  if (since < forgotten_) return std::nullopt;
  std::vector<Change> out;
  // Changes are in revision order: skip to the first one after `since`.
  auto it = std::upper_bound(history_.begin(), history_.end(), since,
                             [](std::int64_t r, const Change& c) { return r < c.revision; });
  for (; it != history_.end(); ++it) {
    if (type == nullptr || it->resource == type) out.push_back(*it);
  }
  return out;
}

}  // namespace skippy::sim
