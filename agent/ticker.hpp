// One tick of the runtime, the same object for `skippy run`, `skippy test` and `skippy
// replay`: the due queries through a query source (a live Prometheus, or recorded history),
// the engine, every proposal as an action request through the safety loop (gates, journal,
// executor), with audit records, metrics and log lines going to the sinks it is handed. Time
// is an argument: the caller's clock is real or simulated, and nothing here sleeps.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include "agent/safety_loop.hpp"
#include "agent/sinks.hpp"
#include "runtime/bytecode/program.hpp"
#include "runtime/cluster/cluster_view.hpp"
#include "runtime/engine/query_source.hpp"
#include "runtime/engine/tick.hpp"
#include "runtime/safety/action_request.hpp"
#include "stdlib/analyzer.hpp"

namespace skippy::agent {

struct TickOptions {
  bool all = false;    // every policy is due (`skippy run --once`)
  bool acting = true;  // false: a replica on standby evaluates, but decides nothing
};

// What one tick did. `tick` is the engine's own result, valid until the next tick; the
// decisions point into `requests`.
struct TickReport {
  const engine::TickResult* tick = nullptr;
  std::vector<safety::ActionRequest> requests;  // one per proposal, in order
  SafetyLoop::TickOutcome safety;               // empty when not acting
  std::size_t queries = 0;                      // sent (due) this tick
  std::size_t failed_queries = 0;
  std::chrono::duration<double> cpu{};  // of the whole process, queries to execution
};

class Ticker {
 public:
  // `program` and `safety` (and `advisor`, when given) must outlive the ticker. ai.analyze()
  // is answered by `advisor` (a model, runtime/model), or by the deterministic analyzer.
  Ticker(const bytecode::Program& program, engine::EngineOptions options, SafetyLoop& safety,
         Sinks sinks, engine::Advisor* advisor = nullptr);
  ~Ticker();

  // Runs one tick at `now_ms` against the cluster as `view` shows it (held still until the
  // next tick).
  TickReport tick(std::int64_t now_ms, const cluster::ClusterView& view,
                  engine::QuerySource& queries, TickOptions options = {});

  // Swaps in a new program (which must outlive the ticker); every trigger that did not change
  // keeps its state. Returns how many kept it.
  std::size_t reload(const bytecode::Program& program);

  engine::Engine& engine() { return *engine_; }
  const bytecode::Program& program() const { return *program_; }
  SafetyLoop& safety() { return safety_; }

 private:
  const bytecode::Program* program_;
  engine::EngineOptions options_;
  SafetyLoop& safety_;
  stdlib::DeterministicAnalyzer analyzer_;
  engine::Advisor* advisor_;  // answers ai.analyze(): analyzer_ or a model
  std::unique_ptr<engine::Engine> engine_;
  Sinks sinks_;
  std::vector<engine::QueryResult> results_;
};

// The engine of a program with the standard library's built-ins.
std::unique_ptr<engine::Engine> make_engine(const bytecode::Program& program,
                                            engine::EngineOptions options,
                                            engine::EngineServices services = {});

}  // namespace skippy::agent
