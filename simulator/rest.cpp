#include "simulator/rest.hpp"

#include "simulator/object_meta.hpp"
#include "simulator/object_rules.hpp"
#include "simulator/patch.hpp"
#include "simulator/selectors.hpp"

namespace skippy::sim {
namespace {

const ResourceType& namespaces_type() {
  return *find_resource("", "v1", "namespaces");
}

// The stored object after `object` replaced `stored`, with defaults and the rules of an update.
Outcome<Json> store_update(ObjectStore& store, const ResourceType& type, const Json& stored,
                           Json object) {
  apply_defaults(type, object);
  if (auto problem = validate_update(type, stored, object)) return *problem;
  return store.update(type, std::move(object));
}

// checkName: what a PUT or PATCH leaves is the object its URL names, or 400.
std::optional<ApiError> check_name(const ObjectRef& ref, const Json& object) {
  std::string name = name_of(object), ns = namespace_of(object);
  if (name != ref.name)
    return bad_request("the name of the object (" + name +
                       ") does not match the name on the URL (" + ref.name + ")");
  if (ref.type->namespaced && !ns.empty() && ns != ref.namespace_name)
    return bad_request("the namespace of the object (" + ns +
                       ") does not match the namespace on the URL (" + ref.namespace_name + ")");
  return std::nullopt;
}

// Every object in the store that names `owner_uid` among its owners.
std::vector<ObjectRef> dependents_of(const ObjectStore& store, const std::string& owner_uid) {
  std::vector<ObjectRef> out;
  for (const auto& type : resource_types()) {
    for (const Json* o : store.list(type)) {
      if (owned_by(*o, owner_uid)) out.push_back({&type, namespace_of(*o), name_of(*o)});
    }
  }
  return out;
}

// The object's new state for a PUT or PATCH of `subresource` ("" or "status"): the main
// resource keeps the stored status when the kind has a status subresource; /status keeps
// everything else.
Json merge_subresource(const ResourceType& type, const Json& stored, Json changed,
                       std::string_view subresource) {
  if (subresource == "status") {
    Json out = stored;
    out["status"] = changed.contains("status") ? changed["status"] : Json::object();
    if (changed.contains("metadata") && changed["metadata"].contains("resourceVersion"))
      out["metadata"]["resourceVersion"] = changed["metadata"]["resourceVersion"];
    return out;
  }
  if (type.has_subresource("status")) {
    if (stored.contains("status"))
      changed["status"] = stored["status"];
    else
      changed.erase("status");
  }
  return changed;
}

Json scale_of(const Json& object) {
  Json meta = Json::object();
  for (const char* k : {"name", "namespace", "uid", "resourceVersion", "creationTimestamp"}) {
    if (object["metadata"].contains(k)) meta[k] = object["metadata"][k];
  }
  std::string selector;
  auto parsed = label_selector_of(object.contains("spec") ? object["spec"].value("selector", Json())
                                                          : Json());
  if (auto* s = std::get_if<LabelSelector>(&parsed)) {
    for (const auto& r : s->requirements) {
      if (!selector.empty()) selector += ",";
      selector += r.key + (r.values.empty() ? "" : "=" + r.values.front());
    }
  }
  return {
      {"kind", "Scale"},
      {"apiVersion", "autoscaling/v1"},
      {"metadata", meta},
      {"spec", {{"replicas", int_at(object, "/spec/replicas", 1)}}},
      {"status", {{"replicas", int_at(object, "/status/replicas", 0)}, {"selector", selector}}}};
}

}  // namespace

Outcome<Json> get_object(const ObjectStore& store, const ObjectRef& ref) {
  const Json* o = store.find(*ref.type, ref.namespace_name, ref.name);
  if (!o) return not_found(ref.type->plural, ref.type->group, ref.name);
  return *o;
}

Outcome<Json> create_object(ObjectStore& store, const ResourceType& type,
                            std::string_view namespace_name, Json object, std::int64_t now_ms) {
  if (!object.is_object()) return bad_request("the body is not a JSON object");
  std::string api_version = string_at(object, "/apiVersion");
  std::string kind = string_at(object, "/kind");
  if ((!api_version.empty() && api_version != type.api_version()) ||
      (!kind.empty() && kind != type.kind))
    return bad_request("the API version in the data (" + api_version + ") and kind (" + kind +
                       ") do not match the resource " + std::string(type.plural) + " (" +
                       type.api_version() + ")");
  if (!object.contains("metadata") || !object["metadata"].is_object())
    object["metadata"] = Json::object();
  if (type.namespaced) {
    std::string given = namespace_of(object);
    if (!given.empty() && given != namespace_name)
      return bad_request(
          "the namespace of the provided object does not match the namespace sent on the "
          "request");
    if (!store.find(namespaces_type(), "", namespace_name))
      return not_found("namespaces", "", namespace_name);
    object["metadata"]["namespace"] = namespace_name;
  }
  if (type.has_subresource("status") && type.kind != "Namespace") object.erase("status");
  object["apiVersion"] = type.api_version();
  object["kind"] = type.kind;
  bool generated = name_of(object).empty();
  if (generated) object["metadata"]["name"] = string_at(object, "/metadata/generateName") + "x";
  apply_defaults(type, object);
  if (auto problem = validate(type, object)) return *problem;
  if (generated) object["metadata"].erase("name");
  if (type.kind == "Pod") object["status"] = {{"phase", "Pending"}, {"qosClass", "BestEffort"}};
  return store.create(type, std::move(object), now_ms);
}

Outcome<Json> update_object(ObjectStore& store, const ObjectRef& ref, std::string_view subresource,
                            Json object) {
  const Json* stored = store.find(*ref.type, ref.namespace_name, ref.name);
  if (!stored) return not_found(ref.type->plural, ref.type->group, ref.name);
  if (!object.is_object()) return bad_request("the body is not a JSON object");
  if (!object.contains("metadata") || !object["metadata"].is_object())
    object["metadata"] = Json::object();
  if (name_of(object).empty()) object["metadata"]["name"] = ref.name;
  if (auto problem = check_name(ref, object)) return *problem;
  if (ref.type->namespaced) object["metadata"]["namespace"] = ref.namespace_name;
  return store_update(store, *ref.type, *stored,
                      merge_subresource(*ref.type, *stored, std::move(object), subresource));
}

Outcome<Json> patch_object(ObjectStore& store, const ObjectRef& ref, std::string_view subresource,
                           std::string_view content_type, std::string_view body) {
  const Json* stored = store.find(*ref.type, ref.namespace_name, ref.name);
  if (!stored) return not_found(ref.type->plural, ref.type->group, ref.name);
  Json original = *stored;
  original["metadata"].erase("resourceVersion");  // a patch carries one only to insist on it
  auto patched = apply_patch(*ref.type, original, content_type, body);
  if (const auto* e = error_of(patched)) return *e;
  Json object = std::get<Json>(std::move(patched));
  if (!object.is_object() || !object.contains("metadata") || !object["metadata"].is_object())
    return invalid(ref.type->kind, ref.type->group, ref.name, {required("metadata")});
  if (auto problem = check_name(ref, object)) return *problem;
  if (ref.type->namespaced) object["metadata"]["namespace"] = ref.namespace_name;
  return store_update(store, *ref.type, *stored,
                      merge_subresource(*ref.type, *stored, std::move(object), subresource));
}

Outcome<Json> delete_object(ObjectStore& store, const ObjectRef& ref, Propagation propagation,
                            std::int64_t now_ms) {
  const Json* stored = store.find(*ref.type, ref.namespace_name, ref.name);
  if (!stored) return not_found(ref.type->plural, ref.type->group, ref.name);
  std::string uid = uid_of(*stored);
  if (ref.type->kind == "Namespace") {
    for (const auto& type : resource_types()) {
      if (!type.namespaced) continue;
      std::vector<std::string> names;
      for (const Json* o : store.list(type, ref.name)) names.push_back(name_of(*o));
      for (const auto& n : names) store.remove(type, ref.name, n, now_ms);
    }
    return store.remove(*ref.type, "", ref.name, now_ms);
  }
  auto dependents = dependents_of(store, uid);
  if (propagation == Propagation::Orphan) {
    for (const auto& d : dependents) {
      Json o = *store.find(*d.type, d.namespace_name, d.name);
      Json refs = Json::array();
      for (const auto& r : o["metadata"]["ownerReferences"]) {
        if (r.value("uid", "") != uid) refs.push_back(r);
      }
      o["metadata"]["ownerReferences"] = refs;
      store.update(*d.type, std::move(o));
    }
    return store.remove(*ref.type, ref.namespace_name, ref.name, now_ms);
  }
  Outcome<Json> removed = Json();
  if (propagation == Propagation::Background)
    removed = store.remove(*ref.type, ref.namespace_name, ref.name, now_ms);
  for (const auto& d : dependents) {
    if (store.find(*d.type, d.namespace_name, d.name)) delete_object(store, d, propagation, now_ms);
  }
  if (propagation == Propagation::Foreground)
    removed = store.remove(*ref.type, ref.namespace_name, ref.name, now_ms);
  return removed;
}

Outcome<Json> get_scale(const ObjectStore& store, const ObjectRef& ref) {
  const Json* o = store.find(*ref.type, ref.namespace_name, ref.name);
  if (!o) return not_found(ref.type->plural, ref.type->group, ref.name);
  return scale_of(*o);
}

Outcome<Json> update_scale(ObjectStore& store, const ObjectRef& ref, const Json& scale) {
  const Json* stored = store.find(*ref.type, ref.namespace_name, ref.name);
  if (!stored) return not_found(ref.type->plural, ref.type->group, ref.name);
  Json::json_pointer replicas("/spec/replicas");
  // ValidateScale, answered as autoscaling's Scale is named: Scale.autoscaling "NAME".
  if (!scale.is_object() || !scale.contains(replicas) || !scale.at(replicas).is_number_integer())
    return invalid(
        "Scale", "autoscaling", ref.name,
        {invalid_value("spec.replicas",
                       scale.is_object() && scale.contains(replicas) ? scale.at(replicas)
                                                                     : FieldError::no_value(),
                       "must be an integer")});
  if (scale.at(replicas).get<std::int64_t>() < 0)
    return invalid(
        "Scale", "autoscaling", ref.name,
        {invalid_value("spec.replicas", scale.at(replicas), "must be greater than or equal to 0")});
  Json object = *stored;
  std::string given = string_at(scale, "/metadata/resourceVersion");
  if (!given.empty()) object["metadata"]["resourceVersion"] = given;
  object["spec"]["replicas"] = scale.at(replicas);
  auto updated = store_update(store, *ref.type, *stored, std::move(object));
  if (const auto* e = error_of(updated)) return *e;
  return scale_of(std::get<Json>(updated));
}

Outcome<Json> patch_scale(ObjectStore& store, const ObjectRef& ref, std::string_view content_type,
                          std::string_view body) {
  auto scale = get_scale(store, ref);
  if (const auto* e = error_of(scale)) return *e;
  Json original = std::get<Json>(std::move(scale));
  original["metadata"].erase("resourceVersion");
  // A Scale has no lists: a strategic merge patch of it is a merge patch.
  std::string media = media_type(content_type);
  if (media == "application/strategic-merge-patch+json") media = "application/merge-patch+json";
  auto patched = apply_patch(*ref.type, original, media, body);
  if (const auto* e = error_of(patched)) return *e;
  return update_scale(store, ref, std::get<Json>(patched));
}

}  // namespace skippy::sim
