#include "dsl/ast_dump.hpp"

#include "dsl/format.hpp"

namespace skippy::dsl {
namespace {

class Dumper {
 public:
  std::string out;

  void expr(const Expr& e) {
    switch (e.kind) {
      case ExprKind::Number:
        out += "(number " + e.text + ")";
        break;
      case ExprKind::Duration:
        out += "(duration " + e.text + (e.minutes_or_milli ? " minutes-or-milli" : "") + ")";
        break;
      case ExprKind::Quantity:
        out += "(quantity " + e.text + ")";
        break;
      case ExprKind::Percent:
        out += "(percent " + e.text + ")";
        break;
      case ExprKind::String:
        out += std::string(e.raw ? "(raw " : "(string ") + quote_string(e.text) + ")";
        break;
      case ExprKind::Bool:
        out += e.boolean ? "true" : "false";
        break;
      case ExprKind::Name:
        out += e.text;
        break;
      case ExprKind::Member:
        out += "(. ";
        expr(*e.operands[0]);
        out += " " + e.text + ")";
        break;
      case ExprKind::Call:
        out += "(call ";
        expr(*e.operands[0]);
        arguments(e.arguments);
        out += ")";
        break;
      case ExprKind::Unary:
        out += std::string("(") + unary_op_text(e.unary_op) + " ";
        expr(*e.operands[0]);
        out += ")";
        break;
      case ExprKind::Binary:
        out += std::string("(") + binary_op_text(e.binary_op) + " ";
        expr(*e.operands[0]);
        out += " ";
        expr(*e.operands[1]);
        out += ")";
        break;
      case ExprKind::List:
        out += "(list";
        for (const auto& o : e.operands) {
          out += " ";
          expr(*o);
        }
        out += ")";
        break;
    }
  }

  void arguments(const std::vector<Argument>& args) {
    for (const auto& a : args) {
      out += " ";
      if (a.name) out += a.name->name + ":";
      expr(*a.value);
    }
  }

  void strings(const std::vector<StringLiteral>& items) {
    out += "[";
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (i) out += " ";
      out += quote_string(items[i].value);
    }
    out += "]";
  }

  void clause(const DescriptionClause& c) {
    out += "(description " + quote_string(c.text.value) + ")";
  }
  void clause(const ModeClause& c) { out += "(mode " + c.mode.name + ")"; }
  void clause(const EveryClause& c) { out += "(every " + c.interval.text + ")"; }

  void clause(const SelectClause& c) {
    out += "(select " + c.kind.name;
    if (c.all_namespaces) out += " all-namespaces";
    if (!c.namespaces.empty()) {
      out += " namespaces ";
      strings(c.namespaces);
    }
    static const char* ops[] = {"==", "!=", "in", "not-in", "exists", "not-exists"};
    for (const auto& r : c.labels) {
      out +=
          std::string(" (label ") + ops[static_cast<int>(r.op)] + " " + quote_string(r.key.value);
      if (!r.values.empty()) {
        out += " ";
        strings(r.values);
      }
      out += ")";
    }
    if (!c.excluded_names.empty()) {
      out += " except ";
      strings(c.excluded_names);
    }
    out += ")";
  }

  void clause(const SignalClause& c) {
    out += "(signal " + c.name.name + " ";
    expr(*c.source);
    if (c.has_by) {
      out += " (by";
      for (const auto& l : c.by_labels) out += " " + l.name;
      out += ")";
    }
    if (c.aggregation) out += " (aggregate " + c.aggregation->name + ")";
    if (c.missing) {
      static const char* kinds[] = {"hold", "unknown", "zero"};
      out += std::string(" (missing ") + kinds[static_cast<int>(c.missing->kind)];
      if (c.missing->hold_for) out += " " + c.missing->hold_for->text;
      out += ")";
    }
    out += ")";
  }

  void clause(const TriggerClause& c) {
    out += "(trigger " + c.name.name + " ";
    expr(*c.condition);
    if (c.hold_for) out += " (for " + c.hold_for->text + ")";
    if (c.clear_condition) {
      out += " (clear ";
      expr(*c.clear_condition);
      if (c.clear_for) out += " (for " + c.clear_for->text + ")";
      out += ")";
    }
    if (c.keep_firing_for) out += " (keep_firing_for " + c.keep_firing_for->text + ")";
    out += ")";
  }

  void clause(const SafetyBlock& c) {
    static const char* kinds[] = {"cooldown",       "max_actions", "max_unavailable",
                                  "max_concurrent", "approve",     "allow-system-namespaces"};
    out += "(safety";
    for (const auto& r : c.rules) {
      out += std::string(" (") + kinds[static_cast<int>(r.kind)];
      if (r.duration) out += " " + r.duration->text;
      if (r.kind == SafetyRule::Kind::Cooldown && r.scope_written) {
        out += r.scope == SafetyRule::Scope::Policy ? " per-policy" : " per-target";
      }
      if (r.kind == SafetyRule::Kind::MaxActions || r.kind == SafetyRule::Kind::MaxUnavailable ||
          r.kind == SafetyRule::Kind::MaxConcurrent) {
        out += " " + std::to_string(r.count) + (r.percent ? "%" : "");
      }
      for (const auto& a : r.actions) out += " " + a.name;
      out += ")";
    }
    out += ")";
  }

  void clause(const OnClause& c) {
    out += "(on " + c.trigger.name + " ";
    statement(*c.body);
    out += ")";
  }

  void statement(const Statement& s) {
    std::visit([&](const auto& n) { stmt(n); }, s.node);
  }

  void stmt(const LetStatement& s) {
    out += "(let " + s.name.name + " ";
    expr(*s.value);
    out += ")";
  }

  void stmt(const IfStatement& s) {
    out += "(if ";
    expr(*s.condition);
    out += " ";
    statement(*s.then_branch);
    if (s.else_branch) {
      out += " ";
      statement(*s.else_branch);
    }
    out += ")";
  }

  void stmt(const BlockStatement& s) {
    out += "(block";
    for (const auto& st : s.statements) {
      out += " ";
      statement(st);
    }
    out += ")";
  }

  void stmt(const ActionCall& s) {
    out += "(action " + s.name.name;
    arguments(s.arguments);
    if (s.priority) out += " (priority " + std::to_string(s.priority->value) + ")";
    out += ")";
  }

  void declaration(const ImportDecl& d) { out += "(import " + quote_string(d.path.value) + ")\n"; }

  void declaration(const DefaultsDecl& d) {
    out += "(defaults";
    for (const auto& item : d.items) {
      out += "\n  ";
      std::visit([&](const auto& i) { clause(i); }, item);
    }
    out += ")\n";
  }

  void declaration(const Policy& p) {
    out += "(policy " + p.name.name;
    for (const auto& c : p.clauses) {
      out += "\n  ";
      std::visit([&](const auto& x) { clause(x); }, c);
    }
    out += ")\n";
  }
};

}  // namespace

std::string dump_module(const Module& module) {
  Dumper d;
  for (const auto& decl : module.declarations) {
    std::visit([&](const auto& x) { d.declaration(x); }, decl);
  }
  return std::move(d.out);
}

std::string dump_expr(const Expr& expr) {
  Dumper d;
  d.expr(expr);
  return std::move(d.out);
}

}  // namespace skippy::dsl
