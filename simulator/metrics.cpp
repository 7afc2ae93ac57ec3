#include "simulator/metrics.hpp"

#include <charconv>
#include <vector>

#include "base/label_escape.hpp"
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

// A sample of `f` named `name` (a histogram's NAME_bucket, NAME_sum, NAME_count).
void add_named(Family& f, const std::string& name, const Labels& labels, double value) {
  f.samples += name;
  f.samples += '{';
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (i) f.samples += ',';
    f.samples += labels[i].first + "=\"" + base::label_value_escape(labels[i].second) + '"';
  }
  f.samples += "} " + format_value(value) + "\n";
}

void add(Family& f, const Labels& labels, double value) {
  add_named(f, f.name, labels, value);
}

Labels with(Labels labels, const std::string& name, const std::string& value) {
  labels.emplace_back(name, value);
  return labels;
}

// A web app container's requests by code and its latency histogram.
void add_http(Family& requests, Family& latency, const Labels& id, const char* error_code,
              const HttpAt& h) {
  Labels get = with(id, "method", "GET");
  add(requests, with(get, "code", "200"), h.requests - h.errors);
  add(requests, with(get, "code", error_code), h.errors);
  std::string name = latency.name;
  for (std::size_t i = 0; i < kLatencyBuckets.size(); ++i)
    add_named(latency, name + "_bucket", with(id, "le", format_value(kLatencyBuckets[i])),
              h.latency_buckets[i]);
  add_named(latency, name + "_bucket", with(id, "le", "+Inf"), h.requests);
  add_named(latency, name + "_sum", id, h.latency_sum_seconds);
  add_named(latency, name + "_count", id, h.requests);
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
  Family requests{"http_requests_total", "counter", "HTTP requests answered (simulated).", {}};
  Family latency{"http_request_duration_seconds",
                 "histogram",
                 "HTTP request latencies in seconds (simulated).",
                 {}};
  // cAdvisor's network counters, per pod and interface.
  Family network[] = {
      {"container_network_receive_bytes_total",
       "counter",
       "Cumulative count of bytes received (simulated).",
       {}},
      {"container_network_receive_packets_total",
       "counter",
       "Cumulative count of packets received (simulated).",
       {}},
      {"container_network_receive_errors_total",
       "counter",
       "Cumulative count of errors encountered while receiving (simulated).",
       {}},
      {"container_network_receive_packets_dropped_total",
       "counter",
       "Cumulative count of packets dropped while receiving (simulated).",
       {}},
      {"container_network_transmit_bytes_total",
       "counter",
       "Cumulative count of bytes transmitted (simulated).",
       {}},
      {"container_network_transmit_packets_total",
       "counter",
       "Cumulative count of packets transmitted (simulated).",
       {}},
      {"container_network_transmit_errors_total",
       "counter",
       "Cumulative count of errors encountered while transmitting (simulated).",
       {}},
      {"container_network_transmit_packets_dropped_total",
       "counter",
       "Cumulative count of packets dropped while transmitting (simulated).",
       {}},
  };

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
    if (started && pod_phase == "Running") {
      NetworkAt n = network_at(b ? *b : Behaviour{}, *started, now_ms);
      Labels eth0 = {{"namespace", ns}, {"pod", name}, {"interface", "eth0"}};
      double values[] = {n.receive_bytes,   n.receive_packets, n.receive_errors,
                         n.receive_dropped, n.transmit_bytes,  n.transmit_packets,
                         n.transmit_errors, n.transmit_dropped};
      for (std::size_t i = 0; i < std::size(network); ++i) add(network[i], eth0, values[i]);
    }
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
      if (serves_http(*b))
        add_http(requests, latency, id, error_code(*b),
                 http_at(*b, seed_of(*b, name), *started, at.run_started_ms, now_ms));
    }
  }
  for (const Json* d : store.list(resource("deployments"), "")) {
    add(available, {{"namespace", namespace_of(*d)}, {"deployment", name_of(*d)}},
        static_cast<double>(int_at(*d, "/status/availableReplicas")));
  }

  std::vector<const Family*> families = {&memory,  &cpu,       &memory_limit, &restarts,
                                         &waiting, &limits,    &ready,        &phase,
                                         &owner,   &available, &requests,     &latency};
  for (const Family& f : network) families.push_back(&f);
  std::string out;
  for (const Family* f : families) {
    if (f->samples.empty()) continue;
    out += std::string("# HELP ") + f->name + " " + f->help + "\n";
    out += std::string("# TYPE ") + f->name + " " + f->type + "\n";
    out += f->samples;
  }
  return out;
}

}  // namespace skippy::sim
