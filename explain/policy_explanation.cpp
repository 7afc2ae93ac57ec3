#include "explain/policy_explanation.hpp"

#include <cmath>
#include <map>

#include "base/literals.hpp"
#include "runtime/bytecode/decompile.hpp"
#include "runtime/bytecode/disasm.hpp"
#include "stdlib/builtins/catalog.hpp"

namespace skippy::explain {
namespace {

using bytecode::CodeExpr;
using bytecode::CodeStatement;
using bytecode::Op;

std::string number(double d) {
  return bytecode::number_text(d);
}

std::string quoted(std::string_view s) {
  return bytecode::quoted_text(s);
}

std::string duration(std::int64_t ms) {
  return base::format_duration(ms);
}

std::string joined(const std::vector<std::string>& items, const std::string& separator = ", ") {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? separator : "") + items[i];
  return out;
}

// "1 action", "2 actions".
std::string count(std::uint32_t n, const std::string& noun) {
  return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

std::string_view mode_meaning(bytecode::Mode m) {
  switch (m) {
    case bytecode::Mode::Monitor:
      return "signals and triggers are evaluated and recorded; no action is planned or run";
    case bytecode::Mode::DryRun:
      return "actions are decided, safety gates included, and reported; nothing is changed";
    case bytecode::Mode::Manual:
      return "every action waits for a human's approval before it runs";
    case bytecode::Mode::Automatic:
      return "actions that pass the safety gates run without approval, except those listed in "
             "`approve`";
  }
  return "";
}

// Precedence of the language's operators, loosest first (docs/language.md, section 7).
int precedence(const CodeExpr& e) {
  switch (e.kind) {
    case CodeExpr::Kind::Binary:
      switch (e.op) {
        case Op::OR:
          return 1;
        case Op::AND:
          return 2;
        case Op::ADD:
        case Op::SUB:
          return 5;
        case Op::MUL:
        case Op::DIV:
          return 6;
        default:
          return 4;  // comparisons
      }
    case CodeExpr::Kind::InList:
      return 4;
    case CodeExpr::Kind::Unary:
      return e.op == Op::NOT ? 3 : 7;
    default:
      return 8;
  }
}

std::string_view operator_words(Op op) {
  switch (op) {
    case Op::OR:
      return "or";
    case Op::AND:
      return "and";
    case Op::ADD:
      return "+";
    case Op::SUB:
      return "-";
    case Op::MUL:
      return "*";
    case Op::DIV:
      return "/";
    case Op::EQ_NUM:
    case Op::EQ_STR:
    case Op::EQ_BOOL:
      return "is";
    case Op::NE_NUM:
    case Op::NE_STR:
    case Op::NE_BOOL:
      return "is not";
    case Op::LT_NUM:
      return "is below";
    case Op::LE_NUM:
      return "is at most";
    case Op::GT_NUM:
      return "is above";
    case Op::GE_NUM:
      return "is at least";
    default:
      return "?";
  }
}

class Explainer {
 public:
  Explainer(const bytecode::Program& program, const bytecode::Policy& policy,
            const ExplainSources& sources)
      : prog_(program), p_(policy), sources_(sources) {}

  std::optional<PolicyExplanation> run(std::string& error) {
    auto code = bytecode::decompile(p_, error);
    if (!code) return std::nullopt;
    PolicyExplanation e;
    e.name = str(p_.name);
    e.origin = sources_.origin.empty() ? where(p_.pos) : sources_.origin;
    e.description = sources_.description;
    e.mode = {bytecode::mode_name(p_.mode), std::string(mode_meaning(p_.mode))};
    e.every = {duration(p_.interval_ms),
               "how often the signals are queried and the triggers evaluated"};
    selection(e);
    for (std::size_t i = 0; i < p_.inputs.size(); ++i) e.signals.push_back(signal(i));
    locals(code->handlers);
    for (std::size_t i = 0; i < p_.triggers.size(); ++i)
      e.triggers.push_back(trigger(i, code->triggers[i]));
    std::vector<bool> handled(p_.triggers.size(), false);
    for (std::size_t i = 0; i < p_.handlers.size(); ++i) {
      auto t = p_.handlers[i].trigger;
      if (t < handled.size()) handled[t] = true;
      ExplainedHandler h;
      h.trigger = t < p_.triggers.size() ? str(p_.triggers[t].name) : "?";
      for (const auto& s : code->handlers[i]) h.body.push_back(statement(s));
      e.handlers.push_back(std::move(h));
    }
    for (std::size_t t = 0; t < handled.size(); ++t)
      if (!handled[t]) e.silent_triggers.push_back(str(p_.triggers[t].name));
    safety(e);
    from("mode", e.mode);
    from("every", e.every);
    for (auto& setting : e.safety) from(setting.name, setting.explained);
    return e;
  }

 private:
  std::string str(std::uint32_t id) const { return std::string(prog_.string(id)); }

  // Says where a setting the policy does not write comes from.
  void from(const std::string& setting, Explained& e) const {
    auto it = sources_.settings_from.find(setting);
    if (it != sources_.settings_from.end() && !it->second.empty())
      e.words += " (not in the policy: " + it->second + ")";
  }
  std::string file(std::uint32_t index) const {
    return index < prog_.files.size() ? str(prog_.files[index]) : "?";
  }
  std::string where(const bytecode::SourcePos& pos) const {
    return file(pos.file) + ":" + std::to_string(pos.line);
  }

  // ---- select ----

  void selection(PolicyExplanation& e) const {
    const auto& s = p_.selection;
    e.kind = bytecode::target_kind_name(s.kind);
    std::vector<std::string> names;
    for (auto n : s.namespaces) {
      names.push_back(quoted(str(n)));
      e.namespace_names.push_back(str(n));
    }
    e.all_namespaces = s.all_namespaces;
    if (s.all_namespaces) {
      e.namespaces = {"all namespaces",
                      p_.safety.allow_system_namespaces
                          ? "every namespace, the system namespaces included"
                          : "every namespace but kube-system, kube-public and kube-node-lease"};
    } else if (names.empty()) {
      e.namespaces = {"",
                      "the runtime's own namespace (`skippy run --namespace`, default "
                      "\"default\"): the policy names none"};
    } else {
      e.namespaces = {joined(names),
                      names.size() == 1 ? "namespace " + names[0] : "namespaces " + joined(names)};
    }
    for (const auto& r : s.labels) e.labels.push_back(label(r));
    for (auto n : s.excluded_names) e.excluded.push_back(str(n));
  }

  Explained label(const bytecode::LabelRequirement& r) const {
    std::string key = str(r.key);
    std::vector<std::string> values, shown;
    for (auto v : r.values) {
      values.push_back(str(v));
      shown.push_back(quoted(str(v)));
    }
    std::string list = "[" + joined(shown) + "]";
    std::string set = "(" + joined(values, ",") + ")";
    switch (r.op) {
      case bytecode::LabelOp::Equals:
        return {key + "=" + joined(values), "label " + quoted(key) + " is " + joined(shown)};
      case bytecode::LabelOp::NotEquals:
        return {key + "!=" + joined(values), "label " + quoted(key) + " is not " + joined(shown) +
                                                 ", or the object has no such label"};
      case bytecode::LabelOp::In:
        return {key + " in " + set, "label " + quoted(key) + " is one of " + list};
      case bytecode::LabelOp::NotIn:
        return {key + " notin " + set, "label " + quoted(key) + " is none of " + list +
                                           ", or the object has no such label"};
      case bytecode::LabelOp::Exists:
        return {key, "the object has a label " + quoted(key)};
      case bytecode::LabelOp::NotExists:
        return {"!" + key, "the object has no label " + quoted(key)};
    }
    return {};
  }

  // ---- signals ----

  std::vector<std::string> default_join() const {
    switch (p_.selection.kind) {
      case bytecode::TargetKind::Pods:
        return {"namespace", "pod"};
      case bytecode::TargetKind::Deployments:
        return {"namespace", "deployment"};
      case bytecode::TargetKind::StatefulSets:
        return {"namespace", "statefulset"};
      case bytecode::TargetKind::DaemonSets:
        return {"namespace", "daemonset"};
      case bytecode::TargetKind::ReplicaSets:
        return {"namespace", "replicaset"};
    }
    return {};
  }

  // How the code names input slot i.
  std::string input_name(std::size_t i) const {
    if (i >= p_.inputs.size()) return "#" + std::to_string(i);
    const auto& s = p_.inputs[i];
    switch (s.kind) {
      case bytecode::InputKind::Events: {
        std::vector<std::string> args;
        if (s.reason != bytecode::kNoString) args.push_back("reason: " + quoted(str(s.reason)));
        if (s.event_type != bytecode::kNoString)
          args.push_back("type: " + quoted(str(s.event_type)));
        args.push_back("within: " + duration(s.window_ms));
        return "events(" + joined(args) + ")";
      }
      case bytecode::InputKind::Window: {
        auto all = stdlib::window_functions();
        std::string fn = s.id < all.size() ? std::string(all[s.id].name) : "?";
        std::string of = input_name(s.source);
        if (fn == "forecast") {
          auto horizon = static_cast<std::int64_t>(std::llround(s.parameter * 1000));
          return fn + "(" + of + ", horizon: " + duration(horizon) +
                 (s.window_ms != 3'600'000 ? ", window: " + duration(s.window_ms) : "") + ")";
        }
        return fn + "(" + of + ", " + duration(s.window_ms) + ")";
      }
      default:
        return s.name != bytecode::kNoString ? str(s.name) : "#" + std::to_string(i);
    }
  }

  ExplainedSignal signal(std::size_t i) const {
    const auto& s = p_.inputs[i];
    ExplainedSignal out;
    out.name = input_name(i);
    switch (s.kind) {
      case bytecode::InputKind::Promql: {
        out.source = "promql";
        out.query = str(s.query);
        for (auto l : s.by_labels) out.by.push_back(str(l));
        bool default_by = out.by.empty();
        if (default_by) out.by = default_join();
        out.aggregation =
            s.aggregation == bytecode::Aggregation::None ? "" : aggregation_name(s.aggregation);
        out.on_missing = missing_kind_name(s.missing);
        if (s.missing == bytecode::MissingKind::Hold) out.on_missing += " " + duration(s.hold_ms);
        std::string by =
            joined(out.by) + (default_by ? std::string(" (the default for ") +
                                               target_kind_name(p_.selection.kind) + ")"
                                         : "");
        out.words.push_back("a PromQL query; each series belongs to the target whose " + by +
                            " match its labels");
        out.words.push_back(
            out.aggregation.empty()
                ? "several series for one target: the value is unknown (no aggregation)"
                : "several series for one target: their " + aggregation_words(s.aggregation));
        switch (s.missing) {
          case bytecode::MissingKind::Unknown:
            out.words.push_back(
                "no series for a target (or a NaN sample, or a failed query): the value is "
                "unknown, which never fires a trigger and never ends one (`on missing unknown`, "
                "also the rule when none is written)");
            break;
          case bytecode::MissingKind::Zero:
            out.words.push_back(
                "no series for a target: the value is 0 (`on missing zero`); a failed query is "
                "still unknown");
            break;
          case bytecode::MissingKind::Hold:
            out.words.push_back(
                "no series for a target, or a failed query: the last value is "
                "used for " +
                duration(s.hold_ms) + ", then it is unknown");
            break;
        }
        break;
      }
      case bytecode::InputKind::Field: {
        out.source = "kubernetes";
        auto all = stdlib::fields();
        out.words.push_back(s.id < all.size() ? "from the cluster: " + std::string(all[s.id].doc)
                                              : "from the cluster");
        if (out.name.starts_with("workload."))
          out.words.push_back(
              "for a pod, its owning workload's; unknown for a pod without a workload");
        break;
      }
      case bytecode::InputKind::Events:
        out.source = "events";
        out.words.push_back(
            "how many Kubernetes events" +
            std::string(s.reason != bytecode::kNoString ? " with reason " + quoted(str(s.reason))
                                                        : "") +
            (s.event_type != bytecode::kNoString ? " of type " + quoted(str(s.event_type)) : "") +
            " the target had in the last " + duration(s.window_ms));
        break;
      case bytecode::InputKind::Window: {
        out.source = "window";
        auto all = stdlib::window_functions();
        if (s.id < all.size()) out.words.push_back(std::string(all[s.id].doc));
        out.words.push_back(
            "from the history the runtime keeps per target; unknown until "
            "there is enough of it");
        break;
      }
      case bytecode::InputKind::Advice: {
        out.source = "advisor";
        std::string shown;
        if (s.source < p_.advice.size()) {
          const auto& a = p_.advice[s.source];
          std::vector<std::string> signals;
          for (auto slot : a.signal_slots) signals.push_back(input_name(slot));
          shown = " on " + (signals.empty() ? std::string("no signal") : joined(signals)) + " (" +
                  duration(a.history_ms) + " of history)" +
                  (a.events_window_ms > 0
                       ? ", the target's events of the last " + duration(a.events_window_ms)
                       : std::string()) +
                  ", the workload's other targets and the outcomes of earlier actions" +
                  (a.has_threshold ? "; forecasts when the first signal reaches " +
                                         number(a.threshold) + " within " + duration(a.horizon_ms)
                                   : std::string()) +
                  (a.question != bytecode::kNoString ? "; asked " + quoted(str(a.question)) : "");
          std::vector<std::string> allowed;
          auto actions = stdlib::actions();
          for (auto id : a.allowed_actions)
            allowed.push_back(id < actions.size() ? std::string(actions[id].name) : "?");
          allowed.push_back("none");
          shown += "; it chooses among " + joined(allowed);
        }
        out.words.push_back("the analyzer's verdict" + shown +
                            ", asked when the `on` block runs (docs/ai.md)");
        break;
      }
      case bytecode::InputKind::Outcome: {
        out.source = "outcomes";
        auto actions = stdlib::actions();
        auto fields = stdlib::outcome_fields();
        std::string action = s.source < actions.size() ? std::string(actions[s.source].name) : "?";
        out.words.push_back(
            (s.id < fields.size() ? std::string(fields[s.id].doc) : std::string("?")) + ", for " +
            action + " actions of this policy on the target's workload in the last " +
            duration(s.window_ms) + ", from the outcome ledger kept with the safety journal");
        break;
      }
    }
    return out;
  }

  static std::string aggregation_words(bytecode::Aggregation a) {
    switch (a) {
      case bytecode::Aggregation::Max:
        return "largest value (max)";
      case bytecode::Aggregation::Min:
        return "smallest value (min)";
      case bytecode::Aggregation::Avg:
        return "average (avg)";
      case bytecode::Aggregation::Sum:
        return "sum (sum)";
      case bytecode::Aggregation::Count:
        return "count (count)";
      case bytecode::Aggregation::None:
        break;
    }
    return "";
  }

  // ---- expressions ----

  // How a constant beside a value is written: a duration beside a duration field, a word
  // (an action's name) beside an advisor's `action`.
  enum class Shown : std::uint8_t { Plain, Duration, Word };

  Shown shown_beside(const CodeExpr& e) const {
    if (e.kind != CodeExpr::Kind::Input || e.index >= p_.inputs.size()) return Shown::Plain;
    const auto& s = p_.inputs[e.index];
    auto fields = stdlib::fields();
    auto verdict = stdlib::verdict_fields();
    if (s.kind == bytecode::InputKind::Field && s.id < fields.size() &&
        fields[s.id].type == stdlib::Type::Duration)
      return Shown::Duration;
    if (s.kind == bytecode::InputKind::Advice && s.id < verdict.size() &&
        verdict[s.id].type == stdlib::Type::ActionName)
      return Shown::Word;
    return Shown::Plain;
  }

  std::string constant(std::uint16_t index, Shown shown = Shown::Plain) const {
    if (index >= p_.constants.size()) return "K" + std::to_string(index);
    const auto& c = p_.constants[index];
    switch (c.kind) {
      case bytecode::ConstantKind::Number:
        if (shown == Shown::Duration && c.number >= 0 &&
            c.number == std::floor(c.number * 1000) / 1000)
          return duration(static_cast<std::int64_t>(std::llround(c.number * 1000)));
        return number(c.number);
      case bytecode::ConstantKind::Bool:
        return c.boolean ? "true" : "false";
      case bytecode::ConstantKind::String:
        return shown == Shown::Word ? str(c.string) : quoted(str(c.string));
      case bytecode::ConstantKind::List: {
        std::vector<std::string> items;
        for (auto i : c.items) items.push_back(constant(i, shown));
        return "[" + joined(items) + "]";
      }
    }
    return "?";
  }

  std::string expr(const CodeExpr& e, Shown shown = Shown::Plain) const {
    switch (e.kind) {
      case CodeExpr::Kind::Constant:
        return constant(e.index, shown);
      case CodeExpr::Kind::Input:
        return input_name(e.index);
      case CodeExpr::Kind::Local: {
        auto it = locals_.find(e.index);
        return it != locals_.end() ? it->second : "L" + std::to_string(e.index);
      }
      case CodeExpr::Kind::Unary:
        return (e.op == Op::NOT ? "not " : "-") + child(e, e.children[0], false);
      case CodeExpr::Kind::Call: {
        auto all = stdlib::functions();
        std::vector<std::string> args;
        for (const auto& c : e.children) args.push_back(expr(c));
        return (e.index < all.size() ? std::string(all[e.index].name) : "?") + "(" + joined(args) +
               ")";
      }
      case CodeExpr::Kind::InList:
        return child(e, e.children[0], false) +
               (e.op == Op::IN_LIST ? " is one of " : " is none of ") +
               constant(e.index, shown_beside(e.children[0]));
      case CodeExpr::Kind::Binary: {
        Shown beside = shown_beside(e.children[0]);
        if (beside == Shown::Plain) beside = shown_beside(e.children[1]);
        return child(e, e.children[0], false, beside) + " " + std::string(operator_words(e.op)) +
               " " + child(e, e.children[1], true, beside);
      }
    }
    return "?";
  }

  // A child in parentheses where the language would need them.
  std::string child(const CodeExpr& parent, const CodeExpr& c, bool right,
                    Shown shown = Shown::Plain) const {
    int outer = precedence(parent), inner = precedence(c);
    bool paren = inner < outer || (inner == outer && (right || outer == 4));
    if (c.kind == CodeExpr::Kind::Binary && c.op == parent.op &&
        (parent.op == Op::AND || parent.op == Op::OR))
      paren = false;  // and/or chain either way
    std::string text = expr(c, shown);
    return paren ? "(" + text + ")" : text;
  }

  // ---- triggers ----

  ExplainedTrigger trigger(std::size_t i, const bytecode::CodeTrigger& code) const {
    const auto& t = p_.triggers[i];
    ExplainedTrigger out;
    out.name = str(t.name);
    out.condition = code.condition ? expr(*code.condition) : "?";
    out.for_duration = duration(t.for_ms);
    out.words.push_back(t.for_ms == 0 ? "fires at the first evaluation where the condition is true"
                                      : "fires once the condition has been true at every "
                                        "evaluation for " +
                                            out.for_duration +
                                            " (pending until then; one evaluation where it is "
                                            "false or unknown starts the wait over)");
    if (t.has_clear) {
      out.clear_condition = code.clear ? expr(*code.clear) : "?";
      out.clear_for = duration(t.clear_for_ms);
      out.words.push_back(
          "once firing, stops only when the clear condition " +
          std::string(t.clear_for_ms == 0
                          ? "is true"
                          : "has been true at every evaluation for " + out.clear_for) +
          "; until then it stays firing, even when the condition is false");
    } else if (t.keep_firing_for_ms) {
      out.keep_firing_for = duration(t.keep_firing_for_ms);
      out.words.push_back("stops once the condition has been false for " + out.keep_firing_for +
                          " (keep_firing_for); true again within it, the wait starts over");
    } else {
      out.words.push_back("stops at the first evaluation where the condition is false");
    }
    return out;
  }

  // ---- on blocks ----

  // The names of `let` bindings, read from the source line each was written on.
  void locals(const std::vector<std::vector<CodeStatement>>& handlers) {
    for (const auto& body : handlers) local_names(body);
  }
  void local_names(const std::vector<CodeStatement>& body) {
    for (const auto& s : body) {
      if (s.kind == CodeStatement::Kind::Let) {
        auto name = let_name(s.pos);
        if (!name.empty()) locals_[s.local] = name;
      }
      local_names(s.then_branch);
      local_names(s.else_branch);
    }
  }
  std::string let_name(const bytecode::SourcePos& pos) const {
    if (!sources_.line || pos.file >= prog_.files.size()) return "";
    auto text = sources_.line(prog_.string(prog_.files[pos.file]), pos.line);
    if (!text || pos.column == 0 || pos.column > text->size()) return "";
    std::string_view rest = std::string_view(*text).substr(pos.column - 1);
    if (!rest.starts_with("let ")) return "";
    rest.remove_prefix(4);
    auto end =
        rest.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
    return std::string(rest.substr(0, end));
  }

  ExplainedStatement statement(const CodeStatement& s) const {
    ExplainedStatement out;
    switch (s.kind) {
      case CodeStatement::Kind::Let: {
        out.kind = ExplainedStatement::Kind::Let;
        auto it = locals_.find(s.local);
        out.name = it != locals_.end() ? it->second : "L" + std::to_string(s.local);
        out.value = expr(s.value);
        return out;
      }
      case CodeStatement::Kind::If:
        out.kind = ExplainedStatement::Kind::If;
        out.value = expr(s.value);
        for (const auto& t : s.then_branch) out.then_branch.push_back(statement(t));
        for (const auto& t : s.else_branch) out.else_branch.push_back(statement(t));
        return out;
      case CodeStatement::Kind::Propose:
        break;
    }
    out.kind = ExplainedStatement::Kind::Action;
    if (s.template_index >= p_.templates.size()) return out;
    const auto& t = p_.templates[s.template_index];
    auto actions = stdlib::actions();
    if (t.action >= actions.size()) return out;
    const auto& decl = actions[t.action];
    out.name = std::string(decl.name);
    out.does = std::string(decl.doc);
    out.priority = t.priority;
    out.default_priority = t.priority == decl.default_priority;
    out.needs_approval =
        (p_.safety.approve_mask & (1u << t.action)) != 0 || p_.mode == bytecode::Mode::Manual;
    out.destructive = decl.destructive;
    for (std::size_t i = 0; i < t.argument_names.size() && i < s.arguments.size(); ++i) {
      std::string name = str(t.argument_names[i]);
      stdlib::Type type = stdlib::Type::Number;
      for (const auto& param : decl.params)
        if (param.name == name) type = param.type;
      // A word (`strategy: rolling`) is a string constant in the bytecode.
      Shown shown = type == stdlib::Type::Duration ? Shown::Duration
                    : type == stdlib::Type::Symbol ? Shown::Word
                                                   : Shown::Plain;
      out.arguments.push_back({name, expr(s.arguments[i], shown)});
      // scale(by: +N) only adds replicas: it takes nothing away.
      if (decl.name == "scale" && name == "by" && s.arguments[i].kind == CodeExpr::Kind::Constant &&
          s.arguments[i].index < p_.constants.size() &&
          p_.constants[s.arguments[i].index].number > 0) {
        out.destructive = false;
        out.arguments.back().value = "+" + out.arguments.back().value;
      }
    }
    for (const auto& param : decl.params) {
      bool written = false;
      for (auto n : t.argument_names) written = written || prog_.string(n) == param.name;
      if (!written && !param.required && param.doc.find("default") != std::string_view::npos)
        out.left_out.push_back({std::string(param.name), std::string(param.doc)});
    }
    return out;
  }

  // ---- safety ----

  void safety(PolicyExplanation& e) const {
    const auto& s = p_.safety;
    e.safety.push_back(
        {"cooldown per target",
         s.cooldown_target_ms
             ? Explained{duration(s.cooldown_target_ms),
                         "after an action on a target, the same action of this policy on that "
                         "target waits " +
                             duration(s.cooldown_target_ms)}
             : Explained{"",
                         "none: an action may be proposed again for the same target at the "
                         "next evaluation, within the other limits"}});
    e.safety.push_back(
        {"cooldown per policy",
         s.cooldown_policy_ms
             ? Explained{duration(s.cooldown_policy_ms),
                         "after any action of this policy, no other action of it for " +
                             duration(s.cooldown_policy_ms)}
             : Explained{"", "none"}});
    e.safety.push_back({"max_actions", s.max_actions
                                           ? Explained{std::to_string(s.max_actions) + " per " +
                                                           duration(s.max_actions_window_ms),
                                                       "at most " + count(s.max_actions, "action") +
                                                           " of this policy in any " +
                                                           duration(s.max_actions_window_ms)}
                                           : Explained{"", "no rate cap"}});
    std::string unavailable =
        std::to_string(s.max_unavailable) + (s.max_unavailable_percent ? "%" : "");
    e.safety.push_back(
        {"max_unavailable",
         s.max_unavailable
             ? Explained{unavailable,
                         "an action that takes pods down must not leave more than " +
                             (s.max_unavailable_percent ? unavailable + " of the replicas"
                                                        : count(s.max_unavailable, "replica")) +
                             " of the owning workload unavailable at once"}
             : Explained{"", "not limited by the policy"}});
    e.safety.push_back(
        {"max_concurrent", s.max_concurrent
                               ? Explained{std::to_string(s.max_concurrent),
                                           "at most " + count(s.max_concurrent, "action") +
                                               " of this policy in progress at once"}
                               : Explained{"", "not limited by the policy"}});
    std::vector<std::string> approved;
    auto actions = stdlib::actions();
    for (std::size_t i = 0; i < actions.size() && i < 32; ++i)
      if (s.approve_mask & (1u << i)) approved.push_back(std::string(actions[i].name));
    e.safety.push_back(
        {"approve", approved.empty()
                        ? Explained{"", p_.mode == bytecode::Mode::Manual
                                            ? "none listed; in mode manual every action waits"
                                            : "none: no action waits for a human"}
                        : Explained{joined(approved),
                                    "these actions wait for a human's approval, "
                                    "even in mode automatic"}});
    e.safety.push_back(
        {"allow system_namespaces",
         s.allow_system_namespaces
             ? Explained{"allowed",
                         "the policy may act in kube-system, kube-public and "
                         "kube-node-lease"}
             : Explained{"",
                         "not allowed: kube-system, kube-public and kube-node-lease are out "
                         "of reach"}});
  }

  const bytecode::Program& prog_;
  const bytecode::Policy& p_;
  const ExplainSources& sources_;
  std::map<std::uint16_t, std::string> locals_;
};

}  // namespace

std::optional<PolicyExplanation> explain_policy(const bytecode::Program& program, std::size_t index,
                                                const ExplainSources& sources, std::string& error) {
  if (index >= program.policies.size()) {
    error = "no policy " + std::to_string(index);
    return std::nullopt;
  }
  return Explainer(program, program.policies[index], sources).run(error);
}

}  // namespace skippy::explain
