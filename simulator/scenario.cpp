#include "simulator/scenario.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "simulator/behaviour.hpp"
#include "simulator/object_meta.hpp"
#include "simulator/rest.hpp"
#include "simulator/yaml_json.hpp"

namespace skippy::sim {
namespace {

// Why the behaviour annotations of a pod, or of a workload's pod template, are wrong.
std::optional<std::string> behaviour_error(const Json& object) {
  Json::json_pointer template_at("/spec/template");
  const Json& pod = object.contains(template_at) ? object.at(template_at) : object;
  auto behaviour = behaviour_of(pod);
  if (auto* why = std::get_if<std::string>(&behaviour)) return *why;
  return std::nullopt;
}

}  // namespace

std::variant<std::vector<Manifest>, std::string> parse_scenario(std::string_view text,
                                                                const std::string& name) {
  auto documents = yaml_documents(text, name);
  if (auto* why = std::get_if<std::string>(&documents)) return *why;
  std::vector<Manifest> out;
  for (auto& doc : std::get<std::vector<YamlDocument>>(documents)) {
    std::string where = name + ":" + std::to_string(doc.line);
    if (!doc.value.is_object())
      return where + ": a manifest must be a map with apiVersion, kind and metadata";
    if (string_at(doc.value, "/kind") == "List") {
      if (!doc.value.contains("items") || !doc.value["items"].is_array())
        return where + ": a List needs items";
      for (auto& item : doc.value["items"]) out.push_back({item, where});
      continue;
    }
    out.push_back({std::move(doc.value), where});
  }
  return out;
}

std::variant<std::vector<Manifest>, std::string> load_scenario(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return path + ": cannot read the file";
  std::stringstream text;
  text << in.rdbuf();
  return parse_scenario(text.str(), path);
}

std::vector<std::string> apply_manifests(ObjectStore& store, const std::vector<Manifest>& manifests,
                                         std::int64_t now_ms) {
  std::vector<const Manifest*> ordered;
  for (const auto& m : manifests) ordered.push_back(&m);
  std::stable_sort(ordered.begin(), ordered.end(), [](const Manifest* a, const Manifest* b) {
    return string_at(a->object, "/kind") == "Namespace" &&
           string_at(b->object, "/kind") != "Namespace";
  });
  std::vector<std::string> errors;
  for (const Manifest* m : ordered) {
    std::string api_version = string_at(m->object, "/apiVersion");
    std::string kind = string_at(m->object, "/kind");
    const ResourceType* type = find_kind(api_version, kind);
    if (!type) {
      errors.push_back(m->where + ": the simulator does not serve kind \"" + kind + "\" in \"" +
                       api_version + "\"");
      continue;
    }
    if (auto why = behaviour_error(m->object)) {
      errors.push_back(m->where + ": " + *why);
      continue;
    }
    // Scenario files loaded together may each create the namespace their workloads live in.
    if (kind == "Namespace" && store.find(*type, "", name_of(m->object))) continue;
    std::string ns = namespace_of(m->object);
    if (type->namespaced && ns.empty()) ns = "default";
    auto created = create_object(store, *type, ns, m->object, now_ms);
    if (const auto* e = error_of(created)) errors.push_back(m->where + ": " + e->message);
  }
  return errors;
}

}  // namespace skippy::sim
