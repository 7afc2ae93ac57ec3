#include "simulator/strategic_merge.hpp"

#include <algorithm>

namespace skippy::sim {
namespace {

constexpr std::string_view kDeleteFromList = "$deleteFromPrimitiveList/";
constexpr std::string_view kSetElementOrder = "$setElementOrder/";

struct Malformed {
  std::string why;
};

std::string join(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

std::string directive_of(const Json& patch) {
  auto it = patch.find("$patch");
  if (it == patch.end()) return "";
  if (!it->is_string()) throw Malformed{"$patch must be a string"};
  return it->get<std::string>();
}

// The patch map without its directives.
Json without_directives(const Json& patch) {
  Json out = Json::object();
  for (auto& [k, v] : patch.items()) {
    if (k == "$patch" || k == "$retainKeys" || k.starts_with(kSetElementOrder) ||
        k.starts_with(kDeleteFromList))
      continue;
    out[k] = v;
  }
  return out;
}

Json merge_value(const Json& original, const Json& patch, const std::string& field,
                 const std::string& path);

Json merge_map(const Json& original, const Json& patch, const std::string& path) {
  std::string directive = directive_of(patch);
  if (directive == "replace") return without_directives(patch);
  if (!directive.empty() && directive != "merge")
    throw Malformed{path + ": unknown $patch directive \"" + directive + "\""};
  Json result = original.is_object() ? original : Json::object();
  for (auto& [key, value] : patch.items()) {
    if (key == "$patch" || key == "$retainKeys" || key.starts_with(kSetElementOrder)) continue;
    if (key.starts_with(kDeleteFromList)) {
      std::string field = key.substr(kDeleteFromList.size());
      if (!value.is_array()) throw Malformed{join(path, key) + " must be a list"};
      if (result.contains(field) && result[field].is_array()) {
        Json kept = Json::array();
        for (const auto& e : result[field]) {
          if (std::find(value.begin(), value.end(), e) == value.end()) kept.push_back(e);
        }
        result[field] = kept;
      }
      continue;
    }
    if (value.is_null()) {
      result.erase(key);
      continue;
    }
    if (value.is_object() && directive_of(value) == "delete") {
      result.erase(key);
      continue;
    }
    const Json& before = result.contains(key) ? result[key] : Json();
    result[key] = merge_value(before, value, key, join(path, key));
  }
  return result;
}

Json merge_list(const Json& original, const Json& patch, const std::string& field,
                const std::string& path) {
  // A `{"$patch": "replace"}` element: the rest of the patch list is the list.
  bool replace = std::any_of(patch.begin(), patch.end(), [](const Json& e) {
    return e.is_object() && e.size() == 1 && e.contains("$patch") && e["$patch"] == "replace";
  });
  if (replace || !original.is_array()) {
    Json out = Json::array();
    for (const auto& e : patch) {
      if (e.is_object() && e.contains("$patch")) {
        if (e.size() == 1 || directive_of(e) == "delete") continue;
        out.push_back(without_directives(e));
      } else {
        out.push_back(e);
      }
    }
    return out;
  }
  if (field == "finalizers") {  // a set of strings
    Json out = original;
    for (const auto& e : patch) {
      if (std::find(out.begin(), out.end(), e) == out.end()) out.push_back(e);
    }
    return out;
  }
  std::string key;
  for (const auto& e : patch) {
    if (e.is_object()) key = merge_key_of(field, e);
    if (!key.empty()) break;
  }
  if (key.empty()) return patch;  // a list without a merge key is replaced
  Json out = original;
  for (const auto& element : patch) {
    if (!element.is_object() || !element.contains(key))
      throw Malformed{path + ": an element has no merge key \"" + key + "\""};
    auto match = std::find_if(out.begin(), out.end(), [&](const Json& e) {
      return e.is_object() && e.contains(key) && e[key] == element[key];
    });
    std::string directive = directive_of(element);
    if (directive == "delete") {
      if (match != out.end()) out.erase(match);
      continue;
    }
    std::string at = path + "[" + key + "=" + element[key].dump() + "]";
    if (match != out.end()) {
      *match = merge_map(*match, element, at);
    } else {
      out.push_back(merge_map(Json::object(), element, at));
    }
  }
  return out;
}

Json merge_value(const Json& original, const Json& patch, const std::string& field,
                 const std::string& path) {
  if (patch.is_object()) return merge_map(original, patch, path);
  if (patch.is_array()) return merge_list(original, patch, field, path);
  return patch;
}

}  // namespace

std::string merge_key_of(const std::string& field, const Json& element) {
  if (field == "containers" || field == "initContainers" || field == "ephemeralContainers" ||
      field == "env" || field == "volumes" || field == "imagePullSecrets")
    return "name";
  if (field == "ports") return element.contains("containerPort") ? "containerPort" : "port";
  if (field == "volumeMounts") return "mountPath";
  if (field == "conditions") return "type";
  if (field == "ownerReferences") return "uid";
  return "";
}

std::variant<Json, std::string> strategic_merge(const Json& original, const Json& patch) {
  if (!patch.is_object()) return std::string("a strategic merge patch must be a JSON object");
  try {
    return merge_map(original, patch, "");
  } catch (const Malformed& m) {
    return m.why;
  }
}

}  // namespace skippy::sim
