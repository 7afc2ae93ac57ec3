// The checker's expressions: names, fields, calls, operators and their types.
#include <algorithm>
#include <cmath>

#include "compiler/checker.hpp"
#include "compiler/fold.hpp"

namespace skippy::compiler {
namespace {

using stdlib::Type;

bool is_numeric(Type t) {
  return t == Type::Number || t == Type::Duration || t == Type::Quantity || t == Type::Percent;
}

std::string a_type(Type t) {
  switch (t) {
    case Type::Number:
      return "a number";
    case Type::Duration:
      return "a duration";
    case Type::Quantity:
      return "a quantity";
    case Type::Percent:
      return "a percentage";
    case Type::String:
      return "a string";
    case Type::Bool:
      return "true or false";
    case Type::ActionName:
      return "an action name";
    case Type::Symbol:
      return "a word";
    case Type::Numeric:
      return "a number";
  }
  return "a value";
}

IrExpr constant_expr(IrConstant c, Type type, dsl::Span span) {
  IrExpr e;
  e.kind = IrExpr::Kind::Constant;
  e.constant = std::move(c);
  e.type = IrType{type, false};
  e.span = span;
  return e;
}

// A Prometheus number beside a duration or a quantity is read in that unit's base units.
void adopt_units(IrExpr& flexible, const IrExpr& other) {
  if (flexible.type.base_units && flexible.type.type == Type::Number &&
      (other.type.type == Type::Duration || other.type.type == Type::Quantity)) {
    flexible.type.type = other.type.type;
  }
}

// `250m` beside a Prometheus number could be minutes or millicores: nothing says which.
bool ambiguous_units(const IrExpr& a, const IrExpr& b) {
  auto one_way = [](const IrExpr& x, const IrExpr& y) {
    return x.minutes_or_milli && x.kind == IrExpr::Kind::Constant && y.type.base_units &&
           y.type.type == Type::Number;
  };
  return one_way(a, b) || one_way(b, a);
}

// `250m` beside a quantity means 250 millicores: 0.25.
void reinterpret_milli(IrExpr& maybe_duration, const IrExpr& other) {
  if (other.type.type == Type::Quantity && maybe_duration.minutes_or_milli &&
      maybe_duration.kind == IrExpr::Kind::Constant) {
    maybe_duration.constant.number = maybe_duration.constant.number / 60.0 / 1000.0;
    maybe_duration.type.type = Type::Quantity;
    maybe_duration.minutes_or_milli = false;
  }
}

}  // namespace

IrExpr PolicyChecker::error_expr(dsl::Span span) {
  IrExpr e;
  e.kind = IrExpr::Kind::Constant;
  e.constant.kind = bytecode::ConstantKind::Bool;
  e.type = IrType{Type::Bool, true};
  e.poisoned = true;
  e.span = span;
  return e;
}

IrExpr PolicyChecker::input(std::uint16_t slot, IrType type, dsl::Span span) {
  IrExpr e;
  e.kind = IrExpr::Kind::Input;
  e.index = slot;
  e.type = type;
  e.span = span;
  return e;
}

std::uint16_t PolicyChecker::add_input(bytecode::InputSlot slot, const std::string& key) {
  auto it = input_keys_.find(key);
  if (it != input_keys_.end()) return it->second;
  auto index = static_cast<std::uint16_t>(out_.header.inputs.size());
  out_.header.inputs.push_back(std::move(slot));
  input_keys_[key] = index;
  return index;
}

bool PolicyChecker::require_bool(const IrExpr& e, const dsl::Expr& where, dsl::DiagCode code,
                                 const char* what) {
  if (e.poisoned) return false;
  if (e.type.type == Type::Bool) return true;
  report(code, where.span,
         std::string(what) + " must be true or false; this is " + a_type(e.type.type))
      .notes.push_back({std::nullopt, "compare it, as in `x > 85` or `reason == \"OOMKilled\"`"});
  return false;
}

IrExpr PolicyChecker::expr(const dsl::Expr& e, std::optional<Type> hint) {
  IrConstant c;
  switch (e.kind) {
    case dsl::ExprKind::Number:
      c.number = e.number;
      return constant_expr(c, Type::Number, e.span);
    case dsl::ExprKind::Duration: {
      c.number = e.number;
      auto out = constant_expr(c, Type::Duration, e.span);
      out.minutes_or_milli = e.minutes_or_milli;
      return out;
    }
    case dsl::ExprKind::Quantity:
      c.number = e.number;
      return constant_expr(c, Type::Quantity, e.span);
    case dsl::ExprKind::Percent:
      c.number = e.number;
      return constant_expr(c, Type::Percent, e.span);
    case dsl::ExprKind::String:
      c.kind = bytecode::ConstantKind::String;
      c.string = e.text;
      return constant_expr(c, Type::String, e.span);
    case dsl::ExprKind::Bool:
      c.kind = bytecode::ConstantKind::Bool;
      c.boolean = e.boolean;
      return constant_expr(c, Type::Bool, e.span);
    case dsl::ExprKind::Name:
      return name(e, hint);
    case dsl::ExprKind::Member:
      return member(e);
    case dsl::ExprKind::Call:
      return call(e);
    case dsl::ExprKind::Unary:
      return unary(e);
    case dsl::ExprKind::Binary:
      return binary(e);
    case dsl::ExprKind::List:
      report(dsl::DiagCode::ListNotConstant, e.span,
             "a list stands only after `in` or `not in`, as in `reason in [\"A\", \"B\"]`");
      return error_expr(e.span);
  }
  return error_expr(e.span);
}

IrExpr PolicyChecker::name(const dsl::Expr& e, std::optional<Type> hint) {
  const std::string& n = e.text;
  for (auto scope = scopes_.rbegin(); scope != scopes_.rend(); ++scope) {
    auto it = scope->find(n);
    if (it == scope->end()) continue;
    if (it->second.advice) {
      report(dsl::DiagCode::UnknownObject, e.span,
             "`" + n + "` is a verdict; use its fields: `" + n + ".action`, `" + n +
                 ".confidence`, `" + n + ".reason`");
      return error_expr(e.span);
    }
    IrExpr out;
    out.kind = IrExpr::Kind::Local;
    out.index = it->second.index;
    out.type = it->second.type;
    out.span = e.span;
    return out;
  }
  if (signals_.count(n)) return signal_ref(n, e.span);
  // `none`: what a verdict's action is when the analyzer chose nothing.
  if ((stdlib::find_action(n) || n == "none") && (!hint || *hint == Type::ActionName)) {
    IrConstant c;
    c.kind = bytecode::ConstantKind::String;
    c.string = n;
    return constant_expr(c, Type::ActionName, e.span);
  }
  if (n == "pod" || n == "workload" || n == "ai") {
    report(dsl::DiagCode::UnknownObject, e.span,
           "`" + n + "` is used through its fields or functions, as in `pod.restarts`");
    return error_expr(e.span);
  }
  std::vector<std::string> candidates = signal_order_;
  for (const auto& scope : scopes_) {
    for (const auto& [local, info] : scope) candidates.push_back(local);
  }
  auto& d = report(dsl::DiagCode::UnknownName, e.span,
                   "unknown name `" + n + "`: not a signal of policy `" + policy_.name.name +
                       "`, a `let` binding or an action");
  suggest(d, n, candidates);
  return error_expr(e.span);
}

IrExpr PolicyChecker::signal_ref(const std::string& n, dsl::Span span) {
  SignalInfo& info = signals_[n];
  info.used = true;
  if (info.state == SignalInfo::State::Resolved) {
    IrExpr copy = *info.value;
    copy.span = span;
    return copy;
  }
  if (info.state == SignalInfo::State::Resolving) {
    report(dsl::DiagCode::SignalCycle, span, "signal `" + n + "` is defined in terms of itself")
        .notes.push_back({info.clause->name.span, "the signal"});
    return error_expr(span);
  }
  info.state = SignalInfo::State::Resolving;
  const dsl::SignalClause& clause = *info.clause;
  const dsl::Expr& source = *clause.source;
  IrExpr value;
  bool is_promql = source.kind == dsl::ExprKind::Call &&
                   source.operands[0]->kind == dsl::ExprKind::Name &&
                   source.operands[0]->text == "promql";
  if (is_promql) {
    if (source.arguments.size() != 1 || source.arguments[0].value->kind != dsl::ExprKind::String) {
      value = error_expr(span);  // reported by the front end (E0206)
    } else {
      bytecode::InputSlot slot;
      slot.kind = bytecode::InputKind::Promql;
      slot.name = strings_.intern(n);
      slot.query = strings_.intern(source.arguments[0].value->text);
      for (const auto& l : clause.by_labels) slot.by_labels.push_back(strings_.intern(l.name));
      if (clause.aggregation) {
        static const std::map<std::string, bytecode::Aggregation> kAgg = {
            {"max", bytecode::Aggregation::Max},
            {"min", bytecode::Aggregation::Min},
            {"avg", bytecode::Aggregation::Avg},
            {"sum", bytecode::Aggregation::Sum},
            {"count", bytecode::Aggregation::Count}};
        auto a = kAgg.find(clause.aggregation->name);
        if (a != kAgg.end()) slot.aggregation = a->second;
      }
      if (clause.missing) {
        switch (clause.missing->kind) {
          case dsl::MissingRule::Kind::Hold:
            slot.missing = bytecode::MissingKind::Hold;
            slot.hold_ms = clause.missing->hold_for->millis;
            break;
          case dsl::MissingRule::Kind::Zero:
            slot.missing = bytecode::MissingKind::Zero;
            break;
          case dsl::MissingRule::Kind::Unknown:
            slot.missing = bytecode::MissingKind::Unknown;
            break;
        }
      }
      value =
          input(add_input(std::move(slot), "promql:" + n), IrType{Type::Number, true, true}, span);
    }
  } else {
    if (clause.missing) {
      report(dsl::DiagCode::MissingRuleNotPromql, clause.missing->span,
             "`on missing` says what to do when Prometheus has no series for a target; signal `" +
                 n + "` reads Kubernetes state, which every target has");
    }
    Context saved = context_;
    context_ = Context::Signal;
    value = expr(source);
    context_ = saved;
    if (!value.poisoned && value.type.type == Type::ActionName) {
      report(dsl::DiagCode::SignalNotValue, source.span,
             "a signal's source must be a value, not an action name");
      value = error_expr(span);
    }
  }
  info.value = value;
  info.state = SignalInfo::State::Resolved;
  value.span = span;
  return value;
}

IrExpr PolicyChecker::member(const dsl::Expr& e) {
  const dsl::Expr& object = *e.operands[0];
  if (object.kind == dsl::ExprKind::Call && object.operands[0]->kind == dsl::ExprKind::Name &&
      object.operands[0]->text == "outcomes")
    return outcomes(e);
  if (object.kind == dsl::ExprKind::Call) {
    IrExpr called = call(object);  // reports a misplaced ai.analyze() or an unknown function
    if (called.poisoned) return error_expr(e.span);
  }
  if (object.kind != dsl::ExprKind::Name) {
    report(dsl::DiagCode::UnknownObject, e.span,
           "`.` reads a field of `pod`, `workload` or a verdict; `" + e.text +
               "` cannot be read here");
    return error_expr(e.span);
  }
  const std::string& owner = object.text;
  for (auto scope = scopes_.rbegin(); scope != scopes_.rend(); ++scope) {
    auto it = scope->find(owner);
    if (it == scope->end()) continue;
    if (!it->second.advice) break;
    auto field = stdlib::find_verdict_field(e.text);
    if (!field) {
      std::vector<std::string> names;
      std::string listed;
      for (const auto& f : stdlib::verdict_fields()) {
        names.emplace_back(f.name);
        listed += (listed.empty() ? "" : ", ") + std::string(f.name);
      }
      auto& d = report(dsl::DiagCode::UnknownVerdictField, e.span,
                       "a verdict has no field `" + e.text + "`; it has " + listed);
      suggest(d, e.text, names);
      return error_expr(e.span);
    }
    bytecode::InputSlot slot;
    slot.kind = bytecode::InputKind::Advice;
    slot.name = strings_.intern(owner + "." + e.text);
    slot.id = *field;
    slot.source = *it->second.advice;
    auto index =
        add_input(std::move(slot), "advice:" + std::to_string(*it->second.advice) + ":" + e.text);
    return input(index, IrType{stdlib::verdict_fields()[*field].type, true}, e.span);
  }
  bool pod = owner == "pod";
  if (!pod && owner != "workload") {
    bool is_value = signals_.count(owner) > 0;
    report(dsl::DiagCode::UnknownObject, object.span,
           is_value ? "`" + owner + "` is a value and has no fields"
                    : "`" + owner +
                          "` has no fields: `.` reads fields of `pod`, `workload` or a verdict");
    return error_expr(e.span);
  }
  auto owner_kind = pod ? stdlib::FieldOwner::Pod : stdlib::FieldOwner::Workload;
  auto field = stdlib::find_field(owner_kind, e.text);
  if (!field) {
    std::vector<std::string> names;
    for (const auto& f : stdlib::fields()) {
      if (f.owner == owner_kind) names.emplace_back(f.name);
    }
    auto& d = report(dsl::DiagCode::UnknownField, e.span,
                     "`" + owner + "` has no field `" + e.text + "`");
    suggest(d, e.text, names);
    return error_expr(e.span);
  }
  bool targets_pods = out_.header.selection.kind == bytecode::TargetKind::Pods;
  if (pod && !targets_pods) {
    report(dsl::DiagCode::PodFieldOnWorkload, e.span,
           "`pod." + e.text + "` needs `select pods`; this policy selects " +
               bytecode::target_kind_name(out_.header.selection.kind) +
               ", so use `workload` fields");
    return error_expr(e.span);
  }
  bytecode::InputSlot slot;
  slot.kind = bytecode::InputKind::Field;
  slot.name = strings_.intern(owner + "." + e.text);
  slot.id = *field;
  auto index = add_input(std::move(slot), "field:" + std::to_string(*field));
  // A bare pod has no workload: its workload fields are Unknown.
  return input(index, IrType{stdlib::fields()[*field].type, !pod && targets_pods}, e.span);
}

IrExpr PolicyChecker::call(const dsl::Expr& e) {
  const dsl::Expr& callee = *e.operands[0];
  if (callee.kind == dsl::ExprKind::Member && callee.operands[0]->kind == dsl::ExprKind::Name &&
      callee.operands[0]->text == "ai") {
    if (context_ != Context::Handler) {
      report(dsl::DiagCode::AdvisorOutsideHandler, e.span,
             "ai.analyze() asks an advisor when a trigger fires; call it in an `on` block, not in "
             "a signal or trigger");
    } else {
      report(dsl::DiagCode::AdvisorOutsideLet, e.span,
             "bind the verdict first: `let verdict = ai.analyze(...)`, then test `verdict.action`");
    }
    return error_expr(e.span);
  }
  if (callee.kind != dsl::ExprKind::Name) {
    report(dsl::DiagCode::CallOnValue, callee.span,
           "only functions can be called; this is a field");
    return error_expr(e.span);
  }
  const std::string& n = callee.text;
  if (n == "promql") return error_expr(e.span);  // E0226, reported by the front end
  if (auto w = stdlib::find_window_function(n)) return window_call(e, *w);
  if (n == "events") return events_call(e);
  if (stdlib::find_action(n)) {
    report(dsl::DiagCode::ActionAsValue, e.span,
           "`" + n + "(...)` is an action; actions stand in `on ... do`, not inside expressions");
    return error_expr(e.span);
  }
  auto f = stdlib::find_function(n);
  if (!f) {
    std::vector<std::string> names{"events"};
    for (const auto& fn : stdlib::functions()) names.emplace_back(fn.name);
    for (const auto& fn : stdlib::window_functions()) names.emplace_back(fn.name);
    auto& d = report(dsl::DiagCode::UnknownFunction, callee.span, "unknown function `" + n + "`");
    suggest(d, n, names);
    return error_expr(e.span);
  }
  const auto& decl = stdlib::functions()[*f];
  if (e.arguments.size() != decl.arity) {
    report(dsl::DiagCode::WrongArgumentCount, e.span,
           "`" + n + "` takes " + std::to_string(decl.arity) + " argument(s); " +
               std::to_string(e.arguments.size()) + " given");
    return error_expr(e.span);
  }
  IrExpr out;
  out.kind = IrExpr::Kind::Call;
  out.index = *f;
  out.span = e.span;
  std::optional<Type> numeric_kind;
  std::vector<IrExpr> values;
  for (const auto& arg : e.arguments) {
    if (arg.name) {
      report(dsl::DiagCode::UnknownArgument, arg.name->span,
             "`" + n + "` takes positional arguments");
      return error_expr(e.span);
    }
    values.push_back(expr(*arg.value));
    if (values.back().poisoned) return error_expr(e.span);
  }
  // Units meet as they do beside an operator: `min(cpu, 1h)`, `max(pod.cpu_limit, 250m)`.
  for (auto& a : values) {
    for (auto& b : values) {
      if (&a == &b) continue;
      if (ambiguous_units(a, b)) {
        report(dsl::DiagCode::AmbiguousUnit, e.span,
               "a number from Prometheus beside a literal in `m`: minutes or millicores?")
            .notes.push_back({std::nullopt,
                              "write minutes as seconds or hours (`900s`, `1h`), and millicores as "
                              "cores (`0.25`)"});
        return error_expr(e.span);
      }
      reinterpret_milli(a, b);
      adopt_units(a, b);
    }
  }
  for (std::size_t i = 0; i < values.size(); ++i) {
    const auto& arg = e.arguments[i];
    IrExpr value = std::move(values[i]);
    Type want = decl.params[i];
    bool fits = want == Type::Numeric ? is_numeric(value.type.type) : value.type.type == want;
    if (want == Type::Numeric && fits) {
      if (numeric_kind && *numeric_kind != value.type.type) fits = false;
      numeric_kind = numeric_kind.value_or(value.type.type);
    }
    if (!fits) {
      report(dsl::DiagCode::FunctionArgumentType, arg.value->span,
             "argument " + std::to_string(i + 1) + " of `" + n + "` must be " +
                 (want == Type::Numeric && numeric_kind ? a_type(*numeric_kind)
                                                        : std::string(stdlib::type_name(want))) +
                 "; this is " + a_type(value.type.type));
      return error_expr(e.span);
    }
    out.type.may_be_unknown |= value.type.may_be_unknown;
    out.children.push_back(std::move(value));
  }
  out.type.type = decl.result == Type::Numeric ? numeric_kind.value_or(Type::Number) : decl.result;
  if (n == "clamp") out.type.may_be_unknown = true;  // lo > hi gives Unknown
  return out;
}

IrExpr PolicyChecker::window_call(const dsl::Expr& e, std::uint16_t function) {
  const auto& decl = stdlib::window_functions()[function];
  std::string fn(decl.name);
  const dsl::Expr* signal = nullptr;
  const dsl::Expr* window = nullptr;
  const dsl::Expr* horizon = nullptr;
  for (std::size_t i = 0; i < e.arguments.size(); ++i) {
    const auto& arg = e.arguments[i];
    std::string key = arg.name ? arg.name->name : (i == 0 ? "" : i == 1 ? "window" : "?");
    if (key.empty() && !signal)
      signal = arg.value.get();
    else if (key == "window" && !window)
      window = arg.value.get();
    else if (key == "horizon" && decl.needs_horizon && !horizon)
      horizon = arg.value.get();
    else {
      report(dsl::DiagCode::UnknownArgument, arg.span,
             "`" + fn + "` takes a signal, " +
                 (decl.needs_horizon ? "`horizon:` and an optional `window:`" : "and a window"));
      return error_expr(e.span);
    }
  }
  if (!signal) {
    report(dsl::DiagCode::WindowNeedsSignal, e.span,
           "`" + fn + "` needs a signal as its first argument");
    return error_expr(e.span);
  }
  IrExpr source = expr(*signal);
  if (source.poisoned) return error_expr(e.span);
  auto source_kind = source.kind == IrExpr::Kind::Input ? out_.header.inputs[source.index].kind
                                                        : bytecode::InputKind::Window;
  bool has_history =
      source_kind == bytecode::InputKind::Promql || source_kind == bytecode::InputKind::Field;
  if (source.kind != IrExpr::Kind::Input || !has_history || !is_numeric(source.type.type)) {
    report(dsl::DiagCode::WindowNeedsSignal, signal->span,
           "`" + fn +
               "` looks back over a signal's history: its first argument must name a PromQL signal "
               "or a numeric Kubernetes field such as `pod.restarts`");
    return error_expr(e.span);
  }
  auto literal_duration = [&](const dsl::Expr* d, const char* what) -> std::optional<std::int64_t> {
    if (d->kind != dsl::ExprKind::Duration || d->number <= 0) {
      report(
          dsl::DiagCode::NotConstant, d->span,
          std::string("`") + what + "` of `" + fn + "` must be a duration literal such as `10m`");
      return std::nullopt;
    }
    return static_cast<std::int64_t>(std::llround(d->number * 1000));
  };
  std::int64_t window_ms = 3'600'000;  // forecast's default look-back
  if (window) {
    auto w = literal_duration(window, "window");
    if (!w) return error_expr(e.span);
    window_ms = *w;
  } else if (!decl.needs_horizon) {
    report(dsl::DiagCode::MissingArgument, e.span,
           "`" + fn + "` needs a window, as in `" + fn + "(x, 10m)`");
    return error_expr(e.span);
  }
  double parameter = 0;
  if (decl.needs_horizon) {
    if (!horizon) {
      report(dsl::DiagCode::MissingArgument, e.span,
             "`forecast` needs `horizon:`, as in `forecast(x, horizon: 30m)`");
      return error_expr(e.span);
    }
    auto h = literal_duration(horizon, "horizon");
    if (!h) return error_expr(e.span);
    parameter = static_cast<double>(*h) / 1000.0;
  }
  bytecode::InputSlot slot;
  slot.kind = bytecode::InputKind::Window;
  const auto& source_name = out_.header.inputs[source.index].name;
  slot.name = strings_.intern(fn + "(" + std::string(strings_.strings()[source_name]) + ")");
  slot.id = function;
  slot.source = source.index;
  slot.window_ms = window_ms;
  slot.parameter = parameter;
  std::string key = "window:" + fn + ":" + std::to_string(source.index) + ":" +
                    std::to_string(window_ms) + ":" + std::to_string(parameter);
  Type result = decl.result == Type::Numeric ? source.type.type : decl.result;
  return input(add_input(std::move(slot), key), IrType{result, true, source.type.base_units},
               e.span);
}

IrExpr PolicyChecker::events_call(const dsl::Expr& e) {
  bytecode::InputSlot slot;
  slot.kind = bytecode::InputKind::Events;
  std::string key = "events";
  bool has_window = false;
  for (const auto& arg : e.arguments) {
    std::string n = arg.name ? arg.name->name : "";
    const dsl::Expr& v = *arg.value;
    if ((n == "reason" || n == "type") && v.kind == dsl::ExprKind::String) {
      if (n == "type" && v.text != "Normal" && v.text != "Warning") {
        report(dsl::DiagCode::EventsArguments, v.span,
               "an event's type is \"Normal\" or \"Warning\"");
        return error_expr(e.span);
      }
      (n == "reason" ? slot.reason : slot.event_type) = strings_.intern(v.text);
      key += ":" + n + "=" + v.text;
    } else if (n == "within" && v.kind == dsl::ExprKind::Duration && v.number > 0) {
      slot.window_ms = static_cast<std::int64_t>(std::llround(v.number * 1000));
      key += ":within=" + std::to_string(slot.window_ms);
      has_window = true;
    } else {
      report(dsl::DiagCode::EventsArguments, arg.span,
             "events() takes `reason: \"...\"`, `type: \"Normal\"|\"Warning\"` and `within: "
             "DURATION`, all literals");
      return error_expr(e.span);
    }
  }
  if (!has_window) {
    report(dsl::DiagCode::EventsArguments, e.span,
           "events() needs `within:`, as in `events(reason: \"BackOff\", within: 10m)`");
    return error_expr(e.span);
  }
  slot.name = strings_.intern("events");
  return input(add_input(std::move(slot), key), IrType{Type::Number, false}, e.span);
}

IrExpr PolicyChecker::unary(const dsl::Expr& e) {
  IrExpr operand = expr(*e.operands[0]);
  if (operand.poisoned) return error_expr(e.span);
  if (e.unary_op == dsl::UnaryOp::Not) {
    if (!require_bool(operand, *e.operands[0], dsl::DiagCode::OperandNotBool,
                      "the operand of `not`")) {
      return error_expr(e.span);
    }
  } else if (!is_numeric(operand.type.type)) {
    report(dsl::DiagCode::NegateType, e.span,
           std::string("`") + dsl::unary_op_text(e.unary_op) +
               "` applies to numbers, durations, quantities and percentages; this is " +
               a_type(operand.type.type));
    return error_expr(e.span);
  }
  if (e.unary_op == dsl::UnaryOp::Plus) {
    operand.span = e.span;
    return operand;
  }
  IrExpr out;
  out.kind = IrExpr::Kind::Unary;
  out.op = e.unary_op == dsl::UnaryOp::Not ? bytecode::Op::NOT : bytecode::Op::NEG;
  out.type = operand.type;
  out.span = e.span;
  out.children.push_back(std::move(operand));
  return out;
}

IrExpr PolicyChecker::binary(const dsl::Expr& e) {
  using B = dsl::BinaryOp;
  if (e.binary_op == B::In || e.binary_op == B::NotIn) {
    IrExpr lhs = expr(*e.operands[0]);
    return lhs.poisoned ? error_expr(e.span) : membership(e, std::move(lhs));
  }
  IrExpr lhs = expr(*e.operands[0]);
  IrExpr rhs =
      expr(*e.operands[1], lhs.poisoned ? std::nullopt : std::optional<Type>(lhs.type.type));
  if (lhs.poisoned || rhs.poisoned) return error_expr(e.span);
  if (ambiguous_units(lhs, rhs)) {
    report(dsl::DiagCode::AmbiguousUnit, e.span,
           "a number from Prometheus beside `" +
               std::string(lhs.minutes_or_milli ? e.operands[0]->text : e.operands[1]->text) +
               "`: minutes or millicores?")
        .notes.push_back(
            {std::nullopt,
             "write minutes as seconds or hours (`900s`, `1h`), and millicores as cores (`0.25`)"});
    return error_expr(e.span);
  }
  reinterpret_milli(lhs, rhs);
  reinterpret_milli(rhs, lhs);
  adopt_units(lhs, rhs);
  adopt_units(rhs, lhs);

  IrExpr out;
  out.kind = IrExpr::Kind::Binary;
  out.span = e.span;
  out.type.may_be_unknown = lhs.type.may_be_unknown || rhs.type.may_be_unknown;
  switch (e.binary_op) {
    case B::And:
    case B::Or: {
      bool ok = require_bool(lhs, *e.operands[0], dsl::DiagCode::OperandNotBool,
                             e.binary_op == B::And ? "each side of `and`" : "each side of `or`");
      ok = require_bool(rhs, *e.operands[1], dsl::DiagCode::OperandNotBool,
                        e.binary_op == B::And ? "each side of `and`" : "each side of `or`") &&
           ok;
      if (!ok) return error_expr(e.span);
      out.op = e.binary_op == B::And ? bytecode::Op::AND : bytecode::Op::OR;
      out.type.type = Type::Bool;
      break;
    }
    case B::Add:
    case B::Subtract:
    case B::Multiply:
    case B::Divide: {
      Type l = lhs.type.type, r = rhs.type.type;
      std::optional<Type> result;
      if (is_numeric(l) && is_numeric(r)) {
        if (e.binary_op == B::Add || e.binary_op == B::Subtract) {
          if (l == r) result = l;
        } else if (e.binary_op == B::Multiply) {
          if (l == Type::Number)
            result = r;
          else if (r == Type::Number)
            result = l;
        } else {
          if (r == Type::Number)
            result = l;
          else if (l == r)
            result = Type::Number;
        }
      }
      if (!result) {
        report(dsl::DiagCode::ArithmeticTypes, e.span,
               std::string("cannot ") +
                   (e.binary_op == B::Add        ? "add "
                    : e.binary_op == B::Subtract ? "subtract "
                    : e.binary_op == B::Multiply ? "multiply "
                                                 : "divide ") +
                   a_type(l) +
                   (e.binary_op == B::Add        ? " and "
                    : e.binary_op == B::Subtract ? " and "
                    : e.binary_op == B::Multiply ? " by "
                                                 : " by ") +
                   a_type(r));
        return error_expr(e.span);
      }
      if (e.binary_op == B::Divide) {
        bool constant_divisor = rhs.kind == IrExpr::Kind::Constant;
        if (constant_divisor && rhs.constant.number == 0) {
          report(dsl::DiagCode::DivisionByZero, e.operands[1]->span, "division by zero");
          return error_expr(e.span);
        }
        if (!constant_divisor) out.type.may_be_unknown = true;  // x / 0 is Unknown
      }
      static const bytecode::Op ops[] = {bytecode::Op::ADD, bytecode::Op::SUB, bytecode::Op::MUL,
                                         bytecode::Op::DIV};
      out.op = ops[static_cast<int>(e.binary_op) - static_cast<int>(B::Add)];
      out.type.type = *result;
      out.type.base_units = *result == Type::Number && (lhs.type.base_units || rhs.type.base_units);
      break;
    }
    default:
      return comparison(e, std::move(lhs), std::move(rhs));
  }
  out.children.push_back(std::move(lhs));
  out.children.push_back(std::move(rhs));
  return out;
}

// outcomes(ACTION, within: D).FIELD: a figure of the outcome ledger, an input like a field.
IrExpr PolicyChecker::outcomes(const dsl::Expr& e) {
  const dsl::Expr& call = *e.operands[0];
  std::optional<std::uint16_t> action;
  std::int64_t within_ms = 0;
  bool ok = call.arguments.size() == 2;
  for (const auto& arg : call.arguments) {
    const dsl::Expr& v = *arg.value;
    if (!arg.name && v.kind == dsl::ExprKind::Name) {
      action = stdlib::find_action(v.text);
      ok = ok && action.has_value();
    } else if (arg.name && arg.name->name == "within" && v.kind == dsl::ExprKind::Duration &&
               v.number > 0) {
      within_ms = static_cast<std::int64_t>(std::llround(v.number * 1000));
    } else {
      ok = false;
    }
  }
  if (!ok || !action || within_ms <= 0) {
    report(dsl::DiagCode::OutcomesArguments, call.span,
           "outcomes() takes an action and a window, as in `outcomes(restart, within: 24h)`");
    return error_expr(e.span);
  }
  auto field = stdlib::find_outcome_field(e.text);
  if (!field) {
    std::vector<std::string> names;
    for (const auto& f : stdlib::outcome_fields()) names.emplace_back(f.name);
    auto& d = report(dsl::DiagCode::UnknownObject, e.span,
                     "outcomes() have no field `" + e.text +
                         "`; they have attempts, healed, failed, recurred, success_rate and "
                         "recovery_time");
    suggest(d, e.text, names);
    return error_expr(e.span);
  }
  bytecode::InputSlot slot;
  slot.kind = bytecode::InputKind::Outcome;
  std::string action_name(stdlib::actions()[*action].name);
  slot.name = strings_.intern("outcomes(" + action_name + ")." + e.text);
  slot.id = *field;
  slot.source = *action;
  slot.window_ms = within_ms;
  auto index = add_input(std::move(slot),
                         "outcome:" + action_name + ":" + std::to_string(within_ms) + ":" + e.text);
  return input(index, IrType{stdlib::outcome_fields()[*field].type, true}, e.span);
}

void PolicyChecker::check_verdict_comparison(dsl::Span span, const IrExpr& lhs, const IrExpr& rhs) {
  auto verdict_action = [&](const IrExpr& x) -> const bytecode::AdviceRequest* {
    if (x.kind != IrExpr::Kind::Input || x.index >= out_.header.inputs.size()) return nullptr;
    const auto& slot = out_.header.inputs[x.index];
    if (slot.kind != bytecode::InputKind::Advice || slot.id != stdlib::find_verdict_field("action"))
      return nullptr;
    return slot.source < out_.header.advice.size() ? &out_.header.advice[slot.source] : nullptr;
  };
  const auto* request = verdict_action(lhs);
  const IrExpr* name = &rhs;
  if (!request) {
    request = verdict_action(rhs);
    name = &lhs;
  }
  if (!request || name->kind != IrExpr::Kind::Constant ||
      name->constant.kind != bytecode::ConstantKind::String)
    return;
  const std::string& action = name->constant.string;
  if (action == "none") return;
  auto id = stdlib::find_action(action);
  if (id &&
      std::binary_search(request->allowed_actions.begin(), request->allowed_actions.end(), *id))
    return;
  std::string allowed;
  for (auto a : request->allowed_actions)
    allowed += std::string(allowed.empty() ? "" : ", ") + std::string(stdlib::actions()[a].name);
  report(dsl::DiagCode::VerdictActionUnreachable, span,
         "the verdict can never choose `" + action + "`: no `" + action +
             "(...)` follows the `ai.analyze` call in this handler")
      .notes.push_back({std::nullopt, allowed.empty()
                                          ? std::string("it can choose only `none`")
                                          : "it chooses among " + allowed + " and `none`"});
}

IrExpr PolicyChecker::comparison(const dsl::Expr& e, IrExpr lhs, IrExpr rhs) {
  using B = dsl::BinaryOp;
  check_verdict_comparison(e.span, lhs, rhs);
  Type l = lhs.type.type, r = rhs.type.type;
  bool equality = e.binary_op == B::Equal || e.binary_op == B::NotEqual;
  if (l != r) {
    auto involves = [&](Type a, Type b) { return (l == a && r == b) || (l == b && r == a); };
    if (involves(Type::Percent, Type::Number)) {
      report(dsl::DiagCode::PercentVsNumber, e.span,
             "cannot compare a percentage with a plain number")
          .notes.push_back({std::nullopt,
                            "write the number as a percentage (`85%`) if both are percentages, or "
                            "the percentage as a ratio (`0.85`) if the value is a ratio"});
    } else if (involves(Type::Quantity, Type::Number)) {
      report(dsl::DiagCode::QuantityVsNumber, e.span,
             "cannot compare a quantity with a plain number")
          .notes.push_back(
              {std::nullopt, "write the number with its unit, as in `512Mi` or `250m`"});
    } else {
      auto& d = report(dsl::DiagCode::CompareTypes, e.span,
                       "cannot compare " + a_type(l) + " with " + a_type(r));
      if (involves(Type::Duration, Type::Number))
        d.notes.push_back({std::nullopt, "write the number with a unit, as in `5m`"});
    }
    return error_expr(e.span);
  }
  bytecode::Op op = bytecode::Op::EQ_NUM;
  if (is_numeric(l)) {
    static const bytecode::Op ops[] = {bytecode::Op::EQ_NUM, bytecode::Op::NE_NUM,
                                       bytecode::Op::LT_NUM, bytecode::Op::LE_NUM,
                                       bytecode::Op::GT_NUM, bytecode::Op::GE_NUM};
    op = ops[static_cast<int>(e.binary_op) - static_cast<int>(B::Equal)];
  } else if (!equality) {
    report(dsl::DiagCode::StringOrdering, e.span,
           std::string("`") + dsl::binary_op_text(e.binary_op) +
               "` orders numbers, durations, quantities and percentages; " + a_type(l) +
               " compares only with `==` and `!=`");
    return error_expr(e.span);
  } else if (l == Type::Bool) {
    op = e.binary_op == B::Equal ? bytecode::Op::EQ_BOOL : bytecode::Op::NE_BOOL;
  } else {
    op = e.binary_op == B::Equal ? bytecode::Op::EQ_STR : bytecode::Op::NE_STR;
  }
  IrExpr out;
  out.kind = IrExpr::Kind::Binary;
  out.op = op;
  out.span = e.span;
  out.type = IrType{Type::Bool, lhs.type.may_be_unknown || rhs.type.may_be_unknown};
  out.children.push_back(std::move(lhs));
  out.children.push_back(std::move(rhs));
  return out;
}

IrExpr PolicyChecker::membership(const dsl::Expr& e, IrExpr lhs) {
  const dsl::Expr& list = *e.operands[1];
  if (list.kind != dsl::ExprKind::List) {
    report(dsl::DiagCode::ListNotConstant, list.span,
           "`in` tests against a list of literals, as in `pod.phase in [\"Failed\", \"Unknown\"]`");
    return error_expr(e.span);
  }
  IrExpr out;
  out.kind = IrExpr::Kind::InList;
  out.op = e.binary_op == dsl::BinaryOp::In ? bytecode::Op::IN_LIST : bytecode::Op::NOT_IN_LIST;
  out.span = e.span;
  out.type = IrType{Type::Bool, lhs.type.may_be_unknown};
  for (const auto& item : list.operands) {
    IrExpr v = expr(*item, lhs.type.type);
    if (v.poisoned) return error_expr(e.span);
    fold_expr(v);  // `-1` is a negation until folded
    reinterpret_milli(v, lhs);
    adopt_units(lhs, v);
    if (v.kind != IrExpr::Kind::Constant) {
      report(dsl::DiagCode::ListNotConstant, item->span, "the list after `in` holds literals only");
      return error_expr(e.span);
    }
    if (v.type.type != lhs.type.type || lhs.type.type == Type::Bool) {
      report(
          dsl::DiagCode::ListElementType, item->span,
          "this is " + a_type(v.type.type) + ", but the value tested is " + a_type(lhs.type.type));
      return error_expr(e.span);
    }
    check_verdict_comparison(item->span, lhs, v);
    out.list.push_back(v.constant);
  }
  out.children.push_back(std::move(lhs));
  return out;
}

}  // namespace skippy::compiler
