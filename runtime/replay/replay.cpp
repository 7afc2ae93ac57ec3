#include "runtime/replay/replay.hpp"

#include <algorithm>

#include "runtime/bytecode/opcodes.hpp"

namespace skippy::replay {

ReplayReport replay(engine::Engine& engine, prometheus::Client& client,
                    const cluster::ClusterView& cluster, const Window& window,
                    const std::function<void(const engine::TickResult&)>& on_tick) {
  ReplayReport report;
  const std::size_t ticks = window.ticks();
  if (ticks == 0) return report;
  const auto& queries = engine.plan().queries;
  report.queries = queries.size();
  RecordedQueries recorded(client, queries, window);
  report.errors = recorded.errors();
  std::vector<engine::QueryResult> results(queries.size());
  for (std::size_t k = 0; k < ticks; ++k) {
    const std::int64_t now = window.time_of(k);
    recorded.answer(queries, engine.due_queries(now), now, results);
    const auto& result = engine.tick(now, cluster, results);
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
    // The history an ai.analyze() site reads: restored too, so the analyzer has it at once.
    for (const auto& a : policy.advice) longest = std::max(longest, a.history_ms);
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

namespace {

// Whether input slot `i` is read from Prometheus history: a PromQL signal, or a window over one.
bool from_history(const bytecode::Policy& policy, std::size_t i, std::size_t depth = 0) {
  if (i >= policy.inputs.size() || depth > policy.inputs.size()) return false;
  const auto& slot = policy.inputs[i];
  if (slot.kind == bytecode::InputKind::Promql) return true;
  if (slot.kind == bytecode::InputKind::Window) return from_history(policy, slot.source, depth + 1);
  return false;
}

}  // namespace

std::vector<bool> restorable_triggers(const bytecode::Policy& policy) {
  std::vector<bool> out(policy.triggers.size(), false);
  std::vector<bool> local_history(policy.locals, false);
  bool segment = false;  // the instructions since the last SET_* read history
  for (std::size_t pc = policy.conditions_entry; pc < policy.code.size(); ++pc) {
    const auto& in = policy.code[pc];
    switch (bytecode::op_info(in.op).operand) {
      case bytecode::OperandKind::Input:
        segment = segment || from_history(policy, in.b);
        break;
      case bytecode::OperandKind::InputNumConst:
        segment = segment || from_history(policy, in.a);
        break;
      default:
        break;
    }
    if (in.op == bytecode::Op::STORE_LOCAL && in.a < local_history.size())
      local_history[in.a] = segment;
    if (in.op == bytecode::Op::PUSH_LOCAL && in.a < local_history.size())
      segment = segment || local_history[in.a];
    if (in.op == bytecode::Op::SET_TRIGGER && in.a < out.size()) out[in.a] = segment;
    if (in.op == bytecode::Op::SET_TRIGGER || in.op == bytecode::Op::SET_CLEAR) segment = false;
    if (in.op == bytecode::Op::RETURN) break;
  }
  return out;
}

std::size_t forget_unrestorable(engine::Engine& engine, const bytecode::Program& program) {
  std::size_t forgotten = 0;
  for (std::size_t p = 0; p < program.policies.size(); ++p) {
    auto keep = restorable_triggers(program.policies[p]);
    for (bool k : keep) forgotten += k ? 0 : 1;
    engine.reset_triggers(p, keep);
  }
  return forgotten;
}

}  // namespace skippy::replay
