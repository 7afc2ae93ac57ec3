#include "policytest/history.hpp"

namespace skippy::policytest {

History replay_history(const bytecode::Program& program, prometheus::Client& client,
                       const cluster::ClusterView& view, const replay::Window& window,
                       engine::EngineOptions options) {
  History history;
  Simulation simulation(program, {}, std::move(options));
  auto report = replay::replay(simulation.engine(), client, view, window,
                               [&](const engine::TickResult& tick) {
                                 auto out = simulation.decide(tick, view);
                                 for (auto& a : out.actions)
                                   history.actions.push_back(std::move(a));
                                 for (auto& r : out.audit) history.audit.push_back(std::move(r));
                               });
  history.errors = std::move(report.errors);
  history.ticks = report.ticks;
  history.coverage = simulation.coverage();
  return history;
}

}  // namespace skippy::policytest
