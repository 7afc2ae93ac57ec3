#include "translate/metrics.hpp"

#include <algorithm>
#include <array>

namespace skippy::translate {
namespace {

// One value per pod, in the pod's own series (labels namespace and pod).
struct Builtin {
  std::string_view name;
  std::string_view pod_query;  // "" when the name has no per-pod meaning
  std::string_view comment;
  Severity severity;         // of the finding below, when there is one
  std::string_view finding;  // how it differs from upstream; "" when it does not
};

constexpr std::array<Builtin, 9> kBuiltins = {{
    {"node_cpu", "sum by (node) (rate(container_cpu_usage_seconds_total{id=\"/\"}[5m]))",
     "CPU cores in use on the pod's node (cAdvisor's root cgroup)", Severity::Note,
     "upstream averaged the CPU cores in use over every node of the cluster; translated as "
     "the cores in use on the target's own node"},
    {"pod_restart", "sum by (namespace, pod) (kube_pod_container_status_restarts_total)",
     "container restarts of the pod, summed over its containers", Severity::Note, ""},
    {"restart_count", "sum by (namespace, pod) (kube_pod_container_status_restarts_total)",
     "container restarts of the pod, summed over its containers", Severity::Note, ""},
    {"cpu_usage_percent",
     "100 * sum by (namespace, pod, container) "
     "(rate(container_cpu_usage_seconds_total{container!=\"\"}[5m]))\n"
     "  / on (namespace, pod, container) kube_pod_container_resource_limits{resource=\"cpu\", "
     "unit=\"core\"}",
     "CPU used as a percentage of the CPU limit, the worst container of the pod", Severity::Note,
     "upstream assumed a limit of one core for every pod and divided millicores once too "
     "often; translated against each container's real CPU limit (containers without one "
     "have no value)"},
    {"memory_usage_percent",
     "100 * container_memory_working_set_bytes{container!=\"\"}\n"
     "  / on (namespace, pod, container) (container_spec_memory_limit_bytes{container!=\"\"} > 0)",
     "working set as a percentage of the memory limit, the worst container of the pod",
     Severity::Note,
     "upstream assumed a limit of 512 MB for every pod; translated against each container's "
     "real memory limit (containers without one have no value)"},
    {"memory_usage_bytes",
     "sum by (namespace, pod) (container_memory_working_set_bytes{container!=\"\"})",
     "working set of the pod in bytes", Severity::Note, ""},
    {"error_rate_percent",
     "100 * sum by (namespace, pod) (rate(http_requests_total{code=~\"5..\"}[5m]))\n"
     "  / sum by (namespace, pod) (rate(http_requests_total[5m]))",
     "share of HTTP requests answered with a 5xx over 5 minutes, in percent", Severity::Warning,
     "upstream computed `error_rate_percent` from Warning events and restart counts, not "
     "from requests; translated as the percentage of HTTP requests answered with a 5xx "
     "(http_requests_total); check the threshold"},
    {"error_rate", "sum by (namespace, pod) (rate(http_requests_total{code=~\"5..\"}[5m]))",
     "HTTP requests answered with a 5xx, per second over 5 minutes", Severity::Warning,
     "upstream counted Warning events of the last 5 minutes plus restarts as `error_rate`; "
     "translated as HTTP requests answered with a 5xx per second (http_requests_total); "
     "check the threshold"},
    {"availability_percent",
     "100 * max by (namespace, pod) (kube_pod_status_ready{condition=\"true\"})",
     "100 while the target is ready (pods) or the share of its replicas that are available",
     Severity::Warning,
     "upstream computed the share of the policy's pods running with fewer than 3 restarts, "
     "minus 0.5 per Warning event; translated as the target's own readiness or replica "
     "availability (kube-state-metrics)"},
}};

// The kube-state-metrics availability of each workload kind, in percent.
std::string_view workload_availability(Kind kind) {
  switch (kind) {
    case Kind::Deployments:
      return "100 * kube_deployment_status_replicas_available / kube_deployment_spec_replicas";
    case Kind::StatefulSets:
      return "100 * kube_statefulset_status_replicas_ready / kube_statefulset_replicas";
    case Kind::DaemonSets:
      return "100 * kube_daemonset_status_number_available\n"
             "  / kube_daemonset_status_desired_number_scheduled";
    case Kind::ReplicaSets:
      return "100 * kube_replicaset_status_ready_replicas / kube_replicaset_spec_replicas";
    case Kind::Pods:
      break;
  }
  return "";
}

// A series per target that exists for every target of the kind, to spread one cluster-wide
// value over all of them.
std::string_view every_target(Kind kind) {
  switch (kind) {
    case Kind::Pods:
      return "max by (namespace, pod) (kube_pod_info)";
    case Kind::Deployments:
      return "max by (namespace, deployment) (kube_deployment_spec_replicas)";
    case Kind::StatefulSets:
      return "max by (namespace, statefulset) (kube_statefulset_replicas)";
    case Kind::DaemonSets:
      return "max by (namespace, daemonset) (kube_daemonset_status_desired_number_scheduled)";
    case Kind::ReplicaSets:
      return "max by (namespace, replicaset) (kube_replicaset_spec_replicas)";
  }
  return "";
}

// A per-pod query lifted to the pods' workloads through kube-state-metrics' owner series:
// the pod's ReplicaSet and, for deployments, the ReplicaSet's Deployment.
std::string lift_to_workload(std::string_view pod_query, Kind kind) {
  std::string pods = "(" + std::string(pod_query) + ")";
  if (kind == Kind::Deployments) {
    return "label_replace(\n"
           "  max by (namespace, replicaset) (\n"
           "    label_replace(" +
           pods +
           "\n"
           "      * on (namespace, pod) group_left (owner_name) "
           "kube_pod_owner{owner_kind=\"ReplicaSet\"},\n"
           "      \"replicaset\", \"$1\", \"owner_name\", \"(.+)\"))\n"
           "  * on (namespace, replicaset) group_left (owner_name) "
           "kube_replicaset_owner{owner_kind=\"Deployment\"},\n"
           "  \"deployment\", \"$1\", \"owner_name\", \"(.+)\")";
  }
  std::string owner(kind_upstream(kind));
  return "label_replace(" + pods + "\n" +
         "  * on (namespace, pod) group_left (owner_name) kube_pod_owner{owner_kind=\"" + owner +
         "\"},\n" + "  \"" + std::string(kind_label(kind)) +
         "\", \"$1\", \"owner_name\", \"(.+)\")";
}

bool word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == ':';
}

// Whether `query` aggregates its series without keeping `label` (no `by (...)` naming it, no
// `without`): its result then has no series per target. A scan of words, not a PromQL parser.
bool aggregates_away(std::string_view query, std::string_view label) {
  static constexpr std::array<std::string_view, 11> kAggregations = {
      "sum",    "min",  "max",     "avg",      "count", "stddev",
      "stdvar", "topk", "bottomk", "quantile", "group"};
  bool aggregated = false;
  bool kept = false;
  std::size_t i = 0;
  auto skip_space = [&](std::size_t j) {
    while (j < query.size() &&
           (query[j] == ' ' || query[j] == '\n' || query[j] == '\t' || query[j] == '\r'))
      ++j;
    return j;
  };
  while (i < query.size()) {
    if (query[i] == '"' || query[i] == '\'' || query[i] == '`') {  // skip string literals
      char q = query[i++];
      while (i < query.size() && query[i] != q) i += query[i] == '\\' ? 2 : 1;
      ++i;
      continue;
    }
    if (!word_char(query[i])) {
      ++i;
      continue;
    }
    std::size_t start = i;
    while (i < query.size() && word_char(query[i])) ++i;
    std::string_view word = query.substr(start, i - start);
    std::size_t next = skip_space(i);
    char after = next < query.size() ? query[next] : '\0';
    if (word == "without") kept = true;
    if (std::find(kAggregations.begin(), kAggregations.end(), word) != kAggregations.end() &&
        (after == '(' || query.substr(next, 2) == "by" || query.substr(next, 7) == "without"))
      aggregated = true;
    if (word == "by" && after == '(') {
      auto close = query.find(')', next);
      std::string_view group = query.substr(
          next + 1, close == std::string_view::npos ? std::string_view::npos : close - next - 1);
      for (std::size_t p = group.find(label); p != std::string_view::npos;
           p = group.find(label, p + 1)) {
        bool left = p == 0 || !word_char(group[p - 1]);
        bool right = p + label.size() >= group.size() || !word_char(group[p + label.size()]);
        if (left && right) kept = true;
      }
    }
  }
  return aggregated && !kept;
}

bool looks_like_promql(std::string_view query) {
  return query.find_first_of("({[") != std::string_view::npos;
}

std::string trim(std::string_view s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return "";
  auto e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

MetricQuery from_builtin(const Builtin& b, Kind kind) {
  MetricQuery q;
  q.supported = true;
  q.builtin = std::string(b.name);
  q.comment = std::string(b.comment);
  q.join_labels = "namespace, " + std::string(kind_label(kind));
  if (!b.finding.empty()) q.findings.emplace_back(b.severity, std::string(b.finding));
  if (b.name == "node_cpu") {
    if (kind != Kind::Pods) {
      q.supported = false;
      q.findings.emplace_back(Severity::Warning,
                              "`node_cpu` is a value per node, which only pods have; the "
                              "trigger is left out of the policy for " +
                                  std::string(kind_word(kind)));
      return q;
    }
    q.join_labels = "node";
  }
  if (b.name == "availability_percent" && kind != Kind::Pods) {
    q.promql = std::string(workload_availability(kind));
    return q;
  }
  q.promql = kind == Kind::Pods || b.name == "node_cpu" ? std::string(b.pod_query)
                                                        : lift_to_workload(b.pod_query, kind);
  return q;
}

}  // namespace

const std::vector<std::string_view>& builtin_metric_names() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> out;
    for (const auto& b : kBuiltins) out.push_back(b.name);
    return out;
  }();
  return names;
}

MetricQuery translate_metric(std::string_view written, Kind kind) {
  std::string query = trim(written);
  for (const auto& b : kBuiltins) {
    if (query == b.name) return from_builtin(b, kind);
  }
  if (!looks_like_promql(query)) {
    // Upstream read a name that is no PromQL by looking for a built-in name inside it, in
    // this order (`error_rate` also matches `error_rate_trend_3m`).
    for (const auto& b : kBuiltins) {
      bool match = query.find(b.name) != std::string::npos &&
                   (b.name != "error_rate" || query.find("percent") == std::string::npos);
      if (!match) continue;
      MetricQuery q = from_builtin(b, kind);
      q.findings.insert(
          q.findings.begin(),
          {Severity::Warning,
           "upstream read `" + query + "` as the built-in `" + std::string(b.name) +
               "`, because it contains that name; translated as `" + std::string(b.name) + "`"});
      return q;
    }
  }
  MetricQuery q;
  q.supported = true;
  q.promql = query;
  q.join_labels = "namespace, " + std::string(kind_label(kind));
  q.comment = "the query as written upstream";
  if (!looks_like_promql(query)) {
    q.findings.emplace_back(
        Severity::Warning,
        "upstream sent a query to Prometheus only when it held `(`, `{` or `[`, and `" + query +
            "` is no built-in name: upstream never evaluated it and the trigger never fired; "
            "passed through as PromQL, which now fires when the series exists");
  }
  if (aggregates_away(query, kind_label(kind))) {
    q.promql = "scalar(\n" + query + "\n) + 0 * " + std::string(every_target(kind));
    q.comment =
        "the query as written upstream, one value for the whole cluster, given to every "
        "target";
    q.findings.emplace_back(
        Severity::Warning,
        "the query aggregates away the `" + std::string(kind_label(kind)) +
            "` label, so it has one value for the whole cluster, as upstream read it (the first "
            "series); wrapped in `scalar(...)` and given to every selected target. Keep `by "
            "(namespace, " +
            std::string(kind_label(kind)) + ")` in the query to act on each target's own value");
  }
  return q;
}

}  // namespace skippy::translate
