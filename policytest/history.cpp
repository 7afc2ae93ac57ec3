#include "policytest/history.hpp"

namespace skippy::policytest {

History replay_history(const bytecode::Program& program, prometheus::Client& client,
                       const cluster::ClusterView& view, const replay::Window& window,
                       engine::EngineOptions options) {
  History history;
  Simulation simulation(program, {}, std::move(options));
  // Each planned query once, as a range query over the window.
  replay::RecordedQueries recorded(client, simulation.engine().plan().queries, window);
  for (std::size_t k = 0; k < window.ticks(); ++k) {
    auto out = simulation.tick(window.time_of(k), view, recorded);
    for (auto& a : out.actions) history.actions.push_back(std::move(a));
    for (auto& r : out.audit) history.audit.push_back(std::move(r));
    ++history.ticks;
  }
  history.errors = recorded.errors();
  history.coverage = simulation.coverage();
  return history;
}

}  // namespace skippy::policytest
