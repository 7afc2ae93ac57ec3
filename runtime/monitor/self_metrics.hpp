// The runtime's own metrics, in Prometheus's format (prometheus-cpp), and the small HTTP
// server (civetweb) that serves them with /healthz and /ready on --web.listen-address, locked
// as --web.config.file says (TLS, basic auth) for every endpoint alike.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "runtime/bytecode/program.hpp"
#include "runtime/engine/tick.hpp"
#include "runtime/monitor/status_board.hpp"
#include "runtime/monitor/status_pages.hpp"
#include "runtime/web/web_security.hpp"

class CivetServer;

namespace skippy::monitor {

class RuntimeMetrics {
 public:
  RuntimeMetrics(const bytecode::Program& program, std::string_view source_sha256_hex);

  // One tick: its duration, the CPU time the process spent on it (waiting for Prometheus
  // costs none), its queries' outcomes, trigger states and policy health.
  void record_tick(const engine::TickResult& tick, std::chrono::duration<double> duration,
                   std::chrono::duration<double> cpu, std::size_t queries_ok,
                   std::size_t queries_failed);
  // One decision about a proposal.
  void record_decision(std::string_view policy, std::string_view action, std::string_view outcome);
  void record_execution(std::string_view policy, std::string_view action, std::string_view status);
  // An action that healed (its health check passed, or it succeeded where no check applies):
  // the time from its trigger's firing to the heal.
  void record_heal(std::string_view policy, std::string_view action,
                   std::chrono::duration<double> since_fired);
  void record_missed_ticks(std::size_t n);
  // The outcome ledger over the last day, per policy and action: healed, failed, recurred and
  // the success ratio (healed / ended), replacing the previous figures.
  struct ActionOutcomes {
    std::string policy, action;
    engine::OutcomeStats stats;
  };
  void set_outcomes(const std::vector<ActionOutcomes>& outcomes);
  // The model behind ai.analyze() (runtime/model): one call's end (any thread), an answer
  // from its cache, a verdict the deterministic analyzer gave instead and why, and what is
  // left of the hour's budgets (-1: no limit).
  void record_model_call(std::string_view backend, std::string_view outcome, bool accepted,
                         double seconds, std::int64_t prompt_tokens,
                         std::int64_t completion_tokens);
  void record_model_cache_hit(std::string_view backend);
  void record_model_fallback(std::string_view reason);
  void set_model_budget(std::int64_t calls_left, std::int64_t tokens_left);
  // After a reload: names come from the new program; the info metric describes it.
  void set_program(const bytecode::Program& program, std::string_view source_sha256_hex);

  std::string exposition() const;  // the text format
  std::shared_ptr<::prometheus::Registry> registry() const { return registry_; }

 private:
  const bytecode::Program* program_;
  std::shared_ptr<::prometheus::Registry> registry_;
  ::prometheus::Family<::prometheus::Histogram>& tick_duration_;
  ::prometheus::Family<::prometheus::Gauge>& tick_cpu_;
  ::prometheus::Family<::prometheus::Counter>& ticks_;
  ::prometheus::Family<::prometheus::Counter>& missed_ticks_;
  ::prometheus::Family<::prometheus::Counter>& queries_;
  ::prometheus::Family<::prometheus::Gauge>& triggers_;
  ::prometheus::Family<::prometheus::Counter>& trigger_changes_;
  ::prometheus::Family<::prometheus::Counter>& proposals_;
  ::prometheus::Family<::prometheus::Counter>& executions_;
  ::prometheus::Family<::prometheus::Histogram>& time_to_heal_;
  ::prometheus::Family<::prometheus::Gauge>& policy_healthy_;
  ::prometheus::Family<::prometheus::Gauge>& policy_targets_;
  ::prometheus::Family<::prometheus::Gauge>& info_;
  ::prometheus::Family<::prometheus::Counter>& analyses_;
  ::prometheus::Family<::prometheus::Histogram>& analysis_duration_;
  ::prometheus::Family<::prometheus::Histogram>& analysis_confidence_;
  ::prometheus::Family<::prometheus::Counter>& model_calls_;
  ::prometheus::Family<::prometheus::Histogram>& model_call_duration_;
  ::prometheus::Family<::prometheus::Counter>& model_tokens_;
  ::prometheus::Family<::prometheus::Counter>& model_cache_hits_;
  ::prometheus::Family<::prometheus::Counter>& model_fallbacks_;
  ::prometheus::Family<::prometheus::Gauge>& model_budget_;
  ::prometheus::Family<::prometheus::Gauge>& outcomes_;
  ::prometheus::Family<::prometheus::Gauge>& success_ratio_;
  ::prometheus::Gauge* info_gauge_ = nullptr;
};

// What the runtime's HTTP API needs for approvals, without knowing the safety runtime: the
// runtime implements it over its gatekeeper. Called from the server's threads.
class ApprovalDesk {
 public:
  virtual ~ApprovalDesk() = default;
  // {"pending":[...]}: the actions waiting for approval (docs/runtime.md).
  virtual std::string pending_json() = 0;
  // Approves action `id`: an HTTP status (200 approved or already approved, 404 unknown, 409
  // not pending or expired) and a JSON body {"id":...,"result":...}.
  virtual std::pair<int, std::string> approve(std::string_view id) = 0;
};

// Serves /metrics, /healthz and /ready on one address (127.0.0.1:9477 by default), the status
// page (status_pages.hpp: /, /decisions, /api/v1/status/...) once serve_status is called, and
// the approvals API (GET /api/v1/approvals, POST /api/v1/approvals/ID) once serve_approvals is
// called; until then the approvals API answers 403 naming --web.enable-approvals. Every
// request, to any path, first passes `security`'s checks (one place: civetweb's
// begin_request): TLS with its client certificate policy, then basic auth (401 with
// `WWW-Authenticate: Basic` when credentials are missing or wrong); every answer it writes
// carries its headers. Throws std::runtime_error when it cannot listen or its TLS cannot start.
class WebServer {
 public:
  WebServer(const std::string& listen_address, const web::WebSecurity& security,
            const RuntimeMetrics& metrics);
  ~WebServer();
  WebServer(const WebServer&) = delete;
  WebServer& operator=(const WebServer&) = delete;

  void set_ready(bool ready) { ready_ = ready; }
  // Serves the approvals API from `desk`, which must outlive the server.
  void serve_approvals(ApprovalDesk& desk);
  // Serves the status pages from `board`, which must outlive the server; `explain` tells a
  // decision in words.
  void serve_status(const StatusBoard& board, DecisionExplainer explain);
  int port() const;  // the bound port (useful with port 0)

 private:
  struct Handlers;
  std::unique_ptr<Handlers> handlers_;
  std::unique_ptr<CivetServer> server_;
  std::atomic<bool> ready_{false};
};

}  // namespace skippy::monitor
