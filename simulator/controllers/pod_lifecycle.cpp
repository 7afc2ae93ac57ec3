#include "simulator/controllers/pod_lifecycle.hpp"

#include <algorithm>
#include <cstdio>
#include <set>

#include "simulator/behaviour.hpp"
#include "simulator/names.hpp"
#include "simulator/object_meta.hpp"
#include "simulator/pod_state.hpp"
#include "simulator/timestamps.hpp"

namespace skippy::sim {
namespace {

std::string host_ip(const SimulationOptions& options, const std::string& node) {
  auto it = std::find(options.nodes.begin(), options.nodes.end(), node);
  return "10.0.0." + std::to_string(10 + (it - options.nodes.begin()));
}

// "containerd://" and 64 hex digits, from the pod and the container's name.
std::string container_id(const Json& pod, const std::string& container) {
  std::string id = "containerd://";
  for (int i = 0; i < 4; ++i) {
    char part[17];
    std::snprintf(part, sizeof part, "%016llx",
                  static_cast<unsigned long long>(
                      fnv1a(uid_of(pod) + "/" + container + "/" + std::to_string(i))));
    id += part;
  }
  return id;
}

}  // namespace

void PodLifecycle::step(ControllerContext& context) {
  const ResourceType& pods = resource("pods");
  const auto& nodes = context.options.nodes;
  std::map<std::string, int> load;
  for (const auto& n : nodes) load[n] = 0;
  auto all = list_copy(context.store, pods);
  std::set<std::string> present;
  for (const auto& pod : all) {
    present.insert(uid_of(pod));
    std::string node = string_at(pod, "/spec/nodeName");
    if (load.count(node)) ++load[node];
  }
  for (auto it = times_.begin(); it != times_.end();) {
    it = present.count(it->first) ? std::next(it) : times_.erase(it);
  }
  std::int64_t now = context.now_ms;
  for (Json pod : all) {
    if (!pod_active(pod) || nodes.empty()) continue;
    PodTimes& t = times_.try_emplace(uid_of(pod), PodTimes{now, {}, {}}).first->second;
    std::string phase = string_at(pod, "/status/phase");
    std::string node = string_at(pod, "/spec/nodeName");
    if (node.empty()) {
      node = std::min_element(load.begin(), load.end(), [](const auto& a, const auto& b) {
               return a.second < b.second;
             })->first;
      ++load[node];
      pod["spec"]["nodeName"] = node;
      set_pod_condition(pod, "PodScheduled", true, now);
      context.store.update(pods, pod);
      context.events.record(
          context.store, pod, "Normal", "Scheduled",
          "Successfully assigned " + namespace_of(pod) + "/" + name_of(pod) + " to " + node,
          "default-scheduler", now);
      t.scheduled_ms = now;
      continue;
    }
    if (!t.scheduled_ms) t.scheduled_ms = t.seen_ms;
    if (phase == "Pending" && now >= *t.scheduled_ms + context.options.start_delay_ms) {
      Json& status = pod["status"];
      status["phase"] = "Running";
      status["startTime"] = rfc3339(now);
      status["hostIP"] = host_ip(context.options, node);
      std::uint32_t ip = next_ip_++;
      status["podIP"] =
          "10.244." + std::to_string(ip / 250 % 250) + "." + std::to_string(ip % 250 + 2);
      status["podIPs"] = Json::array({{{"ip", status["podIP"]}}});
      Json statuses = Json::array();
      for (const auto& c : pod["spec"]["containers"]) {
        std::string name = c.value("name", "");
        std::string image = c.value("image", "");
        statuses.push_back({{"name", name},
                            {"image", image},
                            {"imageID", "docker.io/library/" + image},
                            {"containerID", container_id(pod, name)},
                            {"ready", false},
                            {"started", true},
                            {"restartCount", 0},
                            {"state", {{"running", {{"startedAt", rfc3339(now)}}}}}});
      }
      status["containerStatuses"] = statuses;
      set_pod_condition(pod, "PodScheduled", true, now);
      set_pod_condition(pod, "Initialized", true, now);
      set_pod_condition(pod, "ContainersReady", false, now);
      set_pod_condition(pod, "Ready", false, now);
      context.store.update(pods, pod);
      for (const auto& c : pod["spec"]["containers"]) {
        std::string name = c.value("name", "");
        context.events.record(
            context.store, pod, "Normal", "Pulled",
            "Container image \"" + c.value("image", "") + "\" already present on machine",
            "kubelet", now);
        context.events.record(context.store, pod, "Normal", "Created", "Created container " + name,
                              "kubelet", now);
        context.events.record(context.store, pod, "Normal", "Started", "Started container " + name,
                              "kubelet", now);
      }
      t.started_ms = now;
      continue;
    }
    // The readiness of a pod with a behaviour follows its runs (behaviour_controller.cpp).
    if (phase == "Running" && !pod_ready(pod) && t.started_ms && !has_behaviour(pod) &&
        now >= *t.started_ms + context.options.ready_delay_ms) {
      for (auto& c : pod["status"]["containerStatuses"]) c["ready"] = true;
      set_pod_condition(pod, "ContainersReady", true, now);
      set_pod_condition(pod, "Ready", true, now);
      context.store.update(pods, pod);
    }
  }
}

}  // namespace skippy::sim
