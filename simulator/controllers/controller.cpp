#include "simulator/controllers/controller.hpp"

#include <cmath>

#include "simulator/object_meta.hpp"
#include "simulator/pod_state.hpp"
#include "simulator/timestamps.hpp"

namespace skippy::sim {

std::vector<Json> list_copy(const ObjectStore& store, const ResourceType& type,
                            std::string_view namespace_name) {
  std::vector<Json> out;
  for (const Json* o : store.list(type, namespace_name)) out.push_back(*o);
  return out;
}

std::vector<Json> owned_pods(const ObjectStore& store, const Json& owner) {
  std::vector<Json> out;
  std::string uid = uid_of(owner);
  for (const Json* pod : store.list(resource("pods"), namespace_of(owner))) {
    if (controller_uid(*pod) == uid && pod_active(*pod)) out.push_back(*pod);
  }
  return out;
}

void write_status(ObjectStore& store, const ResourceType& type, Json object, Json status) {
  if (object.contains("status") && object["status"] == status) return;
  object["status"] = std::move(status);
  store.update(type, std::move(object));
}

Json pod_from_template(const Json& owner, const Json& extra_labels, const std::string& name) {
  const Json& tmpl = owner["spec"]["template"];
  Json meta = tmpl.value("metadata", Json::object());
  if (!meta.is_object()) meta = Json::object();
  Json labels = meta.value("labels", Json::object());
  for (auto& [k, v] : extra_labels.items()) labels[k] = v;
  meta = {{"labels", labels}, {"namespace", namespace_of(owner)}};
  if (tmpl.contains("metadata") && tmpl["metadata"].contains("annotations"))
    meta["annotations"] = tmpl["metadata"]["annotations"];
  if (name.empty())
    meta["generateName"] = name_of(owner) + "-";
  else
    meta["name"] = name;
  meta["ownerReferences"] = Json::array({owner_reference(owner, true)});
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", meta},
          {"spec", tmpl.value("spec", Json::object())}};
}

std::int64_t int_or_percent(const Json& value, std::int64_t total, bool round_up) {
  if (value.is_number_integer()) return value.get<std::int64_t>();
  if (!value.is_string()) return 0;
  std::string s = value.get<std::string>();
  if (!s.ends_with("%")) return 0;
  double pct = std::atof(s.c_str());
  double exact = pct * static_cast<double>(total) / 100.0;
  return static_cast<std::int64_t>(round_up ? std::ceil(exact) : std::floor(exact));
}

void set_condition(Json& conditions, const std::string& type, bool status,
                   const std::string& reason, const std::string& message, std::int64_t now_ms) {
  if (!conditions.is_array()) conditions = Json::array();
  std::string value = status ? "True" : "False";
  std::string now = rfc3339(now_ms);
  for (auto& c : conditions) {
    if (c.value("type", "") != type) continue;
    bool same_status = c.value("status", "") == value;
    bool same = same_status && c.value("reason", "") == reason && c.value("message", "") == message;
    if (!same_status) c["lastTransitionTime"] = now;
    if (!same) {
      c["lastUpdateTime"] = now;
      c["status"] = value;
      c["reason"] = reason;
      c["message"] = message;
    }
    return;
  }
  conditions.push_back({{"type", type},
                        {"status", value},
                        {"lastUpdateTime", now},
                        {"lastTransitionTime", now},
                        {"reason", reason},
                        {"message", message}});
}

void set_pod_condition(Json& pod, const std::string& type, bool status, std::int64_t now_ms) {
  set_condition(pod["status"]["conditions"], type, status, "", "", now_ms);
  for (auto& c : pod["status"]["conditions"]) {
    if (c.value("type", "") != type) continue;
    c.erase("lastUpdateTime");
    c.erase("reason");
    c.erase("message");
    c["lastProbeTime"] = nullptr;
  }
}

}  // namespace skippy::sim
