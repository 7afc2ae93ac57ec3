#include "simulator/object_rules.hpp"

#include <algorithm>
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

using Errors = std::vector<FieldError>;

// ---- metadata: apimachinery's name, label and annotation rules --------------------------------

constexpr std::string_view kLabelKeyFmt = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
constexpr std::string_view kSubdomainFmt =
    "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
constexpr std::int64_t kTotalAnnotationBytes = 256 * 1024;

// content.RegexError: the message, its examples, and the regex.
std::string regex_error(std::string_view msg, std::string_view re,
                        std::initializer_list<std::string_view> examples) {
  std::string out(msg);
  out += " (e.g. ";
  bool first = true;
  for (auto e : examples) {
    out += (first ? "'" : " or '") + std::string(e) + "', ";
    first = false;
  }
  return out + "regex used for validation is '" + std::string(re) + "')";
}

bool alnum(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0;
}

// ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]
bool label_name_chars(std::string_view s) {
  if (s.empty() || !alnum(s.front()) || !alnum(s.back())) return false;
  for (char c : s) {
    if (!alnum(c) && c != '-' && c != '_' && c != '.') return false;
  }
  return true;
}

// content.IsLabelKey: an optional DNS subdomain prefix and '/', then a name.
std::vector<std::string> label_key_problems(const std::string& key) {
  std::vector<std::string> out;
  std::string name = key;
  auto slash = key.find('/');
  if (slash != std::string::npos) {
    if (key.find('/', slash + 1) != std::string::npos) {
      out.push_back("a valid label key " +
                    regex_error("must consist of alphanumeric characters, '-', '_' or '.', and "
                                "must start and end with an alphanumeric character",
                                kLabelKeyFmt, {"MyName", "my.name", "123-abc"}) +
                    " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
      return out;
    }
    std::string prefix = key.substr(0, slash);
    name = key.substr(slash + 1);
    if (prefix.empty()) {
      out.push_back("prefix part must be non-empty");
    } else {
      if (prefix.size() > 253) out.push_back("prefix part must be no more than 253 bytes");
      if (!valid_object_name(prefix))
        out.push_back("prefix part " +
                      regex_error("a lowercase RFC 1123 subdomain must consist of lower case "
                                  "alphanumeric characters, '-' or '.', and must start and end "
                                  "with an alphanumeric character",
                                  kSubdomainFmt, {"example.com"}));
    }
  }
  if (name.empty())
    out.push_back("name part must be non-empty");
  else if (name.size() > 63)
    out.push_back("name part must be no more than 63 bytes");
  if (!label_name_chars(name))
    out.push_back("name part " +
                  regex_error("must consist of alphanumeric characters, '-', '_' or '.', and must "
                              "start and end with an alphanumeric character",
                              kLabelKeyFmt, {"MyName", "my.name", "123-abc"}));
  return out;
}

// content.IsLabelValue
std::vector<std::string> label_value_problems(const std::string& value) {
  std::vector<std::string> out;
  if (value.size() > 63) out.push_back("must be no more than 63 bytes");
  if (!value.empty() && !label_name_chars(value))
    out.push_back(regex_error(
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' "
        "or '.', and must start and end with an alphanumeric character",
        "(" + std::string(kLabelKeyFmt) + ")?", {"MyValue", "my_value", "12345"}));
  return out;
}

// ValidateObjectMeta's name, labels and annotations (ValidateLabels, ValidateAnnotations).
void validate_meta(const Json& meta, Errors& errors) {
  std::string name = meta.value("name", "");
  if (!valid_object_name(name))
    errors.push_back(invalid_value(
        "metadata.name", name,
        regex_error("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
                    "characters, '-' or '.', and must start and end with an alphanumeric "
                    "character",
                    kSubdomainFmt, {"example.com"})));
  for (const char* field : {"labels", "annotations"}) {
    if (meta.contains(field) && !is_string_map(meta[field]))
      errors.push_back(invalid_value(std::string("metadata.") + field, FieldError::no_value(),
                                     "must be a map of strings to strings"));
  }
  if (errors.size()) return;
  std::string labels_at = "metadata.labels", annotations_at = "metadata.annotations";
  if (meta.contains("labels") && meta["labels"].is_object()) {
    for (const auto& [k, v] : meta["labels"].items()) {
      for (auto& why : label_key_problems(k)) errors.push_back(invalid_value(labels_at, k, why));
      for (auto& why : label_value_problems(v.get<std::string>()))
        errors.push_back(invalid_value(labels_at, v, why));
    }
  }
  if (meta.contains("annotations") && meta["annotations"].is_object()) {
    std::int64_t bytes = 0;
    for (const auto& [k, v] : meta["annotations"].items()) {
      std::string lower = k;  // annotation keys are label keys, whatever their case
      std::transform(lower.begin(), lower.end(), lower.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      for (auto& why : label_key_problems(lower))
        errors.push_back(invalid_value(annotations_at, k, why));
      bytes += static_cast<std::int64_t>(k.size() + v.get<std::string>().size());
    }
    if (bytes > kTotalAnnotationBytes)
      errors.push_back(too_long(annotations_at, kTotalAnnotationBytes));
  }
}

// ---- specs ------------------------------------------------------------------------------------

void validate_pod_spec(const Json& spec, const std::string& field, Errors& errors) {
  if (!spec.is_object()) return errors.push_back(required(field));
  if (!spec.contains("containers") || !spec["containers"].is_array() || spec["containers"].empty())
    return errors.push_back(required(field + ".containers"));
  std::size_t i = 0;
  for (const auto& c : spec["containers"]) {
    std::string at = field + ".containers[" + std::to_string(i++) + "]";
    if (!c.is_object()) {
      errors.push_back(invalid_value(at, FieldError::no_value(), "must be an object"));
      continue;
    }
    if (!c.contains("name") || !c["name"].is_string() || c["name"].get<std::string>().empty())
      errors.push_back(required(at + ".name"));
    if (!c.contains("image") || !c["image"].is_string() || c["image"].get<std::string>().empty())
      errors.push_back(required(at + ".image"));
  }
}

void validate_workload(const Json& object, Errors& errors) {
  const Json& spec = object.contains("spec") ? object["spec"] : Json();
  if (!spec.is_object()) return errors.push_back(required("spec"));
  if (spec.contains("replicas")) {
    const Json& replicas = spec["replicas"];
    if (!replicas.is_number_integer())
      errors.push_back(invalid_value("spec.replicas", replicas, "must be an integer"));
    else if (replicas.get<std::int64_t>() < 0)
      errors.push_back(
          invalid_value("spec.replicas", replicas, "must be greater than or equal to 0"));
  }
  if (!spec.contains("selector") || !spec["selector"].is_object() || spec["selector"].empty())
    return errors.push_back(required("spec.selector"));
  auto selector = label_selector_of(spec["selector"]);
  if (auto* why = std::get_if<std::string>(&selector))
    return errors.push_back(invalid_value("spec.selector", FieldError::no_value(), *why));
  const Json& tmpl = spec.contains("template") ? spec["template"] : Json();
  if (!tmpl.is_object()) return errors.push_back(required("spec.template"));
  if (!std::get<LabelSelector>(selector).matches(labels_of(tmpl)))
    errors.push_back(invalid_value("spec.template.metadata.labels", labels_of(tmpl),
                                   "`selector` does not match template `labels`"));
  validate_pod_spec(tmpl.contains("spec") ? tmpl["spec"] : Json(), "spec.template.spec", errors);
}

bool is_workload(const ResourceType& type) {
  return type.kind == "Deployment" || type.kind == "ReplicaSet" || type.kind == "StatefulSet" ||
         type.kind == "DaemonSet";
}

// ---- updates ----------------------------------------------------------------------------------

// What Go's semantic equality ignores in a decoded object: null, empty lists and maps, false and
// "" read the same as a field that is not there.
Json comparable(const Json& j) {
  if (j.is_object()) {
    Json out = Json::object();
    for (const auto& [k, v] : j.items()) {
      Json c = comparable(v);
      bool empty = c.is_null() || (c.is_structured() && c.empty()) ||
                   (c.is_boolean() && !c.get<bool>()) ||
                   (c.is_string() && c.get<std::string>().empty());
      if (!empty) out[k] = std::move(c);
    }
    return out;
  }
  if (j.is_array()) {
    Json out = Json::array();
    for (const auto& v : j) out.push_back(comparable(v));
    return out;
  }
  return j;
}

const Json& list_at(const Json& spec, const char* key) {
  static const Json empty = Json::array();
  return spec.is_object() && spec.contains(key) && spec[key].is_array() ? spec[key] : empty;
}

// The fields kube-apiserver lets a pod update change, in its words.
constexpr std::string_view kUpdatablePodSpecFields =
    "`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,"
    "`spec.tolerations` (only additions to existing tolerations),"
    "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously "
    "negative)";

// ValidatePodUpdate: the containers' images, activeDeadlineSeconds (down only), additions to
// tolerations and terminationGracePeriodSeconds (-n to 1) may change; nothing else of the spec.
void validate_pod_update(const Json& old_spec, const Json& new_spec, Errors& errors) {
  for (const char* list : {"containers", "initContainers"}) {
    const Json &was = list_at(old_spec, list), &now = list_at(new_spec, list);
    std::string at = std::string("spec.") + list;
    if (was.size() != now.size())
      return errors.push_back(forbidden(at, "pod updates may not add or remove containers"));
    for (std::size_t i = 0; i < now.size(); ++i) {
      std::string image = now[i].is_object() ? now[i].value("image", "") : "";
      if (image.empty()) errors.push_back(required(at + "[" + std::to_string(i) + "].image"));
    }
  }
  Json::json_pointer deadline("/activeDeadlineSeconds");
  bool had = old_spec.contains(deadline) && old_spec.at(deadline).is_number_integer();
  if (new_spec.contains(deadline) && !new_spec.at(deadline).is_null()) {
    const Json& now = new_spec.at(deadline);
    std::int64_t value = now.is_number_integer() ? now.get<std::int64_t>() : -1;
    if (value < 0 || value > 2147483647)
      return errors.push_back(invalid_value("spec.activeDeadlineSeconds", now,
                                            "must be between 0 and 2147483647, inclusive"));
    if (had && old_spec.at(deadline).get<std::int64_t>() < value)
      return errors.push_back(invalid_value("spec.activeDeadlineSeconds", now,
                                            "must be less than or equal to previous value"));
  } else if (had) {
    errors.push_back(invalid_value("spec.activeDeadlineSeconds", Json(),
                                   "must not update from a positive integer to nil value"));
  }
  // validateOnlyAddedTolerations: every old toleration is still there (its seconds may change).
  for (const auto& was : list_at(old_spec, "tolerations")) {
    bool kept = false;
    for (const auto& now : list_at(new_spec, "tolerations")) {
      Json a = was, b = now;
      if (a.is_object()) a.erase("tolerationSeconds");
      if (b.is_object()) b.erase("tolerationSeconds");
      kept = kept || comparable(a) == comparable(b);
    }
    if (!kept) {
      errors.push_back(forbidden("spec.tolerations",
                                 "existing toleration can not be modified except its "
                                 "tolerationSeconds"));
      break;
    }
  }
  // What is left once the updatable fields are put back as they were must not have changed.
  Json munged = new_spec.is_object() ? new_spec : Json::object();
  for (const char* list : {"containers", "initContainers"}) {
    if (!munged.contains(list)) continue;
    for (std::size_t i = 0; i < munged[list].size(); ++i) {
      if (munged[list][i].is_object() && list_at(old_spec, list)[i].is_object())
        munged[list][i]["image"] = list_at(old_spec, list)[i].value("image", "");
    }
  }
  for (const char* kept : {"activeDeadlineSeconds", "tolerations", "schedulingGates"}) {
    if (old_spec.is_object() && old_spec.contains(kept))
      munged[kept] = old_spec[kept];
    else
      munged.erase(kept);
  }
  Json::json_pointer grace("/terminationGracePeriodSeconds");
  if (old_spec.contains(grace) && old_spec.at(grace).is_number_integer() &&
      old_spec.at(grace).get<std::int64_t>() < 0 && munged.contains(grace) && munged.at(grace) == 1)
    munged[grace] = old_spec.at(grace);
  if (comparable(munged) != comparable(old_spec))
    errors.push_back(forbidden("spec", "pod updates may not change fields other than " +
                                           std::string(kUpdatablePodSpecFields)));
}

// Go's %#v of a LabelSelector of matchLabels, as the immutable-selector error shows it.
std::string go_selector(const Json& selector) {
  std::string out = "v1.LabelSelector{MatchLabels:map[string]string{";
  bool first = true;
  if (selector.contains("matchLabels") && selector["matchLabels"].is_object()) {
    for (const auto& [k, v] : selector["matchLabels"].items()) {
      out += (first ? "" : ", ") + Json(k).dump() + ":" + v.dump();
      first = false;
    }
  }
  return out + "}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}";
}

// ValidateDeploymentUpdate and its siblings: the selector of an apps/v1 workload never
// changes; a StatefulSet's spec changes only in the fields its strategy allows.
void validate_workload_update(const ResourceType& type, const Json& old_object,
                              const Json& new_object, Errors& errors) {
  Json::json_pointer selector("/spec/selector");
  Json was = old_object.contains(selector) ? old_object.at(selector) : Json();
  Json now = new_object.contains(selector) ? new_object.at(selector) : Json();
  if (comparable(was) != comparable(now)) {
    errors.push_back(invalid_value("spec.selector", FieldError::no_value(), "field is immutable"));
    errors.back().detail = go_selector(now) + ": field is immutable";
  }
  if (type.kind != "StatefulSet") return;
  Json a = old_object.value("spec", Json::object()), b = new_object.value("spec", Json::object());
  for (const char* free : {"replicas", "ordinals", "template", "updateStrategy",
                           "persistentVolumeClaimRetentionPolicy", "minReadySeconds"}) {
    a.erase(free);
    b.erase(free);
  }
  if (comparable(a) != comparable(b))
    errors.push_back(
        forbidden("spec",
                  "updates to statefulset spec for fields other than 'replicas', 'ordinals', "
                  "'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and "
                  "'minReadySeconds' are forbidden"));
}

// Every rule of an object of `type` on its own, create or update.
Errors object_errors(const ResourceType& type, const Json& object) {
  Errors errors;
  validate_meta(object["metadata"], errors);
  if (!errors.empty()) return errors;
  if (type.kind == "Pod")
    validate_pod_spec(object.contains("spec") ? object["spec"] : Json(), "spec", errors);
  if (is_workload(type)) validate_workload(object, errors);
  if (type.kind == "PodDisruptionBudget") {
    Json::json_pointer min("/spec/minAvailable"), max("/spec/maxUnavailable");
    if (object.contains(min) && object.contains(max))
      errors.push_back(invalid_value("spec", FieldError::no_value(),
                                     "minAvailable and maxUnavailable cannot be both set"));
  }
  return errors;
}

std::optional<ApiError> as_error(const ResourceType& type, const std::string& name,
                                 const Errors& errors) {
  if (errors.empty()) return std::nullopt;
  return invalid(type.kind, type.group, name, errors);
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
  return as_error(type, name_of(object), object_errors(type, object));
}

std::optional<ApiError> validate_update(const ResourceType& type, const Json& old_object,
                                        const Json& new_object) {
  // As ValidatePodUpdate and its siblings: the object's own rules, then the update's.
  Errors errors = object_errors(type, new_object);
  std::string uid = uid_of(new_object);
  if (!uid.empty() && uid != uid_of(old_object))
    errors.push_back(invalid_value("metadata.uid", uid, "field is immutable"));
  auto spec = [](const Json& o) { return o.contains("spec") ? o["spec"] : Json::object(); };
  if (type.kind == "Pod") validate_pod_update(spec(old_object), spec(new_object), errors);
  if (is_workload(type)) validate_workload_update(type, old_object, new_object, errors);
  return as_error(type, name_of(new_object), errors);
}

}  // namespace skippy::sim
