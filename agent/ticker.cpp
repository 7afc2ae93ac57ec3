#include "agent/ticker.hpp"

#include <ctime>

#include "runtime/act/action_requests.hpp"
#include "runtime/monitor/self_metrics.hpp"
#include "stdlib/builtins/catalog.hpp"
#include "stdlib/builtins/functions.hpp"
#include "stdlib/engine_support.hpp"

namespace skippy::agent {
namespace {

// CPU time of the whole process (every thread): what a tick costs beyond waiting.
std::chrono::duration<double> process_cpu() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return std::chrono::duration<double>(static_cast<double>(ts.tv_sec) +
                                       static_cast<double>(ts.tv_nsec) / 1e9);
}

const std::vector<act::ActionInfo>& action_table() {
  static const std::vector<act::ActionInfo> table = [] {
    std::vector<act::ActionInfo> out;
    for (const auto& a : stdlib::actions()) out.push_back({a.name, a.destructive});
    return out;
  }();
  return table;
}

}  // namespace

std::unique_ptr<engine::Engine> make_engine(const bytecode::Program& program,
                                            engine::EngineOptions options,
                                            engine::EngineServices services) {
  return std::make_unique<engine::Engine>(program, stdlib::function_table(),
                                          stdlib::engine_builtins(), std::move(options), services);
}

Ticker::Ticker(const bytecode::Program& program, engine::EngineOptions options, SafetyLoop& safety,
               Sinks sinks, engine::Advisor* advisor)
    : program_(&program),
      options_(options),
      safety_(safety),
      advisor_(advisor ? advisor : &analyzer_),
      engine_(make_engine(program, std::move(options), {advisor_, &safety_})),
      sinks_(std::move(sinks)) {}

Ticker::~Ticker() = default;

std::size_t Ticker::reload(const bytecode::Program& program) {
  auto next = make_engine(program, options_, {advisor_, &safety_});
  std::size_t kept = next->adopt_state(*engine_);
  engine_ = std::move(next);
  program_ = &program;
  if (sinks_.metrics) sinks_.metrics->set_program(program, bytecode::source_hash_hex(program));
  return kept;
}

TickReport Ticker::tick(std::int64_t now_ms, const cluster::ClusterView& view,
                        engine::QuerySource& queries, TickOptions options) {
  TickReport report;
  const auto started = std::chrono::steady_clock::now();
  const auto started_cpu = process_cpu();
  const auto& plan = engine_->plan();
  results_.assign(plan.queries.size(), {});
  auto due = engine_->due_queries(now_ms, options.all);
  auto answered = queries.answer(plan.queries, due, now_ms, results_);
  report.queries = due.size();
  report.failed_queries = answered.failed;
  const auto& tick = engine_->tick(now_ms, view, results_, options.all);
  report.tick = &tick;
  // Every proposal goes through the safety gates, in priority order.
  report.requests.reserve(tick.proposals.size());
  for (const auto& p : tick.proposals)
    report.requests.push_back(act::action_request(*program_, tick, p, action_table()));
  if (options.acting) {
    report.safety = safety_.tick(
        report.requests, view, now_ms, [&](std::span<const safety::Decision> decisions) {
          for (const auto& d : decisions) {
            sinks_.audit_record(act::decision_audit_record(*program_, tick, report.requests, d));
            if (sinks_.metrics)
              sinks_.metrics->record_decision(d.request->policy, d.request->action,
                                              safety::outcome_text(d));
          }
          sinks_.audit_flush();
        });
  }
  report.cpu = process_cpu() - started_cpu;
  if (sinks_.metrics && options.acting) {
    sinks_.metrics->set_outcomes(safety_.outcome_totals(engine::kOutcomeEvidenceWindowMs, now_ms));
  }
  if (sinks_.metrics)
    sinks_.metrics->record_tick(tick, std::chrono::steady_clock::now() - started, report.cpu,
                                answered.ok, answered.failed);
  return report;
}

}  // namespace skippy::agent
