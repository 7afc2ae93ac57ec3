// skippy run: the runtime (agent/process/run.hpp). Each tick it queries Prometheus (each
// distinct query once), reads the cluster view, evaluates every policy for every target, sends
// every proposal through the safety gates and writes one audit record per decision. `--once`
// runs a single tick and exits, for scripts. This file registers the flags (docs/cli.md).
#include "agent/process/run.hpp"
#include "cli/commands.hpp"

namespace skippy::cli {

void add_run_command(CLI::App& app, agent::RunOptions& options) {
  auto* cmd =
      app.add_subcommand("run", "Evaluate policies every tick against Prometheus and the cluster");
  cmd->add_option("--config.file", options.config_file,
                  "A YAML file of settings (docs/runtime.md); flags given here win over it");
  cmd->add_option("--policies", options.policies, "Policy files or directories, or one .skpc");
  agent::add_prometheus_flags(*cmd, options.prometheus);
  cmd->add_option("--cluster", options.cluster,
                  "A YAML snapshot of the cluster (see docs/runtime.md); without it, the "
                  "--kubeconfig's cluster is watched live");
  cmd->add_option("--namespace", options.default_namespace, "Namespace of policies that name none")
      ->capture_default_str();
  cmd->add_flag("--once", options.once, "Run one tick and exit");
  cmd->add_option("--time", options.time_ms,
                  "With --once: evaluate at this time (Unix milliseconds)");
  cmd->add_option("--restore.max-lookback", options.restore_max_lookback,
                  "On start, replay at most this much Prometheus history to restore pending "
                  "`for` timers (0s: start with no state)")
      ->capture_default_str();
  cmd->add_option("--ai.tick-budget", options.ai_tick_budget,
                  "Time one tick may spend on ai.analyze() verdicts; past it a site's verdict is "
                  "unknown (its handler does not act on it)")
      ->capture_default_str();
  cmd->add_option("--ai.backend", options.ai.backend,
                  "The model that answers ai.analyze(): ollama, openai (any OpenAI-compatible "
                  "server) or none (the deterministic analyzer alone)")
      ->check(CLI::IsMember({"ollama", "openai", "none"}))
      ->capture_default_str();
  cmd->add_option("--ai.url", options.ai.url,
                  "The model's server (default for ollama: http://127.0.0.1:11434)");
  cmd->add_option("--ai.model", options.ai.model, "The model's name, as the server knows it");
  cmd->add_option("--ai.api-key-file", options.ai.api_key_file,
                  "A file whose first line is the API key, sent only as `Authorization: Bearer`");
  cmd->add_option("--ai.timeout", options.ai.timeout,
                  "How long one tick waits for the model in all; then the deterministic "
                  "analyzer answers")
      ->capture_default_str();
  cmd->add_option("--ai.max-calls-per-hour", options.ai.max_calls_per_hour,
                  "Calls to the model in any hour at most (0: no limit)")
      ->capture_default_str();
  cmd->add_option("--ai.max-tokens-per-hour", options.ai.max_tokens_per_hour,
                  "Tokens (prompt and answer) in any hour at most (0: no limit)")
      ->capture_default_str();
  cmd->add_option("--ai.cache-ttl", options.ai.cache_ttl,
                  "How long a model's answer is reused for the same evidence")
      ->capture_default_str();
  cmd->add_option("--ai.redact", options.ai.redact,
                  "Replace names (namespaces, pods, nodes, workloads, containers, images, label "
                  "values) by placeholders in what is sent to the model")
      ->capture_default_str();
  cmd->add_flag("--dry-run", options.dry_run, "Execute nothing, whatever the policies' modes");
  cmd->add_option("--kubeconfig", options.kubeconfig,
                  "Carry out actions through the API server of this kubeconfig, and read the "
                  "cluster from it when --cluster is not given (without it, every decision is a "
                  "dry run)");
  cmd->add_option("--context", options.context, "The kubeconfig's context (default: current)");
  cmd->add_flag("--in-cluster", options.in_cluster,
                "Connect to the cluster the runtime runs in, with its pod's service account, as "
                "--kubeconfig would");
  cmd->add_option("--healing-actions.namespace", options.healing_actions_namespace,
                  "Where actions are recorded as HealingAction objects (default: the "
                  "connection's namespace, or default)");
  cmd->add_option("--healing-actions", options.healing_actions,
                  "Record every action as a HealingAction object (true or false)")
      ->capture_default_str();
  cmd->add_flag("--healing-policies", options.healing_policies,
                "Also run the live cluster's HealingPolicy objects, translated and compiled in "
                "memory (docs/translate.md)");
  cmd->add_flag("--leader-elect", options.leader_elect,
                "Run as one of several replicas: only the holder of a coordination.k8s.io Lease "
                "carries out actions");
  cmd->add_option("--leader-elect-resource-name", options.leader_elect_name, "The Lease's name")
      ->capture_default_str();
  cmd->add_option("--leader-elect-resource-namespace", options.leader_elect_namespace,
                  "The Lease's namespace (default: the connection's namespace, or default)");
  cmd->add_option("--leader-elect-identity", options.leader_elect_identity,
                  "This replica's identity in the Lease (default: the host name)");
  cmd->add_option("--leader-elect-lease-duration", options.leader_elect_lease_duration,
                  "How long the others wait after the leader's last renewal before taking over")
      ->capture_default_str();
  cmd->add_option("--leader-elect-renew-deadline", options.leader_elect_renew_deadline,
                  "How long the leader goes on without renewing before it stops acting")
      ->capture_default_str();
  cmd->add_option("--leader-elect-retry-period", options.leader_elect_retry_period,
                  "Time between attempts to take or renew the Lease")
      ->capture_default_str();
  cmd->add_option("--safety.journal", options.journal,
                  "Keep the safety state (actions, cooldowns, rate windows) in this file across "
                  "restarts");
  cmd->add_option("--audit.file", options.audit_file,
                  "Where audit records go (JSON lines; - for stdout)")
      ->capture_default_str();
  cmd->add_option("--log.level", options.log_level, "debug, info, warn or error")
      ->capture_default_str();
  cmd->add_option("--log.format", options.log_format, "logfmt or json")->capture_default_str();
  cmd->add_option("--web.listen-address", options.listen_address,
                  "Where /metrics, /healthz and /ready are served (empty: nowhere)")
      ->capture_default_str();
  cmd->add_option("--web.config.file", options.web_config_file,
                  "A web configuration file (exporter-toolkit's format) that enables TLS and "
                  "basic auth for every endpoint of the web server");
  cmd->add_flag("--web.enable-approvals", options.enable_approvals,
                "Serve the approvals API (GET /api/v1/approvals, POST /api/v1/approvals/ID); "
                "without it, it answers 403");
  cmd->add_option("--web.external-url", options.external_url,
                  "The URL users reach the runtime at, for the alerts' generatorURL (default: "
                  "http://LISTEN-ADDRESS/)");
  cmd->add_option("--alertmanager.url", options.alertmanager_urls,
                  "An Alertmanager to send alerts to and take silences from (repeatable): "
                  "http://host:9093");
  cmd->add_option("--alertmanager.timeout", options.alertmanager_timeout,
                  "How long one request to an Alertmanager may take")
      ->capture_default_str();
  cmd->add_flag("--alertmanager.notify-decisions", options.alertmanager_notify_decisions,
                "Send every executed or blocked action to the Alertmanagers as an alert, not "
                "only notify's");
  cmd->add_flag("--alertmanager.silences-required", options.alertmanager_silences_required,
                "Block every action while no Alertmanager answers (default: act without their "
                "silences)");
  agent::remember_flags_given(*cmd, options.flags_given);
}

int run_run(const agent::RunOptions& options) {
  return agent::run_agent(options);
}

}  // namespace skippy::cli
