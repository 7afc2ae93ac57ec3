// skippy replay: what the policies would have done over a stretch of real history, as a
// timeline or as audit records, without touching a cluster (policytest/history.hpp).
#include <fstream>
#include <iostream>
#include <iterator>

#include "agent/config/run_config.hpp"
#include "base/literals.hpp"
#include "base/time_format.hpp"
#include "cli/commands.hpp"
#include "policytest/history.hpp"
#include "policytest/metrics_cluster.hpp"
#include "runtime/cluster/manifest.hpp"
#include "runtime/cluster/snapshot.hpp"

namespace skippy::cli {
namespace {

// RFC 3339, or Unix seconds (as the Prometheus API takes them).
std::optional<std::int64_t> parse_time(const std::string& text) {
  if (auto ms = cluster::parse_rfc3339_ms(text)) return ms;
  if (!text.empty() && text.find_first_not_of("0123456789.") == std::string::npos) {
    try {
      return static_cast<std::int64_t>(std::stod(text) * 1000);
    } catch (const std::exception&) {
    }
  }
  return std::nullopt;
}

std::string pad(std::string s, std::size_t width) {
  if (s.size() < width) s.resize(width, ' ');
  return s;
}

}  // namespace

void add_replay_command(CLI::App& app, ReplayOptions& options) {
  auto* cmd = app.add_subcommand(
      "replay", "Run policies over Prometheus history and print what they would have done");
  cmd->add_option("policies", options.policies, "Policy files or directories")->required();
  cmd->add_option("--config.file", options.config_file,
                  "A `skippy run` settings file: its prometheus: settings (TLS, authentication, "
                  "headers) are used, the flags given winning over them");
  agent::add_prometheus_flags(*cmd, options.prometheus);
  cmd->add_option("--from", options.from, "Start: RFC 3339 or Unix seconds")->required();
  cmd->add_option("--to", options.to, "End (inclusive): RFC 3339 or Unix seconds")->required();
  cmd->add_option("--step", options.step, "Between ticks (default: the policies' tick step)");
  cmd->add_option("--cluster", options.cluster,
                  "A YAML snapshot of the cluster (the targets); without it, the cluster as "
                  "kube-state-metrics told the Prometheus at --to");
  cmd->add_option("--namespace", options.default_namespace, "Namespace of policies that name none")
      ->capture_default_str();
  cmd->add_option("--format", options.format, "timeline or audit (JSON lines)")
      ->check(CLI::IsMember({"timeline", "audit"}))
      ->capture_default_str();
  agent::remember_flags_given(*cmd, options.flags_given);
}

int run_replay(const ReplayOptions& options) {
  auto from = parse_time(options.from), to = parse_time(options.to);
  if (!from || !to || *to < *from) {
    std::cerr << "skippy replay: --from and --to must be times (RFC 3339 or Unix seconds), "
                 "--from not after --to\n";
    return kExitUsage;
  }
  int exit_code = kExitOk;
  auto compiled = compile_for_run(options.policies, "skippy replay", exit_code);
  if (!compiled) return exit_code;
  const auto& program = *compiled;

  replay::Window window;
  window.step_ms = policytest::program_step_ms(program);
  if (!options.step.empty()) {
    auto step = base::parse_duration(options.step);
    if (!step || *step <= 0) {
      std::cerr << "skippy replay: --step: `" << options.step << "` is not a duration\n";
      return kExitUsage;
    }
    window.step_ms = *step;
  }
  if (window.step_ms <= 0) {
    std::cerr << "skippy replay: no policy to replay\n";
    return kExitFindings;
  }
  // Ticks aligned to the step, as the runtime aligns them.
  window.start_ms = (*from + window.step_ms - 1) / window.step_ms * window.step_ms;
  window.end_ms = *to / window.step_ms * window.step_ms;

  prometheus::ClientOptions client_options;
  std::string error;
  if (!agent::prometheus_client_from(options.config_file, options.flags_given, options.prometheus,
                                     client_options, error)) {
    std::cerr << "skippy replay: " << error << (error.ends_with("\n") ? "" : "\n");
    return kExitUsage;
  }
  prometheus::Client client(client_options);
  cluster::SnapshotClusterView view;
  if (!options.cluster.empty()) {
    std::ifstream cluster_file(options.cluster);
    if (!cluster_file) {
      std::cerr << "skippy replay: cannot read the cluster snapshot `" << options.cluster << "`\n";
      return kExitUsage;
    }
    std::string yaml((std::istreambuf_iterator<char>(cluster_file)), {});
    std::vector<cluster::SnapshotError> snapshot_errors;
    view = cluster::parse_snapshot(yaml, snapshot_errors);
    for (const auto& e : snapshot_errors)
      std::cerr << options.cluster << ":" << e.line << ": " << e.path << ": " << e.message << "\n";
    if (!snapshot_errors.empty()) return kExitUsage;
  } else {
    std::vector<std::string> errors;
    view = policytest::cluster_from_metrics(client, window.end_ms, errors);
    for (const auto& e : errors) std::cerr << "skippy replay: " << e << "\n";
    std::cerr << "skippy replay: the cluster as kube-state-metrics saw it at "
              << base::format_time(window.end_ms) << ": " << view.pods().size() << " pods, "
              << view.workloads().size() << " workloads\n";
    if (!errors.empty()) exit_code = kExitFindings;
  }
  engine::EngineOptions engine_options;
  engine_options.default_namespace = options.default_namespace;
  auto history = policytest::replay_history(program, client, view, window, engine_options);
  for (const auto& e : history.errors) std::cerr << "skippy replay: " << e << "\n";

  if (options.format == "audit") {
    for (const auto& line : history.audit) std::cout << line << "\n";
  } else {
    std::cout << pad("TIME", 26) << pad("POLICY", 24) << pad("TRIGGER", 20) << pad("ACTION", 10)
              << pad("TARGET", 40) << "OUTCOME\n";
    for (const auto& a : history.actions) {
      std::cout << pad(base::format_time(a.time_ms), 26) << pad(a.line.policy, 24)
                << pad(a.trigger, 20) << pad(a.line.action, 10) << pad(a.line.target, 40)
                << a.line.outcome << "\n";
    }
    std::cout << "replayed " << history.ticks << " ticks from "
              << base::format_time(window.start_ms) << " to " << base::format_time(window.end_ms)
              << " every " << base::format_duration(window.step_ms) << ": "
              << history.actions.size() << " action(s); nothing was carried out\n";
  }
  return history.errors.empty() ? exit_code : kExitFindings;
}

}  // namespace skippy::cli
