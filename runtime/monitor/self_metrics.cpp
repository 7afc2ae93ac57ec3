#include "runtime/monitor/self_metrics.hpp"

#include <CivetServer.h>
#include <prometheus/text_serializer.h>

#include <functional>
#include <stdexcept>

#include "runtime/engine/trigger_state.hpp"
#include "runtime/web/web_auth.hpp"
#include "runtime/web/web_tls.hpp"

namespace skippy::monitor {

RuntimeMetrics::RuntimeMetrics(const bytecode::Program& program, std::string_view source_sha256_hex)
    : program_(&program),
      registry_(std::make_shared<prometheus::Registry>()),
      tick_duration_(prometheus::BuildHistogram()
                         .Name("skippy_tick_duration_seconds")
                         .Help("Time one tick took: queries, evaluation and decisions")
                         .Register(*registry_)),
      tick_cpu_(prometheus::BuildGauge()
                    .Name("skippy_tick_last_cpu_seconds")
                    .Help("CPU time the last tick took: decoding, evaluation and decisions, not "
                          "the wait for Prometheus")
                    .Register(*registry_)),
      ticks_(prometheus::BuildCounter()
                 .Name("skippy_ticks_total")
                 .Help("Ticks run")
                 .Register(*registry_)),
      missed_ticks_(prometheus::BuildCounter()
                        .Name("skippy_missed_ticks_total")
                        .Help("Ticks skipped because the previous one ran past them")
                        .Register(*registry_)),
      queries_(prometheus::BuildCounter()
                   .Name("skippy_queries_total")
                   .Help("PromQL queries sent, by outcome")
                   .Register(*registry_)),
      triggers_(prometheus::BuildGauge()
                    .Name("skippy_triggers")
                    .Help("Triggers by policy, trigger and state, summed over targets")
                    .Register(*registry_)),
      trigger_changes_(prometheus::BuildCounter()
                           .Name("skippy_trigger_changes_total")
                           .Help("Trigger state changes by policy, trigger and change")
                           .Register(*registry_)),
      proposals_(prometheus::BuildCounter()
                     .Name("skippy_proposals_total")
                     .Help("Actions proposed, by policy, action and outcome")
                     .Register(*registry_)),
      executions_(prometheus::BuildCounter()
                      .Name("skippy_action_executions_total")
                      .Help("Actions carried out (retries included), by policy, action and status")
                      .Register(*registry_)),
      time_to_heal_(prometheus::BuildHistogram()
                        .Name("skippy_time_to_heal_seconds")
                        .Help("Time from a trigger's firing to the heal of the action it caused, "
                              "by policy and action")
                        .Register(*registry_)),
      policy_healthy_(prometheus::BuildGauge()
                          .Name("skippy_policy_healthy")
                          .Help("1 when the policy's last evaluation had all its data")
                          .Register(*registry_)),
      policy_targets_(prometheus::BuildGauge()
                          .Name("skippy_policy_targets")
                          .Help("Targets the policy selected at its last evaluation")
                          .Register(*registry_)),
      info_(prometheus::BuildGauge()
                .Name("skippy_bytecode_info")
                .Help("The loaded bytecode: format version and the sources' SHA-256")
                .Register(*registry_)),
      analyses_(prometheus::BuildCounter()
                    .Name("skippy_analyses_total")
                    .Help("ai.analyze() verdicts, by policy, analyzer, chosen action and whether "
                          "the cache answered")
                    .Register(*registry_)),
      analysis_duration_(prometheus::BuildHistogram()
                             .Name("skippy_analysis_duration_seconds")
                             .Help("Time one ai.analyze() verdict took, by analyzer")
                             .Register(*registry_)),
      analysis_confidence_(prometheus::BuildHistogram()
                               .Name("skippy_analysis_confidence")
                               .Help("The confidence of ai.analyze() verdicts that chose an "
                                     "action, by analyzer")
                               .Register(*registry_)),
      model_calls_(prometheus::BuildCounter()
                       .Name("skippy_model_calls_total")
                       .Help("Calls to the model behind ai.analyze(), by backend, outcome "
                             "(answered, truncated, refused, rate_limited, quota, http_error, "
                             "unreachable, bad_response) and whether the answer was accepted")
                       .Register(*registry_)),
      model_call_duration_(prometheus::BuildHistogram()
                               .Name("skippy_model_call_duration_seconds")
                               .Help("Time one call to the model took, by backend")
                               .Register(*registry_)),
      model_tokens_(prometheus::BuildCounter()
                        .Name("skippy_model_tokens_total")
                        .Help("Tokens the model's backend counted, by backend and kind (prompt, "
                              "completion)")
                        .Register(*registry_)),
      model_cache_hits_(prometheus::BuildCounter()
                            .Name("skippy_model_cache_hits_total")
                            .Help("Model answers served from the cache, by backend")
                            .Register(*registry_)),
      model_fallbacks_(prometheus::BuildCounter()
                           .Name("skippy_model_fallbacks_total")
                           .Help("Verdicts the deterministic analyzer gave instead of the model, "
                                 "by reason")
                           .Register(*registry_)),
      model_budget_(prometheus::BuildGauge()
                        .Name("skippy_model_budget_remaining")
                        .Help("What is left of the hour's model budget, by budget (calls, "
                              "tokens); absent without a limit")
                        .Register(*registry_)),
      outcomes_(prometheus::BuildGauge()
                    .Name("skippy_action_outcomes")
                    .Help("Actions that ended in the last 24h, by policy, action and result "
                          "(healed, failed, recurred), from the outcome ledger")
                    .Register(*registry_)),
      success_ratio_(prometheus::BuildGauge()
                         .Name("skippy_action_success_ratio")
                         .Help("Healed / ended actions in the last 24h, by policy and action")
                         .Register(*registry_)) {
  set_program(program, source_sha256_hex);
}

void RuntimeMetrics::set_program(const bytecode::Program& program,
                                 std::string_view source_sha256_hex) {
  program_ = &program;
  if (info_gauge_) info_.Remove(info_gauge_);  // the previous program is no longer loaded
  info_gauge_ = &info_.Add({{"format_version", std::to_string(bytecode::kFormatVersion)},
                            {"source_sha256", std::string(source_sha256_hex)},
                            {"policies", std::to_string(program.policies.size())}});
  info_gauge_->Set(1);
}

void RuntimeMetrics::record_model_call(std::string_view backend, std::string_view outcome,
                                       bool accepted, double seconds, std::int64_t prompt_tokens,
                                       std::int64_t completion_tokens) {
  const std::string b(backend);
  model_calls_
      .Add({{"backend", b},
            {"outcome", std::string(outcome)},
            {"accepted", accepted ? "true" : "false"}})
      .Increment();
  static const prometheus::Histogram::BucketBoundaries buckets = {0.1, 0.25, 0.5, 1,  2.5,
                                                                  5,   10,   20,  30, 60};
  model_call_duration_.Add({{"backend", b}}, buckets).Observe(seconds);
  model_tokens_.Add({{"backend", b}, {"kind", "prompt"}})
      .Increment(static_cast<double>(prompt_tokens));
  model_tokens_.Add({{"backend", b}, {"kind", "completion"}})
      .Increment(static_cast<double>(completion_tokens));
}

void RuntimeMetrics::record_model_cache_hit(std::string_view backend) {
  model_cache_hits_.Add({{"backend", std::string(backend)}}).Increment();
}

void RuntimeMetrics::record_model_fallback(std::string_view reason) {
  model_fallbacks_.Add({{"reason", std::string(reason)}}).Increment();
}

void RuntimeMetrics::set_model_budget(std::int64_t calls_left, std::int64_t tokens_left) {
  if (calls_left >= 0)
    model_budget_.Add({{"budget", "calls"}}).Set(static_cast<double>(calls_left));
  if (tokens_left >= 0)
    model_budget_.Add({{"budget", "tokens"}}).Set(static_cast<double>(tokens_left));
}

void RuntimeMetrics::record_tick(const engine::TickResult& tick,
                                 std::chrono::duration<double> duration,
                                 std::chrono::duration<double> cpu, std::size_t queries_ok,
                                 std::size_t queries_failed) {
  tick_cpu_.Add({}).Set(cpu.count());
  static const prometheus::Histogram::BucketBoundaries buckets = {
      0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  tick_duration_.Add({}, buckets).Observe(duration.count());
  ticks_.Add({}).Increment();
  queries_.Add({{"outcome", "ok"}}).Increment(static_cast<double>(queries_ok));
  queries_.Add({{"outcome", "failed"}}).Increment(static_cast<double>(queries_failed));
  for (std::size_t p = 0; p < tick.health.size(); ++p) {
    if (!tick.health[p].evaluated) continue;
    const auto& policy = program_->policies[p];
    std::string name(program_->string(policy.name));
    policy_healthy_.Add({{"policy", name}}).Set(tick.health[p].healthy ? 1 : 0);
    policy_targets_.Add({{"policy", name}}).Set(static_cast<double>(tick.health[p].targets));
    for (std::size_t t = 0; t < policy.triggers.size() && t < tick.health[p].phases.size(); ++t) {
      std::string trigger(program_->string(policy.triggers[t].name));
      const auto& counts = tick.health[p].phases[t];
      for (std::size_t phase = 0; phase < counts.size(); ++phase) {
        triggers_
            .Add({{"policy", name},
                  {"trigger", trigger},
                  {"state", engine::trigger_phase_name(static_cast<engine::TriggerPhase>(phase))}})
            .Set(static_cast<double>(counts[phase]));
      }
    }
  }
  static const prometheus::Histogram::BucketBoundaries analysis_buckets = {
      0.00001, 0.0001, 0.001, 0.01, 0.1, 1, 10};
  for (const auto& v : tick.verdicts) {
    const std::string analyzer = v.verdict.analyzer.substr(0, v.verdict.analyzer.find(' '));
    analyses_
        .Add({{"policy", std::string(program_->string(program_->policies[v.policy].name))},
              {"analyzer", analyzer},
              {"action", v.verdict.action},
              {"cached", v.cached ? "true" : "false"}})
        .Increment();
    if (!v.cached)
      analysis_duration_.Add({{"analyzer", analyzer}}, analysis_buckets).Observe(v.seconds);
    static const prometheus::Histogram::BucketBoundaries confidence_buckets = {
        0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1};
    if (v.verdict.action != "none")
      analysis_confidence_.Add({{"analyzer", analyzer}}, confidence_buckets)
          .Observe(v.verdict.confidence);
  }
  for (const auto& c : tick.changes) {
    const auto& policy = program_->policies[c.policy];
    trigger_changes_
        .Add({{"policy", std::string(program_->string(policy.name))},
              {"trigger", std::string(program_->string(policy.triggers[c.trigger].name))},
              {"change", engine::trigger_change_name(c.change)}})
        .Increment();
  }
}

void RuntimeMetrics::record_decision(std::string_view policy, std::string_view action,
                                     std::string_view outcome) {
  proposals_
      .Add({{"policy", std::string(policy)},
            {"action", std::string(action)},
            {"outcome", std::string(outcome)}})
      .Increment();
}

void RuntimeMetrics::record_execution(std::string_view policy, std::string_view action,
                                      std::string_view status) {
  executions_
      .Add({{"policy", std::string(policy)},
            {"action", std::string(action)},
            {"status", std::string(status)}})
      .Increment();
}

void RuntimeMetrics::record_heal(std::string_view policy, std::string_view action,
                                 std::chrono::duration<double> since_fired) {
  static const prometheus::Histogram::BucketBoundaries buckets = {5,   15,  30,   60,   120,
                                                                  300, 600, 1200, 1800, 3600};
  time_to_heal_.Add({{"policy", std::string(policy)}, {"action", std::string(action)}}, buckets)
      .Observe(since_fired.count());
}

void RuntimeMetrics::set_outcomes(const std::vector<ActionOutcomes>& outcomes) {
  for (const auto& o : outcomes) {
    auto set = [&](const char* result, std::uint32_t n) {
      outcomes_.Add({{"policy", o.policy}, {"action", o.action}, {"result", result}})
          .Set(static_cast<double>(n));
    };
    set("healed", o.stats.healed);
    set("failed", o.stats.failed);
    set("recurred", o.stats.recurred);
    if (o.stats.attempts > 0)
      success_ratio_.Add({{"policy", o.policy}, {"action", o.action}})
          .Set(static_cast<double>(o.stats.healed) / o.stats.attempts);
  }
}

void RuntimeMetrics::record_missed_ticks(std::size_t n) {
  missed_ticks_.Add({}).Increment(static_cast<double>(n));
}

std::string RuntimeMetrics::exposition() const {
  return prometheus::TextSerializer().Serialize(registry_->Collect());
}

namespace {

const char* reason_phrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 409:
      return "Conflict";
    default:
      return "Service Unavailable";
  }
}

}  // namespace

struct WebServer::Handlers {
  explicit Handlers(const web::WebSecurity& security) : auth(security.users) {
    for (const auto& [name, value] : security.headers) headers += name + ": " + value + "\r\n";
  }
  web::BasicAuth auth;
  std::string headers;  // http_server_config.headers, each line ending in CRLF
  std::unique_ptr<web::TlsContext> tls;

  // The Handlers of the server `conn` came to (the CivetServer's user context).
  static Handlers& of(struct mg_connection* conn) {
    auto* server = static_cast<CivetServer*>(mg_get_user_data(mg_get_context(conn)));
    return *static_cast<Handlers*>(const_cast<void*>(server->getUserContext()));
  }
  static void reply(struct mg_connection* conn, int status, const std::string& content_type,
                    const std::string& text, const char* more_headers = "") {
    mg_printf(conn,
              "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s%sConnection: "
              "close\r\n\r\n",
              status, reason_phrase(status), content_type.c_str(), text.size(),
              of(conn).headers.c_str(), more_headers);
    mg_write(conn, text.data(), text.size());
  }
  // civetweb's begin_request: before any handler, for every path. 0 lets the request go on.
  static int authenticate(struct mg_connection* conn) {
    Handlers& h = of(conn);
    if (!h.auth.enabled()) return 0;
    const char* authorization = mg_get_header(conn, "Authorization");
    if (authorization && h.auth.allows(authorization)) return 0;
    reply(conn, 401, "text/plain; charset=utf-8", "Unauthorized\n", "WWW-Authenticate: Basic\r\n");
    return 401;
  }
  // civetweb's external_ssl_ctx: the context made from tls_server_config, which the server
  // keeps (1 also stops civetweb from freeing it when it closes).
  static int ssl_context(void** ssl_ctx, void* user_data) {
    auto* server = static_cast<CivetServer*>(user_data);
    auto* h = static_cast<Handlers*>(const_cast<void*>(server->getUserContext()));
    if (!h->tls) return 0;
    *ssl_ctx = h->tls->ssl_ctx();
    return 1;
  }

  struct Text : CivetHandler {
    std::function<std::pair<int, std::string>()> body;
    std::string content_type;
    bool handleGet(CivetServer*, struct mg_connection* conn) override {
      auto [status, text] = body();
      reply(conn, status, content_type, text);
      return true;
    }
  };
  // GET /api/v1/approvals lists; POST /api/v1/approvals/ID approves. Without a desk (no
  // --web.enable-approvals) both answer 403, as Prometheus answers its lifecycle API when
  // --web.enable-lifecycle is not given.
  struct Approvals : CivetHandler {
    std::atomic<ApprovalDesk*> desk{nullptr};  // set while the server runs
    static constexpr std::string_view kPrefix = "/api/v1/approvals";
    bool disabled(struct mg_connection* conn) {
      if (desk.load()) return false;
      reply(
          conn, 403, "application/json",
          R"({"error":"the approvals API is disabled: start skippy run with --web.enable-approvals"})");
      return true;
    }
    bool handleGet(CivetServer*, struct mg_connection* conn) override {
      if (disabled(conn)) return true;
      std::string_view uri = mg_get_request_info(conn)->local_uri;
      if (uri != kPrefix && uri != std::string(kPrefix) + "/") {
        reply(conn, 404, "application/json", R"({"error":"no such resource"})");
        return true;
      }
      reply(conn, 200, "application/json", desk.load()->pending_json());
      return true;
    }
    bool handlePost(CivetServer*, struct mg_connection* conn) override {
      if (disabled(conn)) return true;
      std::string_view uri = mg_get_request_info(conn)->local_uri;
      std::string_view id =
          uri.size() > kPrefix.size() + 1 ? uri.substr(kPrefix.size() + 1) : std::string_view();
      if (id.empty() || id.find('/') != std::string_view::npos) {
        reply(conn, 404, "application/json", R"({"error":"POST /api/v1/approvals/ID"})");
        return true;
      }
      auto [status, body] = desk.load()->approve(id);
      reply(conn, status, "application/json", body);
      return true;
    }
  };
  // The status pages (status_pages.hpp) at / and under it: every path no other handler takes.
  struct Status : CivetHandler {
    std::atomic<const StatusBoard*> board{nullptr};  // set while the server runs
    DecisionExplainer explain;                       // set before board
    bool handleGet(CivetServer*, struct mg_connection* conn) override {
      const auto* info = mg_get_request_info(conn);
      const StatusBoard* b = board.load();
      if (!b) {
        reply(conn, 404, "text/plain; charset=utf-8", "Not Found\n");
        return true;
      }
      auto page = render_status(b->snapshot(), info->local_uri,
                                info->query_string ? info->query_string : "", explain);
      reply(conn, page.status, page.content_type, page.body);
      return true;
    }
  };
  Text metrics, healthz, ready;
  Approvals approvals;
  Status status_pages;
};

WebServer::WebServer(const std::string& listen_address, const web::WebSecurity& security,
                     const RuntimeMetrics& metrics)
    : handlers_(std::make_unique<Handlers>(security)) {
  handlers_->metrics.content_type = "text/plain; version=0.0.4; charset=utf-8";
  handlers_->metrics.body = [&metrics] { return std::pair{200, metrics.exposition()}; };
  handlers_->healthz.content_type = "text/plain";
  handlers_->healthz.body = [] { return std::pair{200, std::string("ok\n")}; };
  handlers_->ready.content_type = "text/plain";
  handlers_->ready.body = [this] {
    return ready_ ? std::pair{200, std::string("ready\n")}
                  : std::pair{503, std::string("not ready: no tick yet\n")};
  };
  std::string ports = listen_address;
  if (security.tls) {
    std::string error;
    if (!web::load_civetweb_openssl(error)) throw std::runtime_error("TLS: " + error);
    web::TlsProblem problem;
    handlers_->tls = web::TlsContext::create(*security.tls, problem);
    if (!handlers_->tls)
      throw std::runtime_error("tls_server_config." + problem.field + ": " + problem.message);
    ports += "s";  // civetweb's mark of a TLS port
  }
  CivetCallbacks callbacks;
  callbacks.begin_request = &Handlers::authenticate;
  callbacks.external_ssl_ctx = &Handlers::ssl_context;
  std::vector<std::string> options = {"listening_ports", ports, "num_threads", "2"};
  server_ = std::make_unique<CivetServer>(options, &callbacks, handlers_.get());
  server_->addHandler("/metrics", handlers_->metrics);
  server_->addHandler("/healthz", handlers_->healthz);
  server_->addHandler("/ready", handlers_->ready);
  server_->addHandler(std::string(Handlers::Approvals::kPrefix), handlers_->approvals);
  server_->addHandler("/", handlers_->status_pages);  // last: the paths the others do not take
}

WebServer::~WebServer() {
  if (server_) server_->close();
}

void WebServer::serve_approvals(ApprovalDesk& desk) {
  handlers_->approvals.desk = &desk;
}

void WebServer::serve_status(const StatusBoard& board, DecisionExplainer explain) {
  handlers_->status_pages.explain = std::move(explain);
  handlers_->status_pages.board = &board;
}

int WebServer::port() const {
  auto ports = server_->getListeningPorts();
  return ports.empty() ? 0 : ports.front();
}

}  // namespace skippy::monitor
