// Hot reload: a new engine takes over the state of the triggers that did not change.
#include "runtime/engine/tick.hpp"

namespace skippy::engine {
namespace {

// What a policy's trigger conditions depend on: its selection, inputs and conditions code.
bool same_conditions(const bytecode::Program& a_program, const bytecode::Policy& a,
                     const bytecode::Program& b_program, const bytecode::Policy& b) {
  auto code_of = [](const bytecode::Policy& p) {
    std::vector<bytecode::Instruction> code;
    for (std::size_t pc = p.conditions_entry; pc < p.code.size(); ++pc) {
      code.push_back(p.code[pc]);
      if (p.code[pc].op == bytecode::Op::RETURN) break;
    }
    return code;
  };
  if (code_of(a) != code_of(b) || a.inputs.size() != b.inputs.size() ||
      a.constants.size() != b.constants.size() || a.interval_ms != b.interval_ms) {
    return false;
  }
  // Compare by content: string ids differ between programs.
  for (std::size_t i = 0; i < a.inputs.size(); ++i) {
    const auto& x = a.inputs[i];
    const auto& y = b.inputs[i];
    if (x.kind != y.kind || x.id != y.id || x.source != y.source || x.window_ms != y.window_ms ||
        x.parameter != y.parameter || x.aggregation != y.aggregation || x.missing != y.missing ||
        x.hold_ms != y.hold_ms || a_program.string(x.query) != b_program.string(y.query) ||
        a_program.string(x.reason) != b_program.string(y.reason) ||
        a_program.string(x.event_type) != b_program.string(y.event_type) ||
        x.by_labels.size() != y.by_labels.size()) {
      return false;
    }
    for (std::size_t l = 0; l < x.by_labels.size(); ++l) {
      if (a_program.string(x.by_labels[l]) != b_program.string(y.by_labels[l])) return false;
    }
  }
  for (std::size_t k = 0; k < a.constants.size(); ++k) {
    const auto& x = a.constants[k];
    const auto& y = b.constants[k];
    if (x.kind != y.kind || x.number != y.number || x.boolean != y.boolean || x.items != y.items ||
        a_program.string(x.string) != b_program.string(y.string)) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::size_t Engine::adopt_state(const Engine& previous) {
  // Target ids carry over with the table, so the old rows mean the same targets here.
  targets_ = previous.targets_;
  tick_count_ = previous.tick_count_;
  std::size_t kept = 0;
  for (std::size_t p = 0; p < program_.policies.size(); ++p) {
    const auto& policy = program_.policies[p];
    for (std::size_t q = 0; q < previous.program_.policies.size(); ++q) {
      const auto& old = previous.program_.policies[q];
      if (previous.program_.string(old.name) != program_.string(policy.name)) continue;
      if (!same_conditions(previous.program_, old, program_, policy)) break;
      // The trigger with the same name and timing keeps its state for every target.
      std::vector<int> from(policy.triggers.size(), -1);
      for (std::size_t t = 0; t < policy.triggers.size(); ++t) {
        for (std::size_t u = 0; u < old.triggers.size(); ++u) {
          const auto& a = old.triggers[u];
          const auto& b = policy.triggers[t];
          if (previous.program_.string(a.name) == program_.string(b.name) && a.for_ms == b.for_ms &&
              a.has_clear == b.has_clear && a.clear_for_ms == b.clear_for_ms &&
              a.keep_firing_for_ms == b.keep_firing_for_ms) {
            from[t] = static_cast<int>(u);
            ++kept;
            break;
          }
        }
      }
      state_[p].adopt(previous.state_[q], from);
      break;
    }
  }
  return kept;
}

void Engine::reset_triggers(std::size_t policy, const std::vector<bool>& keep) {
  if (policy >= state_.size()) return;
  std::vector<int> from(program_.policies[policy].triggers.size());
  for (std::size_t t = 0; t < from.size(); ++t)
    from[t] = t < keep.size() && keep[t] ? static_cast<int>(t) : -1;
  PolicyState old = state_[policy];
  state_[policy].adopt(old, from);
}

}  // namespace skippy::engine
