#include "runtime/engine/tick.hpp"

#include <algorithm>
#include <numeric>

namespace skippy::engine {

using bytecode::InputKind;
using bytecode::Value;

namespace {

constexpr std::uint64_t kNoVersion = ~std::uint64_t{0};

template <class T>
std::uint32_t index_of(std::vector<T>& items, const T& item) {
  auto it = std::find(items.begin(), items.end(), item);
  if (it == items.end()) it = items.insert(items.end(), item);
  return static_cast<std::uint32_t>(it - items.begin());
}

}  // namespace

Engine::Engine(const bytecode::Program& program, std::span<const vm::BuiltinFn> functions,
               EngineBuiltins builtins, EngineOptions options, EngineServices services)
    : program_(program),
      vm_(functions),
      prepared_(vm::prepare(program)),
      builtins_(std::move(builtins)),
      options_(std::move(options)),
      services_(services),
      plan_(plan_queries(program, builtins_.window_promql)),
      selection_group_(selection_groups(program)) {
  std::uint32_t groups = 0;
  for (auto g : selection_group_) groups = std::max(groups, g + 1);
  selected_.resize(groups);
  selected_tick_.assign(groups, 0);
  for (std::size_t p = 0; p < program.policies.size(); ++p) {
    const auto& policy = program.policies[p];
    state_.emplace_back(policy, plan_.slot_query[p]);
    auto& slots = slot_join_.emplace_back(policy.inputs.size(), -1);
    for (std::size_t i = 0; i < policy.inputs.size(); ++i) {
      auto q = plan_.slot_query[p][i];
      if (q < 0) continue;
      const auto& source = source_slot(policy, i);
      Join join;
      join.query = q;
      join.labels = index_of(label_lists_, join_labels(program, policy, source));
      join.aggregation = source.aggregation;
      auto it = std::find_if(joins_.begin(), joins_.end(), [&](const Join& j) {
        return j.query == join.query && j.labels == join.labels &&
               j.aggregation == join.aggregation;
      });
      if (it == joins_.end()) it = joins_.insert(joins_.end(), join);
      slots[i] = static_cast<std::int32_t>(it - joins_.begin());
    }
  }
  for (const auto& policy : program.policies) {
    auto& sites = handler_sites_.emplace_back(policy.handlers.size());
    auto& slots = site_slots_.emplace_back(policy.advice.size());
    auto& keep = advice_keep_ms_.emplace_back(policy.inputs.size(), 0);
    for (std::size_t r = 0; r < policy.advice.size(); ++r) {
      const auto& request = policy.advice[r];
      if (request.handler < sites.size())
        sites[request.handler].push_back(static_cast<std::uint16_t>(r));
      for (auto s : request.signal_slots) {
        if (s < keep.size()) keep[s] = std::max(keep[s], request.history_ms);
      }
    }
    for (std::size_t i = 0; i < policy.inputs.size(); ++i) {
      const auto& s = policy.inputs[i];
      if (s.kind == InputKind::Advice && s.source < slots.size())
        slots[s.source].push_back(static_cast<std::uint16_t>(i));
    }
  }
  indexes_.resize(label_lists_.size());
  index_version_.assign(label_lists_.size(), kNoVersion);
  columns_.resize(joins_.size());
  column_tick_.assign(joins_.size(), 0);
}

bool Engine::due(std::size_t policy, std::int64_t now_ms) const {
  auto interval = program_.policies[policy].interval_ms;
  return interval <= 0 || now_ms % interval == 0;
}

std::vector<std::size_t> Engine::due_queries(std::int64_t now_ms, bool all) const {
  std::vector<bool> needed(plan_.queries.size(), false);
  for (std::size_t p = 0; p < program_.policies.size(); ++p) {
    if (!all && !due(p, now_ms)) continue;
    for (auto q : plan_.slot_query[p]) {
      if (q >= 0) needed[static_cast<std::size_t>(q)] = true;
    }
  }
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < needed.size(); ++i) {
    if (needed[i]) out.push_back(i);
  }
  return out;
}

std::int64_t Engine::step_ms() const {
  std::int64_t step = 0;
  for (const auto& p : program_.policies) step = std::gcd(step, p.interval_ms);
  return step > 0 ? step : 30'000;
}

const TickResult& Engine::tick(std::int64_t now_ms, const cluster::ClusterView& cluster,
                               std::span<const QueryResult> results, bool all) {
  ++tick_count_;
  targets_.refresh(cluster);
  TickResult& out = result_;  // cleared, keeping its storage
  out.time_ms = now_ms;
  out.changes.clear();
  out.proposals.clear();
  out.values.clear();
  out.verdicts.clear();
  analysis_seconds_ = 0;
  out.health.resize(program_.policies.size());
  for (auto& h : out.health) {
    h.evaluated = false;
    h.healthy = true;
    h.last_error.clear();
    h.targets = 0;
    h.phases.clear();
  }
  for (std::size_t p = 0; p < program_.policies.size(); ++p) {
    if (!all && !due(p, now_ms)) continue;
    out.health[p].evaluated = true;
    evaluate_policy(p, now_ms, cluster, results, out);
  }
  return out;
}

const std::vector<std::uint32_t>& Engine::selection(std::size_t policy) {
  auto group = selection_group_[policy];
  auto& selected = selected_[group];
  if (selected_tick_[group] != tick_count_) {
    selected.clear();
    auto all = targets_.targets();
    for (std::uint32_t i = 0; i < all.size(); ++i) {
      if (selects(program_, program_.policies[policy], all[i], options_)) selected.push_back(i);
    }
    selected_tick_[group] = tick_count_;
  }
  return selected;
}

const JoinedColumn& Engine::column(std::size_t join, const VectorView& vector) {
  if (column_tick_[join] != tick_count_) {
    auto list = joins_[join].labels;
    if (index_version_[list] != targets_.version()) {
      indexes_[list].build(targets_.targets(), label_lists_[list]);
      index_version_[list] = targets_.version();
    }
    columns_[join].join(vector, indexes_[list], joins_[join].aggregation, targets_.id_count());
    column_tick_[join] = tick_count_;
  }
  return columns_[join];
}

void Engine::evaluate_policy(std::size_t index, std::int64_t now_ms,
                             const cluster::ClusterView& cluster,
                             std::span<const QueryResult> results, TickResult& out) {
  const bytecode::Policy& policy = program_.policies[index];
  const vm::PreparedPolicy& prepared = prepared_[index];
  PolicyHealth& health = out.health[index];
  const std::size_t slots = policy.inputs.size();
  const std::size_t triggers = policy.triggers.size();
  health.phases.assign(triggers, {});

  // How each slot is read this tick. A failed query leaves its slot without a column, and its
  // missing-data rule decides for every target.
  reads_.assign(slots, SlotRead{});
  for (std::size_t i = 0; i < slots; ++i) {
    SlotRead& read = reads_[i];
    const auto& s = policy.inputs[i];
    auto join = slot_join_[index][i];
    switch (s.kind) {
      case InputKind::Promql:
      case InputKind::Window:
        read.source = join < 0 ? SlotRead::FieldHistory : SlotRead::Column;
        break;
      case InputKind::Field:
        read.source = SlotRead::Field;
        break;
      case InputKind::Events:
        read.source = SlotRead::Events;
        break;
      case InputKind::Advice:
        read.source = SlotRead::Advice;
        break;
      case InputKind::Outcome:
        read.source = SlotRead::Outcome;
        break;
    }
    if (join < 0) continue;
    const auto& rule = source_slot(policy, i);
    read.missing = rule.missing;
    read.hold_ms = rule.hold_ms;
    auto q = static_cast<std::size_t>(joins_[static_cast<std::size_t>(join)].query);
    const QueryResult& r = results[q];
    if (!r.vector) {
      health.healthy = false;
      health.last_error = "query `" + plan_.queries[q] + "` failed: " + r.error;
      continue;
    }
    read.column = &column(static_cast<std::size_t>(join), *r.vector);
  }

  const auto& selected = selection(index);
  health.targets = selected.size();
  PolicyState& state = state_[index];
  const auto all = targets_.targets();
  const auto tick = static_cast<std::uint32_t>(tick_count_);
  inputs_.resize(slots);
  conditions_.resize(triggers);
  clears_.resize(triggers);

  // Local views of the scratch space: the stores below cannot then make the compiler reload
  // them.
  Value* const inputs = inputs_.data();
  const SlotRead* const reads = reads_.data();
  const bytecode::Truth* const conditions = conditions_.data();
  inactive_.assign(triggers, 0);
  std::size_t* const inactive = inactive_.data();
  fired_at_.resize(triggers);
  std::int64_t* const fired_at = fired_at_.data();  // per trigger, for the handlers
  for (std::size_t k = 0; k < selected.size(); ++k) {
    const Target& t = all[selected[k]];
    const std::uint32_t row = state.row(t.id, targets_.generation(t.id), tick);
    auto phases = state.phases(row);

    for (std::size_t i = 0; i < slots; ++i) {
      const SlotRead& read = reads[i];
      Value v = Value::unknown();
      switch (read.source) {
        case SlotRead::Column:
          if (read.column && read.column->present(t.id)) {
            double found = read.column->value(t.id);
            if (read.missing == bytecode::MissingKind::Hold)
              state.held(row, i) = HeldValue{found, now_ms};
            v = Value::of_number(found);
          } else if (read.missing == bytecode::MissingKind::Zero && read.column) {
            // Zero stands for a series that is absent, never for a query that failed: an
            // outage read as zeros would fire (or resolve) triggers on data nobody saw.
            v = Value::of_number(0);
          } else if (read.missing == bytecode::MissingKind::Hold) {
            const HeldValue& held = state.held(row, i);
            if (held.seen_ms != kNever && now_ms - held.seen_ms <= read.hold_ms)
              v = Value::of_number(held.value);
          }
          break;
        case SlotRead::FieldHistory: {
          // A window over a Kubernetes field: the runtime keeps its history.
          const auto& s = policy.inputs[i];
          auto& h = state.history(row, i);
          const Value& source = inputs[s.source];
          if (source.tag == bytecode::ValueTag::Number) h.push_back({now_ms, source.number});
          while (!h.empty() && h.front().time_ms < now_ms - s.window_ms - 1) h.pop_front();
          samples_.assign(h.begin(), h.end());
          if (builtins_.window_of_history) {
            v = builtins_.window_of_history(s.id, samples_, s.window_ms, s.parameter, now_ms);
          }
          break;
        }
        case SlotRead::Field:
          if (builtins_.read_field)
            v = builtins_.read_field(policy.inputs[i].id, t.pod, t.workload, now_ms);
          break;
        case SlotRead::Events: {
          const auto& s = policy.inputs[i];
          auto n = cluster.count_events(
              t.namespace_name, kind_name(t.kind), t.name,
              s.reason == bytecode::kNoString ? "" : program_.string(s.reason),
              s.event_type == bytecode::kNoString ? "" : program_.string(s.event_type),
              now_ms - s.window_ms, now_ms);
          v = Value::of_number(static_cast<double>(n));
          break;
        }
        case SlotRead::Advice:
          // Answered only when a handler that calls ai.analyze() runs (advise()).
          v = Value::unknown(bytecode::UnknownReason::NotApplicable);
          break;
        case SlotRead::Outcome: {
          const auto& s = policy.inputs[i];
          if (services_.outcomes && builtins_.outcome_field &&
              s.source < builtins_.action_names.size()) {
            auto stats = services_.outcomes->outcomes(program_.string(policy.name),
                                                      builtins_.action_names[s.source],
                                                      workload_key(t), s.window_ms, now_ms);
            v = builtins_.outcome_field(s.id, stats);
          }
          break;
        }
      }
      inputs[i] = v;
      if (auto* h = state.advice_history(row, i)) {
        // What an analyzer will be shown: this target's own samples, kept for the longest
        // history a site asks for.
        if (v.tag == bytecode::ValueTag::Number) h->push_back({now_ms, v.number});
        const auto keep = advice_keep_ms_[index][i];
        while (!h->empty() && h->front().time_ms < now_ms - keep) h->pop_front();
      }
    }

    vm_.conditions(prepared, inputs_, conditions_, clears_);
    bool any_firing = false;
    for (std::size_t tr = 0; tr < triggers; ++tr) {
      if (phases[tr] == TriggerPhase::Inactive && conditions[tr] != bytecode::Truth::True) {
        ++inactive[tr];  // stays inactive: nothing else to read or write
        continue;
      }
      TriggerState s = state.trigger(row, tr);
      auto change = step_trigger(s, policy.triggers[tr], conditions[tr], clears_[tr], now_ms);
      state.set_trigger(row, tr, s);
      ++health.phases[tr][static_cast<std::size_t>(s.phase)];
      any_firing |= is_firing(s);
      fired_at[tr] = s.fired_at_ms;
      if (change != TriggerChange::None) {
        out.changes.push_back(TriggerEvent{index, tr, t.key, change, s.phase});
      }
    }
    if (!any_firing) continue;  // no handler to run

    // The inputs are recorded once per target, however many proposals they led to.
    std::uint32_t inputs_begin = 0;
    bool inputs_recorded = false;
    for (std::size_t h = 0; h < policy.handlers.size(); ++h) {
      const auto trigger = policy.handlers[h].trigger;
      if (phases[trigger] != TriggerPhase::Firing && phases[trigger] != TriggerPhase::Clearing)
        continue;
      const auto verdicts_begin = static_cast<std::uint32_t>(out.verdicts.size());
      for (auto site : handler_sites_[index][h]) {
        advise(index, site, t, row, now_ms, cluster, out);
        inputs_recorded = false;  // the verdict's slots changed: record the inputs again
      }
      buffer_.clear();
      vm_.handler(prepared, h, inputs_, buffer_);
      for (const auto& p : buffer_.proposals()) {
        if (!inputs_recorded) {
          inputs_begin = static_cast<std::uint32_t>(out.values.size());
          out.values.insert(out.values.end(), inputs_.begin(), inputs_.end());
          inputs_recorded = true;
        }
        ProposalRecord r;
        r.policy = index;
        r.template_index = p.template_index;
        r.unknown_arguments = p.unknown_arguments;
        r.target = t.key;
        r.target_object = &t;
        r.fired_at_ms = fired_at[trigger];
        r.arguments_begin = static_cast<std::uint32_t>(out.values.size());
        r.argument_count = p.argument_count;
        r.inputs_begin = inputs_begin;
        r.input_count = static_cast<std::uint32_t>(slots);
        r.verdicts_begin = verdicts_begin;
        r.verdict_count = static_cast<std::uint32_t>(out.verdicts.size()) - verdicts_begin;
        out.values.insert(out.values.end(), p.arguments, p.arguments + p.argument_count);
        out.proposals.push_back(r);
      }
    }
  }
  // Targets that left the cluster (or the selection) take their state with them.
  for (std::size_t tr = 0; tr < triggers; ++tr) health.phases[tr][0] += inactive[tr];
  state.sweep(tick);
}

std::optional<TriggerState> Engine::trigger_state(std::size_t policy, std::size_t trigger,
                                                  std::string_view target) const {
  if (policy >= state_.size() || trigger >= program_.policies[policy].triggers.size()) return {};
  auto id = targets_.find(target);
  if (!id) return {};
  auto row = state_[policy].find(*id);
  if (!row) return {};
  return state_[policy].trigger(*row, trigger);
}

std::vector<Engine::ActiveTrigger> Engine::active_triggers() const {
  std::vector<ActiveTrigger> out;
  for (std::size_t p = 0; p < state_.size() && p < program_.policies.size(); ++p) {
    std::size_t triggers = program_.policies[p].triggers.size();
    for (const Target& target : targets_.targets()) {
      auto row = state_[p].find(target.id);
      if (!row) continue;
      for (std::size_t t = 0; t < triggers; ++t) {
        TriggerState s = state_[p].trigger(*row, t);
        if (s.phase != TriggerPhase::Inactive) out.push_back({p, t, std::string(target.key), s});
      }
    }
  }
  return out;
}

}  // namespace skippy::engine
