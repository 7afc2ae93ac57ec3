// Joining a query's vector to targets by labels. Each distinct (query, labels, aggregation)
// is joined once per tick, whatever the number of policies that read it, into a column: one
// value per target id. Series with the same join key are combined by the aggregation.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "runtime/bytecode/program.hpp"
#include "runtime/engine/target_table.hpp"

namespace skippy::engine {

// A query's vector as the engine reads it; the Prometheus client's results implement it.
class VectorView {
 public:
  virtual ~VectorView() = default;
  virtual std::size_t size() const = 0;
  virtual std::string_view label(std::size_t series,
                                 std::string_view name) const = 0;  // "" if absent
  virtual double value(std::size_t series) const = 0;
};

// The PromQL slot whose labels, aggregation and missing-data rule a slot joins by: the slot
// itself, or a window's source.
const bytecode::InputSlot& source_slot(const bytecode::Policy& policy, std::size_t slot);

// The labels a PromQL slot joins on: its `by`, or the target kind's natural ones (namespace
// and pod; namespace and deployment, statefulset, ... as kube-state-metrics names them).
std::vector<std::string> join_labels(const bytecode::Program& program,
                                     const bytecode::Policy& policy,
                                     const bytecode::InputSlot& slot);

// The join key of a target for these labels, into `key`; false when the target has no value
// for one of them (it cannot be joined). A target supplies namespace, pod, node, and its
// workload's name under the workload kind's label.
bool target_join_key(const Target& target, std::span<const std::string> labels, std::string& key);

// Targets by join key, for one list of labels, built once per tick.
class JoinIndex {
 public:
  void build(std::span<const Target> targets, std::span<const std::string> labels);
  // Changes with every build.
  std::uint64_t builds() const { return builds_; }

 private:
  friend class JoinedColumn;
  struct KeyHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  static constexpr std::uint32_t kEnd = ~0u;
  std::vector<std::string> labels_;
  std::unordered_map<std::string, std::uint32_t, KeyHash, std::equal_to<>> keys_;  // key -> k
  std::vector<std::uint32_t> first_;  // by k: first entry of its chain
  std::vector<std::uint32_t> ids_;    // entries: target ids
  std::vector<std::uint32_t> next_;   // entries: the next entry with the same key
  std::uint64_t builds_ = 0;
};

// One joined signal for one tick: a value per target id, and whether the target had a series.
class JoinedColumn {
 public:
  void join(const VectorView& vector, const JoinIndex& index, bytecode::Aggregation aggregation,
            std::size_t id_count);
  bool present(std::uint32_t id) const { return present_[id] != 0; }
  double value(std::uint32_t id) const { return values_[id]; }

 private:
  struct Accumulator {
    double value = 0;
    double count = 0;  // samples that were not NaN
    bool seen = false;
  };
  static constexpr std::uint32_t kNoKey = ~0u;
  // The key index of the series at each position, as the previous join found it: a query's
  // series usually come back in the same order, and comparing a series' key with the one at
  // its position costs less than hashing it.
  std::uint32_t find_key(std::size_t series, const JoinIndex& index);

  std::vector<Accumulator> acc_;
  std::vector<double> values_;
  std::vector<std::uint8_t> present_;
  std::string key_;
  std::vector<std::string> last_keys_;  // by position
  std::vector<std::uint32_t> last_k_;   // by position
  const JoinIndex* last_index_ = nullptr;
  std::uint64_t last_builds_ = 0;
};

}  // namespace skippy::engine
