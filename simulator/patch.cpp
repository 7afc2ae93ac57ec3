#include "simulator/patch.hpp"

#include <algorithm>
#include <cctype>

#include "simulator/object_meta.hpp"
#include "simulator/strategic_merge.hpp"

namespace skippy::sim {

std::string media_type(std::string_view content_type) {
  std::string out(content_type.substr(0, content_type.find(';')));
  while (!out.empty() && out.back() == ' ') out.pop_back();
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

Outcome<Json> apply_patch(const ResourceType& type, const Json& original,
                          std::string_view content_type, std::string_view body) {
  std::string media = media_type(content_type);
  bool custom = type.group == "kubeskippy.io";
  if (media != "application/json-patch+json" && media != "application/merge-patch+json" &&
      (media != "application/strategic-merge-patch+json" || custom))
    return unsupported_media_type(media);
  Json patch = Json::parse(body, nullptr, false);
  if (patch.is_discarded()) return bad_request("the patch is not valid JSON");
  std::string name = name_of(original);
  if (media == "application/json-patch+json") {
    if (!patch.is_array())
      return invalid(type.kind, type.group, name, "patch",
                     "a JSON patch must be a list of operations");
    try {
      return original.patch(patch);
    } catch (const Json::exception& e) {
      return invalid(type.kind, type.group, name, "patch", e.what());
    }
  }
  if (media == "application/merge-patch+json") {
    if (!patch.is_object())
      return invalid(type.kind, type.group, name, "patch", "a merge patch must be a JSON object");
    Json result = original;
    result.merge_patch(patch);
    return result;
  }
  auto merged = strategic_merge(original, patch);
  if (auto* why = std::get_if<std::string>(&merged))
    return invalid(type.kind, type.group, name, "patch", *why);
  return std::get<Json>(std::move(merged));
}

}  // namespace skippy::sim
