// The settings of `skippy run`, as its flags give them (cli/run_command.cpp registers them) and
// its --config.file overrides where a flag was not given (run_config.hpp). The Prometheus
// client's flags are shared with `skippy replay`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace skippy::agent {

// --prometheus.url, --prometheus.timeout, --prometheus.bearer-token-file.
struct PrometheusFlags {
  std::string url = "http://127.0.0.1:9090";
  std::int64_t timeout_ms = 10'000;
  std::string bearer_token_file;
};

// Registers the Prometheus client's flags on a command.
void add_prometheus_flags(CLI::App& command, PrometheusFlags& flags);

// The names of the options given on the command line ("--cluster", ...), once it is parsed:
// those win over --config.file.
void remember_flags_given(CLI::App& command, std::vector<std::string>& flags_given);

// --ai.*: the model behind ai.analyze() (none: the deterministic analyzer alone).
struct AiFlags {
  std::string backend = "none";  // ollama, openai, none
  std::string url;               // "": http://127.0.0.1:11434 for ollama; required for openai
  std::string model;
  std::string api_key_file;  // its first line is sent as `Authorization: Bearer`
  std::string timeout = "10s";
  std::int64_t max_calls_per_hour = 120;
  std::int64_t max_tokens_per_hour = 200'000;
  std::string cache_ttl = "10m";
  bool redact = true;
};

struct RunOptions {
  std::string config_file;               // --config.file: settings the flags override
  std::vector<std::string> flags_given;  // the flags on the command line ("--cluster", ...)
  std::vector<std::string> policies;
  PrometheusFlags prometheus;
  std::string cluster;
  std::string default_namespace = "default";
  bool once = false;
  std::int64_t time_ms = 0;
  std::string restore_max_lookback = "1h";  // a Prometheus duration; 0s: no restore
  std::string ai_tick_budget = "1s";        // analysis time per tick, all ai.analyze() calls
  AiFlags ai;
  bool dry_run = false;
  std::string audit_file = "-";
  std::string listen_address = "127.0.0.1:9477";
  std::string web_config_file;    // --web.config.file: TLS and basic auth for the web server
  bool enable_approvals = false;  // --web.enable-approvals: serve the approvals API
  // --web.external-url: where users reach the runtime (alerts' generatorURL); "" for
  // http://LISTEN-ADDRESS/.
  std::string external_url;
  // --alertmanager.*: the Alertmanagers told of actions and asked for silences.
  std::vector<std::string> alertmanager_urls;
  std::string alertmanager_timeout = "10s";
  bool alertmanager_notify_decisions = false;   // every executed or blocked action is an alert
  bool alertmanager_silences_required = false;  // no Alertmanager answering blocks actions
  std::string kubeconfig;   // where actions are carried out; none: every decision a dry run
  std::string context;      // of the kubeconfig; "" for its current context
  std::string journal;      // the safety journal; none: safety state lives in memory only
  bool in_cluster = false;  // the pod's service account instead of a kubeconfig
  // Where HealingAction objects are written; "" for the connection's namespace, or "default".
  std::string healing_actions_namespace;
  bool healing_actions = true;  // record actions as HealingAction objects when executing
  // Leader election on a Lease: only the holder executes actions.
  bool leader_elect = false;
  std::string leader_elect_name = "skippy";
  std::string leader_elect_namespace;  // "" for the connection's namespace, or "default"
  std::string leader_elect_identity;   // "" for the host name
  std::string leader_elect_lease_duration = "15s";
  std::string leader_elect_renew_deadline = "10s";
  std::string leader_elect_retry_period = "2s";
  // Run the live cluster's HealingPolicy objects beside the policy files.
  bool healing_policies = false;
  std::string log_level = "info";
  std::string log_format = "logfmt";
};

}  // namespace skippy::agent
