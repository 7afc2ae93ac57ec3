// One tick of the runtime, without I/O: given the time, the cluster view and the results of
// the planned PromQL queries, select each policy's targets, fill their inputs (joining
// vectors to targets by label, applying missing-data rules, keeping history for windows over
// Kubernetes fields), run the VM, step every trigger, and collect the proposals of firing
// triggers. Time arrives only as an argument; the same inputs give the same result.
//
// The hot path works on dense target ids (target_table.hpp): each distinct query is joined
// once per tick into a column indexed by id (join.hpp), each distinct selection is computed
// once per tick, and each policy's per-target state is a row of flat arrays
// (policy_state.hpp).
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "runtime/bytecode/program.hpp"
#include "runtime/cluster/cluster_view.hpp"
#include "runtime/engine/advisor.hpp"
#include "runtime/engine/join.hpp"
#include "runtime/engine/policy_state.hpp"
#include "runtime/engine/query_plan.hpp"
#include "runtime/engine/selection.hpp"
#include "runtime/engine/target_table.hpp"
#include "runtime/engine/trigger_state.hpp"
#include "runtime/vm/vm.hpp"

namespace skippy::engine {

struct QueryResult {
  const VectorView* vector = nullptr;  // null when the query failed
  std::string error;
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
  // A verdict's field (stdlib verdict field id) and an outcome figure (outcome field id).
  bytecode::Value (*verdict_field)(std::uint16_t field, const Verdict& verdict) = nullptr;
  bytecode::Value (*outcome_field)(std::uint16_t field, const OutcomeStats& stats) = nullptr;
  std::span<const std::string_view> action_names;  // by stdlib action id
};

// Where ai.analyze() and outcomes() get their answers; both may be absent (every verdict
// field and outcome figure is then unknown). They must outlive the engine.
struct EngineServices {
  Advisor* advisor = nullptr;
  const OutcomeSource* outcomes = nullptr;
};

// The outcomes an analyzer is shown for each action it may choose: the last day's.
inline constexpr std::int64_t kOutcomeEvidenceWindowMs = 24 * 3'600'000;

// Target keys in these records view the engine's target table: they stay valid until the
// engine's next tick.
struct TriggerEvent {
  std::size_t policy = 0;
  std::size_t trigger = 0;
  std::string_view target;
  TriggerChange change = TriggerChange::None;
  TriggerPhase phase = TriggerPhase::Inactive;
};

struct ProposalRecord {
  std::size_t policy = 0;
  std::uint16_t template_index = 0;
  bool unknown_arguments = false;
  std::string_view target;
  const Target* target_object = nullptr;  // the target in the engine's table (its objects)
  std::int64_t fired_at_ms = 0;           // the firing that made it: part of its idempotency key
  // Into TickResult::values: the action's arguments, and the policy's inputs (one per slot)
  // that led to it. Strings view the program or the cluster view.
  std::uint32_t arguments_begin = 0;
  std::uint32_t argument_count = 0;
  std::uint32_t inputs_begin = 0;
  std::uint32_t input_count = 0;
  // Into TickResult::verdicts: the analyses its handler consulted for this target.
  std::uint32_t verdicts_begin = 0;
  std::uint32_t verdict_count = 0;
};

// One ai.analyze() answer for one target: what the handler read.
struct VerdictRecord {
  std::size_t policy = 0;
  std::uint16_t site = 0;
  std::string_view target;
  Verdict verdict;
  std::uint64_t digest = 0;
  bool cached = false;   // answered from the cache (same site, same evidence)
  double seconds = 0;    // how long the analysis took
  std::string rejected;  // why the advisor's answer was replaced by "none", if it was
  std::vector<std::string_view> allowed;  // the site's allowed actions, by name
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
  std::vector<PolicyHealth> health;     // one per policy
  std::vector<bytecode::Value> values;  // the proposals' arguments and inputs
  std::deque<VerdictRecord> verdicts;   // stable: values view their strings

  std::span<const bytecode::Value> arguments(const ProposalRecord& p) const {
    return {values.data() + p.arguments_begin, p.argument_count};
  }
  std::span<const bytecode::Value> inputs(const ProposalRecord& p) const {
    return {values.data() + p.inputs_begin, p.input_count};
  }
};

class Engine {
 public:
  Engine(const bytecode::Program& program, std::span<const vm::BuiltinFn> functions,
         EngineBuiltins builtins, EngineOptions options = {}, EngineServices services = {});

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
  // are read. The result is the engine's own, reused by the next tick (which keeps its
  // storage): it stays valid until then, and so must the cluster view.
  const TickResult& tick(std::int64_t now_ms, const cluster::ClusterView& cluster,
                         std::span<const QueryResult> results, bool all = false);

  // After a reload: takes over `previous`'s state for every trigger that did not change (the
  // same policy name, trigger name and timing, and the same inputs and conditions code), so
  // a reload neither delays a due action nor forgets a firing. Returns how many triggers
  // kept their state.
  std::size_t adopt_state(const Engine& previous);
  // Resets policy `policy`'s trigger t, for every target, where keep[t] is false.
  void reset_triggers(std::size_t policy, const std::vector<bool>& keep);

  // The state of a trigger for a target (by key), if the target has been evaluated.
  std::optional<TriggerState> trigger_state(std::size_t policy, std::size_t trigger,
                                            std::string_view target) const;
  // A trigger that is not inactive for a target (pending, firing or clearing), as the last
  // tick left it; the key is a copy.
  struct ActiveTrigger {
    std::size_t policy = 0;
    std::size_t trigger = 0;
    std::string target;
    TriggerState state;
  };
  // Every trigger of every policy that is not inactive for a current target, by policy, then
  // target, then trigger: what a status page lists.
  std::vector<ActiveTrigger> active_triggers() const;

 private:
  // One distinct way of joining a query: each is joined at most once per tick.
  struct Join {
    std::int32_t query = -1;
    std::uint32_t labels = 0;  // into label_lists_
    bytecode::Aggregation aggregation = bytecode::Aggregation::None;
  };

  void evaluate_policy(std::size_t index, std::int64_t now_ms, const cluster::ClusterView& cluster,
                       std::span<const QueryResult> results, TickResult& out);
  const std::vector<std::uint32_t>& selection(std::size_t policy);
  const JoinedColumn& column(std::size_t join, const VectorView& vector);
  // Answers site `site` of policy `index` for target `t` (row `row`), records the verdict in
  // `out` and sets the site's verdict slots in inputs_.
  void advise(std::size_t index, std::uint16_t site, const Target& t, std::uint32_t row,
              std::int64_t now_ms, const cluster::ClusterView& cluster, TickResult& out);
  std::string workload_key(const Target& t) const;

  const bytecode::Program& program_;
  vm::Vm vm_;
  std::vector<vm::PreparedPolicy> prepared_;
  EngineBuiltins builtins_;
  EngineOptions options_;
  EngineServices services_;
  QueryPlan plan_;
  TargetTable targets_;
  std::vector<PolicyState> state_;  // per policy
  std::uint64_t tick_count_ = 0;
  TickResult result_;

  // Selections: policies with the same `select` share one list of targets per tick.
  std::vector<std::uint32_t> selection_group_;        // per policy
  std::vector<std::vector<std::uint32_t>> selected_;  // per group: indexes into the targets
  std::vector<std::uint64_t> selected_tick_;          // per group: when computed

  // Joins: slot_join_[policy][slot] is the slot's join, or -1 for slots not read from PromQL.
  std::vector<std::vector<std::string>> label_lists_;
  std::vector<JoinIndex> indexes_;  // per label list, rebuilt when the targets change
  std::vector<std::uint64_t> index_version_;
  std::vector<Join> joins_;
  std::vector<JoinedColumn> columns_;  // per join
  std::vector<std::uint64_t> column_tick_;
  std::vector<std::vector<std::int32_t>> slot_join_;

  // How a slot is read for every target in one evaluation of its policy.
  struct SlotRead {
    enum Source : std::uint8_t { Column, FieldHistory, Field, Events, Advice, Outcome };
    Source source = Advice;
    bytecode::MissingKind missing = bytecode::MissingKind::Unknown;
    std::int64_t hold_ms = 0;
    const JoinedColumn* column = nullptr;  // null when the query failed
  };

  // Scratch space for one policy's evaluation, kept to avoid allocating every tick.
  std::vector<bytecode::Value> inputs_;
  std::vector<SlotRead> reads_;
  std::vector<bytecode::Truth> conditions_, clears_;
  std::vector<std::size_t> inactive_;   // per trigger: targets that stayed inactive
  std::vector<std::int64_t> fired_at_;  // per trigger: of the target being evaluated
  std::vector<HistorySample> samples_;
  vm::ProposalBuffer buffer_;

  // ai.analyze(): per policy and handler, its sites; per policy and site, its verdict slots;
  // per policy and slot, how much history the sites that show it keep.
  std::vector<std::vector<std::vector<std::uint16_t>>> handler_sites_;
  std::vector<std::vector<std::vector<std::uint16_t>>> site_slots_;
  std::vector<std::vector<std::int64_t>> advice_keep_ms_;
  std::deque<std::vector<HistorySample>> series_;             // scratch: the question's series
  std::unordered_map<std::uint64_t, Verdict> verdict_cache_;  // by (policy, site, digest)
  double analysis_seconds_ = 0;                               // spent asking the advisor this tick
};

}  // namespace skippy::engine
