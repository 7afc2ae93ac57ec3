// The checker's handlers: statements, `let`, the advisor, and actions with their arguments
// and compile-time safety rules.
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <regex>

#include "base/json_escape.hpp"
#include "compiler/checker.hpp"
#include "dsl/patch_paths.hpp"
#include "dsl/yaml_size.hpp"

namespace skippy::compiler {
namespace {

// A YAML document as JSON text: quoted scalars are strings; plain ones are null, booleans or
// numbers when YAML 1.2's core schema reads them so, strings otherwise.
void yaml_to_json(const YAML::Node& node, std::string& out) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      out += '{';
      bool first = true;
      for (const auto& kv : node) {
        if (!first) out += ',';
        first = false;
        out += '"' + base::json_escape(kv.first.Scalar()) + "\":";
        yaml_to_json(kv.second, out);
      }
      out += '}';
      return;
    }
    case YAML::NodeType::Sequence: {
      out += '[';
      for (std::size_t i = 0; i < node.size(); ++i) {
        if (i) out += ',';
        yaml_to_json(node[i], out);
      }
      out += ']';
      return;
    }
    case YAML::NodeType::Scalar: {
      const std::string& v = node.Scalar();
      if (node.Tag() != "!") {  // plain, not quoted
        if (v == "null" || v == "~" || v == "Null" || v == "NULL") {
          out += "null";
          return;
        }
        if (v == "true" || v == "false") {
          out += v;
          return;
        }
        static const std::regex number(R"(-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?)");
        if (std::regex_match(v, number)) {
          out += v;
          return;
        }
      }
      out += '"' + base::json_escape(v) + '"';
      return;
    }
    default:
      out += "null";
  }
}

std::string yaml_to_json(const YAML::Node& node) {
  std::string out;
  yaml_to_json(node, out);
  return out;
}

}  // namespace

namespace {

using stdlib::Type;

dsl::PatchTarget patch_target(bytecode::TargetKind kind) {
  switch (kind) {
    case bytecode::TargetKind::Pods:
      return dsl::PatchTarget::Pod;
    case bytecode::TargetKind::Deployments:
      return dsl::PatchTarget::Deployment;
    case bytecode::TargetKind::StatefulSets:
      return dsl::PatchTarget::StatefulSet;
    case bytecode::TargetKind::DaemonSets:
      return dsl::PatchTarget::DaemonSet;
    case bytecode::TargetKind::ReplicaSets:
      return dsl::PatchTarget::ReplicaSet;
  }
  return dsl::PatchTarget::Pod;
}

const char* kind_list(std::uint8_t mask) {
  switch (mask) {
    case stdlib::kPods:
      return "pods";
    case stdlib::kPods | stdlib::kDeployments | stdlib::kStatefulSets | stdlib::kDaemonSets:
      return "pods, deployments, statefulsets and daemonsets";
    case stdlib::kAllKinds & ~stdlib::kDaemonSets:
      return "deployments, statefulsets and replicasets";
    default:
      return "every kind";
  }
}

std::optional<double> constant_number(const IrExpr& e) {
  if (e.kind == IrExpr::Kind::Constant && e.constant.kind == bytecode::ConstantKind::Number) {
    return e.constant.number;
  }
  if (e.kind == IrExpr::Kind::Unary && e.op == bytecode::Op::NEG) {
    if (auto v = constant_number(e.children[0])) return -*v;
  }
  return std::nullopt;
}

}  // namespace

std::vector<IrStatement> PolicyChecker::block(const dsl::Statement& s) {
  const auto* b = std::get_if<dsl::BlockStatement>(&s.node);
  if (!b) return statement(s);
  scopes_.emplace_back();
  std::vector<IrStatement> out;
  for (std::size_t i = 0; i < b->statements.size(); ++i) {
    following_.emplace_back(&b->statements, i);
    auto part = statement(b->statements[i]);
    following_.pop_back();
    for (auto& p : part) out.push_back(std::move(p));
  }
  scopes_.pop_back();
  return out;
}

namespace {

void collect_actions(const dsl::Statement& s, std::vector<std::uint16_t>& out) {
  if (const auto* a = std::get_if<dsl::ActionCall>(&s.node)) {
    if (auto id = stdlib::find_action(a->name.name)) out.push_back(*id);
  } else if (const auto* i = std::get_if<dsl::IfStatement>(&s.node)) {
    if (i->then_branch) collect_actions(*i->then_branch, out);
    if (i->else_branch) collect_actions(*i->else_branch, out);
  } else if (const auto* b = std::get_if<dsl::BlockStatement>(&s.node)) {
    for (const auto& inner : b->statements) collect_actions(inner, out);
  }
}

}  // namespace

std::vector<std::uint16_t> PolicyChecker::reachable_actions() const {
  std::vector<std::uint16_t> out;
  for (const auto& [statements, at] : following_) {
    for (std::size_t i = at + 1; i < statements->size(); ++i)
      collect_actions((*statements)[i], out);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<IrStatement> PolicyChecker::statement(const dsl::Statement& s) {
  std::vector<IrStatement> out;
  if (const auto* l = std::get_if<dsl::LetStatement>(&s.node)) {
    if (auto st = let(*l)) out.push_back(std::move(*st));
  } else if (const auto* a = std::get_if<dsl::ActionCall>(&s.node)) {
    out.push_back(action(*a));
  } else if (const auto* i = std::get_if<dsl::IfStatement>(&s.node)) {
    IrStatement st;
    st.kind = IrStatement::Kind::If;
    st.span = i->span;
    st.value = expr(*i->condition);
    require_bool(st.value, *i->condition, dsl::DiagCode::ConditionNotBool, "an `if` condition");
    scopes_.emplace_back();
    st.then_branch = block(*i->then_branch);
    scopes_.pop_back();
    if (i->else_branch) {
      scopes_.emplace_back();
      st.else_branch = block(*i->else_branch);
      scopes_.pop_back();
    }
    out.push_back(std::move(st));
  } else if (std::holds_alternative<dsl::BlockStatement>(s.node)) {
    out = block(s);
  }
  return out;
}

std::optional<IrStatement> PolicyChecker::let(const dsl::LetStatement& l) {
  const std::string& n = l.name.name;
  bool shadows = signals_.count(n) > 0;
  for (const auto& scope : scopes_) shadows = shadows || scope.count(n) > 0;
  if (shadows) {
    report(dsl::DiagCode::LetShadows, l.name.span,
           "`" + n + "` is already a signal or a binding here; choose another name");
    return std::nullopt;
  }
  const dsl::Expr& value = *l.value;
  bool is_advisor = value.kind == dsl::ExprKind::Call &&
                    value.operands[0]->kind == dsl::ExprKind::Member &&
                    value.operands[0]->operands[0]->kind == dsl::ExprKind::Name &&
                    value.operands[0]->operands[0]->text == "ai";
  if (is_advisor) {
    if (value.operands[0]->text != "analyze") {
      report(dsl::DiagCode::UnknownFunction, value.operands[0]->span,
             "the advisor offers `ai.analyze(...)`");
      return std::nullopt;
    }
    auto request = advice(value);
    if (!request) return std::nullopt;
    if (out_.header.advice[*request].allowed_actions.empty()) {
      report(dsl::DiagCode::AdvisorWithoutChoice, value.span,
             "no action follows `ai.analyze` in this handler, so `" + n +
                 ".action` can only be `none`")
          .notes.push_back({std::nullopt,
                            "the analyzer chooses among the actions written after the `let`, as "
                            "in `if " +
                                n + ".action == restart then restart()`"});
    }
    LocalInfo info;
    info.advice = *request;
    scopes_.back()[n] = info;
    return std::nullopt;  // verdict fields are inputs; nothing to compute here
  }
  IrStatement st;
  st.kind = IrStatement::Kind::Let;
  st.span = l.span;
  st.value = expr(value);
  if (out_.locals >= bytecode::kMaxLocals) {
    report(dsl::DiagCode::TooComplex, l.name.span,
           "more than " + std::to_string(bytecode::kMaxLocals) + " `let` bindings in one policy");
    return std::nullopt;
  }
  st.local = out_.locals++;
  LocalInfo info;
  info.index = st.local;
  info.type = st.value.type;
  scopes_.back()[n] = info;
  return st;
}

std::optional<std::uint16_t> PolicyChecker::advice(const dsl::Expr& call) {
  bytecode::AdviceRequest request;
  request.allowed_actions = reachable_actions();
  request.handler = static_cast<std::uint16_t>(out_.handlers.size());
  request.horizon_ms = kDefaultAdviceWindowMs;
  request.history_ms = kDefaultAdviceWindowMs;
  request.pos = pos(call.span);
  bool ok = true;
  for (const auto& arg : call.arguments) {
    std::string n = arg.name ? arg.name->name : "";
    const dsl::Expr& v = *arg.value;
    if (n == "signals" && v.kind == dsl::ExprKind::List) {
      for (const auto& item : v.operands) {
        IrExpr s = expr(*item);
        if (s.poisoned) {
          ok = false;
        } else if (s.kind != IrExpr::Kind::Input) {
          report(dsl::DiagCode::ArgumentType, item->span,
                 "`signals:` lists signal names for the advisor to see");
          ok = false;
        } else {
          request.signal_slots.push_back(s.index);
        }
      }
    } else if (n == "events" && v.kind == dsl::ExprKind::Call &&
               v.operands[0]->kind == dsl::ExprKind::Name && v.operands[0]->text == "events" &&
               v.arguments.size() == 1 && v.arguments[0].name &&
               v.arguments[0].name->name == "within" &&
               v.arguments[0].value->kind == dsl::ExprKind::Duration) {
      request.events_window_ms =
          static_cast<std::int64_t>(std::llround(v.arguments[0].value->number * 1000));
    } else if (n == "events" && v.kind == dsl::ExprKind::Duration) {
      request.events_window_ms = static_cast<std::int64_t>(std::llround(v.number * 1000));
    } else if (n == "question" && v.kind == dsl::ExprKind::String) {
      request.question = strings_.intern(v.text);
    } else if (n == "threshold") {
      IrExpr t = expr(v);
      auto number = constant_number(t);
      if (t.poisoned) {
        ok = false;
      } else if (!number || !std::isfinite(*number)) {
        report(dsl::DiagCode::NotConstant, v.span,
               "`threshold:` is a literal level of the first signal, as in `threshold: 85`");
        ok = false;
      } else {
        request.has_threshold = true;
        request.threshold = *number;
      }
    } else if ((n == "horizon" || n == "history") && v.kind == dsl::ExprKind::Duration &&
               v.number > 0) {
      (n == "horizon" ? request.horizon_ms : request.history_ms) =
          static_cast<std::int64_t>(std::llround(v.number * 1000));
    } else {
      report(dsl::DiagCode::UnknownArgument, arg.span,
             "ai.analyze() takes `signals: [names]`, `events: events(within: D)`, `threshold: "
             "N`, `horizon: D`, `history: D` and `question: \"...\"`");
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  out_.header.advice.push_back(std::move(request));
  return static_cast<std::uint16_t>(out_.header.advice.size() - 1);
}

// The fields a literal patch changes, against what its target's kind can take (E0354),
// located at the field in the patch when it is a raw string (written as it is sent).
void PolicyChecker::check_patch_target(const dsl::ActionCall& call, const std::string& text,
                                       dsl::PatchType type, dsl::PatchTarget target) {
  auto paths = dsl::patch_paths(text, type);
  if (!paths) return;
  auto problem = dsl::check_patch_paths(target, *paths);
  if (!problem) return;
  const dsl::PatchPath& at = (*paths)[problem->path];
  const dsl::Expr* literal = nullptr;
  for (const auto& arg : call.arguments) {
    if (arg.name && arg.name->name == "patch") literal = arg.value.get();
  }
  dsl::Span span = literal ? literal->span : call.name.span;
  const dsl::PatchMark& mark = at.marks[problem->depth - 1];
  if (literal && literal->raw && mark.length > 0) {
    span.begin = static_cast<std::uint32_t>(span.begin + 1 + mark.offset);
    span.end = static_cast<std::uint32_t>(span.begin + mark.length);
  }
  report(dsl::DiagCode::PatchNotForKind, span,
         "the patch changes `" + dsl::patch_path_text(at, problem->depth) + "`, which " +
             std::string(dsl::patch_target_name(target)) + " cannot take: " + problem->why)
      .notes.push_back({std::nullopt, problem->hint});
}

IrStatement PolicyChecker::action(const dsl::ActionCall& call) {
  IrStatement st;
  st.kind = IrStatement::Kind::Propose;
  st.span = call.span;
  auto id = stdlib::find_action(call.name.name);
  if (!id) {
    std::vector<std::string> names;
    for (const auto& a : stdlib::actions()) names.emplace_back(a.name);
    auto& d = report(dsl::DiagCode::UnknownAction, call.name.span,
                     "unknown action `" + call.name.name + "`");
    suggest(d, call.name.name, names);
    return st;
  }
  const auto& decl = stdlib::actions()[*id];
  std::string an(decl.name);
  auto kind = out_.header.selection.kind;
  auto kind_bit = static_cast<std::uint8_t>(1u << static_cast<unsigned>(kind));
  // `of: owner` aims scale and patch at a pod's owning workload instead of the pod.
  bool of_owner = false;
  for (const auto& arg : call.arguments) {
    of_owner |= arg.name && arg.name->name == "of" && arg.value->kind == dsl::ExprKind::Name &&
                arg.value->text == "owner";
  }
  if (an == "scale" && kind == bytecode::TargetKind::Pods && !of_owner) {
    report(dsl::DiagCode::ActionNotForKind, call.name.span,
           "a pod cannot be scaled; write `scale(of: owner, ...)` to scale the workload that owns "
           "it (a bare pod is then left alone)");
  } else if (of_owner && kind != bytecode::TargetKind::Pods) {
    report(dsl::DiagCode::ActionNotForKind, call.name.span,
           an == "scale"
               ? "`of: owner` scales a pod's owning workload; this policy selects " +
                     std::string(bytecode::target_kind_name(kind)) + ", which scale themselves"
               : "`of: owner` aims `" + an + "` at a pod's owning workload; this policy selects " +
                     std::string(bytecode::target_kind_name(kind)) +
                     ", which are patched themselves");
  } else if (!(decl.kinds & kind_bit) && !(an == "scale" && of_owner)) {
    report(dsl::DiagCode::ActionNotForKind, call.name.span,
           "`" + an + "` applies to " + kind_list(decl.kinds) + "; this policy selects " +
               bytecode::target_kind_name(kind));
  }

  // Arguments: named, known, typed.
  std::map<std::string, IrExpr> given;
  std::vector<std::string> param_names;
  for (const auto& p : decl.params) param_names.emplace_back(p.name);
  for (const auto& arg : call.arguments) {
    if (!arg.name) {
      report(dsl::DiagCode::PositionalActionArgument, arg.span,
             "name the argument, as in `" + an + "(" +
                 (decl.params.empty() ? std::string("...")
                                      : std::string(decl.params[0].name) + ": ...") +
                 ")`");
      continue;
    }
    const std::string& n = arg.name->name;
    const stdlib::ParamDecl* param = nullptr;
    for (const auto& p : decl.params) {
      if (p.name == n) param = &p;
    }
    if (!param) {
      auto& d = report(dsl::DiagCode::UnknownArgument, arg.name->span,
                       "`" + an + "` has no argument `" + n + "`");
      suggest(d, n, param_names);
      continue;
    }
    const dsl::Expr& v = *arg.value;
    if (param->type == Type::Symbol) {
      bool known =
          v.kind == dsl::ExprKind::Name &&
          std::find(param->symbols.begin(), param->symbols.end(), v.text) != param->symbols.end();
      if (!known) {
        std::string choices;
        for (std::size_t i = 0; i < param->symbols.size(); ++i) {
          choices += (i ? ", " : "") + std::string(param->symbols[i]);
        }
        report(dsl::DiagCode::SymbolValue, v.span, "`" + n + "` is one of: " + choices);
        continue;
      }
      IrExpr word;
      word.kind = IrExpr::Kind::Constant;
      word.constant.kind = bytecode::ConstantKind::String;
      word.constant.string = v.text;
      word.type = IrType{Type::String, false};
      word.span = v.span;
      given[n] = std::move(word);
      continue;
    }
    IrExpr value = expr(v);
    if (value.poisoned) continue;
    if (value.type.type != param->type) {
      report(dsl::DiagCode::ArgumentType, v.span,
             "`" + n + "` of `" + an + "` must be a " +
                 std::string(stdlib::type_name(param->type)) + "; this is a " +
                 std::string(stdlib::type_name(value.type.type)))
          .notes.push_back({std::nullopt, param->type == Type::Duration
                                              ? "write a unit, as in `30s`"
                                              : std::string(param->doc)});
      continue;
    }
    if (auto number = constant_number(value); number && *number < 0 && n != "by") {
      report(dsl::DiagCode::NegativeArgument, v.span, "`" + n + "` must not be negative");
      continue;
    }
    given[n] = std::move(value);
  }
  for (const auto& p : decl.params) {
    if (p.required && !given.count(std::string(p.name))) {
      report(dsl::DiagCode::MissingArgument, call.name.span,
             "`" + an + "` needs `" + std::string(p.name) + ":` (" + std::string(p.doc) + ")");
    }
  }

  bool destructive = decl.destructive;
  if (an == "scale") {
    bool has_to = given.count("to") > 0, has_by = given.count("by") > 0;
    if (has_to == has_by) {
      report(dsl::DiagCode::ScaleAmount, call.name.span,
             "scale takes either `to:` (a replica count) or `by:` (a change), not " +
                 std::string(has_to ? "both" : "neither"));
    }
    auto number = [&](const char* k) {
      auto it = given.find(k);
      return it == given.end() ? std::nullopt : constant_number(it->second);
    };
    auto lo = number("min"), hi = number("max"), to = number("to"), by = number("by");
    if (hi && *hi < 1)
      report(dsl::DiagCode::ScaleBounds, given["max"].span, "`max` must be at least 1");
    if (lo && hi && *lo > *hi)
      report(dsl::DiagCode::ScaleBounds, given["min"].span, "`min` is above `max`");
    if (to && ((hi && *to > *hi) || (lo && *to < *lo))) {
      report(dsl::DiagCode::ScaleBounds, given["to"].span, "`to` lies outside `min` and `max`");
    }
    if (by && *by == 0)
      report(dsl::DiagCode::ScaleBounds, given["by"].span, "`by: 0` changes nothing");
    destructive = !(by && *by > 0);  // only a constant positive `by` can never scale down
  }
  if (an == "patch" && given.count("patch") && given["patch"].kind == IrExpr::Kind::Constant) {
    const std::string& text = given["patch"].constant.string;
    try {
      YAML::Node doc = YAML::Load(text);
      bool json_type = given.count("type") && given["type"].constant.string == "json";
      if (dsl::patch_too_large(doc)) {
        // Checked first: its fields and its JSON text would expand every alias.
        report(dsl::DiagCode::InvalidPatch, given["patch"].span, dsl::kPatchTooLarge);
      } else if (json_type && !doc.IsSequence()) {
        report(dsl::DiagCode::JsonPatchNotList, given["patch"].span,
               "a JSON patch is a list of operations, as in `[{\"op\": \"replace\", \"path\": "
               "\"/spec/replicas\", \"value\": 3}]`");
      } else if (!json_type && !doc.IsMap()) {
        report(dsl::DiagCode::InvalidPatch, given["patch"].span,
               "a strategic or merge patch is an object, as in `{\"spec\": {...}}`");
      } else {
        check_patch_target(call, text, json_type ? dsl::PatchType::Json : dsl::PatchType::Merge,
                           of_owner ? dsl::PatchTarget::OwningWorkload : patch_target(kind));
        // The runtime sends the patch as written, so YAML becomes JSON here, once.
        given["patch"].constant.string = yaml_to_json(doc);
      }
    } catch (const YAML::Exception& ex) {
      report(dsl::DiagCode::InvalidPatch, given["patch"].span,
             std::string("the patch is not valid JSON or YAML: ") + ex.msg);
    }
  }
  if (destructive) {
    if (!has_cooldown_) {
      report(dsl::DiagCode::DestructiveWithoutCooldown, call.name.span,
             "`" + an +
                 "` can disrupt the workload; the policy (or its defaults) needs a `cooldown` in "
                 "its safety block");
    }
    if (!has_rate_cap_) {
      report(dsl::DiagCode::DestructiveWithoutRateCap, call.name.span,
             "`" + an +
                 "` can disrupt the workload; the policy (or its defaults) needs `max_actions N "
                 "per D` in its safety block");
    }
  }

  std::int64_t priority = decl.default_priority;
  if (call.priority) {
    priority = call.priority->value;
    if (priority < 0 || priority > 1000) {
      report(dsl::DiagCode::PriorityRange, call.priority->span,
             "a priority is between 0 and 1000; lower runs first");
    }
  }
  if (out_.header.templates.size() >= bytecode::kMaxTemplates) {
    report(dsl::DiagCode::TooComplex, call.name.span,
           "more than " + std::to_string(bytecode::kMaxTemplates) + " actions in one policy");
    return st;
  }
  bytecode::ProposalTemplate t;
  t.action = *id;
  t.trigger = current_trigger_;
  t.priority = static_cast<std::int32_t>(priority);
  t.pos = pos(call.name.span);
  for (const auto& p : decl.params) {
    auto it = given.find(std::string(p.name));
    if (it == given.end()) continue;
    t.argument_names.push_back(strings_.intern(p.name));
    st.arguments.push_back(std::move(it->second));
  }
  st.template_index = static_cast<std::uint16_t>(out_.header.templates.size());
  out_.header.templates.push_back(std::move(t));
  return st;
}

}  // namespace skippy::compiler
