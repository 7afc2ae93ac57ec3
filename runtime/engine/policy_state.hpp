// What one policy remembers about its targets between ticks, in flat arrays: a row per
// target holds its triggers' states, the last value of each signal with `on missing hold`,
// and the history of windows over Kubernetes fields. Rows are found by target id, made when
// a target is first selected and dropped when it is no longer selected.
//
// A tick reads every row of every policy, so the layout keeps what it touches small: a
// trigger's phase is one byte, and its timestamps (all unset while it is inactive) are read
// only when its phase or its condition says something may change.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <vector>

#include "runtime/bytecode/program.hpp"
#include "runtime/engine/trigger_state.hpp"

namespace skippy::engine {

struct HistorySample {
  std::int64_t time_ms;
  double value;
};

struct HeldValue {
  double value = 0;
  std::int64_t seen_ms = kNever;
};

class PolicyState {
 public:
  PolicyState() = default;
  // `slot_query` is the policy's row of the query plan (-1 for slots not read from PromQL).
  PolicyState(const bytecode::Policy& policy, std::span<const std::int32_t> slot_query);

  // The row of target `id`, whose object has this generation (never 0): made afresh when the
  // target is new or the id now names another object. Marks it seen at `tick`.
  std::uint32_t row(std::uint32_t id, std::uint32_t generation, std::uint32_t tick) {
    if (id < row_of_.size()) {
      std::uint32_t r = row_of_[id];
      if (r != kNoRow && generation_[r] == generation) {
        seen_[r] = tick;
        return r;
      }
    }
    return make_row(id, generation, tick);
  }
  // The row of target `id` if it has one.
  std::optional<std::uint32_t> find(std::uint32_t id) const;
  // Drops the rows not seen at `tick`: their targets left the cluster or the selection.
  void sweep(std::uint32_t tick);

  // The phases of the row's triggers.
  std::span<TriggerPhase> phases(std::uint32_t row) {
    return {phases_.data() + std::size_t{row} * trigger_count_, trigger_count_};
  }
  TriggerState trigger(std::uint32_t row, std::size_t t) const;
  void set_trigger(std::uint32_t row, std::size_t t, const TriggerState& s);

  // The held value of a slot with `on missing hold`.
  HeldValue& held(std::uint32_t row, std::size_t slot) {
    return held_[std::size_t{row} * held_slots_ + column_[slot]];
  }
  // The history of a window over a Kubernetes field.
  std::deque<HistorySample>& history(std::uint32_t row, std::size_t slot) {
    return history_[std::size_t{row} * history_slots_ + column_[slot]];
  }

  // The history of a signal an ai.analyze() call shows; null for other slots.
  std::deque<HistorySample>* advice_history(std::uint32_t row, std::size_t slot) {
    if (slot >= advice_column_.size() || advice_column_[slot] == kNoColumn) return nullptr;
    return &history_[std::size_t{row} * history_slots_ + advice_column_[slot]];
  }
  bool advised(std::size_t slot) const {
    return slot < advice_column_.size() && advice_column_[slot] != kNoColumn;
  }

  // Takes over `old`'s rows (its policy had the same inputs): held values and histories,
  // and for each trigger t with from[t] >= 0, the state of old trigger from[t].
  void adopt(const PolicyState& old, std::span<const int> from);

  // How many targets have a row.
  std::size_t rows() const { return generation_.size() - free_.size(); }

 private:
  struct TriggerTimes {
    std::int64_t active_since_ms = kNever;
    std::int64_t fired_at_ms = kNever;
    std::int64_t clear_since_ms = kNever;
    std::int64_t keep_firing_since_ms = kNever;
  };
  static constexpr std::uint32_t kNoRow = ~0u;
  void reset(std::uint32_t row);
  std::uint32_t make_row(std::uint32_t id, std::uint32_t generation, std::uint32_t tick);

  std::size_t trigger_count_ = 0;
  std::size_t held_slots_ = 0;       // slots with `on missing hold`
  std::size_t history_slots_ = 0;    // windows over fields, and signals shown to an analyzer
  std::vector<std::size_t> column_;  // by slot: its column among the held or history slots
  static constexpr std::size_t kNoColumn = ~std::size_t{0};
  std::vector<std::size_t> advice_column_;  // by slot: its analyzer history column, or none

  std::vector<std::uint32_t> row_of_;  // by target id
  // By row: its target, the target's generation (0: the row is free), the tick that saw it.
  std::vector<std::uint32_t> id_, generation_, seen_;
  std::vector<std::uint32_t> free_;
  std::vector<TriggerPhase> phases_;  // by row and trigger
  std::vector<TriggerTimes> times_;   // by row and trigger
  std::vector<HeldValue> held_;
  std::vector<std::deque<HistorySample>> history_;
};

}  // namespace skippy::engine
