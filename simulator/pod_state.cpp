#include "simulator/pod_state.hpp"

#include "simulator/object_meta.hpp"

namespace skippy::sim {

bool pod_ready(const Json& pod) {
  Json::json_pointer p("/status/conditions");
  if (!pod.contains(p) || !pod.at(p).is_array()) return false;
  for (const auto& c : pod.at(p)) {
    if (c.value("type", "") == "Ready") return c.value("status", "") == "True";
  }
  return false;
}

bool pod_active(const Json& pod) {
  std::string phase = string_at(pod, "/status/phase");
  return phase != "Succeeded" && phase != "Failed" && !being_deleted(pod);
}

}  // namespace skippy::sim
