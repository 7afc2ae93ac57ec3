// The translator, one mapping rule or finding per test, on small inline manifests. Every
// policy written must format and compile without a diagnostic (translation_output checks).
#define BOOST_TEST_MODULE translate
#include <boost/test/unit_test.hpp>

#include "tests/support/yaml_laughs.hpp"
#include "toolchain/translation_output.hpp"
#include "translate/names.hpp"
#include "translate/translate.hpp"

using namespace skippy;

namespace {

struct Result {
  std::string text;      // every policy's canonical text, in order
  std::string findings;  // rendered, one per line
  std::size_t policies = 0;
  bool unreadable = false;
  bool clean = false;
};

Result run_text(const std::string& yaml) {
  Result r;
  auto t = translate::translate_manifests("t.yaml", yaml);
  for (const auto& f : t.findings) r.findings += translate::render_finding(f) + "\n";
  for (const auto& p : t.policies) {
    auto out = toolchain::translation_output(p);
    BOOST_TEST(out.problem.empty(), "the translation does not check clean:\n"
                                        << out.problem << "\n"
                                        << p.source);
    r.text += out.text;
  }
  r.policies = t.policies.size();
  r.unreadable = t.unreadable;
  r.clean = translate::translates_cleanly(t);
  return r;
}

// A HealingPolicy `p` in namespace `apps` with this spec; the spec's first line is line 7.
Result run(const std::string& spec) {
  return run_text(
      "apiVersion: kubeskippy.io/v1alpha1\nkind: HealingPolicy\nmetadata:\n  name: p\n"
      "  namespace: apps\nspec:\n" +
      spec);
}

// Selects pods in every namespace.
const std::string kPods = "  selector:\n    resources: [{kind: Pod}]\n";
// One event trigger, `t`.
const std::string kEvent =
    "  triggers:\n  - name: t\n    type: event\n    eventTrigger: {reason: A, count: 1}\n";

// A spec with one selector, trigger and action; the parts can be replaced.
std::string spec(const std::string& selector =
                     "  selector:\n    namespaces: [apps]\n"
                     "    resources: [{kind: Pod}]\n",
                 const std::string& triggers =
                     "  triggers:\n  - name: hot\n    type: metric\n    cooldownPeriod: 5m\n"
                     "    metricTrigger: {query: cpu_usage_percent, threshold: 80, "
                     "operator: \">\", duration: 2m}\n",
                 const std::string& actions = "  actions:\n  - name: r\n    type: restart\n",
                 const std::string& rest = "  mode: automatic\n") {
  return selector + triggers + actions + rest;
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

#define CHECK_HAS(text, part) \
  BOOST_TEST(has(text, part), "missing `" << (part) << "` in\n" << (text))

BOOST_AUTO_TEST_CASE(identifiers_follow_the_language) {
  BOOST_TEST(translate::identifier("ai-driven-healing", "x") == "ai_driven_healing");
  BOOST_TEST(translate::identifier("9lives", "x") == "n_9lives");
  BOOST_TEST(translate::identifier("when", "x") == "when_");
  BOOST_TEST(translate::identifier("--", "fallback") == "fallback");
  translate::NameScope scope;
  BOOST_TEST(scope.take("a-b", "x") == "a_b");
  BOOST_TEST(scope.take("a.b", "x") == "a_b_2");
}

BOOST_AUTO_TEST_CASE(namespaces_map_to_in_namespace_namespaces_or_all) {
  CHECK_HAS(run(spec()).text, "select pods in namespace \"apps\"");
  auto two = run(spec("  selector:\n    namespaces: [a, b, a]\n    resources: [{kind: Pod}]\n"));
  CHECK_HAS(two.text, "in namespaces [\"a\", \"b\"]");
  auto none = run(spec(kPods));
  CHECK_HAS(none.text, "select pods in all namespaces");
  CHECK_HAS(none.findings, "t.yaml:7: spec.selector.namespaces: note: no namespaces");
  auto system =
      run(spec("  selector:\n    namespaces: [kube-system]\n    resources: [{kind: Pod}]\n"));
  CHECK_HAS(system.text, "allow system_namespaces");
}

BOOST_AUTO_TEST_CASE(label_selectors_map_to_where_requirements) {
  auto r = run(spec(
      "  selector:\n    namespaces: [apps]\n    labelSelector:\n      matchLabels: {app: web}\n"
      "      matchExpressions:\n      - {key: tier, operator: In, values: [a, b]}\n"
      "      - {key: track, operator: In, values: [stable]}\n"
      "      - {key: env, operator: NotIn, values: [dev]}\n"
      "      - {key: team, operator: Exists}\n"
      "      - {key: skippy.io/ignore, operator: DoesNotExist}\n"
      "    resources: [{kind: Pod}]\n"));
  CHECK_HAS(r.text,
            "where label(\"app\") == \"web\" and label(\"tier\") in [\"a\", \"b\"] and "
            "label(\"track\") == \"stable\" and label(\"env\") != \"dev\" and has "
            "label(\"team\") and not has label(\"skippy.io/ignore\")");
}

BOOST_AUTO_TEST_CASE(a_selector_kubernetes_would_refuse_is_an_error) {
  auto r =
      run(spec("  selector:\n    labelSelector:\n      matchExpressions:\n"
               "      - {key: tier, operator: Like, values: [a]}\n    resources: [{kind: Pod}]\n"));
  BOOST_TEST(r.policies == 0u);
  CHECK_HAS(r.findings,
            "t.yaml:10: spec.selector.labelSelector.matchExpressions[0]: error: "
            "operator `Like`");
}

BOOST_AUTO_TEST_CASE(several_kinds_become_one_policy_each_and_other_kinds_are_left_out) {
  auto r =
      run(spec("  selector:\n    namespaces: [apps]\n    resources:\n    - kind: Pod\n"
               "    - kind: Deployment\n    - kind: Service\n"));
  CHECK_HAS(r.text, "policy p_pods {");
  CHECK_HAS(r.text, "policy p_deployments {");
  CHECK_HAS(r.findings, "spec.selector.resources: note: a Skippy policy selects one kind");
  CHECK_HAS(r.findings, "t.yaml:12: spec.selector.resources[2].kind: Skippy selects pods");
}

BOOST_AUTO_TEST_CASE(exclude_names_and_protected_names_become_except) {
  auto r =
      run(spec("  selector:\n    namespaces: [apps]\n    resources:\n    - kind: Pod\n"
               "      excludeNames: [keep-me]\n",
               "  triggers:\n  - name: t\n    type: event\n"
               "    eventTrigger: {reason: BackOff, count: 1}\n",
               "  actions:\n  - name: r\n    type: restart\n",
               "  safetyRules:\n    protectedResources:\n    - kind: Pod\n"
               "      excludeNames: [db-0, \"critical-*\"]\n"));
  CHECK_HAS(r.text, "except [\"keep-me\", \"db-0\"]");
  CHECK_HAS(r.findings, "excludeNames: `critical-*` is not an object name");
}

BOOST_AUTO_TEST_CASE(builtin_metrics_become_promql_signals_and_duration_becomes_for) {
  auto r = run(spec());
  CHECK_HAS(r.text,
            "signal cpu_usage_percent = promql(`100 * sum by (namespace, pod, container) "
            "(rate(container_cpu_usage_seconds_total{container!=\"\"}[5m]))");
  CHECK_HAS(r.text, "by (namespace, pod) max");
  CHECK_HAS(r.text, "trigger hot when cpu_usage_percent > 80 for 2m");
  CHECK_HAS(r.findings,
            "t.yaml:14: spec.triggers[0].metricTrigger.duration: upstream never "
            "honoured `duration`");
  CHECK_HAS(r.findings,
            "spec.triggers[0].metricTrigger.query: note: upstream assumed a limit "
            "of one core");
}

BOOST_AUTO_TEST_CASE(equality_operators_are_kept_and_unknown_ones_left_out) {
  auto eq =
      run(spec(kPods,
               "  triggers:\n  - name: t\n    type: metric\n"
               "    metricTrigger: {query: restart_count, threshold: 0, operator: \"!=\"}\n"));
  CHECK_HAS(eq.text, "trigger t when restart_count != 0 for 2m");
  CHECK_HAS(eq.findings, "(the schema's default)");
  auto bad =
      run(spec(kPods,
               "  triggers:\n  - name: t\n    type: metric\n"
               "    metricTrigger: {query: restart_count, threshold: 1, operator: \"=~\"}\n"));
  CHECK_HAS(bad.findings, "spec.triggers[0].metricTrigger.operator: operator `=~`");
  CHECK_HAS(bad.text, "# trigger `t` is left out");
}

BOOST_AUTO_TEST_CASE(promql_passes_through_and_cluster_wide_queries_reach_every_target) {
  auto per_pod = run(spec(kPods,
                          "  triggers:\n  - name: t\n    type: metric\n    metricTrigger:\n"
                          "      query: sum by (namespace, pod) (rate(errors_total[5m]))\n"
                          "      threshold: 1\n      operator: \">\"\n"));
  CHECK_HAS(per_pod.text, "promql(`sum by (namespace, pod) (rate(errors_total[5m]))`)");
  BOOST_TEST(!has(per_pod.findings, "aggregates away"));
  auto total = run(spec(kPods,
                        "  triggers:\n  - name: t\n    type: metric\n    metricTrigger:\n"
                        "      query: sum(rate(errors_total[5m]))\n      threshold: 1\n"
                        "      operator: \">\"\n"));
  CHECK_HAS(total.text, "scalar(");
  CHECK_HAS(total.text, "+ 0 * max by (namespace, pod) (kube_pod_info)");
  CHECK_HAS(total.findings,
            "t.yaml:13: spec.triggers[0].metricTrigger.query: the query "
            "aggregates away the `pod` label");
  auto bare = run(spec(kPods,
                       "  triggers:\n  - name: t\n    type: metric\n"
                       "    metricTrigger: {query: system_health_score, threshold: 80, "
                       "operator: \"<\"}\n"));
  CHECK_HAS(bare.text, "promql(`system_health_score`)");
  CHECK_HAS(bare.findings, "upstream never evaluated it");
  auto substring = run(spec(kPods,
                            "  triggers:\n  - name: t\n    type: metric\n"
                            "    metricTrigger: {query: error_rate_trend_3m, threshold: 4, "
                            "operator: \">\"}\n"));
  CHECK_HAS(substring.findings, "as the built-in `error_rate`");
  CHECK_HAS(substring.text, "signal error_rate = promql(");
}

BOOST_AUTO_TEST_CASE(workload_policies_lift_pod_metrics_through_owner_series) {
  auto r = run(spec("  selector:\n    resources: [{kind: Deployment}]\n",
                    "  triggers:\n  - name: t\n    type: metric\n"
                    "    metricTrigger: {query: memory_usage_percent, threshold: 90, "
                    "operator: \">\"}\n  - name: a\n    type: metric\n"
                    "    metricTrigger: {query: availability_percent, threshold: 50, "
                    "operator: \"<\"}\n"));
  CHECK_HAS(r.text, "kube_pod_owner{owner_kind=\"ReplicaSet\"}");
  CHECK_HAS(r.text, "kube_replicaset_owner{owner_kind=\"Deployment\"}");
  CHECK_HAS(r.text, "by (namespace, deployment) max");
  CHECK_HAS(r.text, "kube_deployment_status_replicas_available / kube_deployment_spec_replicas");
}

BOOST_AUTO_TEST_CASE(event_triggers_count_events_and_say_what_upstream_never_matched) {
  auto r = run(spec(kPods,
                    "  triggers:\n  - name: backoff\n    type: event\n"
                    "    eventTrigger: {reason: BackOff, type: Warning, count: 3, window: 10m}\n"
                    "  - name: any\n    type: event\n"
                    "    eventTrigger:\n      reason: \".*\"\n      type: \".*\"\n"
                    "  - name: started\n    type: event\n    eventTrigger: {reason: Started}\n"));
  CHECK_HAS(r.text,
            "trigger backoff when events(reason: \"BackOff\", type: \"Warning\", within: "
            "10m) >= 3");
  CHECK_HAS(r.text, "trigger any when events(reason: \".*\", within: 5m) >= 1");
  CHECK_HAS(r.findings,
            "t.yaml:16: spec.triggers[1].eventTrigger.reason: reason `.*` looks "
            "like a pattern");
  CHECK_HAS(r.findings, "t.yaml:17: spec.triggers[1].eventTrigger.type: event type `.*`");
  CHECK_HAS(r.findings, "spec.triggers[1].eventTrigger.count: no count");
  CHECK_HAS(r.text, "# reason `.*` looks like a pattern");
}

BOOST_AUTO_TEST_CASE(condition_triggers_read_kubernetes_fields) {
  auto r =
      run(spec(kPods,
               "  triggers:\n  - name: crash\n    type: condition\n"
               "    conditionTrigger: {type: CrashLoopBackOff, status: \"True\", duration: 3m}\n"
               "  - name: unready\n    type: condition\n"
               "    conditionTrigger: {type: Ready, status: \"False\"}\n"
               "  - name: odd\n    type: condition\n"
               "    conditionTrigger: {type: DiskPressure, status: \"True\"}\n"));
  CHECK_HAS(r.text, "trigger crash when pod.waiting_reason == \"CrashLoopBackOff\" for 3m");
  CHECK_HAS(r.text, "trigger unready when pod.ready == false for 2m");
  CHECK_HAS(r.findings, "conditionTrigger.type: CrashLoopBackOff is a container state");
  CHECK_HAS(r.findings, "conditionTrigger.status: upstream ignored `status`");
  CHECK_HAS(r.findings, "condition `DiskPressure` of pods has no Kubernetes field");
  auto w = run(spec("  selector:\n    resources: [{kind: Deployment}]\n",
                    "  triggers:\n  - name: down\n    type: condition\n"
                    "    conditionTrigger: {type: Available, status: \"False\"}\n"));
  CHECK_HAS(w.text, "workload.available_replicas < workload.replicas");
}

BOOST_AUTO_TEST_CASE(cooldowns_become_the_longest_per_policy_cooldown) {
  auto r = run(spec(kPods,
                    "  triggers:\n  - name: a\n    type: event\n    cooldownPeriod: 2m\n"
                    "    eventTrigger: {reason: A, count: 1}\n  - name: b\n    type: event\n"
                    "    cooldownPeriod: 10m\n    eventTrigger: {reason: B, count: 1}\n"));
  CHECK_HAS(r.text, "cooldown 10m per policy");
  CHECK_HAS(r.findings, "t.yaml:12: spec.triggers[0].cooldownPeriod: cooldownPeriod 2m differs");
  auto d = run(spec(kPods,
                    "  triggers:\n  - name: a\n    type: event\n"
                    "    eventTrigger: {reason: A, count: 1}\n"));
  CHECK_HAS(d.text, "cooldown 5m per policy # no cooldownPeriod: the schema's default");
  CHECK_HAS(d.text, "max_actions 10 per 1h # no maxActionsPerHour: the schema's default");
}

BOOST_AUTO_TEST_CASE(restart_and_scale_map_with_their_options) {
  auto r =
      run(spec(kPods, kEvent,
               "  actions:\n  - name: r\n    type: restart\n"
               "    restartAction: {strategy: recreate, maxConcurrent: 2, "
               "gracePeriodSeconds: 10}\n"
               "  - name: up\n    type: scale\n"
               "    scaleAction: {direction: up, replicas: 2, minReplicas: 1, maxReplicas: 5}\n"
               "  - name: down\n    type: scale\n    scaleAction: {direction: down, replicas: 1}\n"
               "  - name: to\n    type: scale\n"
               "    scaleAction: {direction: absolute, replicas: 9, maxReplicas: 4}\n"));
  CHECK_HAS(r.text, "restart(strategy: recreate)");
  CHECK_HAS(r.text, "scale(of: owner, by: +2, min: 1, max: 5)");
  CHECK_HAS(r.text, "scale(of: owner, by: -1, max: 100)");
  CHECK_HAS(r.text, "scale(of: owner, to: 4, max: 4)");
  CHECK_HAS(r.text, "max_concurrent 2 # restartAction.maxConcurrent");
  CHECK_HAS(r.findings, "restartAction.gracePeriodSeconds: Skippy's restart has no grace period");
  CHECK_HAS(r.findings, "spec.actions[2].scaleAction.maxReplicas: note: no maxReplicas");
  CHECK_HAS(r.findings, "replicas 9 lies outside");
  auto ds = run(spec("  selector:\n    resources: [{kind: DaemonSet}]\n", "",
                     "  actions:\n  - name: up\n    type: scale\n"
                     "    scaleAction: {direction: up, replicas: 1}\n"));
  CHECK_HAS(ds.findings, "a daemonset cannot be scaled");
}

BOOST_AUTO_TEST_CASE(patches_keep_their_type_and_text) {
  auto r = run(spec("  selector:\n    resources: [{kind: Deployment}]\n", kEvent,
                    "  actions:\n  - name: p\n    type: patch\n    patchAction:\n"
                    "      type: merge\n      patch: |\n        metadata:\n          annotations:\n"
                    "            at: \"{{ .Now }}\"\n"
                    "  - name: ops\n    type: patch\n    patchAction:\n      type: json\n"
                    "      patches:\n      - {path: [spec, replicas], value: \"3\"}\n"
                    "  - name: broken\n    type: patch\n"
                    "    patchAction: {type: json, patch: \"{a: 1}\"}\n"));
  CHECK_HAS(r.text, "patch(type: merge, patch: `");
  CHECK_HAS(r.text, "at: \"{{ .Now }}\"");
  CHECK_HAS(r.findings, "the patch holds a template");
  CHECK_HAS(r.text, "patch(type: json, patch: `");
  CHECK_HAS(r.text, "[{\"op\": \"replace\", \"path\": \"/spec/replicas\", \"value\": \"3\"}]");
  CHECK_HAS(r.findings, "a JSON patch must be a list of operations; left out");
}

BOOST_AUTO_TEST_CASE(a_pods_patch_goes_where_a_real_api_server_takes_it) {
  // Upstream sent a pod template patch to the pod itself, which a real API server refuses:
  // the translation sends it to the pod's owning workload; what no workload takes either is
  // left out; what a Pod takes stays the pod's.
  auto r = run(spec(kPods, kEvent,
                    "  actions:\n  - name: more-memory\n    type: patch\n    patchAction:\n"
                    "      type: strategic\n      patch: |\n        spec:\n          template:\n"
                    "            spec:\n              containers:\n              - name: app\n"
                    "                resources: {limits: {memory: 1Gi}}\n"
                    "  - name: flat\n    type: patch\n    patchAction:\n"
                    "      type: strategic\n      patch: '{spec: {containers: [{name: app, "
                    "resources: {limits: {cpu: \"1\"}}}]}}'\n"
                    "  - name: mark\n    type: patch\n    patchAction:\n"
                    "      type: merge\n      patch: '{metadata: {labels: {seen: \"yes\"}}}'\n"));
  CHECK_HAS(r.text, "patch(of: owner, type: strategic, patch: `");
  CHECK_HAS(r.findings, "upstream sent this patch to the pod, which a real API server refuses");
  CHECK_HAS(r.findings,
            "the patch changes `spec.containers[*].resources`, which a Pod cannot "
            "take");
  CHECK_HAS(r.text, "patch(type: merge, patch: `\n      {metadata: {labels: {seen: \"yes\"}}}");
  BOOST_TEST(r.text.find("cpu") == std::string::npos, r.text);
}

BOOST_AUTO_TEST_CASE(delete_maps_grace_force_and_propagation_for_pods_only) {
  std::string actions =
      "  actions:\n  - name: d\n    type: delete\n"
      "    deleteAction: {gracePeriodSeconds: 0, force: true, propagationPolicy: Foreground}\n";
  auto r = run(spec(kPods, kEvent, actions));
  CHECK_HAS(r.text, "delete(grace: 0s, force: true, propagation: foreground)");
  auto w = run(spec("  selector:\n    resources: [{kind: Deployment}]\n", kEvent, actions));
  CHECK_HAS(w.findings, "Skippy deletes pods only");
  CHECK_HAS(w.findings, "t.yaml:13: spec.actions: no action applies to deployments");
  CHECK_HAS(w.findings, "error: no policy could be written");
  BOOST_TEST(w.policies == 0u);
}

BOOST_AUTO_TEST_CASE(custom_actions_are_a_warning_and_a_comment) {
  auto r = run(spec(kPods, kEvent,
                    "  actions:\n  - name: page-someone\n    type: custom\n"
                    "  - name: r\n    type: restart\n"));
  CHECK_HAS(r.findings, "t.yaml:15: spec.actions[0].type: custom actions are not supported");
  CHECK_HAS(r.text, "#   page-someone (upstream priority 50, the default), left out:");
}

BOOST_AUTO_TEST_CASE(priorities_run_in_upstream_order_and_approval_is_kept) {
  auto r =
      run(spec(kPods, kEvent,
               "  actions:\n  - name: r\n    type: restart\n    priority: 10\n"
               "  - name: d\n    type: delete\n    priority: 30\n    requiresApproval: true\n"));
  CHECK_HAS(r.text, "restart(strategy: rolling) priority 90");
  CHECK_HAS(r.text, "delete(grace: 30s) priority 70");
  CHECK_HAS(r.text, "approve delete # requiresApproval");
}

BOOST_AUTO_TEST_CASE(safety_rules_and_mode_map_to_the_safety_block) {
  auto r = run(spec(kPods, kEvent, "  actions:\n  - name: r\n    type: restart\n",
                    "  safetyRules:\n    maxActionsPerHour: 3\n    requireHealthCheck: true\n"
                    "    healthCheckTimeout: 90s\n  mode: chaos\n"));
  CHECK_HAS(r.text, "max_actions 3 per 1h # maxActionsPerHour");
  CHECK_HAS(r.findings, "spec.safetyRules.requireHealthCheck: note: requireHealthCheck");
  CHECK_HAS(r.findings, "not this policy's 1m30s");
  CHECK_HAS(r.findings, "t.yaml:20: spec.mode: mode `chaos`");
  CHECK_HAS(r.text, "mode monitor # upstream mode `chaos` is unknown");
  auto d = run(spec(kPods, kEvent, "  actions:\n  - name: r\n    type: restart\n", ""));
  CHECK_HAS(d.text, "mode monitor # no mode: the schema's default");
}

BOOST_AUTO_TEST_CASE(fields_outside_the_schema_are_warned_and_listed) {
  auto r = run(spec() + "  aiConfig:\n    enabled: true\n");
  CHECK_HAS(r.findings, "t.yaml:19: spec.aiConfig: not a field of the HealingPolicy schema");
  CHECK_HAS(r.text, "spec.aiConfig (line 19)");
}

BOOST_AUTO_TEST_CASE(other_documents_are_skipped_with_a_note) {
  auto r = run_text(
      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\n"
      "apiVersion: kubeskippy.io/v1alpha1\nkind: HealingPolicy\n"
      "metadata: {name: second}\nspec:\n" +
      spec());
  BOOST_TEST(r.policies == 1u);
  CHECK_HAS(r.findings, "t.yaml:2: kind: note: a ConfigMap, not a HealingPolicy; skipped");
  CHECK_HAS(r.text, "policy second {");
}

BOOST_AUTO_TEST_CASE(text_that_is_not_yaml_or_not_utf8_is_unreadable_with_a_line) {
  auto r = run_text("a: 1\nb: [1, 2\n");
  BOOST_TEST(r.unreadable);
  CHECK_HAS(r.findings, "t.yaml:");
  CHECK_HAS(r.findings, "error: not valid YAML");
  auto u = run_text("a: 1\nb: \xff\n");
  BOOST_TEST(u.unreadable);
  CHECK_HAS(u.findings, "t.yaml:2: error: the file is not UTF-8");
}

BOOST_AUTO_TEST_CASE(a_policy_with_notes_only_translates_cleanly) {
  auto r = run(spec("  selector:\n    namespaces: [apps]\n    resources: [{kind: Pod}]\n",
                    "  triggers:\n  - name: t\n    type: event\n    cooldownPeriod: 5m\n"
                    "    eventTrigger: {reason: BackOff, type: Warning, count: 3, window: 5m}\n"));
  BOOST_TEST(r.clean, r.findings);
  auto w = run(spec());
  BOOST_TEST(!w.clean);
}

BOOST_AUTO_TEST_CASE(aliases_that_expand_past_any_real_manifest_are_refused_not_followed) {
  // Nine levels of ten aliases each: a billion values once followed, in a patch that would be
  // written out in full. Refused with a located error, before anything walks it.
  std::string laughs = "      - {op: add, path: /a, value: &l0 [x, x, x, x, x, x, x, x, x, x]}\n";
  for (int i = 1; i <= 9; ++i) {
    laughs +=
        "      - {op: add, path: /a" + std::to_string(i) + ", value: &l" + std::to_string(i) + " [";
    for (int k = 0; k < 10; ++k)
      laughs += std::string(k ? " , " : "") + "*l" + std::to_string(i - 1);
    laughs += " ]}\n";
  }
  std::string yaml =
      "apiVersion: kubeskippy.io/v1alpha1\nkind: HealingPolicy\nmetadata: {name: laughs}\n"
      "spec:\n  selector: {namespaces: [apps], resources: [{kind: Deployment}]}\n"
      "  triggers: [{name: t, type: metric, metricTrigger: {query: up, threshold: 1, operator: "
      "\">\"}}]\n  actions:\n  - name: p\n    type: patch\n    patchAction:\n      type: json\n"
      "      patches:\n" +
      laughs;
  auto t = translate::translate_manifests("laughs.yaml", yaml);
  BOOST_TEST(t.policies.empty());
  BOOST_TEST_REQUIRE(t.findings.size() == 1u);
  BOOST_TEST(translate::render_finding(t.findings[0]) ==
             "laughs.yaml:1: error: document 1 is larger than 4 MiB once its YAML aliases are "
             "followed, or is nested more than 128 deep; not translated");

  // One long string repeated through aliases, few nodes: refused by its size.
  std::string strings =
      "apiVersion: kubeskippy.io/v1alpha1\nkind: HealingPolicy\nmetadata: "
      "{name: long}\nspec:\n  long: &s " +
      std::string(60'000, 'x') + "\n  many: [";
  for (int k = 0; k < 100; ++k) strings += std::string(k ? " , " : "") + "*s";
  strings += " ]\n";
  auto l = translate::translate_manifests("long.yaml", strings);
  BOOST_TEST(l.policies.empty());
  BOOST_TEST_REQUIRE(!l.findings.empty());
  BOOST_TEST(translate::render_finding(l.findings[0]).find("larger than 4 MiB") !=
             std::string::npos);

  // Nested deeper than any manifest: refused the same way, without exhausting the stack.
  std::string deep = "apiVersion: kubeskippy.io/v1alpha1\nkind: HealingPolicy\nspec: ";
  deep += std::string(200, '[') + std::string(200, ']') + "\n";
  auto d = translate::translate_manifests("deep.yaml", deep);
  BOOST_TEST(d.policies.empty());
  bool refused = false;
  for (const auto& f : d.findings)
    refused = refused ||
              translate::render_finding(f).find("nested more than 128 deep") != std::string::npos;
  BOOST_TEST(refused);
}

BOOST_AUTO_TEST_CASE(a_patch_whose_aliases_expand_past_any_real_patch_is_left_out) {
  // The patch is a string of the manifest, so the document's own measure sees a few hundred
  // bytes; inside it, nine levels of ten aliases each stand for a billion values, which listing
  // the fields the patch changes would expand one by one. Refused, located at the patch, before
  // anything walks it; the policy keeps its other action.
  auto r = run("  selector: {namespaces: [apps], resources: [{kind: Deployment}]}\n" + kEvent +
               "  actions:\n  - name: r\n    type: restart\n  - name: p\n    type: patch\n"
               "    patchAction:\n      type: merge\n      patch: |\n" +
               testing::yaml_laughs("        "));
  BOOST_TEST(r.policies == 1u);
  CHECK_HAS(r.findings,
            "t.yaml:19: spec.actions[1].patchAction.patch: the patch is larger than 64 KiB once "
            "its YAML aliases are followed, or nested more than 64 deep (anchors and aliases can "
            "make a few lines stand for billions of values, which are refused rather than "
            "expanded); left out\n");
  CHECK_HAS(r.text, "restart(");
  BOOST_TEST(!has(r.text, "patch("), r.text);
}

BOOST_AUTO_TEST_CASE(more_action_calls_than_a_policy_holds_are_an_error_not_written_out) {
  // Every trigger proposes every action, so a few aliases make the output grow with the square
  // of the manifest. Up to the language's 64 action calls the policy is written and compiles;
  // past them it is a located error, and nothing is written.
  auto with = [](int triggers, int actions) {
    std::string t = "  triggers: [&t {type: event, eventTrigger: {reason: A, count: 1}}";
    for (int i = 1; i < triggers; ++i) t += ", *t";
    std::string a = "  actions: [&a {name: r, type: restart}";
    for (int i = 1; i < actions; ++i) a += ", *a";
    return run("  selector: {namespaces: [apps], resources: [{kind: Deployment}]}\n" + t + "]\n" +
               a + "]\n");
  };
  auto most = with(8, 8);
  BOOST_TEST(most.policies == 1u, most.findings);
  auto past = with(9, 8);
  BOOST_TEST(past.policies == 0u);
  CHECK_HAS(past.findings,
            "t.yaml:9: spec.actions: error: 9 triggers each proposing 8 actions make 72 action "
            "calls, and a Skippy policy holds at most 64; no policy is written for deployments\n");
  BOOST_TEST(past.text.empty());
}
