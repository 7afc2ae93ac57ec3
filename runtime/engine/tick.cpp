#include "runtime/engine/tick.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>

namespace skippy::engine {
namespace {

using bytecode::InputKind;
using bytecode::Value;

constexpr std::array<std::string_view, 3> kSystemNamespaces = {"kube-system", "kube-public",
                                                               "kube-node-lease"};

std::string_view workload_kind_name(bytecode::TargetKind kind) {
  switch (kind) {
    case bytecode::TargetKind::Deployments:
      return "Deployment";
    case bytecode::TargetKind::StatefulSets:
      return "StatefulSet";
    case bytecode::TargetKind::DaemonSets:
      return "DaemonSet";
    case bytecode::TargetKind::ReplicaSets:
      return "ReplicaSet";
    case bytecode::TargetKind::Pods:
      return "Pod";
  }
  return "";
}

// The label kube-state-metrics uses for a workload kind: deployment, statefulset, ...
std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool in_namespaces(const bytecode::Program& program, const bytecode::Policy& policy,
                   std::string_view ns, const EngineOptions& options) {
  const auto& s = policy.selection;
  if (s.all_namespaces) {
    bool system = std::find(kSystemNamespaces.begin(), kSystemNamespaces.end(), ns) !=
                  kSystemNamespaces.end();
    return !system || policy.safety.allow_system_namespaces;
  }
  if (s.namespaces.empty()) return ns == options.default_namespace;
  for (auto id : s.namespaces) {
    if (program.string(id) == ns) return true;
  }
  return false;
}

bool excluded(const bytecode::Program& program, const bytecode::Policy& policy,
              std::string_view name) {
  for (auto id : policy.selection.excluded_names) {
    if (program.string(id) == name) return true;
  }
  return false;
}

}  // namespace

bool labels_match(const bytecode::Program& program, const bytecode::Selection& selection,
                  const cluster::Labels& labels) {
  for (const auto& r : selection.labels) {
    auto it = labels.find(program.string(r.key));
    bool has = it != labels.end();
    auto value_in = [&] {
      if (!has) return false;
      for (auto v : r.values) {
        if (program.string(v) == it->second) return true;
      }
      return false;
    };
    bool ok = true;
    switch (r.op) {
      case bytecode::LabelOp::Equals:
      case bytecode::LabelOp::In:
        ok = value_in();
        break;
      case bytecode::LabelOp::NotEquals:
      case bytecode::LabelOp::NotIn:
        ok = !value_in();
        break;  // as Kubernetes: absent matches
      case bytecode::LabelOp::Exists:
        ok = has;
        break;
      case bytecode::LabelOp::NotExists:
        ok = !has;
        break;
    }
    if (!ok) return false;
  }
  return true;
}

std::vector<Target> select_targets(const bytecode::Program& program, const bytecode::Policy& policy,
                                   const cluster::ClusterView& view, const EngineOptions& options) {
  std::vector<Target> out;
  const auto kind = policy.selection.kind;
  if (kind == bytecode::TargetKind::Pods) {
    for (const auto& pod : view.pods()) {
      const auto& m = pod.meta;
      if (!in_namespaces(program, policy, m.namespace_name, options) ||
          excluded(program, policy, m.name) || !labels_match(program, policy.selection, m.labels)) {
        continue;
      }
      Target t;
      t.kind = kind;
      t.pod = &pod;
      t.workload = pod.workload_kind.empty()
                       ? nullptr
                       : view.find_workload(pod.workload_kind, m.namespace_name, pod.workload_name);
      t.key = m.namespace_name + "/" + m.name;
      t.namespace_name = m.namespace_name;
      t.name = m.name;
      out.push_back(std::move(t));
    }
    return out;
  }
  std::string_view wanted = workload_kind_name(kind);
  for (const auto& w : view.workloads()) {
    const auto& m = w.meta;
    if (w.kind != wanted || !in_namespaces(program, policy, m.namespace_name, options) ||
        excluded(program, policy, m.name) || !labels_match(program, policy.selection, m.labels)) {
      continue;
    }
    Target t;
    t.kind = kind;
    t.workload = &w;
    t.key = w.kind + "/" + m.namespace_name + "/" + m.name;
    t.namespace_name = m.namespace_name;
    t.name = m.name;
    out.push_back(std::move(t));
  }
  return out;
}

static std::vector<std::string> join_labels(const bytecode::Program& program,
                                            const bytecode::Policy& policy,
                                            const bytecode::InputSlot& slot);
static const bytecode::InputSlot& join_slot(const bytecode::Policy& policy, std::size_t slot);

Engine::Engine(const bytecode::Program& program, std::span<const vm::BuiltinFn> functions,
               EngineBuiltins builtins, EngineOptions options)
    : program_(program),
      vm_(functions),
      prepared_(vm::prepare(program)),
      builtins_(std::move(builtins)),
      options_(std::move(options)),
      plan_(plan_queries(program, builtins_.window_promql)),
      state_(program.policies.size()) {
  for (const auto& policy : program.policies) {
    auto& slots = join_labels_.emplace_back();
    for (std::size_t i = 0; i < policy.inputs.size(); ++i) {
      slots.push_back(join_labels(program, policy, join_slot(policy, i)));
    }
  }
}

// The labels a PromQL slot joins on: its `by`, or the target kind's natural ones.
static std::vector<std::string> join_labels(const bytecode::Program& program,
                                            const bytecode::Policy& policy,
                                            const bytecode::InputSlot& slot) {
  std::vector<std::string> out;
  for (auto id : slot.by_labels) out.emplace_back(program.string(id));
  if (out.empty()) {
    out.emplace_back("namespace");
    auto kind = policy.selection.kind;
    out.push_back(kind == bytecode::TargetKind::Pods ? "pod" : lower(workload_kind_name(kind)));
  }
  return out;
}

// The PromQL slot whose labels and aggregation a slot joins by (a window's source).
static const bytecode::InputSlot& join_slot(const bytecode::Policy& policy, std::size_t slot) {
  const auto* s = &policy.inputs[slot];
  while (s->kind == InputKind::Window) s = &policy.inputs[s->source];
  return *s;
}

bool Engine::target_key(std::size_t policy, std::size_t slot, const Target& t,
                        std::string& key) const {
  key.clear();
  for (const auto& label : join_labels_[policy][slot]) {
    std::string_view v;
    if (label == "namespace")
      v = t.namespace_name;
    else if (label == "pod")
      v = t.pod ? std::string_view(t.pod->meta.name) : std::string_view();
    else if (label == "node")
      v = t.pod ? std::string_view(t.pod->node) : std::string_view();
    else if (t.workload && label.size() == t.workload->kind.size() &&
             std::equal(label.begin(), label.end(), t.workload->kind.begin(), [](char a, char b) {
               return a == std::tolower(static_cast<unsigned char>(b));
             }))
      v = t.workload->meta.name;
    if (v.empty()) return false;  // cannot join on this label: no value for this target
    key.append(v);
    key.push_back('\x1f');
  }
  return true;
}

Engine::JoinTable Engine::join(std::size_t policy, std::size_t slot,
                               const VectorView& vector) const {
  const auto& s = join_slot(program_.policies[policy], slot);
  const auto& labels = join_labels_[policy][slot];
  struct Acc {
    double value = 0;
    double count = 0;
  };
  std::unordered_map<std::string, Acc> acc;
  std::string key;
  for (std::size_t i = 0; i < vector.size(); ++i) {
    key.clear();
    bool complete = true;
    for (const auto& l : labels) {
      auto v = vector.label(i, l);
      if (v.empty()) complete = false;
      key.append(v);
      key.push_back('\x1f');
    }
    if (!complete) continue;
    double v = vector.value(i);
    auto [it, inserted] = acc.try_emplace(key);
    Acc& a = it->second;
    if (std::isnan(v)) {
      if (inserted) a.value = v;
      continue;
    }
    if (a.count == 0 || std::isnan(a.value)) {
      a.value = v;
    } else {
      switch (s.aggregation) {
        case bytecode::Aggregation::Max:
          a.value = std::max(a.value, v);
          break;
        case bytecode::Aggregation::Min:
          a.value = std::min(a.value, v);
          break;
        case bytecode::Aggregation::Sum:
        case bytecode::Aggregation::Avg:
          a.value += v;
          break;
        case bytecode::Aggregation::Count:
          break;
        case bytecode::Aggregation::None:
          a.value = std::nan("");
          break;  // several series, no way to choose
      }
    }
    a.count += 1;
  }
  JoinTable out;
  out.reserve(acc.size());
  for (auto& [k, a] : acc) {
    double v = a.value;
    if (s.aggregation == bytecode::Aggregation::Avg && a.count > 0) v /= a.count;
    if (s.aggregation == bytecode::Aggregation::Count) v = a.count;
    out.emplace(k, v);
  }
  return out;
}

TickResult Engine::tick(std::int64_t now_ms, const cluster::ClusterView& cluster,
                        std::span<const QueryResult> results, bool all) {
  ++tick_count_;
  join_cache_.clear();
  TickResult out;
  out.time_ms = now_ms;
  out.health.resize(program_.policies.size());
  for (std::size_t p = 0; p < program_.policies.size(); ++p) {
    if (!all && !due(p, now_ms)) continue;
    out.health[p].evaluated = true;
    evaluate_policy(p, now_ms, cluster, results, out);
  }
  return out;
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

void Engine::evaluate_policy(std::size_t index, std::int64_t now_ms,
                             const cluster::ClusterView& cluster,
                             std::span<const QueryResult> results, TickResult& out) {
  const bytecode::Policy& policy = program_.policies[index];
  const vm::PreparedPolicy& prepared = prepared_[index];
  PolicyHealth& health = out.health[index];
  health.phases.assign(policy.triggers.size(), {});
  const std::size_t slots = policy.inputs.size();

  // Join each PromQL-backed slot's vector once per tick, shared across policies that join
  // the same query by the same labels and aggregation.
  std::vector<std::shared_ptr<const JoinTable>> tables(slots);
  for (std::size_t i = 0; i < slots; ++i) {
    auto q = plan_.slot_query[index][i];
    if (q < 0) continue;
    const QueryResult& r = results[static_cast<std::size_t>(q)];
    if (!r.vector) {
      health.healthy = false;
      health.last_error =
          "query `" + plan_.queries[static_cast<std::size_t>(q)] + "` failed: " + r.error;
      continue;  // the slot is missing for every target: its missing-data rule decides
    }
    std::string cache_key = std::to_string(q) + "|" +
                            std::to_string(static_cast<int>(join_slot(policy, i).aggregation));
    for (const auto& l : join_labels_[index][i]) cache_key += "|" + l;
    auto& cached = join_cache_[cache_key];
    if (!cached) cached = std::make_shared<const JoinTable>(join(index, i, *r.vector));
    tables[i] = cached;
  }

  auto targets = select_targets(program_, policy, cluster, options_);
  health.targets = targets.size();
  auto& states = state_[index];
  std::vector<Value> inputs(slots);
  std::vector<bytecode::Truth> conds(policy.triggers.size()), clears(policy.triggers.size());
  vm::ProposalBuffer buffer;
  std::string key;
  std::vector<HistorySample> samples;

  for (const Target& t : targets) {
    auto [it, inserted] = states.try_emplace(t.key);
    TargetState& st = it->second;
    if (inserted) {
      st.triggers.resize(policy.triggers.size());
      st.held.resize(slots);
      st.history.resize(slots);
    }
    st.seen_tick = tick_count_;

    for (std::size_t i = 0; i < slots; ++i) {
      const auto& s = policy.inputs[i];
      Value v = Value::unknown();
      switch (s.kind) {
        case InputKind::Promql:
        case InputKind::Window: {
          if (plan_.slot_query[index][i] < 0) {
            // A window over a Kubernetes field: the runtime keeps its history.
            auto& h = st.history[i];
            const Value& source = inputs[s.source];
            if (source.tag == bytecode::ValueTag::Number) h.push_back({now_ms, source.number});
            while (!h.empty() && h.front().time_ms < now_ms - s.window_ms - 1) h.pop_front();
            samples.assign(h.begin(), h.end());
            if (builtins_.window_of_history) {
              v = builtins_.window_of_history(s.id, samples, s.window_ms, s.parameter, now_ms);
            }
            break;
          }
          std::optional<double> found;
          if (tables[i] && target_key(index, i, t, key)) {
            auto row = tables[i]->find(key);
            if (row != tables[i]->end()) found = row->second;
          }
          Held& held = st.held[i];
          const auto& rule = join_slot(policy, i);
          if (found) {
            held = Held{*found, now_ms};
            v = Value::of_number(*found);
          } else if (rule.missing == bytecode::MissingKind::Zero) {
            v = Value::of_number(0);
          } else if (rule.missing == bytecode::MissingKind::Hold && held.seen_ms != kNever &&
                     now_ms - held.seen_ms <= rule.hold_ms) {
            v = Value::of_number(held.value);
          }
          break;
        }
        case InputKind::Field:
          if (builtins_.read_field) v = builtins_.read_field(s.id, t.pod, t.workload, now_ms);
          break;
        case InputKind::Events: {
          std::string_view kind = t.pod ? "Pod" : workload_kind_name(t.kind);
          auto n = cluster.count_events(
              t.namespace_name, kind, t.name,
              s.reason == bytecode::kNoString ? "" : program_.string(s.reason),
              s.event_type == bytecode::kNoString ? "" : program_.string(s.event_type),
              now_ms - s.window_ms, now_ms);
          v = Value::of_number(static_cast<double>(n));
          break;
        }
        case InputKind::Advice:
          v = Value::unknown(bytecode::UnknownReason::NotApplicable);  // no advisor configured
          break;
      }
      inputs[i] = v;
    }

    vm_.conditions(prepared, inputs, conds, clears);
    for (std::size_t tr = 0; tr < policy.triggers.size(); ++tr) {
      auto change =
          step_trigger(st.triggers[tr], policy.triggers[tr], conds[tr], clears[tr], now_ms);
      ++health.phases[tr][static_cast<std::size_t>(st.triggers[tr].phase)];
      if (change != TriggerChange::None) {
        out.changes.push_back(TriggerEvent{index, tr, t.key, change, st.triggers[tr].phase});
      }
    }
    for (std::size_t h = 0; h < policy.handlers.size(); ++h) {
      const auto& trigger_state = st.triggers[policy.handlers[h].trigger];
      if (!is_firing(trigger_state)) continue;
      buffer.clear();
      vm_.handler(prepared, h, inputs, buffer);
      for (const auto& p : buffer.proposals()) {
        ProposalRecord r;
        r.policy = index;
        r.template_index = p.template_index;
        r.target = t.key;
        r.arguments.assign(p.arguments, p.arguments + p.argument_count);
        r.unknown_arguments = p.unknown_arguments;
        r.fired_at_ms = trigger_state.fired_at_ms;
        for (std::size_t i = 0; i < slots; ++i)
          r.inputs.emplace_back(static_cast<std::uint16_t>(i), inputs[i]);
        out.proposals.push_back(std::move(r));
      }
    }
  }
  // Targets that left the cluster (or the selection) take their state with them.
  std::erase_if(states, [&](const auto& kv) { return kv.second.seen_tick != tick_count_; });
}

const TriggerState* Engine::trigger_state(std::size_t policy, std::size_t trigger,
                                          std::string_view target) const {
  if (policy >= state_.size()) return nullptr;
  auto it = state_[policy].find(std::string(target));
  if (it == state_[policy].end() || trigger >= it->second.triggers.size()) return nullptr;
  return &it->second.triggers[trigger];
}

}  // namespace skippy::engine

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
  std::size_t kept = 0;
  for (std::size_t p = 0; p < program_.policies.size(); ++p) {
    const auto& policy = program_.policies[p];
    for (std::size_t q = 0; q < previous.program_.policies.size(); ++q) {
      const auto& old = previous.program_.policies[q];
      if (previous.program_.string(old.name) != program_.string(policy.name)) continue;
      if (!same_conditions(previous.program_, old, program_, policy)) break;
      for (std::size_t t = 0; t < policy.triggers.size(); ++t) {
        // The trigger with the same name and timing keeps its state for every target.
        for (std::size_t u = 0; u < old.triggers.size(); ++u) {
          const auto& a = old.triggers[u];
          const auto& b = policy.triggers[t];
          if (previous.program_.string(a.name) != program_.string(b.name) || a.for_ms != b.for_ms ||
              a.has_clear != b.has_clear || a.clear_for_ms != b.clear_for_ms ||
              a.keep_firing_for_ms != b.keep_firing_for_ms) {
            continue;
          }
          for (const auto& [target, old_state] : previous.state_[q]) {
            auto& st = state_[p][target];
            if (st.triggers.empty()) {
              st.triggers.resize(policy.triggers.size());
              st.held = old_state.held;
              st.history = old_state.history;
            }
            st.triggers[t] = old_state.triggers[u];
          }
          ++kept;
        }
      }
      break;
    }
  }
  return kept;
}

}  // namespace skippy::engine
