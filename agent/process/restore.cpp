#include "agent/process/restore.hpp"

#include <array>
#include <vector>

#include "agent/config/log.hpp"
#include "base/time_format.hpp"
#include "runtime/replay/replay.hpp"

namespace skippy::agent {

void restore_triggers(engine::Engine& engine, const bytecode::Program& program,
                      prometheus::Client& client, const cluster::ClusterView& view,
                      std::int64_t start_ms, std::int64_t max_lookback_ms) {
  auto window = replay::restore_window(engine, program, start_ms, max_lookback_ms);
  if (!window) return;
  // Each policy's trigger states after its last evaluation in the replay.
  std::vector<std::vector<std::array<std::size_t, 4>>> last(program.policies.size());
  auto report = replay::replay(engine, client, view, *window, [&](const auto& tick) {
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
  if (std::size_t fresh = replay::forget_unrestorable(engine, program))
    log_info("restore: " + std::to_string(fresh) +
             " trigger(s) reading only Kubernetes state start afresh");
  log_info("restored trigger states from " + std::to_string(report.ticks) + " ticks (" +
           base::format_time(window->start_ms) + " to " + base::format_time(window->end_ms) +
           "): " + std::to_string(pending) + " pending, " + std::to_string(firing) + " firing");
}

}  // namespace skippy::agent
