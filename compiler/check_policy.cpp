// The checker's clause-level work: header, selection, safety, signals, triggers, handlers.
#include <algorithm>
#include <array>

#include "base/literals.hpp"
#include "compiler/checker.hpp"
#include "dsl/validate.hpp"

namespace skippy::compiler {
namespace {

constexpr std::array<std::string_view, 3> kSystemNamespaces = {"kube-system", "kube-public",
                                                               "kube-node-lease"};

std::optional<bytecode::TargetKind> target_kind(std::string_view name) {
  if (name == "pods") return bytecode::TargetKind::Pods;
  if (name == "deployments") return bytecode::TargetKind::Deployments;
  if (name == "statefulsets") return bytecode::TargetKind::StatefulSets;
  if (name == "daemonsets") return bytecode::TargetKind::DaemonSets;
  if (name == "replicasets") return bytecode::TargetKind::ReplicaSets;
  return std::nullopt;
}

std::optional<bytecode::Mode> mode_of(std::string_view name) {
  if (name == "monitor") return bytecode::Mode::Monitor;
  if (name == "dryrun") return bytecode::Mode::DryRun;
  if (name == "manual") return bytecode::Mode::Manual;
  if (name == "automatic") return bytecode::Mode::Automatic;
  return std::nullopt;
}

}  // namespace

PolicyChecker::PolicyChecker(const dsl::Policy& policy, const VisibleDefaults& defaults,
                             const dsl::SourceManager& sources, dsl::Diagnostics& diagnostics,
                             StringPool& strings, const CompileOptions& options)
    : policy_(policy),
      defaults_(defaults),
      sources_(sources),
      diagnostics_(diagnostics),
      strings_(strings),
      options_(options),
      errors_at_start_(diagnostics.error_count()) {}

dsl::Diagnostic& PolicyChecker::report(dsl::DiagCode code, dsl::Span span, std::string message) {
  return diagnostics_.report(code, span, std::move(message));
}

void PolicyChecker::suggest(dsl::Diagnostic& d, std::string_view word,
                            const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(2, word.size() / 3) + 1;
  for (const auto& c : candidates) {
    auto distance = dsl::edit_distance(word, c);
    if (distance < best_distance) {
      best = c;
      best_distance = distance;
    }
  }
  if (!best.empty()) d.notes.push_back({std::nullopt, "did you mean `" + best + "`?"});
}

bytecode::SourcePos PolicyChecker::pos(dsl::Span span) const {
  auto lc = sources_.file(span.file).line_column(span.begin);
  // Files are numbered in the program by their FileId; compile.cpp maps them.
  return bytecode::SourcePos{span.file, lc.line, lc.column};
}

IrPolicy PolicyChecker::run(bool& ok) {
  out_.span = policy_.span;
  header();
  collect_signals_and_triggers();
  triggers();
  handlers();
  warnings();
  out_.header.locals = out_.locals;
  ok = diagnostics_.error_count() == errors_at_start_;
  return std::move(out_);
}

void PolicyChecker::header() {
  auto& h = out_.header;
  h.name = strings_.intern(policy_.name.name);
  h.pos = pos(policy_.name.span);
  h.mode = bytecode::Mode::Monitor;
  h.interval_ms = options_.default_interval_ms;
  if (defaults_.mode) {
    if (auto m = mode_of(defaults_.mode->mode.name)) h.mode = *m;
  }
  if (defaults_.every) h.interval_ms = defaults_.every->interval.millis;
  for (const auto& clause : policy_.clauses) {
    if (const auto* m = std::get_if<dsl::ModeClause>(&clause)) {
      if (auto mode = mode_of(m->mode.name)) h.mode = *mode;
    } else if (const auto* e = std::get_if<dsl::EveryClause>(&clause)) {
      h.interval_ms = e->interval.millis;
    }
  }
  safety();
  for (const auto& clause : policy_.clauses) {
    if (const auto* s = std::get_if<dsl::SelectClause>(&clause)) selection(*s);
  }
}

void PolicyChecker::selection(const dsl::SelectClause& select) {
  auto& s = out_.header.selection;
  if (auto kind = target_kind(select.kind.name)) s.kind = *kind;
  s.all_namespaces = select.all_namespaces;
  for (const auto& ns : select.namespaces) {
    s.namespaces.push_back(strings_.intern(ns.value));
    bool system = std::find(kSystemNamespaces.begin(), kSystemNamespaces.end(), ns.value) !=
                  kSystemNamespaces.end();
    if (system && !out_.header.safety.allow_system_namespaces) {
      report(dsl::DiagCode::SystemNamespace, ns.span,
             "`" + ns.value +
                 "` runs the cluster itself; to act there, add `allow system_namespaces` to the "
                 "policy's safety block")
          .notes.push_back(
              {std::nullopt,
               "`in all namespaces` leaves the system namespaces out unless they are allowed"});
    }
  }
  for (const auto& r : select.labels) {
    bytecode::LabelRequirement req;
    req.op = static_cast<bytecode::LabelOp>(r.op);
    req.key = strings_.intern(r.key.value);
    for (const auto& v : r.values) req.values.push_back(strings_.intern(v.value));
    s.labels.push_back(std::move(req));
  }
  for (const auto& n : select.excluded_names) s.excluded_names.push_back(strings_.intern(n.value));
}

void PolicyChecker::safety() {
  // The policy's own rules override its defaults rule by rule.
  std::map<std::string, const dsl::SafetyRule*> rules = defaults_.safety;
  for (const auto& clause : policy_.clauses) {
    if (const auto* block = std::get_if<dsl::SafetyBlock>(&clause)) {
      for (const auto& rule : block->rules) rules[safety_rule_key(rule)] = &rule;
    }
  }
  auto& s = out_.header.safety;
  std::vector<std::string> action_names;
  for (const auto& a : stdlib::actions()) action_names.emplace_back(a.name);
  for (const auto& [key, rule] : rules) {
    using Kind = dsl::SafetyRule::Kind;
    switch (rule->kind) {
      case Kind::Cooldown:
        (rule->scope == dsl::SafetyRule::Scope::Policy ? s.cooldown_policy_ms
                                                       : s.cooldown_target_ms) =
            rule->duration->millis;
        has_cooldown_ = has_cooldown_ || rule->duration->millis > 0;
        break;
      case Kind::MaxActions:
        s.max_actions = static_cast<std::uint32_t>(rule->count);
        s.max_actions_window_ms = rule->duration->millis;
        has_rate_cap_ = rule->count > 0;
        break;
      case Kind::MaxUnavailable:
        s.max_unavailable = static_cast<std::uint32_t>(rule->count);
        s.max_unavailable_percent = rule->percent;
        break;
      case Kind::MaxConcurrent:
        s.max_concurrent = static_cast<std::uint32_t>(rule->count);
        break;
      case Kind::Approve:
        for (const auto& a : rule->actions) {
          auto id = stdlib::find_action(a.name);
          if (!id) {
            auto& d = report(dsl::DiagCode::UnknownApproveAction, a.span,
                             "`approve` names `" + a.name + "`, which is not an action");
            suggest(d, a.name, action_names);
            continue;
          }
          s.approve_mask |= 1u << *id;
        }
        break;
      case Kind::AllowSystemNamespaces:
        s.allow_system_namespaces = true;
        break;
    }
  }
}

void PolicyChecker::collect_signals_and_triggers() {
  for (const auto& clause : policy_.clauses) {
    if (const auto* s = std::get_if<dsl::SignalClause>(&clause)) {
      if (signals_.count(s->name.name)) continue;  // duplicate: reported by the front end
      signals_[s->name.name].clause = s;
      signal_order_.push_back(s->name.name);
    } else if (const auto* t = std::get_if<dsl::TriggerClause>(&clause)) {
      if (trigger_index_.count(t->name.name)) continue;
      auto index = static_cast<std::uint16_t>(out_.header.triggers.size());
      trigger_index_[t->name.name] = index;
      trigger_spans_[t->name.name] = t->name.span;
      bytecode::Trigger trigger;
      trigger.name = strings_.intern(t->name.name);
      trigger.pos = pos(t->name.span);
      trigger.for_ms = t->hold_for ? t->hold_for->millis : 0;
      trigger.has_clear = t->clear_condition != nullptr;
      trigger.clear_for_ms = t->clear_for ? t->clear_for->millis : 0;
      trigger.keep_firing_for_ms = t->keep_firing_for ? t->keep_firing_for->millis : 0;
      out_.header.triggers.push_back(trigger);
    }
  }
  // Resolve every signal, used or not, so mistakes in unused ones are reported too.
  context_ = Context::Signal;
  for (const auto& name : signal_order_) {
    bool used = signals_[name].used;
    (void)signal_ref(name, signals_[name].clause->name.span);
    signals_[name].used = used;
  }
}

void PolicyChecker::triggers() {
  context_ = Context::Trigger;
  for (const auto& clause : policy_.clauses) {
    const auto* t = std::get_if<dsl::TriggerClause>(&clause);
    if (!t || trigger_index_[t->name.name] != out_.triggers.size()) continue;
    IrTrigger trigger;
    trigger.span = t->span;
    trigger.condition = expr(*t->condition);
    require_bool(trigger.condition, *t->condition, dsl::DiagCode::ConditionNotBool,
                 "a trigger's condition");
    if (t->clear_condition) {
      trigger.has_clear = true;
      trigger.clear = expr(*t->clear_condition);
      require_bool(trigger.clear, *t->clear_condition, dsl::DiagCode::ConditionNotBool,
                   "a clear condition");
    }
    auto interval = out_.header.interval_ms;
    for (const auto* d :
         {t->hold_for ? &*t->hold_for : nullptr, t->clear_for ? &*t->clear_for : nullptr}) {
      if (d && d->millis > 0 && d->millis < interval) {
        report(dsl::DiagCode::ForShorterThanInterval, d->span,
               "`for " + d->text + "` is shorter than the policy's interval of " +
                   base::format_duration(interval) +
                   ": the condition is evaluated only once per interval")
            .notes.push_back({std::nullopt,
                              "use `for 0s` to act at the first evaluation, or a `for` of at least "
                              "the interval"});
      }
    }
    out_.triggers.push_back(std::move(trigger));
  }
}

void PolicyChecker::handlers() {
  context_ = Context::Handler;
  std::map<std::string, dsl::Span> handled;
  std::vector<std::string> trigger_names;
  for (const auto& [name, index] : trigger_index_) trigger_names.push_back(name);
  for (const auto& clause : policy_.clauses) {
    const auto* on = std::get_if<dsl::OnClause>(&clause);
    if (!on) continue;
    auto it = trigger_index_.find(on->trigger.name);
    if (it == trigger_index_.end()) {
      auto& d = report(
          dsl::DiagCode::UnknownTrigger, on->trigger.span,
          "no trigger named `" + on->trigger.name + "` in policy `" + policy_.name.name + "`");
      suggest(d, on->trigger.name, trigger_names);
      continue;
    }
    auto [previous, first] = handled.emplace(on->trigger.name, on->trigger.span);
    if (!first) {
      report(dsl::DiagCode::DuplicateHandlerTrigger, on->trigger.span,
             "trigger `" + on->trigger.name +
                 "` already has an `on` clause; put its actions in one block")
          .notes.push_back({previous->second, "the first `on` clause"});
      continue;
    }
    current_trigger_ = it->second;
    IrHandler handler;
    handler.trigger = it->second;
    handler.span = on->span;
    scopes_.clear();
    scopes_.emplace_back();
    handler.body = block(*on->body);
    out_.handlers.push_back(std::move(handler));
  }
}

void PolicyChecker::warnings() {
  // After an error, a signal or trigger may look unused only because its use failed to check.
  if (diagnostics_.error_count() > errors_at_start_) return;
  for (const auto& name : signal_order_) {
    const auto& info = signals_[name];
    if (!info.used) {
      report(dsl::DiagCode::UnusedSignal, info.clause->name.span,
             "signal `" + name + "` is never used; remove it, or use it in a trigger");
    }
  }
  for (const auto& [name, trigger] : trigger_index_) {
    const std::uint16_t index = trigger;  // a structured binding cannot be captured in C++20
    bool handled = std::any_of(out_.handlers.begin(), out_.handlers.end(),
                               [&](const IrHandler& h) { return h.trigger == index; });
    bool had_error = false;
    for (const auto& clause : policy_.clauses) {
      if (const auto* on = std::get_if<dsl::OnClause>(&clause))
        had_error |= on->trigger.name == name;
    }
    if (!handled && !had_error) {
      report(dsl::DiagCode::TriggerWithoutAction, trigger_spans_[name],
             "trigger `" + name + "` has no `on` clause: it fires, and nothing is proposed")
          .notes.push_back({std::nullopt, "add `on " + name + " do ...`, or `on " + name +
                                              " do notify(webhook: \"...\")` to be told"});
    }
  }
}

}  // namespace skippy::compiler
