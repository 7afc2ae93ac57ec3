#include "simulator/object_rules.hpp"

#include <cctype>

#include "simulator/object_meta.hpp"
#include "simulator/selectors.hpp"

namespace skippy::sim {
namespace {

void set_default(Json& object, const char* pointer, const Json& value) {
  Json::json_pointer p(pointer);
  if (!object.contains(p) || object.at(p).is_null()) object[p] = value;
}

void default_pod_spec(Json& spec) {
  if (!spec.is_object()) return;
  set_default(spec, "/restartPolicy", "Always");
  set_default(spec, "/terminationGracePeriodSeconds", 30);
  set_default(spec, "/dnsPolicy", "ClusterFirst");
  set_default(spec, "/schedulerName", "default-scheduler");
  if (!spec.contains("containers") || !spec["containers"].is_array()) return;
  for (auto& c : spec["containers"]) {
    if (!c.is_object()) continue;
    std::string image = c.value("image", "");
    bool latest = image.find(':') == std::string::npos || image.ends_with(":latest");
    set_default(c, "/imagePullPolicy", latest ? "Always" : "IfNotPresent");
    set_default(c, "/terminationMessagePath", "/dev/termination-log");
    if (c.contains("ports") && c["ports"].is_array()) {
      for (auto& port : c["ports"]) {
        if (port.is_object()) set_default(port, "/protocol", "TCP");
      }
    }
  }
}

bool is_string_map(const Json& j) {
  if (j.is_null()) return true;
  if (!j.is_object()) return false;
  for (const auto& v : j) {
    if (!v.is_string()) return false;
  }
  return true;
}

std::optional<ApiError> validate_pod_spec(const ResourceType& type, const std::string& name,
                                          const Json& spec, const std::string& field) {
  if (!spec.is_object()) return invalid(type.kind, name, field, "Required value");
  if (!spec.contains("containers") || !spec["containers"].is_array() || spec["containers"].empty())
    return invalid(type.kind, name, field + ".containers", "Required value");
  std::size_t i = 0;
  for (const auto& c : spec["containers"]) {
    std::string at = field + ".containers[" + std::to_string(i++) + "]";
    if (!c.is_object()) return invalid(type.kind, name, at, "must be an object");
    if (!c.contains("name") || !c["name"].is_string() || c["name"].get<std::string>().empty())
      return invalid(type.kind, name, at + ".name", "Required value");
    if (!c.contains("image") || !c["image"].is_string() || c["image"].get<std::string>().empty())
      return invalid(type.kind, name, at + ".image", "Required value");
  }
  return std::nullopt;
}

std::optional<ApiError> validate_workload(const ResourceType& type, const std::string& name,
                                          const Json& object) {
  const Json& spec = object.contains("spec") ? object["spec"] : Json();
  if (!spec.is_object()) return invalid(type.kind, name, "spec", "Required value");
  if (spec.contains("replicas") &&
      (!spec["replicas"].is_number_integer() || spec["replicas"].get<std::int64_t>() < 0))
    return invalid(type.kind, name, "spec.replicas", "must be greater than or equal to 0");
  if (!spec.contains("selector") || !spec["selector"].is_object() || spec["selector"].empty())
    return invalid(type.kind, name, "spec.selector", "Required value");
  auto selector = label_selector_of(spec["selector"]);
  if (auto* why = std::get_if<std::string>(&selector))
    return invalid(type.kind, name, "spec.selector", *why);
  const Json& tmpl = spec.contains("template") ? spec["template"] : Json();
  if (!tmpl.is_object()) return invalid(type.kind, name, "spec.template", "Required value");
  if (!std::get<LabelSelector>(selector).matches(labels_of(tmpl)))
    return invalid(type.kind, name, "spec.template.metadata.labels",
                   "Invalid value: `selector` does not match template `labels`");
  return validate_pod_spec(type, name, tmpl.contains("spec") ? tmpl["spec"] : Json(),
                           "spec.template.spec");
}

}  // namespace

bool valid_object_name(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  for (char c : name) {
    if (!(std::islower(static_cast<unsigned char>(c)) ||
          std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '.'))
      return false;
  }
  auto alnum = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
  return alnum(name.front()) && alnum(name.back());
}

void apply_defaults(const ResourceType& type, Json& object) {
  if (type.kind == "Pod") {
    if (object.contains("spec")) default_pod_spec(object["spec"]);
  } else if (type.kind == "Deployment") {
    set_default(object, "/spec/replicas", 1);
    set_default(object, "/spec/strategy/type", "RollingUpdate");
    if (object["spec"]["strategy"]["type"] == "RollingUpdate") {
      set_default(object, "/spec/strategy/rollingUpdate/maxUnavailable", "25%");
      set_default(object, "/spec/strategy/rollingUpdate/maxSurge", "25%");
    }
    set_default(object, "/spec/revisionHistoryLimit", 10);
    set_default(object, "/spec/progressDeadlineSeconds", 600);
  } else if (type.kind == "ReplicaSet") {
    set_default(object, "/spec/replicas", 1);
  } else if (type.kind == "StatefulSet") {
    set_default(object, "/spec/replicas", 1);
    set_default(object, "/spec/podManagementPolicy", "OrderedReady");
    set_default(object, "/spec/updateStrategy/type", "RollingUpdate");
  } else if (type.kind == "DaemonSet") {
    set_default(object, "/spec/updateStrategy/type", "RollingUpdate");
  } else if (type.kind == "Namespace") {
    object["metadata"]["labels"]["kubernetes.io/metadata.name"] = name_of(object);
    set_default(object, "/status/phase", "Active");
  }
  Json::json_pointer tmpl("/spec/template/spec");
  if (object.contains(tmpl)) default_pod_spec(object[tmpl]);
}

std::optional<ApiError> validate(const ResourceType& type, const Json& object) {
  std::string name = name_of(object);
  if (!valid_object_name(name))
    return invalid(type.kind, name, "metadata.name",
                   "Invalid value: \"" + name +
                       "\": a lowercase RFC 1123 subdomain must consist of lower case "
                       "alphanumeric characters, '-' or '.', and must start and end with an "
                       "alphanumeric character");
  const Json& meta = object["metadata"];
  for (const char* field : {"labels", "annotations"}) {
    if (meta.contains(field) && !is_string_map(meta[field]))
      return invalid(type.kind, name, std::string("metadata.") + field,
                     "must be a map of strings to strings");
  }
  if (type.kind == "Pod")
    return validate_pod_spec(type, name, object.contains("spec") ? object["spec"] : Json(), "spec");
  if (type.kind == "Deployment" || type.kind == "ReplicaSet" || type.kind == "StatefulSet" ||
      type.kind == "DaemonSet")
    return validate_workload(type, name, object);
  if (type.kind == "PodDisruptionBudget") {
    Json::json_pointer min("/spec/minAvailable"), max("/spec/maxUnavailable");
    if (object.contains(min) && object.contains(max))
      return invalid(type.kind, name, "spec",
                     "Invalid value: minAvailable and maxUnavailable cannot be both set");
  }
  return std::nullopt;
}

}  // namespace skippy::sim
