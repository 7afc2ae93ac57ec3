#include "bench/generate_policies.hpp"

#include <algorithm>
#include <array>
#include <string_view>

#include "bench/rng.hpp"

namespace skippy::bench {
namespace {

using sv = std::string_view;

// A kind of PromQL signal. In `query`, $M stands for extra label matchers (", namespace=...")
// and $W for the range window.
struct SignalKind {
  sv name;
  sv query;
  sv by;
  std::array<sv, 2> aggregations;
  sv fire_op;
  std::array<sv, 3> fire;
  sv clear_op;
  std::array<sv, 3> clear;
  bool grows;  // forecasting it makes sense
};

constexpr std::array<SignalKind, 9> kSignals = {{
    {"mem_pct",
     "100 * container_memory_working_set_bytes{container!=\"\"$M} / on(namespace, pod, container) "
     "container_spec_memory_limit_bytes{container!=\"\"$M} > 0",
     "namespace, pod, container",
     {"max", "avg"},
     ">",
     {"80", "85", "90"},
     "<",
     {"60", "65", "70"},
     true},
    {"cpu_throttle",
     "rate(container_cpu_cfs_throttled_periods_total{container!=\"\"$M}[$W]) / "
     "rate(container_cpu_cfs_periods_total{container!=\"\"$M}[$W])",
     "namespace, pod, container",
     {"max", "avg"},
     ">",
     {"0.25", "0.4", "0.5"},
     "<",
     {"0.1", "0.15", "0.2"},
     true},
    {"restarts",
     "increase(kube_pod_container_status_restarts_total{job=\"kube-state-metrics\"$M}[$W])",
     "namespace, pod",
     {"sum", "max"},
     ">=",
     {"3", "5", "10"},
     "<",
     {"1", "1", "2"},
     false},
    {"error_ratio",
     "sum by (namespace, pod) (rate(http_requests_total{code=~\"5..\"$M}[$W])) / "
     "sum by (namespace, pod) (rate(http_requests_total{code!=\"\"$M}[$W]))",
     "namespace, pod",
     {"avg", "max"},
     ">",
     {"0.01", "0.05", "0.1"},
     "<",
     {"0.005", "0.01", "0.02"},
     true},
    {"p99_latency",
     "histogram_quantile(0.99, sum by (namespace, pod, le) "
     "(rate(http_request_duration_seconds_bucket{le!=\"\"$M}[$W])))",
     "namespace, pod",
     {"max", "avg"},
     ">",
     {"0.5", "1", "2.5"},
     "<",
     {"0.25", "0.5", "1"},
     true},
    {"queue_lag",
     "max_over_time(kafka_consumergroup_lag{consumergroup!=\"\"$M}[$W])",
     "namespace, pod",
     {"sum", "max"},
     ">",
     {"1000", "5000", "10000"},
     "<",
     {"100", "500", "1000"},
     true},
    {"oom_kills",
     "increase(container_oom_events_total{container!=\"\"$M}[$W])",
     "namespace, pod, container",
     {"sum", "max"},
     ">=",
     {"1", "2", "3"},
     "<",
     {"1", "1", "1"},
     false},
    {"gc_seconds",
     "rate(go_gc_duration_seconds_sum{job!=\"\"$M}[$W])",
     "namespace, pod",
     {"avg", "max"},
     ">",
     {"0.05", "0.1", "0.2"},
     "<",
     {"0.02", "0.05", "0.1"},
     true},
    {"ready_pods",
     "kube_pod_status_ready{condition=\"true\"$M}",
     "namespace, pod",
     {"min", "avg"},
     "<",
     {"1", "1", "1"},
     ">=",
     {"1", "1", "1"},
     false},
}};

constexpr std::array<sv, 20> kApps = {"checkout",  "payments",  "search",  "catalog", "cart",
                                      "inventory", "shipping",  "billing", "auth",    "profile",
                                      "reviews",   "recommend", "gateway", "ledger",  "notifier",
                                      "media",     "pricing",   "orders",  "fraud",   "reports"};
constexpr std::array<sv, 15> kNamespaces = {"team-shop", "team-core", "team-data",   "team-edge",
                                            "team-ml",   "team-risk", "team-growth", "team-infra",
                                            "prod-eu",   "prod-us",   "prod-ap",     "staging",
                                            "batch",     "streaming", "platform"};
// What differs between the selected kinds: the actions that apply to them (the checker
// rejects, say, `delete` on a deployment or `scale` on a daemonset), what `approve` may name,
// and the kube-state-metrics series behind `workload.ready_replicas < workload.replicas`.
struct KindProfile {
  sv name;
  bool pods;
  std::array<sv, 6> actions;  // Skippy action calls, without a priority
  std::array<sv, 3> approve;
  sv ksm_label;    // the workload's label in kube-state-metrics (workloads only)
  sv ksm_ready;    // ready replicas
  sv ksm_desired;  // desired replicas
};

constexpr sv kRollbackNote = "annotate(key: \"skippy.io/rollback\", value: \"previous\")";
constexpr sv kNotify =
    "notify(webhook: \"https://hooks.example.com/skippy\", message: \"needs a look\")";
constexpr sv kPatch =
    "patch(type: merge, patch: `{\"metadata\": {\"annotations\": {\"skippy.io/healed\": "
    "\"true\"}}}`)";

constexpr std::array<KindProfile, 5> kProfiles = {{
    {"pods",
     true,
     {"restart(strategy: rolling)", "delete(grace: 30s)", "scale(of: owner, by: +1, max: 5)",
      "evict(grace: 1m)", "restart()", "scale(of: owner, by: +2, max: 8)"},
     {"delete", "delete, evict", "scale"},
     "",
     "",
     ""},
    {"deployments",
     false,
     {"restart(strategy: rolling)", "scale(by: +1, max: 5)", kRollbackNote, "restart()",
      "scale(to: 4, min: 2, max: 6)", kPatch},
     {"scale", "patch", "scale, patch"},
     "deployment",
     "kube_deployment_status_replicas_ready",
     "kube_deployment_spec_replicas"},
    {"statefulsets",
     false,
     {"restart(strategy: rolling)", "scale(by: +1, max: 5)", kRollbackNote, "restart()", kNotify,
      "scale(by: -1, min: 2, max: 6)"},
     {"scale", "patch", "scale, patch"},
     "statefulset",
     "kube_statefulset_status_replicas_ready",
     "kube_statefulset_replicas"},
    {"daemonsets",
     false,
     {"restart(strategy: rolling)", kPatch, kRollbackNote, "restart()", kNotify,
      "restart(strategy: graceful)"},
     {"patch", "restart", "restart, patch"},
     "daemonset",
     "kube_daemonset_status_number_ready",
     "kube_daemonset_status_desired_number_scheduled"},
    {"replicasets",
     false,
     {"scale(by: +1, max: 5)", kPatch, kRollbackNote, "scale(to: 3, min: 1, max: 5)", kNotify,
      "scale(by: +2, max: 8)"},
     {"scale", "patch", "scale, patch"},
     "replicaset",
     "kube_replicaset_status_ready_replicas",
     "kube_replicaset_spec_replicas"},
}};
// Pods are selected four times in ten, deployments three, the other kinds once each.
constexpr std::array<std::size_t, 10> kKinds = {0, 0, 0, 0, 1, 1, 1, 2, 3, 4};
constexpr std::array<sv, 5> kModes = {"monitor", "dryrun", "manual", "automatic", "automatic"};
constexpr std::array<sv, 4> kEvery = {"10s", "15s", "30s", "1m"};
constexpr std::array<sv, 3> kWindows = {"5m", "10m", "15m"};
constexpr std::array<sv, 4> kFor = {"1m", "2m", "5m", "10m"};
constexpr std::array<sv, 3> kClearFor = {"2m", "5m", "10m"};
constexpr std::array<sv, 3> kHold = {"1m", "2m", "5m"};
// Extra label requirements: Skippy text; the app requirement is always added first.
constexpr std::array<sv, 6> kRequirements = {"label(\"tier\") in [\"web\", \"api\"]",
                                             "has label(\"team\")",
                                             "not has label(\"skippy.io/ignore\")",
                                             "label(\"env\") != \"dev\"",
                                             "label(\"track\") not in [\"canary\", \"shadow\"]",
                                             "label(\"app.kubernetes.io/part-of\") == \"shop\""};
std::string expand(sv tpl, sv matchers, sv window) {
  std::string out;
  out.reserve(tpl.size() + 4 * matchers.size());
  for (std::size_t i = 0; i < tpl.size(); ++i) {
    if (tpl[i] == '$' && i + 1 < tpl.size() && (tpl[i + 1] == 'M' || tpl[i + 1] == 'W')) {
      out += tpl[i + 1] == 'M' ? matchers : window;
      ++i;
    } else {
      out += tpl[i];
    }
  }
  return out;
}

std::string pad4(std::size_t n) {
  std::string s = std::to_string(n);
  return std::string(s.size() < 4 ? 4 - s.size() : 0, '0') + s;
}

std::string camel(sv snake) {
  std::string out;
  bool upper = true;
  for (char c : snake) {
    if (c == '_') {
      upper = true;
    } else {
      out += upper && c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
      upper = false;
    }
  }
  return out;
}

std::string yaml_quote(sv text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string seconds(sv duration) {
  if (duration == "15m") return "900";
  if (duration == "30m") return "1800";
  return "3600";  // 1h
}

struct Signal {
  const SignalKind* kind;
  std::string query;  // expanded
  std::string aggregation;
  std::size_t level;  // index into the kind's thresholds

  std::string promql() const {
    return aggregation + " by (" + std::string(kind->by) + ") (" + query + ")";
  }
  std::string name() const { return std::string(kind->name); }
  sv fire() const { return kind->fire[level]; }
  sv clear() const { return kind->clear[level]; }
};

struct Trigger {
  std::string name;
  std::string when;    // Skippy condition
  std::string promql;  // the same condition in PromQL
  std::string for_duration;
  std::string clear_when;
  std::string clear_for;
};

Trigger threshold(const Signal& s, Rng& rng, bool with_for, bool with_clear, bool clear_for) {
  Trigger t;
  t.name = std::string(s.kind->fire_op[0] == '<' ? "low_" : "high_") + s.name();
  t.when = s.name() + " " + std::string(s.kind->fire_op) + " " + std::string(s.fire());
  t.promql = s.promql() + " " + std::string(s.kind->fire_op) + " " + std::string(s.fire());
  if (with_for) t.for_duration = rng.pick(kFor);
  if (with_clear) {
    t.clear_when = s.name() + " " + std::string(s.kind->clear_op) + " " + std::string(s.clear());
    if (clear_for) t.clear_for = rng.pick(kClearFor);
  }
  return t;
}

Trigger compound(const Signal& a, const Signal& b, Rng& rng) {
  Trigger t;
  t.name = a.name() + "_and_" + b.name();
  t.when = a.name() + " " + std::string(a.kind->fire_op) + " " + std::string(a.clear()) + " and " +
           b.name() + " " + std::string(b.kind->fire_op) + " " + std::string(b.fire());
  t.promql = a.promql() + " " + std::string(a.kind->fire_op) + " " + std::string(a.clear()) +
             " and on(namespace, pod) " + b.promql() + " " + std::string(b.kind->fire_op) + " " +
             std::string(b.fire());
  t.for_duration = rng.pick(kFor);
  return t;
}

Trigger forecast(const Signal& s, Rng& rng) {
  static constexpr std::array<sv, 3> kHorizons = {"15m", "30m", "1h"};
  sv horizon = rng.pick(kHorizons);
  sv limit = s.kind->fire[2];
  Trigger t;
  t.name = s.name() + "_forecast";
  t.when =
      "forecast(" + s.name() + ", horizon: " + std::string(horizon) + ") > " + std::string(limit);
  t.promql = "predict_linear((" + s.promql() + ")[1h:1m], " + seconds(horizon) + ") > " +
             std::string(limit);
  return t;
}

Trigger crash_looping(sv matchers, Rng& rng) {
  static constexpr std::array<sv, 2> kWindow = {"10m", "15m"};
  static constexpr std::array<sv, 2> kCount = {"3", "5"};
  sv window = rng.pick(kWindow);
  sv count = rng.pick(kCount);
  Trigger t;
  t.name = "crash_looping";
  t.when = "pod.waiting_reason == \"CrashLoopBackOff\" and increase(pod.restarts, " +
           std::string(window) + ") >= " + std::string(count);
  t.promql =
      "max by (namespace, pod) "
      "(kube_pod_container_status_waiting_reason{reason=\"CrashLoopBackOff\"" +
      std::string(matchers) +
      "}) == 1 and on(namespace, pod) sum by (namespace, pod) "
      "(increase(kube_pod_container_status_restarts_total{job=\"kube-state-metrics\"" +
      std::string(matchers) + "}[" + std::string(window) + "])) >= " + std::string(count);
  if (rng.percent(50)) t.for_duration = rng.pick(kFor);
  return t;
}

// For the workload kinds, the counterpart of crash_looping: fewer ready replicas than
// desired, for a while. `workload_matchers` select the workload by its own label.
Trigger replicas_unready(const KindProfile& profile, sv workload_matchers, Rng& rng) {
  static constexpr std::array<sv, 3> kMissing = {"0", "1", "2"};
  sv missing = rng.pick(kMissing);
  Trigger t;
  t.name = "replicas_unready";
  t.when = "workload.ready_replicas < workload.replicas";
  std::string lhs = std::string(profile.ksm_ready) + "{job=\"kube-state-metrics\"" +
                    std::string(workload_matchers) + "}";
  std::string rhs = std::string(profile.ksm_desired) + "{job=\"kube-state-metrics\"" +
                    std::string(workload_matchers) + "}";
  if (missing != "0") {
    t.when += " - " + std::string(missing);
    rhs += " - " + std::string(missing);
  }
  t.promql = lhs + " < on(namespace, " + std::string(profile.ksm_label) + ") " + rhs;
  t.for_duration = rng.pick(kFor);
  return t;
}

std::string with_priority(sv action, Rng& rng) {
  return std::string(action) + " priority " + std::to_string(1 + rng.below(20));
}

std::string action(const KindProfile& profile, Rng& rng) {
  return with_priority(rng.pick(profile.actions), rng);
}

// The action's name: what `verdict.action` is compared with.
sv action_name(sv call) {
  return call.substr(0, call.find('('));
}

void generate_one(std::size_t index, std::size_t count, Rng& rng, GeneratedPolicy& policy,
                  std::string& yaml) {
  // ---- Target ----
  sv app = rng.pick(kApps);
  const KindProfile& profile = kProfiles[rng.pick(kKinds)];
  sv kind = profile.name;
  std::string ns_spec;
  std::string ns_matcher;
  std::string team;
  std::size_t ns_roll = rng.below(10);
  if (ns_roll < 6) {
    sv ns = rng.pick(kNamespaces);
    ns_spec = "namespace \"" + std::string(ns) + "\"";
    ns_matcher = ", namespace=\"" + std::string(ns) + "\"";
    team = ns;
  } else if (ns_roll < 9) {
    auto picked = rng.distinct(kNamespaces.size(), 2 + rng.below(2));
    ns_spec = "namespaces [";
    ns_matcher = ", namespace=~\"";
    for (std::size_t i = 0; i < picked.size(); ++i) {
      ns_spec += std::string(i ? ", " : "") + "\"" + std::string(kNamespaces[picked[i]]) + "\"";
      ns_matcher += std::string(i ? "|" : "") + std::string(kNamespaces[picked[i]]);
    }
    ns_spec += "]";
    ns_matcher += "\"";
    team = kNamespaces[picked[0]];
  } else {
    ns_spec = "all namespaces";
    team = "all";
  }
  std::string matchers = ns_matcher + ", pod=~\"" + std::string(app) + "-.*\"";
  std::string workload_matchers = profile.pods
                                      ? std::string()
                                      : ns_matcher + ", " + std::string(profile.ksm_label) +
                                            "=~\"" + std::string(app) + "(-.*)?\"";

  std::string where = "label(\"app\") == \"" + std::string(app) + "\"";
  for (std::size_t r : rng.distinct(kRequirements.size(), rng.below(3))) {
    where += " and " + std::string(kRequirements[r]);
  }
  std::string except;
  if (rng.percent(30)) {
    except = " except [\"" + std::string(app) + "-canary\"" +
             (rng.percent(50) ? ", \"" + std::string(app) + "-debug\"" : std::string()) + "]";
  }

  // ---- Signals and triggers ----
  std::size_t signal_count = 2 + rng.below(2);
  std::size_t trigger_count = 2 + rng.below(2);
  std::vector<Signal> signals;
  for (std::size_t k : rng.distinct(kSignals.size(), signal_count)) {
    const SignalKind& sk = kSignals[k];
    signals.push_back({&sk, expand(sk.query, matchers, rng.pick(kWindows)),
                       std::string(rng.pick(sk.aggregations)), rng.below(3)});
  }
  std::vector<Trigger> triggers;
  triggers.push_back(threshold(signals[0], rng, true, true, true));
  if (signal_count == 3) {
    triggers.push_back(compound(signals[1], signals[2], rng));
  } else {
    triggers.push_back(threshold(signals[1], rng, rng.percent(70), rng.percent(60), false));
  }
  if (trigger_count == 3) {
    std::size_t choice = rng.below(3);
    if (choice == 0 && signals[0].kind->grows) {
      triggers.push_back(forecast(signals[0], rng));
    } else if (choice <= 1) {
      triggers.push_back(profile.pods ? crash_looping(matchers, rng)
                                      : replicas_unready(profile, workload_matchers, rng));
    } else {
      triggers.push_back(compound(signals[0], signals[1], rng));
    }
  }

  sv mode = rng.pick(kModes);
  sv every = rng.pick(kEvery);
  policy.name = "p" + pad4(index + 1) + "_" + std::string(app) + "_" + signals[0].name();
  policy.file_name = policy.name + ".skippy";
  std::string description = "Generated policy " + std::to_string(index + 1) + " of " +
                            std::to_string(count) + ": heal " + std::string(app) + " " +
                            std::string(kind) + " when " + triggers[0].when;

  // ---- The policy ----
  std::string& out = policy.text;
  out.reserve(2048);
  out += "policy " + policy.name + " {  # generated by bench/generate_policies.cpp\n";
  out += "  description \"" + description + "\"\n";
  out += "  select " + std::string(kind) + " in " + ns_spec + "\n";
  out += "    where " + where + except + "\n";
  out += "  mode " + std::string(mode) + "\n";
  out += "  every " + std::string(every) + "\n\n";
  for (const auto& s : signals) {
    out += "  signal " + s.name() + " = promql(`" + s.query + "`)\n";
    out += "    by (" + std::string(s.kind->by) + ") " + s.aggregation;
    std::size_t missing = rng.below(3);
    out += missing == 0   ? " on missing hold " + std::string(rng.pick(kHold)) + "\n"
           : missing == 1 ? std::string(" on missing unknown\n")
                          : std::string(" on missing zero\n");
  }
  out += "\n";
  for (const auto& t : triggers) {
    out += "  trigger " + t.name + " when " + t.when;
    if (!t.for_duration.empty()) out += " for " + t.for_duration;
    if (!t.clear_when.empty()) {
      out += " clear when " + t.clear_when;
      if (!t.clear_for.empty()) out += " for " + t.clear_for;
    }
    out += "\n";
  }
  out += "\n  safety {\n";
  static constexpr std::array<sv, 4> kCooldown = {"5m", "10m", "15m", "30m"};
  static constexpr std::array<sv, 3> kWindow = {"30m", "1h", "2h"};
  static constexpr std::array<sv, 5> kUnavailable = {"10%", "25%", "33%", "1", "2"};
  out += "    cooldown " + std::string(rng.pick(kCooldown)) + " per " +
         (rng.percent(75) ? "target" : "policy") + "\n";
  out += "    max_actions " + std::to_string(1 + rng.below(5)) + " per " +
         std::string(rng.pick(kWindow)) + "\n";
  out += "    max_unavailable " + std::string(rng.pick(kUnavailable)) +
         (rng.percent(50) ? "  # of the owning workload's replicas\n" : "\n");
  if (rng.percent(40)) out += "    max_concurrent " + std::to_string(1 + rng.below(4)) + "\n";
  out += "    approve " + std::string(rng.pick(profile.approve)) + "\n";
  out += "  }\n\n";
  for (std::size_t i = 0; i + 1 < triggers.size(); ++i) {
    out += "  on " + triggers[i].name + " do " + action(profile, rng) + "\n";
  }
  static constexpr std::array<sv, 3> kConfidence = {"0.7", "0.8", "0.9"};
  out += "  on " + triggers.back().name + " do {\n";
  out += "    let verdict = ai.analyze(signals: [";
  for (std::size_t i = 0; i < signals.size(); ++i) out += (i ? ", " : "") + signals[i].name();
  out += "], events: events(within: 15m))\n";
  // The advisor may recommend one of the policy's own actions: follow it when confident.
  auto picked = rng.distinct(profile.actions.size(), 2);
  sv advised = profile.actions[picked[0]];
  out += "    if verdict.action == " + std::string(action_name(advised)) +
         " and verdict.confidence >= " + std::string(rng.pick(kConfidence)) + " then " +
         with_priority(advised, rng) + "\n";
  out += "    else " + with_priority(profile.actions[picked[1]], rng) + "\n";
  out += "  }\n";
  out += "}\n";

  // ---- The equivalent Prometheus alerting rule ----
  sv severity = mode == "automatic" ? "critical" : mode == "manual" ? "warning" : "info";
  yaml += "  - name: " + policy.name + "\n";
  yaml += "    interval: " + std::string(every) + "\n";
  yaml += "    rules:\n";
  yaml += "      - alert: " + camel(policy.name) + "\n";
  yaml += "        expr: |-\n";
  for (std::size_t i = 0; i < triggers.size(); ++i) {
    if (i) yaml += "          or\n";
    yaml += "          (" + triggers[i].promql + ")\n";
  }
  yaml += "        for: " + triggers[0].for_duration + "\n";
  yaml += "        keep_firing_for: " + triggers[0].clear_for + "\n";
  yaml += "        labels:\n";
  yaml += "          severity: " + std::string(severity) + "\n";
  yaml += "          policy: " + policy.name + "\n";
  yaml += "          team: " + team + "\n";
  yaml += "          kind: " + std::string(kind) + "\n";
  yaml += "        annotations:\n";
  yaml += "          summary: " +
          yaml_quote("{{ $labels.namespace }}/{{ $labels.pod }} matched " + policy.name) + "\n";
  yaml += "          description: " + yaml_quote(description + " (value {{ $value | humanize }})") +
          "\n";
}

}  // namespace

std::size_t GeneratedCorpus::policy_bytes() const {
  std::size_t n = 0;
  for (const auto& p : policies) n += p.text.size();
  return n;
}

std::size_t GeneratedCorpus::policy_lines() const {
  std::size_t n = 0;
  for (const auto& p : policies)
    n += static_cast<std::size_t>(std::count(p.text.begin(), p.text.end(), '\n'));
  return n;
}

GeneratedCorpus generate_corpus(std::size_t count, std::uint64_t seed) {
  GeneratedCorpus corpus;
  corpus.policies.resize(count);
  corpus.prometheus_rules = "# Generated by bench/generate_policies.cpp: " + std::to_string(count) +
                            " alerting rules equivalent to the generated Skippy policies.\n"
                            "groups:\n";
  Rng rng(seed);
  for (std::size_t i = 0; i < count; ++i) {
    generate_one(i, count, rng, corpus.policies[i], corpus.prometheus_rules);
  }
  return corpus;
}

}  // namespace skippy::bench
