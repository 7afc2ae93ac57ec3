// The kubelet's side of failing apps: for each running pod with a behaviour (behaviour.hpp),
// its containers' restartCount, state (running, or waiting in CrashLoopBackOff), lastState
// (terminated: OOMKilled or Error) and readiness at the step's time, and the pod's
// ContainersReady and Ready conditions. Events: Warning OOMKilled when a run ends at the
// memory limit, Warning BackOff when the kubelet starts waiting to restart a container. A pod
// whose state has not changed is not written.
#include "simulator/behaviour.hpp"
#include "simulator/controllers/controller.hpp"
#include "simulator/object_meta.hpp"
#include "simulator/pod_state.hpp"
#include "simulator/timestamps.hpp"

namespace skippy::sim {
namespace {

// The container of the pod's spec named `name`, or null.
const Json* spec_container(const Json& pod, const std::string& name) {
  Json::json_pointer at("/spec/containers");
  if (!pod.contains(at) || !pod.at(at).is_array()) return nullptr;
  for (const auto& c : pod.at(at)) {
    if (c.value("name", "") == name) return &c;
  }
  return nullptr;
}

}  // namespace

void run_behaviours(ControllerContext& context) {
  const ResourceType& pods = resource("pods");
  std::int64_t now = context.now_ms;
  for (Json pod : list_copy(context.store, pods)) {
    if (!pod_active(pod) || string_at(pod, "/status/phase") != "Running") continue;
    auto behaviour = behaviour_of(pod);
    const auto* b = std::get_if<Behaviour>(&behaviour);
    auto started = parse_rfc3339(string_at(pod, "/status/startTime"));
    if (!b || b->kind == BehaviourKind::Steady || !started) continue;
    Json before = pod;
    Json& statuses = pod["status"]["containerStatuses"];
    if (!statuses.is_array()) continue;
    bool all_ready = true;
    struct Happened {
      std::string container;
      ContainerAt at;
      bool oom;
      bool backoff;
    };
    std::vector<Happened> happened;
    for (auto& status : statuses) {
      std::string name = status.value("name", "");
      const Json* spec = spec_container(pod, name);
      if (!spec) continue;
      ContainerAt at = container_at(*b, limits_of(*spec), *started, now);
      bool was_waiting = status.contains("state") && status["state"].contains("waiting");
      std::int64_t restarts_before = status.value("restartCount", 0);
      bool ready = at.running && now >= at.run_started_ms + context.options.ready_delay_ms;
      status["restartCount"] = at.restarts;
      status["ready"] = ready;
      status["started"] = at.running;
      if (at.running) {
        status["state"] = {{"running", {{"startedAt", rfc3339(at.run_started_ms)}}}};
      } else {
        std::int64_t backoff_s = (at.backoff_until_ms - at.last_exit_ms) / 1'000;
        status["state"] = {
            {"waiting",
             {{"reason", "CrashLoopBackOff"},
              {"message", "back-off " + short_age(backoff_s * 1'000) +
                              " restarting failed container=" + name + " pod=" + name_of(pod) +
                              "_" + namespace_of(pod) + "(" + uid_of(pod) + ")"}}}};
      }
      status["lastState"] = Json::object();
      if (at.restarts > 0) {
        status["lastState"] = {{"terminated",
                                {{"exitCode", at.last_exit_code},
                                 {"reason", at.last_reason},
                                 {"startedAt", rfc3339(at.last_started_ms)},
                                 {"finishedAt", rfc3339(at.last_exit_ms)},
                                 {"containerID", status.value("containerID", "")}}}};
      }
      all_ready = all_ready && ready;
      happened.push_back({name, at, at.restarts > restarts_before && at.last_reason == "OOMKilled",
                          !at.running && !was_waiting});
    }
    set_pod_condition(pod, "ContainersReady", all_ready, now);
    set_pod_condition(pod, "Ready", all_ready, now);
    if (pod == before) continue;
    context.store.update(pods, pod);
    for (const auto& h : happened) {
      if (h.oom)
        context.events.record(context.store, pod, "Warning", "OOMKilled",
                              "Container " + h.container + " was killed: out of memory", "kubelet",
                              now);
      if (h.backoff)
        context.events.record(context.store, pod, "Warning", "BackOff",
                              "Back-off restarting failed container " + h.container + " in pod " +
                                  name_of(pod) + "_" + namespace_of(pod) + "(" + uid_of(pod) + ")",
                              "kubelet", now);
    }
  }
}

}  // namespace skippy::sim
