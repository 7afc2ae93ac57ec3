// One tick of the runtime, without I/O: given the time, the cluster view and the results of
// the planned PromQL queries, select each policy's targets, fill their inputs (joining
// vectors to targets by label, applying missing-data rules, keeping history for windows over
// Kubernetes fields), run the VM, step every trigger, and collect the proposals of firing
// triggers. Time arrives only as an argument; the same inputs give the same result.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "runtime/bytecode/program.hpp"
#include "runtime/cluster/cluster_view.hpp"
#include "runtime/engine/query_plan.hpp"
#include "runtime/engine/trigger_state.hpp"
#include "runtime/vm/vm.hpp"

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

struct QueryResult {
  const VectorView* vector = nullptr;  // null when the query failed
  std::string error;
};

struct HistorySample {
  std::int64_t time_ms;
  double value;
};

// What the stdlib supplies to the engine: field readers and windows over field history.
struct EngineBuiltins {
  WindowPromql window_promql;
  bytecode::Value (*read_field)(std::uint16_t field, const cluster::Pod* pod,
                                const cluster::Workload* workload, std::int64_t now_ms) = nullptr;
  bytecode::Value (*window_of_history)(std::uint16_t function,
                                       std::span<const HistorySample> samples,
                                       std::int64_t window_ms, double parameter,
                                       std::int64_t now_ms) = nullptr;
};

struct EngineOptions {
  std::string default_namespace = "default";  // for policies that name no namespace
};

struct Target {
  bytecode::TargetKind kind = bytecode::TargetKind::Pods;
  const cluster::Pod* pod = nullptr;
  const cluster::Workload* workload = nullptr;  // the target itself, or a pod's workload
  std::string key;                              // "ns/name" or "Kind/ns/name"
  std::string_view namespace_name;
  std::string_view name;
};

struct TriggerEvent {
  std::size_t policy = 0;
  std::size_t trigger = 0;
  std::string target;
  TriggerChange change = TriggerChange::None;
  TriggerPhase phase = TriggerPhase::Inactive;
};

struct ProposalRecord {
  std::size_t policy = 0;
  std::uint16_t template_index = 0;
  std::string target;
  std::vector<bytecode::Value> arguments;  // strings view the program or the cluster view
  bool unknown_arguments = false;
  std::int64_t fired_at_ms = 0;  // the firing that made it: part of its idempotency key
  std::vector<std::pair<std::uint16_t, bytecode::Value>> inputs;  // the values that led to it
};

struct PolicyHealth {
  bool evaluated = false;  // due at this tick
  bool healthy = true;
  std::string last_error;
  std::size_t targets = 0;
  // phases[trigger][phase]: how many targets are in each state after this tick.
  std::vector<std::array<std::size_t, 4>> phases;
};

struct TickResult {
  std::int64_t time_ms = 0;
  std::vector<TriggerEvent> changes;
  std::vector<ProposalRecord> proposals;
  std::vector<PolicyHealth> health;  // one per policy
};

// Does `labels` satisfy the selection's label requirements?
bool labels_match(const bytecode::Program& program, const bytecode::Selection& selection,
                  const cluster::Labels& labels);

// The policy's targets in the cluster view, in the view's order.
std::vector<Target> select_targets(const bytecode::Program& program, const bytecode::Policy& policy,
                                   const cluster::ClusterView& view, const EngineOptions& options);

class Engine {
 public:
  Engine(const bytecode::Program& program, std::span<const vm::BuiltinFn> functions,
         EngineBuiltins builtins, EngineOptions options = {});

  const QueryPlan& plan() const { return plan_; }

  // Policy p is due at `now_ms` when now is a multiple of its interval (ticks are aligned,
  // as Prometheus aligns rule groups). A tick evaluates only due policies.
  bool due(std::size_t policy, std::int64_t now_ms) const;
  // The queries the policies due at `now_ms` read (indexes into plan().queries); with
  // `all`, every policy counts as due.
  std::vector<std::size_t> due_queries(std::int64_t now_ms, bool all = false) const;
  // The tick step: the greatest common divisor of the policies' intervals.
  std::int64_t step_ms() const;

  // `results` holds one result per plan().queries, in order; only the due policies' queries
  // are read.
  TickResult tick(std::int64_t now_ms, const cluster::ClusterView& cluster,
                  std::span<const QueryResult> results, bool all = false);

  // After a reload: takes over `previous`'s state for every trigger that did not change (the
  // same policy name, trigger name and timing, and the same inputs and conditions code), so
  // a reload neither delays a due action nor forgets a firing. Returns how many triggers
  // kept their state.
  std::size_t adopt_state(const Engine& previous);

  const TriggerState* trigger_state(std::size_t policy, std::size_t trigger,
                                    std::string_view target) const;

 private:
  struct Held {
    double value = 0;
    std::int64_t seen_ms = kNever;
  };
  struct TargetState {
    std::vector<TriggerState> triggers;
    std::vector<Held> held;                          // per input slot (PromQL)
    std::vector<std::deque<HistorySample>> history;  // per input slot (windows over fields)
    std::uint64_t seen_tick = 0;
  };
  using JoinTable = std::unordered_map<std::string, double>;

  void evaluate_policy(std::size_t index, std::int64_t now_ms, const cluster::ClusterView& cluster,
                       std::span<const QueryResult> results, TickResult& out);
  JoinTable join(std::size_t policy, std::size_t slot, const VectorView& vector) const;
  // The join key of target t for a slot, into `key`; false when the target cannot be joined.
  bool target_key(std::size_t policy, std::size_t slot, const Target& t, std::string& key) const;

  const bytecode::Program& program_;
  vm::Vm vm_;
  std::vector<vm::PreparedPolicy> prepared_;
  EngineBuiltins builtins_;
  EngineOptions options_;
  QueryPlan plan_;
  std::vector<std::unordered_map<std::string, TargetState>> state_;  // per policy, by target key
  // join_labels_[policy][slot]: the labels a PromQL-backed slot joins on, computed once.
  std::vector<std::vector<std::vector<std::string>>> join_labels_;
  // One tick's joined vectors, shared by policies that join a query the same way.
  std::unordered_map<std::string, std::shared_ptr<const JoinTable>> join_cache_;
  std::uint64_t tick_count_ = 0;
};

}  // namespace skippy::engine
