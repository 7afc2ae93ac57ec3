#include "agent/process/run.hpp"

#include <atomic>
#include <csignal>
#include <fstream>
#include <iostream>
#include <mutex>
#include <thread>

#include "agent/alerting.hpp"
#include "agent/config/ai_settings.hpp"
#include "agent/config/log.hpp"
#include "agent/config/run_config.hpp"
#include "agent/config/web_config.hpp"
#include "agent/model_metrics.hpp"
#include "agent/process/cluster_access.hpp"
#include "agent/process/exit_codes.hpp"
#include "agent/process/healing_policies.hpp"
#include "agent/process/policy_files.hpp"
#include "agent/process/restore.hpp"
#include "agent/safety_loop.hpp"
#include "agent/ticker.hpp"
#include "base/literals.hpp"
#include "base/time_format.hpp"
#include "explain/decision_explanation.hpp"
#include "k8s-adapter/api_executor.hpp"
#include "k8s-adapter/healing_actions.hpp"
#include "runtime/monitor/self_metrics.hpp"
#include "runtime/monitor/status_board.hpp"
#include "runtime/replay/query_sources.hpp"
#include "stdlib/analyzer.hpp"

namespace skippy::agent {
namespace {

volatile std::sig_atomic_t stop_requested = 0;
volatile std::sig_atomic_t reload_requested = 0;
void request_reload(int) {
  reload_requested = 1;
}
void request_stop(int) {
  stop_requested = 1;
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// What the flags and the file cannot say together.
std::string options_problem(const RunOptions& options) {
  if (options.policies.empty())
    return "--policies is required (on the command line or in --config.file)";
  if (options.cluster.empty() && options.kubeconfig.empty() && !options.in_cluster)
    return "--cluster, --kubeconfig or --in-cluster is required (on the command line or in "
           "--config.file): a cluster snapshot, or a cluster to watch";
  if (options.healing_policies && !options.cluster.empty())
    return "--healing-policies reads HealingPolicy objects from a live cluster: it cannot be "
           "used with --cluster";
  if (options.healing_policies && options.policies.size() == 1 &&
      options.policies[0].ends_with(".skpc"))
    return "--healing-policies compiles HealingPolicy objects with .skippy sources, not with a "
           "compiled .skpc";
  if (options.in_cluster && !options.kubeconfig.empty())
    return "--in-cluster and --kubeconfig exclude each other";
  return "";
}

// Actions are carried out through the connection's API server, each recorded as a
// HealingAction object around its execution; without a connection, every decision is a dry
// run, which runs every gate and says what would have happened.
// The records' executor carries out through the API executor, which lives here (the safety
// loop, made after, owns the executor and goes before).
struct Executors {
  std::unique_ptr<safety::Executor> executor;
  std::unique_ptr<k8s::ApiExecutor> api;
  std::unique_ptr<k8s::ApiClient> records_client;
  k8s::HealingActions* records = nullptr;
};
Executors make_executors(const RunOptions& options, const ClusterAccess& access) {
  Executors out;
  if (!access.connection) return out;
  auto api = std::make_unique<k8s::ApiExecutor>(*access.connection, access.view());
  if (!options.healing_actions) {
    out.executor = std::move(api);
    return out;
  }
  out.records_client = std::make_unique<k8s::ApiClient>(*access.connection);
  k8s::HealingActionsConfig config;
  config.namespace_name = options.healing_actions_namespace.empty()
                              ? access.own_namespace
                              : options.healing_actions_namespace;
  config.instance = access.election ? access.election->identity : host_name();
  config.log = [](const std::string& m) { log_warn(m); };
  out.api = std::move(api);
  auto recorded = std::make_unique<k8s::HealingActions>(*out.records_client, config, *out.api);
  out.records = recorded.get();
  out.executor = std::move(recorded);
  return out;
}

// An audit sink that passes every record on to another and keeps a copy until taken: the
// tick's records, for the status board.
class KeptAudit final : public AuditSink {
 public:
  explicit KeptAudit(AuditSink& next) : next_(next) {}
  void record(std::string_view json) override {
    std::lock_guard lock(mutex_);
    next_.record(json);
    kept_.emplace_back(json);
  }
  void flush() override {
    std::lock_guard lock(mutex_);
    next_.flush();
  }
  std::vector<std::string> take() {
    std::lock_guard lock(mutex_);
    return std::exchange(kept_, {});
  }

 private:
  std::mutex mutex_;
  AuditSink& next_;
  std::vector<std::string> kept_;
};

std::string source_text(const bytecode::Program& program, const bytecode::SourcePos& pos) {
  std::string file = pos.file < program.files.size()
                         ? std::string(program.string(program.files[pos.file]))
                         : std::string("?");
  return file + ":" + std::to_string(pos.line);
}

// The policies as the tick left them, for the status board: health from the tick's result,
// and every trigger's targets that are not inactive from the engine.
std::vector<monitor::PolicyStatus> policy_statuses(const bytecode::Program& program,
                                                   const engine::TickResult& tick,
                                                   const engine::Engine& engine) {
  std::vector<monitor::PolicyStatus> out(program.policies.size());
  for (std::size_t p = 0; p < out.size(); ++p) {
    const auto& policy = program.policies[p];
    auto& s = out[p];
    s.name = program.string(policy.name);
    s.source = source_text(program, policy.pos);
    s.mode = bytecode::mode_name(policy.mode);
    if (p < tick.health.size()) {
      s.evaluated = tick.health[p].evaluated;
      s.healthy = tick.health[p].healthy;
      s.last_error = tick.health[p].last_error;
      s.targets = tick.health[p].targets;
    }
    for (const auto& t : policy.triggers)
      s.triggers.push_back({std::string(program.string(t.name)), source_text(program, t.pos), {}});
  }
  for (const auto& a : engine.active_triggers()) {
    if (a.policy >= out.size() || a.trigger >= out[a.policy].triggers.size()) continue;
    std::int64_t since = a.state.phase == engine::TriggerPhase::Pending    ? a.state.active_since_ms
                         : a.state.phase == engine::TriggerPhase::Clearing ? a.state.clear_since_ms
                                                                           : a.state.fired_at_ms;
    out[a.policy].triggers[a.trigger].targets.push_back(
        {a.target, engine::trigger_phase_name(a.state.phase), since});
  }
  return out;
}

void log_tick(const TickReport& report, const bytecode::Program& program, std::int64_t now,
              bool acting, const k8s::LeaderElection* election, bool& all_healthy) {
  const auto& tick = *report.tick;
  std::size_t targets = 0, evaluated = 0;
  for (std::size_t i = 0; i < tick.health.size(); ++i) {
    evaluated += tick.health[i].evaluated ? 1 : 0;
    targets += tick.health[i].targets;
    if (!tick.health[i].healthy) {
      all_healthy = false;
      log_warn("policy " + std::string(program.string(program.policies[i].name)) + ": " +
               tick.health[i].last_error);
    }
  }
  std::string acted = acting ? std::to_string(report.safety.executions.size()) + " executed (" +
                                   std::to_string(report.safety.failed) + " failed), "
                             : std::string("standing by (the Lease is held by ") +
                                   (election->holder().empty() ? "nobody" : election->holder()) +
                                   "), ";
  // Each trigger that changed on a target: what an operator follows a firing by.
  for (const auto& c : tick.changes) {
    const auto& policy = program.policies[c.policy];
    log_info("trigger " + std::string(program.string(policy.name)) + "/" +
             std::string(program.string(policy.triggers[c.trigger].name)) + " on " +
             std::string(c.target) + ": " + engine::trigger_change_name(c.change));
  }
  log_info("tick " + base::format_time(now) + ": " + std::to_string(evaluated) + " policies, " +
           std::to_string(targets) + " targets, " + std::to_string(report.queries) + " queries (" +
           std::to_string(report.failed_queries) + " failed), " +
           std::to_string(tick.changes.size()) + " trigger changes, " +
           std::to_string(tick.proposals.size()) + " proposals, " + acted +
           std::to_string(static_cast<long long>(report.cpu.count() * 1000)) + " ms of CPU");
}

}  // namespace

int run_agent(const RunOptions& flags) {
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
  if (std::string problem = options_problem(options); !problem.empty()) {
    std::cerr << "skippy run: " << problem << "\n";
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
  auto max_lookback = base::parse_duration(options.restore_max_lookback);
  if (!max_lookback) {
    std::cerr << "skippy run: --restore.max-lookback: `" << options.restore_max_lookback
              << "` is not a duration (such as 30m or 1h)\n";
    return kExitUsage;
  }
  auto alertmanager_timeout = base::parse_duration(options.alertmanager_timeout);
  if (!alertmanager_timeout || *alertmanager_timeout <= 0) {
    std::cerr << "skippy run: --alertmanager.timeout: `" << options.alertmanager_timeout
              << "` is not a positive duration (such as 10s)\n";
    return kExitUsage;
  }
  for (const auto& url : options.alertmanager_urls) {
    if (!url.starts_with("http://") && !url.starts_with("https://")) {
      std::cerr << "skippy run: --alertmanager.url: `" << url
                << "` is not an http:// or https:// URL\n";
      return kExitUsage;
    }
  }
  auto ai_budget = base::parse_duration(options.ai_tick_budget);
  if (!ai_budget || *ai_budget <= 0) {
    std::cerr << "skippy run: --ai.tick-budget: `" << options.ai_tick_budget
              << "` is not a positive duration (such as 500ms or 2s)\n";
    return kExitUsage;
  }
  model::ModelSettings model_settings_in;
  const AiSetup ai_setup = model_settings(options.ai, model_settings_in, error);
  if (ai_setup == AiSetup::Invalid) {
    std::cerr << "skippy run: " << error << "\n";
    return kExitUsage;
  }
  prometheus::ClientOptions client_options;
  if (!prometheus_client_options(options.prometheus, file.prometheus, client_options, error)) {
    std::cerr << "skippy run: " << error << "\n";
    return kExitUsage;
  }
  std::string signature = files_signature(options.policies);
  auto loaded = load_policy_files(options.policies, error);
  if (!loaded) {
    std::cerr << "skippy run: " << error << "\n";
    return kExitFindings;
  }
  auto program = std::make_unique<bytecode::Program>(std::move(*loaded));
  ClusterAccess access;
  if (int code = open_cluster_access(options, access)) return code;
  const cluster::ClusterView& view = access.view();
  k8s::LiveCluster* live = options.healing_policies ? access.live.get() : nullptr;

  std::unique_ptr<k8s::ApiClient> policy_client;
  std::unique_ptr<PolicyStatusReporter> policy_status;
  std::string objects_signature;
  if (live) {
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
    policy_client = std::make_unique<k8s::ApiClient>(*access.connection);
    policy_status = std::make_unique<PolicyStatusReporter>(*policy_client);
    objects_signature = healing_policies_signature(live->healing_policies());
    auto all =
        load_policies_and_objects(options.policies, live, policy_status.get(), now_ms(), error);
    if (!all) {
      std::cerr << "skippy run: " << error << "\n";
      return kExitFindings;
    }
    program = std::make_unique<bytecode::Program>(std::move(*all));
    log_info("policies: " + std::to_string(program->policies.size()) +
             " (the policy files' and those of the HealingPolicy objects that compile)");
  }

  prometheus::Client client(client_options);
  replay::LiveQueries live_queries(client);
  std::ofstream audit_file;
  if (options.audit_file != "-") {
    audit_file.open(options.audit_file, std::ios::app);
    if (!audit_file) {
      std::cerr << "skippy run: cannot open the audit file `" << options.audit_file << "`\n";
      return kExitUsage;
    }
  }
  StreamAudit audit(options.audit_file == "-" ? std::cout : audit_file);
  KeptAudit kept_audit(audit);
  monitor::StatusBoard status_board;
  monitor::RuntimeMetrics metrics(*program, bytecode::source_hash_hex(*program));
  Sinks sinks;
  sinks.audit = &kept_audit;
  sinks.metrics = &metrics;
  sinks.log = [](LogLevel level, std::string_view message) {
    switch (level) {
      case LogLevel::Debug:
        log_debug(message);
        break;
      case LogLevel::Info:
        log_info(message);
        break;
      case LogLevel::Warn:
        log_warn(message);
        break;
      case LogLevel::Error:
        log_error(message);
        break;
    }
  };

  auto executors = make_executors(options, access);
  // The Alertmanagers: notify's alerts, and the silences of the silence gate.
  std::unique_ptr<alerting::Alertmanagers> alertmanagers;
  if (!options.alertmanager_urls.empty()) {
    alerting::AlertmanagerOptions am;
    am.urls = options.alertmanager_urls;
    am.timeout_ms = *alertmanager_timeout;
    am.silences_required = options.alertmanager_silences_required;
    am.generator_url = options.external_url.empty()
                           ? "http://" +
                                 (options.listen_address.empty() ? std::string("localhost")
                                                                 : options.listen_address) +
                                 "/"
                           : options.external_url;
    alertmanagers = std::make_unique<alerting::Alertmanagers>(std::move(am));
    if (executors.executor)
      executors.executor =
          std::make_unique<AlertingExecutor>(*alertmanagers, std::move(executors.executor));
  }
  safety::SafetyConfig safety_config = file.safety;  // the defaults, or the file's
  safety_config.dry_run = options.dry_run;
  // Approvals are stamped with the run's clock: the given time with --once --time.
  std::function<std::int64_t()> clock = now_ms;
  if (options.once && options.time_ms) clock = [fixed = options.time_ms] { return fixed; };
  std::unique_ptr<JournalStore> journal;
  if (!options.journal.empty()) journal = std::make_unique<FileJournal>(options.journal);
  auto safety = SafetyLoop::open(safety_config, std::move(journal), std::move(executors.executor),
                                 clock, sinks, error);
  if (!safety) {
    std::cerr << "skippy run: " << error << "\n";
    return kExitUsage;
  }
  safety->set_records(executors.records);
  safety->set_alertmanagers(alertmanagers.get(), options.alertmanager_notify_decisions);
  engine::EngineOptions engine_options;
  engine_options.default_namespace = options.default_namespace;
  engine_options.analysis_budget_ms = *ai_budget;
  // A model, when one is configured, answers ai.analyze(); the deterministic analyzer answers
  // whenever it cannot.
  stdlib::DeterministicAnalyzer deterministic;
  std::unique_ptr<ModelMetrics> model_metrics;
  std::unique_ptr<model::ModelAdvisor> model_advisor;
  if (ai_setup == AiSetup::Model) {
    model_metrics = std::make_unique<ModelMetrics>(metrics, model_settings_in.backend);
    model_advisor = std::make_unique<model::ModelAdvisor>(model_settings_in, deterministic,
                                                          model_metrics.get());
    log_info("ai.analyze: " + std::string(model::backend_name(model_settings_in.backend)) +
             " model " + model_settings_in.generation.model + " at " +
             model::endpoint(model_settings_in.backend, model_settings_in.url) +
             (model_settings_in.redact ? ", names redacted" : ", names NOT redacted") +
             "; the deterministic analyzer answers when it cannot");
  }
  Ticker ticker(*program, engine_options, *safety, sinks, model_advisor.get());

  // The actions recorded in the cluster are adopted before the first decision: at start, or
  // with leader election when this replica takes the Lease.
  std::atomic<bool> took_over{executors.records != nullptr && !access.election};
  std::unique_ptr<k8s::LeaderElection> election;
  if (access.election) {
    std::string identity = access.election->identity;
    election = std::make_unique<k8s::LeaderElection>(
        *access.connection, *access.election,
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
             access.election->namespace_name + "/" + access.election->name);
  }

  std::unique_ptr<monitor::WebServer> web;
  if (!options.listen_address.empty() && !options.once) {  // one tick: nothing to scrape
    try {
      web = std::make_unique<monitor::WebServer>(options.listen_address, web_security, metrics);
      if (options.enable_approvals) web->serve_approvals(*safety);
      web->serve_status(status_board, [](const monitor::DecisionStatus& d) {
        return explain::explain_decision(d.record, d.followups);
      });
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

  std::int64_t start = options.once && options.time_ms ? options.time_ms : now_ms();
  restore_triggers(ticker.engine(), *program, client, view, start, *max_lookback);

  std::int64_t interval = ticker.engine().step_ms();
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
      auto next = load_policies_and_objects(options.policies, live, policy_status.get(), now_ms(),
                                            reload_error);
      if (!next) {
        log_error("reload rejected, the policies in use go on: " + reload_error);
      } else {
        auto next_program = std::make_unique<bytecode::Program>(std::move(*next));
        std::size_t kept = ticker.reload(*next_program);
        program = std::move(next_program);
        interval = ticker.engine().step_ms();
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
    if (access.live) access.live->refresh();
    // A replica that does not hold the Lease decides nothing: the leader does.
    const bool acting = !election || election->leading();
    if (acting && took_over.exchange(false)) {
      auto adopted = safety->adopt_recorded(now);
      for (const auto& e : adopted.errors) log_warn("taking over: " + e);
      log_info("taking over: adopted " + std::to_string(adopted.adopted) +
               " actions recorded in the cluster");
    }
    // With --once every policy is evaluated at the given time, due or not.
    auto report = ticker.tick(now, view, live_queries, {.all = options.once, .acting = acting});
    auto records = kept_audit.take();  // taken every tick, served or not
    if (web) {
      auto leadership = !election             ? monitor::Leadership::NoElection
                        : election->leading() ? monitor::Leadership::Leading
                                              : monitor::Leadership::StandingBy;
      status_board.publish(now, policy_statuses(*program, *report.tick, ticker.engine()),
                           leadership, records, safety->status(now));
      web->set_ready(true);
    }
    log_tick(report, *program, now, acting, election.get(), all_healthy);
  } while (!options.once && !stop_requested);
  // With --once, answers still on their way are awaited (up to the timeout), so that their
  // calls end, and are counted, before the process does.
  if (model_advisor && options.once &&
      !model_advisor->drain(std::chrono::milliseconds(model_settings_in.timeout_ms)))
    log_warn("ai.analyze: calls to the model still in flight at exit");
  return options.once && !all_healthy ? kExitFindings : kExitOk;
}

}  // namespace skippy::agent
