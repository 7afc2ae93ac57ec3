#include "simulator/tables.hpp"

#include <cctype>

#include "simulator/object_meta.hpp"
#include "simulator/timestamps.hpp"

namespace skippy::sim {
namespace {

struct Column {
  const char* name;
  const char* type;  // "string", "integer"
  int priority;      // 0: always shown; 1: with -o wide
};

std::vector<Column> columns_of(std::string_view kind) {
  if (kind == "Pod")
    return {{"Name", "string", 0},     {"Ready", "string", 0}, {"Status", "string", 0},
            {"Restarts", "string", 0}, {"Age", "string", 0},   {"IP", "string", 1},
            {"Node", "string", 1}};
  if (kind == "Deployment")
    return {{"Name", "string", 0},       {"Ready", "string", 0},   {"Up-to-date", "integer", 0},
            {"Available", "integer", 0}, {"Age", "string", 0},     {"Containers", "string", 1},
            {"Images", "string", 1},     {"Selector", "string", 1}};
  if (kind == "ReplicaSet")
    return {{"Name", "string", 0},   {"Desired", "integer", 0}, {"Current", "integer", 0},
            {"Ready", "integer", 0}, {"Age", "string", 0},      {"Containers", "string", 1},
            {"Images", "string", 1}, {"Selector", "string", 1}};
  if (kind == "StatefulSet")
    return {{"Name", "string", 0},
            {"Ready", "string", 0},
            {"Age", "string", 0},
            {"Containers", "string", 1},
            {"Images", "string", 1}};
  if (kind == "DaemonSet")
    return {{"Name", "string", 0},          {"Desired", "integer", 0},
            {"Current", "integer", 0},      {"Ready", "integer", 0},
            {"Up-to-date", "integer", 0},   {"Available", "integer", 0},
            {"Node Selector", "string", 0}, {"Age", "string", 0}};
  if (kind == "Namespace")
    return {{"Name", "string", 0}, {"Status", "string", 0}, {"Age", "string", 0}};
  if (kind == "Node")
    return {{"Name", "string", 0},
            {"Status", "string", 0},
            {"Roles", "string", 0},
            {"Age", "string", 0},
            {"Version", "string", 0}};
  if (kind == "Event")
    return {{"Last Seen", "string", 0}, {"Type", "string", 0},    {"Reason", "string", 0},
            {"Object", "string", 0},    {"Message", "string", 0}, {"Count", "integer", 1},
            {"Name", "string", 1}};
  if (kind == "PodDisruptionBudget")
    return {{"Name", "string", 0},
            {"Min Available", "string", 0},
            {"Max Unavailable", "string", 0},
            {"Allowed Disruptions", "integer", 0},
            {"Age", "string", 0}};
  if (kind == "Lease")
    return {{"Name", "string", 0}, {"Holder", "string", 0}, {"Age", "string", 0}};
  if (kind == "HealingPolicy")
    return {{"Name", "string", 0}, {"Mode", "string", 0}, {"Age", "string", 0}};
  if (kind == "HealingAction")
    return {{"Name", "string", 0}, {"Phase", "string", 0}, {"Age", "string", 0}};
  return {{"Name", "string", 0}, {"Age", "string", 0}};
}

std::string text_at(const Json& o, const char* pointer, const char* fallback = "<none>") {
  Json::json_pointer p(pointer);
  if (!o.contains(p) || o.at(p).is_null()) return fallback;
  const Json& v = o.at(p);
  return v.is_string() ? v.get<std::string>() : v.dump();
}

std::string age(const Json& o, std::int64_t now_ms) {
  auto created = parse_rfc3339(string_at(o, "/metadata/creationTimestamp"));
  return created ? short_age(now_ms - *created) : "<unknown>";
}

// What `kubectl get pods` shows in STATUS: Terminating, a container's waiting or terminated
// reason, or the phase.
std::string pod_status(const Json& pod) {
  if (being_deleted(pod)) return "Terminating";
  std::string reason = string_at(pod, "/status/phase");
  Json::json_pointer statuses("/status/containerStatuses");
  if (pod.contains(statuses) && pod.at(statuses).is_array()) {
    for (const auto& c : pod.at(statuses)) {
      std::string waiting = string_at(c, "/state/waiting/reason");
      std::string terminated = string_at(c, "/state/terminated/reason");
      if (!waiting.empty())
        reason = waiting;
      else if (!terminated.empty())
        reason = terminated;
    }
  }
  return reason.empty() ? "Unknown" : reason;
}

std::string containers_field(const Json& o, const char* field) {
  std::string out;
  Json::json_pointer p("/spec/template/spec/containers");
  if (!o.contains(p) || !o.at(p).is_array()) return "<none>";
  for (const auto& c : o.at(p)) {
    if (!out.empty()) out += ",";
    out += c.value(field, "");
  }
  return out;
}

std::string selector_text(const Json& o) {
  std::string out;
  Json::json_pointer p("/spec/selector/matchLabels");
  if (!o.contains(p) || !o.at(p).is_object()) return "<none>";
  for (auto& [k, v] : o.at(p).items()) {
    if (!out.empty()) out += ",";
    out += k + "=" + (v.is_string() ? v.get<std::string>() : v.dump());
  }
  return out;
}

Json cells_of(std::string_view kind, const Json& o, std::int64_t now_ms) {
  std::string name = name_of(o);
  if (kind == "Pod") {
    std::int64_t ready = 0, total = 0, restarts = 0;
    Json::json_pointer containers("/spec/containers"), statuses("/status/containerStatuses");
    if (o.contains(containers) && o.at(containers).is_array())
      total = static_cast<std::int64_t>(o.at(containers).size());
    if (o.contains(statuses) && o.at(statuses).is_array()) {
      for (const auto& c : o.at(statuses)) {
        ready += c.value("ready", false) ? 1 : 0;
        restarts += c.value("restartCount", std::int64_t{0});
      }
    }
    return {name,
            std::to_string(ready) + "/" + std::to_string(total),
            pod_status(o),
            std::to_string(restarts),
            age(o, now_ms),
            text_at(o, "/status/podIP"),
            text_at(o, "/spec/nodeName")};
  }
  if (kind == "Deployment")
    return {name,
            std::to_string(int_at(o, "/status/readyReplicas")) + "/" +
                std::to_string(int_at(o, "/spec/replicas", 1)),
            int_at(o, "/status/updatedReplicas"),
            int_at(o, "/status/availableReplicas"),
            age(o, now_ms),
            containers_field(o, "name"),
            containers_field(o, "image"),
            selector_text(o)};
  if (kind == "ReplicaSet")
    return {name,
            int_at(o, "/spec/replicas", 1),
            int_at(o, "/status/replicas"),
            int_at(o, "/status/readyReplicas"),
            age(o, now_ms),
            containers_field(o, "name"),
            containers_field(o, "image"),
            selector_text(o)};
  if (kind == "StatefulSet")
    return {name,
            std::to_string(int_at(o, "/status/readyReplicas")) + "/" +
                std::to_string(int_at(o, "/spec/replicas", 1)),
            age(o, now_ms), containers_field(o, "name"), containers_field(o, "image")};
  if (kind == "DaemonSet")
    return {name,
            int_at(o, "/status/desiredNumberScheduled"),
            int_at(o, "/status/currentNumberScheduled"),
            int_at(o, "/status/numberReady"),
            int_at(o, "/status/updatedNumberScheduled"),
            int_at(o, "/status/numberAvailable"),
            text_at(o, "/spec/template/spec/nodeSelector"),
            age(o, now_ms)};
  if (kind == "Namespace") return {name, text_at(o, "/status/phase", "Active"), age(o, now_ms)};
  if (kind == "Node")
    return {name, "Ready", "<none>", age(o, now_ms), text_at(o, "/status/nodeInfo/kubeletVersion")};
  if (kind == "Event") {
    auto last = parse_rfc3339(string_at(o, "/lastTimestamp"));
    std::string object = string_at(o, "/involvedObject/kind");
    for (auto& c : object) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    object += "/" + string_at(o, "/involvedObject/name");
    return {last ? short_age(now_ms - *last) : "<unknown>",
            text_at(o, "/type", ""),
            text_at(o, "/reason", ""),
            object,
            text_at(o, "/message", ""),
            int_at(o, "/count", 1),
            name};
  }
  if (kind == "PodDisruptionBudget")
    return {name, text_at(o, "/spec/minAvailable", "N/A"),
            text_at(o, "/spec/maxUnavailable", "N/A"), int_at(o, "/status/disruptionsAllowed"),
            age(o, now_ms)};
  if (kind == "Lease") return {name, text_at(o, "/spec/holderIdentity", ""), age(o, now_ms)};
  if (kind == "HealingPolicy") return {name, text_at(o, "/spec/mode", "monitor"), age(o, now_ms)};
  if (kind == "HealingAction")
    return {name, text_at(o, "/status/phase", "Pending"), age(o, now_ms)};
  return {name, age(o, now_ms)};
}

}  // namespace

bool wants_table(std::string_view accept) {
  return accept.find("as=Table") != std::string_view::npos;
}

Json to_table(const ResourceType& type, const std::vector<const Json*>& objects,
              std::string_view resource_version, std::int64_t now_ms,
              std::string_view include_object, bool with_columns) {
  Json table = {{"kind", "Table"},
                {"apiVersion", "meta.k8s.io/v1"},
                {"metadata", {{"resourceVersion", resource_version}}},
                {"rows", Json::array()}};
  if (with_columns) {
    Json columns = Json::array();
    for (const auto& c : columns_of(type.kind)) {
      Json col = {{"name", c.name},
                  {"type", c.type},
                  {"format", ""},
                  {"description", c.name},
                  {"priority", c.priority}};
      if (std::string_view(c.name) == "Name") col["format"] = "name";
      columns.push_back(col);
    }
    table["columnDefinitions"] = columns;
  }
  for (const Json* o : objects) {
    Json row = {{"cells", cells_of(type.kind, *o, now_ms)}};
    if (include_object == "Object") {
      row["object"] = *o;
    } else if (include_object != "None") {
      row["object"] = {{"kind", "PartialObjectMetadata"},
                       {"apiVersion", "meta.k8s.io/v1"},
                       {"metadata", o->value("metadata", Json::object())}};
    }
    table["rows"].push_back(row);
  }
  return table;
}

}  // namespace skippy::sim
