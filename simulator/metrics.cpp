#include "simulator/metrics.hpp"

#include <charconv>
#include <vector>

#include "dsl/label_escape.hpp"
#include "simulator/behaviour.hpp"
#include "simulator/object_meta.hpp"
#include "simulator/pod_state.hpp"
#include "simulator/timestamps.hpp"

namespace skippy::sim {
namespace {

// One metric family: its HELP and TYPE lines and its samples, written in this order.
struct Family {
  const char* name;
  const char* type;
  const char* help;
  std::string samples;
};

using Labels = std::vector<std::pair<std::string, std::string>>;

std::string format_value(double value) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  return ec == std::errc() ? std::string(buf, end) : "NaN";
}

void add(Family& f, const Labels& labels, double value) {
  f.samples += f.name;
  f.samples += '{';
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (i) f.samples += ',';
    f.samples += labels[i].first + "=\"" + dsl::label_value_escape(labels[i].second) + '"';
  }
  f.samples += "} " + format_value(value) + "\n";
}

const Json* find_named(const Json& list, const std::string& name) {
  if (!list.is_array()) return nullptr;
  for (const auto& item : list) {
    if (item.value("name", "") == name) return &item;
  }
  return nullptr;
}

}  // namespace

std::string metrics_text(const ObjectStore& store, std::int64_t now_ms) {
  Family memory{"container_memory_working_set_bytes",
                "gauge",
                "Current working set of the container in bytes (simulated).",
                {}};
  Family cpu{"container_cpu_usage_seconds_total",
             "counter",
             "Cumulative cpu time consumed by the container in core-seconds (simulated).",
             {}};
  Family memory_limit{"container_spec_memory_limit_bytes",
                      "gauge",
                      "Memory limit for the container (simulated).",
                      {}};
  Family restarts{"kube_pod_container_status_restarts_total",
                  "counter",
                  "The number of container restarts per container.",
                  {}};
  Family waiting{"kube_pod_container_status_waiting_reason",
                 "gauge",
                 "Describes the reason the container is currently in waiting state.",
                 {}};
  Family limits{"kube_pod_container_resource_limits",
                "gauge",
                "The number of requested limit resource by a container.",
                {}};
  Family ready{"kube_pod_status_ready",
               "gauge",
               "Describes whether the pod is ready to serve requests.",
               {}};
  Family phase{"kube_pod_status_phase", "gauge", "The pods current phase.", {}};
  Family owner{"kube_pod_owner", "gauge", "Information about the Pod's owner.", {}};
  Family available{"kube_deployment_status_replicas_available",
                   "gauge",
                   "The number of available replicas per deployment.",
                   {}};

  for (const Json* pod : store.list(resource("pods"), "")) {
    if (being_deleted(*pod)) continue;
    std::string ns = namespace_of(*pod);
    std::string name = name_of(*pod);
    std::string node = string_at(*pod, "/spec/nodeName");
    std::string pod_phase = string_at(*pod, "/status/phase");
    for (const char* p : {"Pending", "Running", "Succeeded", "Failed", "Unknown"})
      add(phase, {{"namespace", ns}, {"pod", name}, {"phase", p}}, pod_phase == p ? 1 : 0);
    bool is_ready = pod_ready(*pod);
    bool has_ready = false;
    Json::json_pointer conditions("/status/conditions");
    if (pod->contains(conditions) && pod->at(conditions).is_array()) {
      for (const auto& c : pod->at(conditions))
        has_ready = has_ready || c.value("type", "") == "Ready";
    }
    for (const char* c : {"true", "false", "unknown"}) {
      bool on = has_ready ? (std::string(c) == (is_ready ? "true" : "false"))
                          : std::string(c) == "unknown";
      add(ready, {{"namespace", ns}, {"pod", name}, {"condition", c}}, on ? 1 : 0);
    }
    Json::json_pointer owners("/metadata/ownerReferences");
    if (pod->contains(owners) && pod->at(owners).is_array()) {
      for (const auto& o : pod->at(owners))
        add(owner,
            {{"namespace", ns},
             {"pod", name},
             {"owner_kind", o.value("kind", "")},
             {"owner_name", o.value("name", "")},
             {"owner_is_controller", o.value("controller", false) ? "true" : "false"}},
            1);
    }
    auto behaviour = behaviour_of(*pod);
    const auto* b = std::get_if<Behaviour>(&behaviour);
    auto started = parse_rfc3339(string_at(*pod, "/status/startTime"));
    Json::json_pointer statuses_at("/status/containerStatuses");
    Json::json_pointer containers("/spec/containers");
    const Json* statuses = pod->contains(statuses_at) ? &pod->at(statuses_at) : nullptr;
    if (!pod->contains(containers) || !pod->at(containers).is_array()) continue;
    for (const auto& container : pod->at(containers)) {
      std::string cname = container.value("name", "");
      Labels id = {{"namespace", ns}, {"pod", name}, {"container", cname}};
      Limits l = limits_of(container);
      if (l.memory_bytes > 0) {
        Labels with = {{"namespace", ns}, {"pod", name},          {"container", cname},
                       {"node", node},    {"resource", "memory"}, {"unit", "byte"}};
        add(limits, with, l.memory_bytes);
      }
      if (l.cpu_cores > 0) {
        Labels with = {{"namespace", ns}, {"pod", name},       {"container", cname},
                       {"node", node},    {"resource", "cpu"}, {"unit", "core"}};
        add(limits, with, l.cpu_cores);
      }
      const Json* status = statuses ? find_named(*statuses, cname) : nullptr;
      if (!status) continue;
      add(restarts, id, status->value("restartCount", 0));
      Json::json_pointer reason_at("/state/waiting/reason");
      if (status->contains(reason_at) && status->at(reason_at).is_string()) {
        Labels with = id;
        with.emplace_back("reason", status->at(reason_at).get<std::string>());
        add(waiting, with, 1);
      }
      if (!b || !started || pod_phase != "Running") continue;
      ContainerAt at = container_at(*b, l, *started, now_ms);
      if (!at.running) continue;
      add(memory, id, at.memory_bytes);
      add(cpu, id, at.cpu_seconds);
      add(memory_limit, id, l.memory_bytes);
    }
  }
  for (const Json* d : store.list(resource("deployments"), "")) {
    add(available, {{"namespace", namespace_of(*d)}, {"deployment", name_of(*d)}},
        static_cast<double>(int_at(*d, "/status/availableReplicas")));
  }

  std::string out;
  for (const Family* f : {&memory, &cpu, &memory_limit, &restarts, &waiting, &limits, &ready,
                          &phase, &owner, &available}) {
    if (f->samples.empty()) continue;
    out += std::string("# HELP ") + f->name + " " + f->help + "\n";
    out += std::string("# TYPE ") + f->name + " " + f->type + "\n";
    out += f->samples;
  }
  return out;
}

}  // namespace skippy::sim
