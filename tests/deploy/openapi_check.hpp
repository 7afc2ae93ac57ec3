// A small checker of a YAML document against a CRD's OpenAPI v3 schema, with the subset of
// rules a structural schema uses: type, enum, required, properties, items and
// additionalProperties. What the API server would refuse is an error; a field the schema does
// not name is pruned (the server drops it, kubectl warns). Plain YAML scalars are typed as the
// YAML 1.2 core schema types them; a quoted scalar is a string.
#pragma once

#include <yaml-cpp/yaml.h>

#include <regex>
#include <string>
#include <vector>

namespace skippy::test {

struct SchemaReport {
  std::vector<std::string> errors;  // "spec.mode: `often` is not one of monitor, dryrun, ..."
  std::vector<std::string> pruned;  // "spec.aiConfig"
};

// The JSON type a YAML node becomes: null, boolean, integer, number, string, object, array.
inline std::string json_type(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) return "null";
  if (node.IsMap()) return "object";
  if (node.IsSequence()) return "array";
  if (node.Tag() == "!" || node.Tag() == "tag:yaml.org,2002:str") return "string";
  static const std::regex boolean("true|True|TRUE|false|False|FALSE");
  static const std::regex integer("[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+");
  static const std::regex number(
      R"([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))");
  const std::string& s = node.Scalar();
  if (std::regex_match(s, boolean)) return "boolean";
  if (std::regex_match(s, integer)) return "integer";
  if (std::regex_match(s, number)) return "number";
  return "string";
}

inline std::string join_path(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

// Checks `value` at `path` against `schema`, adding to `report`.
inline void check_schema(const YAML::Node& schema, const YAML::Node& value, const std::string& path,
                         SchemaReport& report) {
  std::string type = json_type(value);
  if (type == "null") return;  // a null field is dropped, as an absent one
  std::string wanted = schema["type"] ? schema["type"].as<std::string>() : "";
  bool matches = wanted.empty() || wanted == type || (wanted == "number" && type == "integer");
  if (!matches) {
    report.errors.push_back(path + ": a " + type + ", the schema wants a " + wanted);
    return;
  }
  if (const auto allowed = schema["enum"]) {
    bool found = false;
    std::string list;
    for (const auto& a : allowed) {
      found = found || a.Scalar() == value.Scalar();
      list += (list.empty() ? "" : ", ") + a.Scalar();
    }
    if (!found) report.errors.push_back(path + ": `" + value.Scalar() + "` is not one of " + list);
  }
  if (type == "array") {
    for (std::size_t i = 0; i < value.size(); ++i)
      check_schema(schema["items"], value[i], path + "[" + std::to_string(i) + "]", report);
  }
  if (type != "object") return;
  for (const auto& r : schema["required"]) {
    if (!value[r.Scalar()]) report.errors.push_back(join_path(path, r.Scalar()) + ": required");
  }
  const auto properties = schema["properties"];
  const auto additional = schema["additionalProperties"];
  bool keep_unknown = schema["x-kubernetes-preserve-unknown-fields"] &&
                      schema["x-kubernetes-preserve-unknown-fields"].as<bool>();
  for (const auto& entry : value) {
    std::string key = entry.first.Scalar();
    if (properties && properties[key]) {
      check_schema(properties[key], entry.second, join_path(path, key), report);
    } else if (additional && additional.IsMap()) {
      check_schema(additional, entry.second, join_path(path, key), report);
    } else if (!keep_unknown && path != "metadata") {
      report.pruned.push_back(join_path(path, key));
    }
  }
}

}  // namespace skippy::test
