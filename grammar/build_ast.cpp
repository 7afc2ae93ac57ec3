#include "grammar/build_ast.hpp"

#include <algorithm>
#include <cmath>

#include "base/literals.hpp"
#include "grammar/grammar.hpp"
#include "grammar/recovery.hpp"

namespace skippy::grammar {
namespace {

using Node = tao::pegtl::parse_tree::node;
using dsl::DiagCode;

// How deep an expression tree may be once operator chains are built (a + b + c ... nests).
constexpr int kMaxExpressionDepth = 256;

// Thrown inside one declaration when a node cannot be built; caught per declaration.
struct BuildError {};

class Builder {
 public:
  Builder(const dsl::SourceFile& file, dsl::Diagnostics& diagnostics)
      : file_(file), diagnostics_(diagnostics) {}

  void build(const Node& root, dsl::Module& module) {
    for (const auto& child : root.children) {
      try {
        if (child->is_type<rules::policy_decl>()) {
          module.declarations.emplace_back(policy(*child));
        } else if (child->is_type<rules::import_decl>()) {
          module.declarations.emplace_back(import(*child));
        } else if (child->is_type<rules::defaults_decl>()) {
          module.declarations.emplace_back(defaults(*child));
        }
      } catch (const BuildError&) {
        // Reported already; the declaration is left out, the others are kept.
      }
    }
  }

 private:
  // ---- helpers --------------------------------------------------------------------------

  dsl::Span span(const Node& n) const {
    auto base = file_.text().data();
    return dsl::Span{file_.id(), static_cast<std::uint32_t>(n.m_begin.data - base),
                     static_cast<std::uint32_t>(n.m_end.data - base)};
  }

  [[noreturn]] void fail(DiagCode code, const Node& n, std::string message) {
    diagnostics_.report(code, span(n), std::move(message));
    throw BuildError{};
  }

  dsl::Identifier identifier(const Node& n) { return dsl::Identifier{n.string(), span(n)}; }

  // The identifier inside a node whose only content is a name (`name` or a wrapper of it).
  dsl::Identifier name_of(const Node& n) {
    if (!n.children.empty() && n.children.front()->is_type<rules::name>()) {
      return identifier(*n.children.front());
    }
    return identifier(n);
  }

  dsl::StringLiteral string_literal(const Node& n) {
    std::string_view text = n.string_view();
    dsl::StringLiteral out;
    out.span = span(n);
    if (n.is_type<rules::raw_string>()) {
      out.value = std::string(text.substr(1, text.size() - 2));
      return out;
    }
    text = text.substr(1, text.size() - 2);
    out.value.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
      char c = text[i];
      if (c == '\\' && i + 1 < text.size()) {
        char e = text[++i];
        c = e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e;
      }
      out.value.push_back(c);
    }
    return out;
  }

  std::vector<dsl::StringLiteral> string_list(const Node& n) {
    std::vector<dsl::StringLiteral> out;
    for (const auto& c : n.children) out.push_back(string_literal(*c));
    return out;
  }

  dsl::DurationLiteral duration(const Node& n) {
    auto lit = base::classify_literal(n.string_view());
    if (lit.kind != base::LiteralKind::Duration) {
      std::string message =
          "expected a duration such as `30s`, `5m` or `1h30m`; found `" + n.string() + "`";
      if (lit.kind == base::LiteralKind::Number) message += " (a duration needs a unit)";
      fail(DiagCode::ExpectedDuration, n, std::move(message));
    }
    return dsl::DurationLiteral{lit.millis, n.string(), span(n)};
  }

  std::int64_t whole_number(const Node& n, const char* what) {
    auto lit = base::classify_literal(n.string_view());
    if (lit.kind != base::LiteralKind::Number || lit.value != std::floor(lit.value) ||
        lit.value > 1e9) {
      fail(DiagCode::ExpectedInteger, n,
           std::string("expected ") + what + ", a whole number up to 1000000000; found `" +
               n.string() + "`");
    }
    return static_cast<std::int64_t>(lit.value);
  }

  // ---- expressions ----------------------------------------------------------------------

  // Builds an expression; `depth` returns the height of the built tree.
  dsl::ExprPtr expr(const Node& n, int& depth) {
    depth = 1;
    auto e = std::make_unique<dsl::Expr>();
    e->span = span(n);
    if (n.is_type<rules::number>()) {
      auto lit = base::classify_literal(n.string_view());
      switch (lit.kind) {
        case base::LiteralKind::Number:
          e->kind = dsl::ExprKind::Number;
          break;
        case base::LiteralKind::Duration:
          e->kind = dsl::ExprKind::Duration;
          break;
        case base::LiteralKind::Quantity:
          e->kind = dsl::ExprKind::Quantity;
          break;
        case base::LiteralKind::Percent:
          e->kind = dsl::ExprKind::Percent;
          break;
        case base::LiteralKind::Invalid:
          fail(DiagCode::InvalidNumber, n, lit.error);
      }
      e->number = lit.value;
      e->minutes_or_milli = lit.minutes_or_milli;
      e->text = n.string();
    } else if (n.is_type<rules::string_literal>() || n.is_type<rules::raw_string>()) {
      e->kind = dsl::ExprKind::String;
      e->raw = n.is_type<rules::raw_string>();
      e->text = string_literal(n).value;
    } else if (n.is_type<rules::bool_true>() || n.is_type<rules::bool_false>()) {
      e->kind = dsl::ExprKind::Bool;
      e->boolean = n.is_type<rules::bool_true>();
    } else if (n.is_type<rules::name>()) {
      e->kind = dsl::ExprKind::Name;
      e->text = n.string();
    } else if (n.is_type<rules::paren_expr>()) {
      e = expr(*n.children.at(0), depth);
      e->parenthesized = true;
      e->span = span(n);
    } else if (n.is_type<rules::list_literal>()) {
      e->kind = dsl::ExprKind::List;
      for (const auto& c : n.children) e->operands.push_back(child_expr(*c, depth));
    } else if (n.is_type<rules::postfix>()) {
      e = postfix(n, depth);
    } else if (n.is_type<rules::unary>() || n.is_type<rules::not_expr>()) {
      e->kind = dsl::ExprKind::Unary;
      const Node& op = *n.children.at(0);
      e->unary_op = op.is_type<rules::not_prefix>() ? dsl::UnaryOp::Not
                    : op.string_view() == "-"       ? dsl::UnaryOp::Negate
                                                    : dsl::UnaryOp::Plus;
      e->operands.push_back(child_expr(*n.children.at(1), depth));
    } else if (n.is_type<rules::mul_expr>() || n.is_type<rules::add_expr>() ||
               n.is_type<rules::cmp_expr>()) {
      e = operator_chain(n, depth);
    } else if (n.is_type<rules::and_expr>() || n.is_type<rules::or_expr>()) {
      e = logical_chain(n, n.is_type<rules::and_expr>() ? dsl::BinaryOp::And : dsl::BinaryOp::Or,
                        depth);
    } else {
      fail(DiagCode::ExpectedExpression, n, "expected an expression");
    }
    if (depth > kMaxExpressionDepth) {
      fail(DiagCode::NestingTooDeep, n,
           "the expression nests too deeply: at most " + std::to_string(kMaxExpressionDepth) +
               " levels of operators");
    }
    return e;
  }

  // Builds a child and raises the parent's depth to cover it.
  dsl::ExprPtr child_expr(const Node& n, int& parent_depth) {
    int d = 0;
    auto e = expr(n, d);
    parent_depth = std::max(parent_depth, d + 1);
    return e;
  }

  dsl::ExprPtr binary(dsl::BinaryOp op, dsl::ExprPtr lhs, dsl::ExprPtr rhs) {
    auto e = std::make_unique<dsl::Expr>();
    e->kind = dsl::ExprKind::Binary;
    e->binary_op = op;
    e->span = dsl::span_cover(lhs->span, rhs->span);
    e->operands.push_back(std::move(lhs));
    e->operands.push_back(std::move(rhs));
    return e;
  }

  static dsl::BinaryOp binary_op(std::string_view text) {
    if (text == "+") return dsl::BinaryOp::Add;
    if (text == "-") return dsl::BinaryOp::Subtract;
    if (text == "*") return dsl::BinaryOp::Multiply;
    if (text == "/") return dsl::BinaryOp::Divide;
    if (text == "==") return dsl::BinaryOp::Equal;
    if (text == "!=") return dsl::BinaryOp::NotEqual;
    if (text == "<") return dsl::BinaryOp::Less;
    if (text == "<=") return dsl::BinaryOp::LessEqual;
    if (text == ">") return dsl::BinaryOp::Greater;
    if (text == ">=") return dsl::BinaryOp::GreaterEqual;
    if (text == "in") return dsl::BinaryOp::In;
    return dsl::BinaryOp::NotIn;  // "not in", with any white space between
  }

  // children: operand (op operand)*, left-associative.
  dsl::ExprPtr operator_chain(const Node& n, int& depth) {
    int d = 0;
    auto lhs = expr(*n.children.at(0), d);
    for (std::size_t i = 1; i + 1 < n.children.size(); i += 2) {
      int rd = 0;
      auto rhs = expr(*n.children[i + 1], rd);
      d = std::max(d, rd) + 1;
      if (d > kMaxExpressionDepth) break;
      lhs = binary(binary_op(n.children[i]->string_view()), std::move(lhs), std::move(rhs));
    }
    depth = d;
    return lhs;
  }

  // children: operands, all joined by the same operator.
  dsl::ExprPtr logical_chain(const Node& n, dsl::BinaryOp op, int& depth) {
    int d = 0;
    auto lhs = expr(*n.children.at(0), d);
    for (std::size_t i = 1; i < n.children.size(); ++i) {
      int rd = 0;
      auto rhs = expr(*n.children[i], rd);
      d = std::max(d, rd) + 1;
      if (d > kMaxExpressionDepth) break;
      lhs = binary(op, std::move(lhs), std::move(rhs));
    }
    depth = d;
    return lhs;
  }

  // children: primary (member | call_args)*
  dsl::ExprPtr postfix(const Node& n, int& depth) {
    auto e = expr(*n.children.at(0), depth);
    for (std::size_t i = 1; i < n.children.size(); ++i) {
      const Node& suffix = *n.children[i];
      auto outer = std::make_unique<dsl::Expr>();
      outer->span = dsl::span_cover(e->span, span(suffix));
      if (suffix.is_type<rules::member>()) {
        outer->kind = dsl::ExprKind::Member;
        outer->text = suffix.children.at(0)->string();
      } else {
        if (e->kind != dsl::ExprKind::Name && e->kind != dsl::ExprKind::Member) {
          fail(DiagCode::ExpectedExpression, suffix,
               "only named functions can be called, as in `forecast(x, horizon: 30m)`");
        }
        outer->kind = dsl::ExprKind::Call;
        outer->arguments = arguments(suffix, depth);
      }
      outer->operands.push_back(std::move(e));
      e = std::move(outer);
      ++depth;
    }
    return e;
  }

  std::vector<dsl::Argument> arguments(const Node& call_args, int& depth) {
    std::vector<dsl::Argument> out;
    for (const auto& a : call_args.children) {
      dsl::Argument arg;
      arg.span = span(*a);
      if (a->is_type<rules::named_argument>()) {
        arg.name = identifier(*a->children.at(0));
        arg.value = child_expr(*a->children.at(1), depth);
      } else {
        arg.value = child_expr(*a->children.at(0), depth);
      }
      out.push_back(std::move(arg));
    }
    return out;
  }

  dsl::ExprPtr top_expr(const Node& n) {
    int depth = 0;
    return expr(n, depth);
  }

  // ---- selection ------------------------------------------------------------------------

  dsl::SelectClause select(const Node& n) {
    dsl::SelectClause s;
    s.span = span(n);
    for (const auto& c : n.children) {
      if (c->is_type<rules::kind_name>()) {
        s.kind = identifier(*c);
      } else if (c->is_type<rules::namespace_one>()) {
        s.namespaces.push_back(string_literal(*c->children.at(0)));
      } else if (c->is_type<rules::namespace_list>()) {
        s.namespace_list = true;
        s.namespaces = string_list(*c->children.at(0));
      } else if (c->is_type<rules::namespace_all>()) {
        s.all_namespaces = true;
      } else if (c->is_type<rules::excluded_names>()) {
        s.except_written = true;
        s.excluded_names = string_list(*c->children.at(0));
      } else {
        s.labels.push_back(requirement(*c));
      }
    }
    return s;
  }

  dsl::LabelRequirement requirement(const Node& n) {
    using Op = dsl::LabelRequirement::Op;
    dsl::LabelRequirement r;
    r.span = span(n);
    r.key = string_literal(*n.children.at(0));
    if (n.is_type<rules::req_exists>()) r.op = Op::Exists;
    if (n.is_type<rules::req_not_exists>()) r.op = Op::NotExists;
    if (n.is_type<rules::req_equals>() || n.is_type<rules::req_not_equals>()) {
      r.op = n.is_type<rules::req_equals>() ? Op::Equals : Op::NotEquals;
      r.values.push_back(string_literal(*n.children.at(1)));
    }
    if (n.is_type<rules::req_in>() || n.is_type<rules::req_not_in>()) {
      r.op = n.is_type<rules::req_in>() ? Op::In : Op::NotIn;
      r.values = string_list(*n.children.at(1));
    }
    return r;
  }

  // ---- clauses --------------------------------------------------------------------------

  dsl::ModeClause mode(const Node& n) {
    return dsl::ModeClause{identifier(*n.children.at(0)), span(n)};
  }

  dsl::EveryClause every(const Node& n) {
    return dsl::EveryClause{duration(*n.children.at(0)), span(n)};
  }

  dsl::SignalClause signal(const Node& n) {
    dsl::SignalClause s;
    s.span = span(n);
    s.name = identifier(*n.children.at(0));
    s.source = top_expr(*n.children.at(1));
    for (std::size_t i = 2; i < n.children.size(); ++i) {
      const Node& c = *n.children[i];
      if (c.is_type<rules::by_clause>()) {
        s.has_by = true;
        for (const auto& l : c.children) s.by_labels.push_back(identifier(*l));
      } else if (c.is_type<rules::aggregation>()) {
        s.aggregation = name_of(c);
      } else {
        dsl::MissingRule m;
        m.span = span(c);
        if (c.is_type<rules::missing_hold>()) {
          m.kind = dsl::MissingRule::Kind::Hold;
          m.hold_for = duration(*c.children.at(0));
        } else {
          m.kind = c.is_type<rules::missing_zero>() ? dsl::MissingRule::Kind::Zero
                                                    : dsl::MissingRule::Kind::Unknown;
        }
        s.missing = std::move(m);
      }
    }
    return s;
  }

  dsl::TriggerClause trigger(const Node& n) {
    dsl::TriggerClause t;
    t.span = span(n);
    t.name = identifier(*n.children.at(0));
    t.condition = top_expr(*n.children.at(1));
    for (std::size_t i = 2; i < n.children.size(); ++i) {
      const Node& c = *n.children[i];
      if (c.is_type<rules::for_clause>()) {
        t.hold_for = duration(*c.children.at(0));
      } else if (c.is_type<rules::clear_clause>()) {
        t.clear_condition = top_expr(*c.children.at(0));
        if (c.children.size() > 1) t.clear_for = duration(*c.children[1]->children.at(0));
      } else if (c.is_type<rules::keep_firing_clause>()) {
        t.keep_firing_for = duration(*c.children.at(0));
      }
    }
    return t;
  }

  dsl::SafetyBlock safety(const Node& n) {
    dsl::SafetyBlock b;
    b.span = span(n);
    for (const auto& c : n.children) {
      if (c->is_type<rules::brace_close>()) continue;
      try {
        b.rules.push_back(safety_rule(*c));
      } catch (const BuildError&) {
        // Reported; the block keeps its other rules.
      }
    }
    return b;
  }

  dsl::SafetyRule safety_rule(const Node& node) {
    using Kind = dsl::SafetyRule::Kind;
    const Node* c = &node;
    {
      dsl::SafetyRule r;
      r.span = span(*c);
      if (c->is_type<rules::rule_cooldown>()) {
        r.kind = Kind::Cooldown;
        r.duration = duration(*c->children.at(0));
        if (c->children.size() > 1) {
          r.scope_written = true;
          r.scope = c->children[1]->is_type<rules::scope_policy>() ? dsl::SafetyRule::Scope::Policy
                                                                   : dsl::SafetyRule::Scope::Target;
        }
      } else if (c->is_type<rules::rule_max_actions>()) {
        r.kind = Kind::MaxActions;
        r.count = whole_number(*c->children.at(0), "a number of actions");
        r.duration = duration(*c->children.at(1));
      } else if (c->is_type<rules::rule_max_unavailable>()) {
        r.kind = Kind::MaxUnavailable;
        const Node& amount = *c->children.at(0);
        auto lit = base::classify_literal(amount.string_view());
        if (lit.kind == base::LiteralKind::Percent && lit.value == std::floor(lit.value)) {
          r.percent = true;
          r.count = static_cast<std::int64_t>(lit.value);
        } else {
          r.count = whole_number(amount, "a number of replicas or a whole percentage");
        }
      } else if (c->is_type<rules::rule_max_concurrent>()) {
        r.kind = Kind::MaxConcurrent;
        r.count = whole_number(*c->children.at(0), "a number of actions");
      } else if (c->is_type<rules::rule_approve>()) {
        r.kind = Kind::Approve;
        for (const auto& a : c->children) r.actions.push_back(identifier(*a));
      } else {
        r.kind = Kind::AllowSystemNamespaces;
      }
      return r;
    }
  }

  // ---- actions --------------------------------------------------------------------------

  dsl::ActionCall action_call(const Node& n) {
    dsl::ActionCall a;
    a.span = span(n);
    a.name = identifier(*n.children.at(0));
    int depth = 0;
    a.arguments = arguments(*n.children.at(1), depth);
    if (n.children.size() > 2) {
      const Node& p = *n.children[2];
      a.priority = dsl::IntegerLiteral{whole_number(p, "a priority"), span(p)};
    }
    return a;
  }

  dsl::StatementPtr statement(const Node& n) {
    auto s = std::make_unique<dsl::Statement>();
    if (n.is_type<rules::action_call>()) {
      s->node = action_call(n);
    } else if (n.is_type<rules::block>()) {
      dsl::BlockStatement b;
      b.span = span(n);
      for (const auto& c : n.children) {
        if (c->is_type<rules::brace_close>()) continue;
        b.statements.push_back(std::move(*statement(*c)));
      }
      s->node = std::move(b);
    } else if (n.is_type<rules::let_statement>()) {
      s->node =
          dsl::LetStatement{identifier(*n.children.at(0)), top_expr(*n.children.at(1)), span(n)};
    } else if (n.is_type<rules::if_statement>()) {
      dsl::IfStatement i;
      i.span = span(n);
      i.condition = top_expr(*n.children.at(0));
      i.then_branch = statement(*n.children.at(1));
      if (n.children.size() > 2) i.else_branch = statement(*n.children[2]);
      s->node = std::move(i);
    } else {
      fail(DiagCode::ExpectedStatement, n, "expected a statement");
    }
    return s;
  }

  dsl::OnClause on(const Node& n) {
    dsl::OnClause o;
    o.span = span(n);
    o.trigger = name_of(*n.children.at(0));
    o.body = statement(*n.children.at(1));
    return o;
  }

  // ---- declarations ---------------------------------------------------------------------

  dsl::PolicyClause clause(const Node& c) {
    if (c.is_type<rules::description_clause>()) {
      return dsl::DescriptionClause{string_literal(*c.children.at(0)), span(c)};
    }
    if (c.is_type<rules::select_clause>()) return select(c);
    if (c.is_type<rules::mode_clause>()) return mode(c);
    if (c.is_type<rules::every_clause>()) return every(c);
    if (c.is_type<rules::signal_clause>()) return signal(c);
    if (c.is_type<rules::trigger_clause>()) return trigger(c);
    if (c.is_type<rules::safety_block>()) return safety(c);
    return on(c);
  }

  dsl::Policy policy(const Node& n) {
    dsl::Policy p;
    p.span = span(n);
    p.name = name_of(*n.children.at(0));
    p.close_brace = dsl::Span{file_.id(), p.span.end, p.span.end};
    for (std::size_t i = 1; i < n.children.size(); ++i) {
      const Node& c = *n.children[i];
      if (c.is_type<rules::brace_close>()) {
        p.close_brace = span(c);
        continue;
      }
      try {
        p.clauses.push_back(clause(c));
      } catch (const BuildError&) {
        // Reported; the clause is left out and the policy keeps its other clauses.
      }
    }
    return p;
  }

  dsl::ImportDecl import(const Node& n) {
    return dsl::ImportDecl{string_literal(*n.children.at(0)), span(n)};
  }

  dsl::DefaultsDecl defaults(const Node& n) {
    dsl::DefaultsDecl d;
    d.span = span(n);
    d.close_brace = dsl::Span{file_.id(), d.span.end, d.span.end};
    for (const auto& c : n.children) {
      if (c->is_type<rules::brace_close>()) {
        d.close_brace = span(*c);
        continue;
      }
      try {
        if (c->is_type<rules::mode_clause>()) d.items.emplace_back(mode(*c));
        if (c->is_type<rules::every_clause>()) d.items.emplace_back(every(*c));
        if (c->is_type<rules::safety_block>()) d.items.emplace_back(safety(*c));
      } catch (const BuildError&) {
      }
    }
    return d;
  }

  const dsl::SourceFile& file_;
  dsl::Diagnostics& diagnostics_;
};

}  // namespace

void build_module(const Node& root, const dsl::SourceFile& file, dsl::Module& module,
                  dsl::Diagnostics& diagnostics) {
  Builder(file, diagnostics).build(root, module);
}

}  // namespace skippy::grammar
