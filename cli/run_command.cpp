// skippy run: the runtime. Each tick it queries Prometheus (each distinct query once), reads
// the cluster view, evaluates every policy for every target, steps the triggers, and writes
// one audit record per proposal. `--once` runs a single tick and exits, for scripts.
#include <array>
#include <atomic>
#include <csignal>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <set>
#include <thread>

#include <unistd.h>

#include "cli/commands.hpp"
#include "cli/log.hpp"
#include "cli/run_config.hpp"
#include "cli/run_healing_policies.hpp"
#include "cli/run_safety.hpp"
#include "cli/web_config.hpp"
#include "dsl/literals.hpp"
#include "dsl/render.hpp"
#include "k8s-adapter/api_executor.hpp"
#include "k8s-adapter/healing_actions.hpp"
#include "k8s-adapter/in_cluster.hpp"
#include "k8s-adapter/kubeconfig.hpp"
#include "k8s-adapter/leader_election.hpp"
#include "k8s-adapter/live_cluster.hpp"
#include "runtime/act/action_requests.hpp"
#include "runtime/bytecode/file.hpp"
#include "runtime/cluster/snapshot.hpp"
#include "runtime/engine/audit.hpp"
#include "runtime/engine/tick.hpp"
#include "runtime/monitor/self_metrics.hpp"
#include "runtime/prometheus/client.hpp"
#include "runtime/replay/prometheus_vectors.hpp"
#include "runtime/replay/replay.hpp"
#include "runtime/safety/decision_record.hpp"
#include "stdlib/catalog.hpp"
#include "stdlib/engine_support.hpp"
#include "stdlib/functions.hpp"

namespace skippy::cli {
namespace {

// How long `skippy run` waits for the first list of every kind of a live cluster.
constexpr std::chrono::milliseconds kClusterSyncTimeout{60'000};

volatile std::sig_atomic_t stop_requested = 0;
volatile std::sig_atomic_t reload_requested = 0;
void request_reload(int) {
  reload_requested = 1;
}
void request_stop(int) {
  stop_requested = 1;
}

// What the policy files look like on disk: paths, sizes and modification times. A change
// means a reload.
std::string files_signature(const std::vector<std::string>& paths) {
  namespace fs = std::filesystem;
  std::string out;
  auto add = [&](const fs::path& p) {
    std::error_code ec;
    auto size = fs::file_size(p, ec);
    auto time = fs::last_write_time(p, ec);
    out += p.string() + ":" + std::to_string(size) + ":" +
           std::to_string(time.time_since_epoch().count()) + "\n";
  };
  for (const auto& path : paths) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
      for (auto it = fs::recursive_directory_iterator(path, ec);
           !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it->path().extension() == ".skippy") add(it->path());
      }
    } else {
      add(path);
    }
  }
  return out;
}

std::string hex_hash(const bytecode::Program& program) {
  std::string hash;
  for (auto b : program.source_hash) {
    static const char* hex = "0123456789abcdef";
    hash += hex[b >> 4];
    hash += hex[b & 15];
  }
  return hash;
}

std::optional<bytecode::Program> load_policies(
    const std::vector<std::string>& paths, std::string& error,
    const std::vector<std::pair<std::string, std::string>>& texts = {}) {
  if (paths.size() == 1 && paths[0].ends_with(".skpc")) {
    std::ifstream in(paths[0], std::ios::binary);
    if (!in) {
      error = "cannot read `" + paths[0] + "`";
      return std::nullopt;
    }
    std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), {});
    auto loaded = bytecode::load_program(bytes, stdlib::load_limits());
    if (!loaded.ok()) {
      error = paths[0] + ": " + loaded.errors.front().message;
      return std::nullopt;
    }
    return std::move(loaded.program);
  }
  dsl::SourceManager sources;
  dsl::Diagnostics diagnostics;
  std::string usage;
  auto compiled = compile_inputs(paths, 10'000, sources, diagnostics, usage, texts);
  if (!usage.empty()) error = usage;
  std::cerr << dsl::render_text(diagnostics, sources);
  if (!compiled.program && error.empty()) error = "the policies have errors";
  return std::move(compiled.program);
}

// The policies to run: the files, and with --healing-policies the live cluster's
// HealingPolicy objects that translate and compile (each object's status says whether it
// runs). When the objects and the files do not compile together, the files run alone.
std::optional<bytecode::Program> load_all(const RunOptions& options, const k8s::LiveCluster* live,
                                          PolicyStatusReporter* reporter, std::int64_t now,
                                          std::string& error) {
  auto files = load_policies(options.policies, error);
  if (!files || !live || !options.healing_policies) return files;
  std::set<std::string> taken;
  for (const auto& p : files->policies) taken.insert(std::string(files->string(p.name)));
  auto objects = translate_healing_policies(live->healing_policies(), taken);
  for (const auto& v : objects.verdicts) {
    if (!v.ready)
      log_warn("HealingPolicy " + v.namespace_name + "/" + v.name + " does not run: " + v.reason +
               ": " + v.message);
  }
  if (reporter) {
    for (const auto& problem : reporter->report(objects.verdicts, now)) log_warn(problem);
  }
  if (objects.texts.empty()) return files;
  std::vector<std::pair<std::string, std::string>> texts;
  for (auto& t : objects.texts) texts.emplace_back(std::move(t.name), std::move(t.text));
  std::string combined_error;
  auto all = load_policies(options.policies, combined_error, texts);
  if (!all) {
    log_error("the HealingPolicies and the policy files do not compile together (" +
              combined_error + "): the files run alone");
    return files;
  }
  return all;
}

// CPU time of the whole process (every thread): what a tick costs beyond waiting.
std::chrono::duration<double> process_cpu() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return std::chrono::duration<double>(static_cast<double>(ts.tv_sec) +
                                       static_cast<double>(ts.tv_nsec) / 1e9);
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Every decision of a tick as one audit line: the safety runtime's decision record, with
// the signal values that led to the proposal and where its action is written.
void write_decisions(std::ostream& audit, const bytecode::Program& program,
                     const engine::TickResult& tick,
                     std::span<const safety::ActionRequest> requests,
                     std::span<const safety::Decision> decisions,
                     monitor::RuntimeMetrics& metrics) {
  for (const auto& d : decisions) {
    audit << act::decision_audit_record(program, tick, requests, d) << "\n";
    metrics.record_decision(d.request->policy, d.request->action, safety::outcome_text(d));
  }
  audit.flush();
}

}  // namespace

void add_run_command(CLI::App& app, RunOptions& options) {
  auto* cmd =
      app.add_subcommand("run", "Evaluate policies every tick against Prometheus and the cluster");
  cmd->add_option("--config.file", options.config_file,
                  "A YAML file of settings (docs/runtime.md); flags given here win over it");
  cmd->add_option("--policies", options.policies, "Policy files or directories, or one .skpc");
  cmd->add_option("--prometheus.url", options.prometheus_url, "The Prometheus HTTP API's base URL")
      ->capture_default_str();
  cmd->add_option("--prometheus.timeout", options.prometheus_timeout_ms,
                  "Per-query timeout, milliseconds")
      ->capture_default_str();
  cmd->add_option("--prometheus.bearer-token-file", options.bearer_token_file,
                  "A file holding a bearer token");
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
  cmd->final_callback([cmd, &options] {
    for (const auto* o : cmd->get_options()) {
      if (o->count() > 0) options.flags_given.push_back(o->get_name());
    }
  });
}

int run_run(const RunOptions& flags) {
  RunOptions options = flags;
  RunConfig file;
  std::string error;
  if (!options.config_file.empty()) {
    if (!read_run_config(options.config_file, file, error)) {
      std::cerr << error;
      return kExitUsage;
    }
    apply_run_config(file, options);
  }
  if (options.policies.empty()) {
    std::cerr << "skippy run: --policies is required (on the command line or in --config.file)\n";
    return kExitUsage;
  }
  if (options.cluster.empty() && options.kubeconfig.empty() && !options.in_cluster) {
    std::cerr << "skippy run: --cluster, --kubeconfig or --in-cluster is required (on the command "
                 "line or in --config.file): a cluster snapshot, or a cluster to watch\n";
    return kExitUsage;
  }
  if (options.healing_policies && !options.cluster.empty()) {
    std::cerr << "skippy run: --healing-policies reads HealingPolicy objects from a live "
                 "cluster: it cannot be used with --cluster\n";
    return kExitUsage;
  }
  if (options.healing_policies && options.policies.size() == 1 &&
      options.policies[0].ends_with(".skpc")) {
    std::cerr << "skippy run: --healing-policies compiles HealingPolicy objects with .skippy "
                 "sources, not with a compiled .skpc\n";
    return kExitUsage;
  }
  if (options.in_cluster && !options.kubeconfig.empty()) {
    std::cerr << "skippy run: --in-cluster and --kubeconfig exclude each other\n";
    return kExitUsage;
  }
  if (!configure_log(options.log_level, options.log_format, error)) {
    std::cerr << "skippy run: " << error << "\n";
    return kExitUsage;
  }
  // The web server's locks: read (and their files used) before anything starts.
  web::WebSecurity web_security;
  if (!options.web_config_file.empty() &&
      !read_web_config(options.web_config_file, web_security, error)) {
    std::cerr << error;
    return kExitUsage;
  }
  std::string signature = files_signature(options.policies);
  auto loaded = load_policies(options.policies, error);
  if (!loaded) {
    std::cerr << "skippy run: " << error << "\n";
    return kExitFindings;
  }
  auto program = std::make_unique<bytecode::Program>(std::move(*loaded));
  // The API server of the kubeconfig, if one is given: actions are carried out there and,
  // without a snapshot, the cluster view is read from it live.
  std::optional<k8s::Connection> connection;
  if (!options.kubeconfig.empty()) {
    auto loaded_connection = k8s::load_kubeconfig(options.kubeconfig, options.context);
    if (auto* why = std::get_if<std::string>(&loaded_connection)) {
      std::cerr << "skippy run: " << *why << "\n";
      return kExitUsage;
    }
    connection = std::get<k8s::Connection>(std::move(loaded_connection));
  } else if (options.in_cluster) {
    auto loaded_connection = k8s::in_cluster_connection();
    if (auto* why = std::get_if<std::string>(&loaded_connection)) {
      std::cerr << "skippy run: --in-cluster: " << *why << "\n";
      return kExitUsage;
    }
    connection = std::get<k8s::Connection>(std::move(loaded_connection));
  }
  const std::string own_namespace =
      connection && !connection->namespace_name.empty() ? connection->namespace_name : "default";
  // Leader election: every replica evaluates (its trigger timers stay current), only the
  // Lease's holder decides and acts.
  std::optional<k8s::LeaderElectionConfig> election_config;
  if (options.leader_elect) {
    if (!connection) {
      std::cerr << "skippy run: --leader-elect needs a cluster (--kubeconfig or --in-cluster)\n";
      return kExitUsage;
    }
    k8s::LeaderElectionConfig c;
    c.name = options.leader_elect_name;
    c.namespace_name =
        options.leader_elect_namespace.empty() ? own_namespace : options.leader_elect_namespace;
    c.identity = options.leader_elect_identity;
    if (c.identity.empty()) {
      char host[256] = {};
      gethostname(host, sizeof host - 1);
      c.identity = host;
    }
    for (auto [flag, text, out] :
         {std::tuple{"--leader-elect-lease-duration", &options.leader_elect_lease_duration,
                     &c.lease_duration_ms},
          std::tuple{"--leader-elect-renew-deadline", &options.leader_elect_renew_deadline,
                     &c.renew_deadline_ms},
          std::tuple{"--leader-elect-retry-period", &options.leader_elect_retry_period,
                     &c.retry_period_ms}}) {
      auto ms = dsl::parse_duration(*text);
      if (!ms) {
        std::cerr << "skippy run: " << flag << ": `" << *text
                  << "` is not a duration (such as 15s)\n";
        return kExitUsage;
      }
      *out = *ms;
    }
    if (std::string why = k8s::check_leader_election(c); !why.empty()) {
      std::cerr << "skippy run: --leader-elect: " << why << "\n";
      return kExitUsage;
    }
    election_config = std::move(c);
  }
  std::unique_ptr<cluster::SnapshotClusterView> snapshot;
  std::unique_ptr<k8s::LiveCluster> live;
  if (!options.cluster.empty()) {
    std::ifstream cluster_file(options.cluster);
    if (!cluster_file) {
      std::cerr << "skippy run: cannot read the cluster snapshot `" << options.cluster << "`\n";
      return kExitUsage;
    }
    std::string yaml((std::istreambuf_iterator<char>(cluster_file)), {});
    std::vector<cluster::SnapshotError> snapshot_errors;
    snapshot = std::make_unique<cluster::SnapshotClusterView>(
        cluster::parse_snapshot(yaml, snapshot_errors));
    for (const auto& e : snapshot_errors) {
      std::cerr << options.cluster << ":" << e.line << ": " << e.path << ": " << e.message << "\n";
    }
    if (!snapshot_errors.empty()) return kExitFindings;
  } else {
    k8s::LiveClusterOptions live_options;
    live_options.informer.log = [](const std::string& m) { log_warn("cluster: " + m); };
    live = std::make_unique<k8s::LiveCluster>(*connection, live_options);
    live->start();
    log_info("cluster: watching " + connection->server + " (context " + connection->context + ")");
    if (std::string why = live->wait_synced(kClusterSyncTimeout); !why.empty()) {
      std::cerr << "skippy run: the cluster at " << connection->server << " is " << why << "\n";
      return kExitUsage;
    }
    live->refresh();
  }
  std::unique_ptr<k8s::ApiClient> policy_client;
  std::unique_ptr<PolicyStatusReporter> policy_status;
  std::string objects_signature;
  if (options.healing_policies && live) {
    // The HealingPolicy informer is optional for the view (a cluster may lack the CRD): here
    // its first list is awaited a while, so that the objects run from the first tick.
    for (const auto& informer : live->informers()) {
      if (informer->path().find("/healingpolicies") == std::string::npos) continue;
      if (!informer->wait_synced(std::chrono::seconds(10)))
        log_warn(
            "HealingPolicy objects not listed yet (is the CRD installed?): they run once "
            "they are (" +
            informer->last_error() + ")");
    }
    live->refresh();
    policy_client = std::make_unique<k8s::ApiClient>(*connection);
    policy_status = std::make_unique<PolicyStatusReporter>(*policy_client);
    objects_signature = healing_policies_signature(live->healing_policies());
    auto all = load_all(options, live.get(), policy_status.get(), now_ms(), error);
    if (!all) {
      std::cerr << "skippy run: " << error << "\n";
      return kExitFindings;
    }
    program = std::make_unique<bytecode::Program>(std::move(*all));
    log_info("policies: " + std::to_string(program->policies.size()) +
             " (the policy files' and those of the HealingPolicy objects that compile)");
  }
  const cluster::ClusterView& view =
      snapshot ? static_cast<const cluster::ClusterView&>(*snapshot) : *live;

  prometheus::ClientOptions client_options;
  if (!prometheus_client_options(options, file.prometheus, client_options, error)) {
    std::cerr << "skippy run: " << error << "\n";
    return kExitUsage;
  }
  prometheus::Client client(client_options);
  engine::EngineOptions engine_options;
  engine_options.default_namespace = options.default_namespace;
  auto engine = std::make_unique<engine::Engine>(*program, stdlib::function_table(),
                                                 stdlib::engine_builtins(), engine_options);

  auto max_lookback = dsl::parse_duration(options.restore_max_lookback);
  if (!max_lookback) {
    std::cerr << "skippy run: --restore.max-lookback: `" << options.restore_max_lookback
              << "` is not a duration (such as 30m or 1h)\n";
    return kExitUsage;
  }

  std::ofstream audit_file;
  if (options.audit_file != "-") {
    audit_file.open(options.audit_file, std::ios::app);
    if (!audit_file) {
      std::cerr << "skippy run: cannot open the audit file `" << options.audit_file << "`\n";
      return kExitUsage;
    }
  }
  std::ostream& audit = options.audit_file == "-" ? std::cout : audit_file;
  std::vector<act::ActionInfo> actions;
  for (const auto& a : stdlib::actions()) actions.push_back({a.name, a.destructive});
  // Actions are carried out through the kubeconfig's API server; without one, every decision
  // is a dry run, which runs every gate and says what would have happened.
  // Each action is recorded as a HealingAction object around its execution.
  std::unique_ptr<safety::Executor> executor;
  std::unique_ptr<k8s::ApiExecutor> api_executor;
  std::unique_ptr<k8s::ApiClient> records_client;
  k8s::HealingActions* records = nullptr;
  if (connection) {
    api_executor = std::make_unique<k8s::ApiExecutor>(*connection, view);
    if (options.healing_actions) {
      records_client = std::make_unique<k8s::ApiClient>(*connection);
      k8s::HealingActionsConfig records_config;
      records_config.namespace_name = options.healing_actions_namespace.empty()
                                          ? own_namespace
                                          : options.healing_actions_namespace;
      records_config.instance = election_config ? election_config->identity : "";
      if (records_config.instance.empty()) {
        char host[256] = {};
        gethostname(host, sizeof host - 1);
        records_config.instance = host;
      }
      records_config.log = [](const std::string& m) { log_warn(m); };
      auto recorded =
          std::make_unique<k8s::HealingActions>(*records_client, records_config, *api_executor);
      records = recorded.get();
      executor = std::move(recorded);
    } else {
      executor = std::move(api_executor);
    }
  }
  safety::SafetyConfig safety_config = file.safety;  // the defaults, or the file's
  safety_config.dry_run = options.dry_run;
  // Approvals are stamped with the run's clock: the given time with --once --time.
  std::function<std::int64_t()> clock = now_ms;
  if (options.once && options.time_ms) clock = [fixed = options.time_ms] { return fixed; };
  auto safety = RunSafety::open(safety_config, options.journal, std::move(executor), clock, error);
  if (!safety) {
    std::cerr << "skippy run: " << error << "\n";
    return kExitUsage;
  }
  safety->set_records(records);
  // The actions recorded in the cluster are adopted before the first decision: at start, or
  // with leader election when this replica takes the Lease.
  std::atomic<bool> took_over{records != nullptr && !election_config};
  std::unique_ptr<k8s::LeaderElection> election;
  if (election_config) {
    std::string identity = election_config->identity;
    election = std::make_unique<k8s::LeaderElection>(
        *connection, *election_config,
        [&took_over, identity](bool leading, const std::string& why) {
          if (leading) {
            took_over = true;
            log_info("leader election: " + identity + " leads (" + why + ")");
          } else {
            log_warn("leader election: " + identity + " stands by (" + why + ")");
          }
        });
    election->start();
    log_info("leader election: " + identity + " is a candidate for Lease " +
             election_config->namespace_name + "/" + election_config->name);
  }

  std::int64_t interval = engine->step_ms();
  monitor::RuntimeMetrics metrics(*program, hex_hash(*program));
  std::unique_ptr<monitor::WebServer> web;
  if (!options.listen_address.empty() && !options.once) {  // one tick: nothing to scrape
    try {
      web = std::make_unique<monitor::WebServer>(options.listen_address, web_security, metrics);
      if (options.enable_approvals) web->serve_approvals(*safety);
    } catch (const std::exception& e) {
      std::cerr << "skippy run: cannot listen on " << options.listen_address << ": " << e.what()
                << "\n";
      return kExitUsage;
    }
  }
  if (web && options.enable_approvals && !web_security.authenticates())
    log_warn(
        "the approvals API is on (--web.enable-approvals) without authentication: anyone "
        "who reaches " +
        options.listen_address +
        " can approve actions; set basic_auth_users "
        "or RequireAndVerifyClientCert in --web.config.file (docs/runtime.md)");
  std::signal(SIGINT, request_stop);
  std::signal(SIGTERM, request_stop);
  std::signal(SIGHUP, request_reload);

  // Restart safety: replay the recent history so that pending `for` timers go on where they
  // were, instead of starting again (late) or being skipped (early).
  std::int64_t start = options.once && options.time_ms ? options.time_ms : now_ms();
  if (auto window = replay::restore_window(*engine, *program, start, *max_lookback)) {
    // Each policy's trigger states after its last evaluation in the replay.
    std::vector<std::vector<std::array<std::size_t, 4>>> last(program->policies.size());
    auto report = replay::replay(*engine, client, view, *window, [&](const auto& tick) {
      for (std::size_t p = 0; p < tick.health.size(); ++p) {
        if (tick.health[p].evaluated) last[p] = tick.health[p].phases;
      }
    });
    std::size_t pending = 0, firing = 0;
    for (const auto& policy : last) {
      for (const auto& phases : policy) {
        pending += phases[static_cast<std::size_t>(engine::TriggerPhase::Pending)];
        firing += phases[static_cast<std::size_t>(engine::TriggerPhase::Firing)] +
                  phases[static_cast<std::size_t>(engine::TriggerPhase::Clearing)];
      }
    }
    for (const auto& e : report.errors) log_warn("restore: " + e);
    // Conditions on Kubernetes state alone were replayed against the present cluster: they
    // start afresh instead (late rather than early).
    if (std::size_t fresh = replay::forget_unrestorable(*engine, *program))
      log_info("restore: " + std::to_string(fresh) +
               " trigger(s) reading only Kubernetes state start afresh");
    log_info("restored trigger states from " + std::to_string(report.ticks) + " ticks (" +
             engine::format_time(window->start_ms) + " to " + engine::format_time(window->end_ms) +
             "): " + std::to_string(pending) + " pending, " + std::to_string(firing) + " firing");
  }

  bool all_healthy = true;
  std::int64_t last_tick = 0;
  do {
    // Reload on SIGHUP or when the policy files change; a broken new set is rejected and the
    // policies in use go on, with their state.
    std::string objects_now =
        policy_status ? healing_policies_signature(live->healing_policies()) : "";
    if (!options.once && (reload_requested || files_signature(options.policies) != signature ||
                          objects_now != objects_signature)) {
      reload_requested = 0;
      signature = files_signature(options.policies);
      objects_signature = objects_now;
      std::string reload_error;
      auto next = load_all(options, live.get(), policy_status.get(), now_ms(), reload_error);
      if (!next) {
        log_error("reload rejected, the policies in use go on: " + reload_error);
      } else {
        auto next_program = std::make_unique<bytecode::Program>(std::move(*next));
        auto next_engine = std::make_unique<engine::Engine>(
            *next_program, stdlib::function_table(), stdlib::engine_builtins(), engine_options);
        std::size_t kept = next_engine->adopt_state(*engine);
        metrics.set_program(*next_program, hex_hash(*next_program));
        engine = std::move(next_engine);
        program = std::move(next_program);
        interval = engine->step_ms();
        log_info("reloaded: " + std::to_string(program->policies.size()) + " policies, " +
                 std::to_string(kept) + " triggers kept their state");
      }
    }
    std::int64_t now = options.once && options.time_ms ? options.time_ms : now_ms();
    if (!options.once) {
      // Ticks are aligned to the interval, as Prometheus aligns rule evaluation.
      std::int64_t next = (now / interval + 1) * interval;
      if (last_tick > 0 && next - last_tick > interval) {
        // The previous tick ran past the ones between: count them, do not run them late.
        auto missed = static_cast<std::size_t>((next - last_tick) / interval - 1);
        metrics.record_missed_ticks(missed);
        log_warn(std::to_string(missed) +
                 " tick(s) missed: the previous tick took longer than the interval");
      }
      while (!stop_requested && now_ms() < next)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      if (stop_requested) break;
      now = next;
      last_tick = now;
    }
    // The live cluster as it is at the start of the tick; it holds still until the next.
    if (live) live->refresh();
    // With --once every policy is evaluated at the given time, due or not.
    auto due = engine->due_queries(now, options.once);
    std::vector<std::string> queries;
    for (auto q : due) queries.push_back(engine->plan().queries[q]);
    auto started = std::chrono::steady_clock::now();
    auto started_cpu = process_cpu();
    auto outcomes = client.query_many(queries, now);
    std::vector<engine::QueryResult> results(engine->plan().queries.size());
    std::vector<std::unique_ptr<replay::InstantVector>> vectors;
    for (std::size_t k = 0; k < due.size(); ++k) {
      auto i = due[k];
      if (outcomes[k].ok()) {
        vectors.push_back(std::make_unique<replay::InstantVector>(outcomes[k].result()));
        results[i].vector = vectors.back().get();
      } else {
        results[i].error = outcomes[k].error().message;
      }
    }
    const auto& tick = engine->tick(now, view, results, options.once);
    // Every proposal goes through the safety gates, in priority order.
    std::vector<safety::ActionRequest> requests;
    requests.reserve(tick.proposals.size());
    for (const auto& p : tick.proposals)
      requests.push_back(act::action_request(*program, tick, p, actions));
    // A replica that does not hold the Lease decides nothing: the leader does.
    const bool acting = !election || election->leading();
    if (acting && took_over.exchange(false)) {
      auto adopted = safety->adopt_recorded(now);
      for (const auto& e : adopted.errors) log_warn("taking over: " + e);
      log_info("taking over: adopted " + std::to_string(adopted.adopted) +
               " actions recorded in the cluster");
    }
    RunSafety::Writers writers;
    writers.decisions = [&](std::span<const safety::Decision> decisions) {
      write_decisions(audit, *program, tick, requests, decisions, metrics);
    };
    writers.audit = &audit;
    writers.metrics = &metrics;
    RunSafety::TickSummary executed;
    if (acting) executed = safety->tick(requests, view, now, writers);
    std::size_t failed = 0;
    for (const auto& o : outcomes) failed += o.ok() ? 0 : 1;
    auto cpu = process_cpu() - started_cpu;
    metrics.record_tick(tick, std::chrono::steady_clock::now() - started, cpu,
                        outcomes.size() - failed, failed);
    if (web) web->set_ready(true);
    std::size_t targets = 0, evaluated = 0;
    for (std::size_t i = 0; i < tick.health.size(); ++i) {
      evaluated += tick.health[i].evaluated ? 1 : 0;
      targets += tick.health[i].targets;
      if (!tick.health[i].healthy) {
        all_healthy = false;
        log_warn("policy " + std::string(program->string(program->policies[i].name)) + ": " +
                 tick.health[i].last_error);
      }
    }
    log_info("tick " + engine::format_time(now) + ": " + std::to_string(evaluated) + " policies, " +
             std::to_string(targets) + " targets, " + std::to_string(queries.size()) +
             " queries (" + std::to_string(failed) + " failed), " +
             std::to_string(tick.changes.size()) + " trigger changes, " +
             std::to_string(tick.proposals.size()) + " proposals, " +
             (acting ? std::to_string(executed.executed) + " executed (" +
                           std::to_string(executed.failed) + " failed), "
                     : std::string("standing by (the Lease is held by ") +
                           (election->holder().empty() ? "nobody" : election->holder()) + "), ") +
             std::to_string(static_cast<long long>(cpu.count() * 1000)) + " ms of CPU");
  } while (!options.once && !stop_requested);
  return options.once && !all_healthy ? kExitFindings : kExitOk;
}

}  // namespace skippy::cli
