// `skippy replay`: policies run over a stretch of real history from a Prometheus, in simulated
// time through the engine and the safety runtime, without touching a cluster. Each planned
// query is sent once, as a range query over the window (runtime/replay/); the cluster view is
// the one given, held still.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "policytest/simulation.hpp"
#include "runtime/prometheus/client.hpp"
#include "runtime/replay/replay.hpp"

namespace skippy::policytest {

struct History {
  std::vector<ActionEvent> actions;  // every decision, duplicates left out, times absolute
  std::vector<std::string> audit;    // decision, execution and health-check records, in order
  std::vector<std::string> errors;   // failed range queries
  std::size_t ticks = 0;
  Coverage coverage;
};

History replay_history(const bytecode::Program& program, prometheus::Client& client,
                       const cluster::ClusterView& view, const replay::Window& window,
                       engine::EngineOptions options = {});

}  // namespace skippy::policytest
