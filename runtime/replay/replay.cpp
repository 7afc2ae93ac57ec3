#include "runtime/replay/replay.hpp"

#include <algorithm>
#include <memory>

#include "runtime/replay/prometheus_vectors.hpp"

namespace skippy::replay {

ReplayReport replay(engine::Engine& engine, prometheus::Client& client,
                    const cluster::ClusterView& cluster, const Window& window,
                    const std::function<void(const engine::TickResult&)>& on_tick) {
  ReplayReport report;
  const std::size_t ticks = window.ticks();
  if (ticks == 0) return report;
  const auto& queries = engine.plan().queries;
  report.queries = queries.size();
  std::vector<prometheus::Outcome> outcomes;
  outcomes.reserve(queries.size());
  std::vector<std::unique_ptr<StepVectors>> history(queries.size());
  for (std::size_t q = 0; q < queries.size(); ++q) {
    outcomes.push_back(
        client.query_range(queries[q], window.start_ms, window.end_ms, window.step_ms));
    if (outcomes.back().ok()) {
      history[q] = std::make_unique<StepVectors>(outcomes.back().result(), window.start_ms,
                                                 window.step_ms, ticks);
    } else {
      report.errors.push_back("query `" + queries[q] + "`: " + outcomes.back().error().message);
    }
  }
  std::vector<engine::QueryResult> results(queries.size());
  for (std::size_t k = 0; k < ticks; ++k) {
    for (std::size_t q = 0; q < queries.size(); ++q) {
      if (history[q]) {
        results[q].vector = &history[q]->at(k);
      } else {
        results[q].vector = nullptr;
        results[q].error = outcomes[q].error().message;
      }
    }
    const auto& result = engine.tick(
        window.start_ms + static_cast<std::int64_t>(k) * window.step_ms, cluster, results);
    ++report.ticks;
    if (on_tick) on_tick(result);
  }
  return report;
}

std::int64_t restore_lookback_ms(const bytecode::Program& program) {
  std::int64_t longest = 0;
  for (const auto& policy : program.policies) {
    for (const auto& t : policy.triggers) {
      longest =
          std::max(longest, t.for_ms + (t.has_clear ? t.clear_for_ms : 0) + t.keep_firing_for_ms);
    }
    for (const auto& s : policy.inputs) {
      if (s.missing == bytecode::MissingKind::Hold) longest = std::max(longest, s.hold_ms);
    }
  }
  return longest;
}

std::optional<Window> restore_window(const engine::Engine& engine, const bytecode::Program& program,
                                     std::int64_t now_ms, std::int64_t max_lookback_ms) {
  std::int64_t lookback = std::min(restore_lookback_ms(program), max_lookback_ms);
  const std::int64_t step = engine.step_ms();
  if (lookback <= 0 || step <= 0) return std::nullopt;
  Window w;
  w.step_ms = step;
  // The last tick strictly before now, and the first tick at or after now - lookback - step
  // (one tick more, so that a condition held since exactly now - lookback counts).
  w.end_ms = (now_ms - 1) / step * step;
  if (now_ms <= 0) return std::nullopt;
  std::int64_t from = now_ms - lookback - step;
  w.start_ms = from <= 0 ? 0 : (from + step - 1) / step * step;
  if (w.start_ms > w.end_ms) return std::nullopt;
  return w;
}

}  // namespace skippy::replay
