#include "runtime/engine/policy_state.hpp"

#include "runtime/engine/join.hpp"

namespace skippy::engine {

PolicyState::PolicyState(const bytecode::Policy& policy, std::span<const std::int32_t> slot_query)
    : trigger_count_(policy.triggers.size()) {
  const std::size_t slots = policy.inputs.size();
  column_.assign(slots, 0);
  for (std::size_t i = 0; i < slots; ++i) {
    if (slot_query[i] < 0) {
      if (policy.inputs[i].kind == bytecode::InputKind::Window) {
        column_[i] = history_slots_++;
      }
    } else if (source_slot(policy, i).missing == bytecode::MissingKind::Hold) {
      column_[i] = held_slots_++;
    }
  }
  // The signals an ai.analyze() call shows keep their own history, for the analyzer.
  advice_column_.assign(slots, kNoColumn);
  for (const auto& request : policy.advice) {
    for (auto slot : request.signal_slots) {
      if (slot < slots && advice_column_[slot] == kNoColumn)
        advice_column_[slot] = history_slots_++;
    }
  }
}

std::optional<std::uint32_t> PolicyState::find(std::uint32_t id) const {
  if (id >= row_of_.size() || row_of_[id] == kNoRow) return std::nullopt;
  return row_of_[id];
}

TriggerState PolicyState::trigger(std::uint32_t row, std::size_t t) const {
  std::size_t i = std::size_t{row} * trigger_count_ + t;
  const TriggerTimes& times = times_[i];
  return TriggerState{phases_[i], times.active_since_ms, times.fired_at_ms, times.clear_since_ms,
                      times.keep_firing_since_ms};
}

void PolicyState::set_trigger(std::uint32_t row, std::size_t t, const TriggerState& s) {
  std::size_t i = std::size_t{row} * trigger_count_ + t;
  phases_[i] = s.phase;
  times_[i] =
      TriggerTimes{s.active_since_ms, s.fired_at_ms, s.clear_since_ms, s.keep_firing_since_ms};
}

void PolicyState::reset(std::uint32_t row) {
  for (std::size_t t = 0; t < trigger_count_; ++t) set_trigger(row, t, TriggerState{});
  for (std::size_t c = 0; c < held_slots_; ++c) held_[std::size_t{row} * held_slots_ + c] = {};
  for (std::size_t c = 0; c < history_slots_; ++c)
    history_[std::size_t{row} * history_slots_ + c].clear();
}

std::uint32_t PolicyState::make_row(std::uint32_t id, std::uint32_t generation,
                                    std::uint32_t tick) {
  if (id >= row_of_.size()) row_of_.resize(std::size_t{id} + 1, kNoRow);
  std::uint32_t r = row_of_[id];
  if (r == kNoRow) {
    if (!free_.empty()) {
      r = free_.back();
      free_.pop_back();
    } else {
      r = static_cast<std::uint32_t>(generation_.size());
      id_.push_back(0);
      generation_.push_back(0);
      seen_.push_back(0);
      phases_.resize(phases_.size() + trigger_count_);
      times_.resize(times_.size() + trigger_count_);
      held_.resize(held_.size() + held_slots_);
      history_.resize(history_.size() + history_slots_);
    }
    reset(r);
    id_[r] = id;
    generation_[r] = generation;
    row_of_[id] = r;
  } else if (generation_[r] != generation) {
    reset(r);  // the id names another object now
    generation_[r] = generation;
  }
  seen_[r] = tick;
  return r;
}

void PolicyState::sweep(std::uint32_t tick) {
  for (std::uint32_t r = 0; r < generation_.size(); ++r) {
    if (seen_[r] == tick || generation_[r] == 0) continue;
    row_of_[id_[r]] = kNoRow;
    generation_[r] = 0;  // free
    free_.push_back(r);
  }
}

void PolicyState::adopt(const PolicyState& old, std::span<const int> from) {
  row_of_ = old.row_of_;
  id_ = old.id_;
  generation_ = old.generation_;
  seen_ = old.seen_;
  free_ = old.free_;
  held_ = old.held_;
  if (old.history_slots_ == history_slots_ && old.advice_column_ == advice_column_)
    history_ = old.history_;
  else
    history_.assign(generation_.size() * history_slots_, {});
  phases_.assign(generation_.size() * trigger_count_, TriggerPhase::Inactive);
  times_.assign(generation_.size() * trigger_count_, TriggerTimes{});
  for (std::uint32_t r = 0; r < generation_.size(); ++r) {
    for (std::size_t t = 0; t < trigger_count_; ++t) {
      if (from[t] >= 0) set_trigger(r, t, old.trigger(r, static_cast<std::size_t>(from[t])));
    }
  }
}

}  // namespace skippy::engine
