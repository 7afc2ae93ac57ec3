#include "simulator/discovery.hpp"

#include "simulator/resource_types.hpp"

namespace skippy::sim {
namespace {

const Json kVerbs = {"create", "delete", "get", "list", "patch", "update", "watch"};

Json group_json(const GroupVersion& g) {
  std::string gv = std::string(g.group) + "/" + std::string(g.version);
  Json version = {{"groupVersion", gv}, {"version", g.version}};
  return {{"name", g.group}, {"versions", {version}}, {"preferredVersion", version}};
}

Json resource_json(const ResourceType& t) {
  Json r = {{"name", t.plural},
            {"singularName", t.singular},
            {"namespaced", t.namespaced},
            {"kind", t.kind},
            {"verbs", kVerbs}};
  if (!t.short_names.empty()) r["shortNames"] = t.short_names;
  if (!t.categories.empty()) r["categories"] = t.categories;
  return r;
}

Json subresource_json(const ResourceType& t, std::string_view sub) {
  std::string name = std::string(t.plural) + "/" + std::string(sub);
  if (sub == "eviction")
    return {{"name", name},       {"singularName", ""}, {"namespaced", t.namespaced},
            {"group", "policy"},  {"version", "v1"},    {"kind", "Eviction"},
            {"verbs", {"create"}}};
  if (sub == "scale")
    return {{"name", name},
            {"singularName", ""},
            {"namespaced", t.namespaced},
            {"group", "autoscaling"},
            {"version", "v1"},
            {"kind", "Scale"},
            {"verbs", {"get", "patch", "update"}}};
  return {{"name", name},
          {"singularName", ""},
          {"namespaced", t.namespaced},
          {"kind", t.kind},
          {"verbs", {"get", "patch", "update"}}};
}

}  // namespace

Json version_info() {
  return {{"major", "1"},
          {"minor", "32"},
          {"gitVersion", "v1.32.0-skippy-sim"},
          {"gitCommit", "0000000000000000000000000000000000000000"},
          {"gitTreeState", "clean"},
          {"buildDate", "2025-01-01T00:00:00Z"},
          {"goVersion", "go1.23"},
          {"compiler", "gc"},
          {"platform", "linux/amd64"}};
}

Json api_versions() {
  return {{"kind", "APIVersions"},
          {"versions", {"v1"}},
          {"serverAddressByClientCIDRs",
           {{{"clientCIDR", "0.0.0.0/0"}, {"serverAddress", "127.0.0.1"}}}}};
}

Json api_group_list() {
  Json groups = Json::array();
  for (const auto& g : served_groups()) groups.push_back(group_json(g));
  return {{"kind", "APIGroupList"}, {"apiVersion", "v1"}, {"groups", groups}};
}

std::optional<Json> api_group(std::string_view group) {
  for (const auto& g : served_groups()) {
    if (g.group != group) continue;
    Json out = group_json(g);
    out["kind"] = "APIGroup";
    out["apiVersion"] = "v1";
    return out;
  }
  return std::nullopt;
}

std::optional<Json> api_resource_list(std::string_view group, std::string_view version) {
  Json resources = Json::array();
  for (const auto& t : resource_types()) {
    if (t.group != group || t.version != version) continue;
    resources.push_back(resource_json(t));
    for (auto sub : t.subresources) resources.push_back(subresource_json(t, sub));
  }
  if (resources.empty()) return std::nullopt;
  std::string gv =
      group.empty() ? std::string(version) : std::string(group) + "/" + std::string(version);
  return Json{{"kind", "APIResourceList"},
              {"apiVersion", "v1"},
              {"groupVersion", gv},
              {"resources", resources}};
}

std::string openapi_v2_protobuf() {
  // Field 1 (swagger), wire type 2 (length-delimited): tag 0x0a, length 3, "2.0".
  return std::string(
      "\x0a\x03"
      "2.0",
      5);
}

}  // namespace skippy::sim
