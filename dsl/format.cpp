#include "dsl/format.hpp"

#include <algorithm>

namespace skippy::dsl {
namespace {

constexpr int kPrecNot = 3;
constexpr int kPrecUnary = 7;
constexpr int kPrecPostfix = 8;

int precedence(const Expr& e) {
  switch (e.kind) {
    case ExprKind::Binary:
      return binary_op_precedence(e.binary_op);
    case ExprKind::Unary:
      return e.unary_op == UnaryOp::Not ? kPrecNot : kPrecUnary;
    default:
      return 9;
  }
}

bool is_comparison(const Expr& e) {
  return e.kind == ExprKind::Binary && binary_op_precedence(e.binary_op) == 4;
}

void print_expr(const Expr& e, std::string& out);

// Prints an operand; `min_prec` is the least precedence that needs no parentheses.
void print_operand(const Expr& e, int min_prec, std::string& out) {
  bool parens = !e.parenthesized && precedence(e) < min_prec;
  if (parens) out += '(';
  print_expr(e, out);
  if (parens) out += ')';
}

void print_arguments(const std::vector<Argument>& args, std::string& out) {
  out += '(';
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (i) out += ", ";
    if (args[i].name) {
      out += args[i].name->name;
      out += ": ";
    }
    print_expr(*args[i].value, out);
  }
  out += ')';
}

void print_inner(const Expr& e, std::string& out) {
  switch (e.kind) {
    case ExprKind::Number:
    case ExprKind::Duration:
    case ExprKind::Quantity:
    case ExprKind::Percent:
    case ExprKind::Name:
      out += e.text;
      break;
    case ExprKind::String:
      if (e.raw) {
        out += '`';
        out += e.text;
        out += '`';
      } else {
        out += quote_string(e.text);
      }
      break;
    case ExprKind::Bool:
      out += e.boolean ? "true" : "false";
      break;
    case ExprKind::Member:
      print_operand(*e.operands[0], kPrecPostfix, out);
      out += '.';
      out += e.text;
      break;
    case ExprKind::Call:
      print_operand(*e.operands[0], kPrecPostfix, out);
      print_arguments(e.arguments, out);
      break;
    case ExprKind::Unary:
      if (e.unary_op == UnaryOp::Not) {
        out += "not ";
        print_operand(*e.operands[0], kPrecNot, out);
      } else {
        out += unary_op_text(e.unary_op);
        // `- -x`, not `--x`.
        const Expr& operand = *e.operands[0];
        if (operand.kind == ExprKind::Unary && !operand.parenthesized) out += ' ';
        print_operand(operand, kPrecUnary, out);
      }
      break;
    case ExprKind::Binary: {
      int p = binary_op_precedence(e.binary_op);
      // Left-associative; comparisons do not associate at all.
      print_operand(*e.operands[0], is_comparison(e) ? p + 1 : p, out);
      out += ' ';
      out += binary_op_text(e.binary_op);
      out += ' ';
      print_operand(*e.operands[1], p + 1, out);
      break;
    }
    case ExprKind::List:
      out += '[';
      for (std::size_t i = 0; i < e.operands.size(); ++i) {
        if (i) out += ", ";
        print_expr(*e.operands[i], out);
      }
      out += ']';
      break;
  }
}

void print_expr(const Expr& e, std::string& out) {
  if (e.parenthesized) out += '(';
  print_inner(e, out);
  if (e.parenthesized) out += ')';
}

std::string string_list(const std::vector<StringLiteral>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += ", ";
    out += quote_string(items[i].value);
  }
  return out + "]";
}

const char* requirement_op(LabelRequirement::Op op) {
  switch (op) {
    case LabelRequirement::Op::Equals:
      return " == ";
    case LabelRequirement::Op::NotEquals:
      return " != ";
    case LabelRequirement::Op::In:
      return " in ";
    case LabelRequirement::Op::NotIn:
      return " not in ";
    default:
      return "";
  }
}

class Printer {
 public:
  Printer(const Module& module, const SourceFile& file) : module_(module), text_(file.text()) {}

  std::string run() {
    for (std::size_t i = 0; i < module_.declarations.size(); ++i) {
      const auto& d = module_.declarations[i];
      Span s = span_of(d);
      bool import_after_import = i > 0 && std::holds_alternative<ImportDecl>(d) &&
                                 std::holds_alternative<ImportDecl>(module_.declarations[i - 1]);
      leading(s.begin, /*force_blank=*/i > 0 && !import_after_import);
      std::visit([&](const auto& decl) { print(decl, s); }, d);
    }
    // Comments after the last declaration.
    leading(static_cast<std::uint32_t>(text_.size()) + 1, false);
    return std::move(out_);
  }

 private:
  // ---- layout helpers ---------------------------------------------------------------------

  void indent() { out_.append(static_cast<std::size_t>(depth_) * 2, ' '); }

  bool blank_line_between(std::uint32_t from, std::uint32_t to) const {
    if (from >= to || to > text_.size()) return false;
    return std::count(text_.begin() + from, text_.begin() + to, '\n') >= 2;
  }

  std::uint32_t comment_end(const Comment& c) const {
    return c.offset + static_cast<std::uint32_t>(c.text.size());
  }

  // Emits the comments that stand before `limit` on lines of their own, then the blank
  // line the source had before the next item (always one when `force_blank`).
  void leading(std::uint32_t item_start, bool force_blank) {
    leading(item_start, item_start, force_blank);
  }

  // As above; comments up to `comment_limit` (which may lie inside the item) come first.
  void leading(std::uint32_t comment_limit, std::uint32_t item_start, bool force_blank) {
    while (next_comment_ < module_.comments.size() &&
           module_.comments[next_comment_].offset < comment_limit) {
      const Comment& c = module_.comments[next_comment_++];
      // A comment moved out of the item gets no blank line: the item's own line breaks
      // (a multi-line query) are not blank lines.
      bool inside_item = c.offset >= item_start;
      if ((force_blank && !first_in_block_) ||
          (!first_in_block_ && !inside_item && blank_line_between(last_end_, c.offset))) {
        out_ += '\n';
      }
      force_blank = false;
      indent();
      out_ += c.text;
      out_ += '\n';
      last_end_ = comment_end(c);
      first_in_block_ = false;
    }
    if (item_start <= text_.size() && !first_in_block_ &&
        (force_blank || blank_line_between(last_end_, item_start))) {
      out_ += '\n';
    }
    first_in_block_ = false;
  }

  // Ends the line of an item that ends at `end`, with the comment that follows on that line.
  void trailing(std::uint32_t end) {
    last_end_ = std::max(last_end_, end);
    if (next_comment_ < module_.comments.size()) {
      const Comment& c = module_.comments[next_comment_];
      if (c.offset >= end && std::find(text_.begin() + end, text_.begin() + c.offset, '\n') ==
                                 text_.begin() + c.offset) {
        out_ += ' ';
        out_ += c.text;
        last_end_ = comment_end(c);
        ++next_comment_;
      }
    }
    out_ += '\n';
  }

  // A line item: comments up to its end go before it (so a comment inside a multi-line
  // clause moves above it), then the line, then its trailing comment.
  template <typename F>
  void line(Span span, F&& body) {
    leading(span.end, span.begin, false);
    indent();
    body();
    trailing(span.end);
  }

  void open_block() {
    out_ += " {";
    ++depth_;
    first_in_block_ = true;
  }

  void close_block(Span close_brace) {
    // Comments before `}` stay inside the block.
    while (next_comment_ < module_.comments.size() &&
           module_.comments[next_comment_].offset < close_brace.begin) {
      const Comment& c = module_.comments[next_comment_++];
      if (!first_in_block_ && blank_line_between(last_end_, c.offset)) out_ += '\n';
      indent();
      out_ += c.text;
      out_ += '\n';
      last_end_ = comment_end(c);
      first_in_block_ = false;
    }
    --depth_;
    first_in_block_ = false;
    indent();
    out_ += '}';
  }

  // ---- declarations -------------------------------------------------------------------------

  void print(const ImportDecl& d, Span s) {
    indent();
    out_ += "import " + quote_string(d.path.value);
    trailing(s.end);
  }

  void print(const DefaultsDecl& d, Span s) {
    indent();
    out_ += "defaults";
    open_block();
    trailing(d.span.begin + 1);
    for (const auto& item : d.items) std::visit([&](const auto& i) { print_clause(i); }, item);
    close_block(d.close_brace);
    trailing(std::max(s.end, d.close_brace.end));
  }

  void print(const Policy& p, Span s) {
    indent();
    out_ += "policy " + p.name.name;
    open_block();
    trailing(p.name.span.end);
    for (const auto& clause : p.clauses)
      std::visit([&](const auto& c) { print_clause(c); }, clause);
    close_block(p.close_brace);
    trailing(std::max(s.end, p.close_brace.end));
  }

  // ---- clauses --------------------------------------------------------------------------------

  void print_clause(const DescriptionClause& c) {
    line(c.span, [&] { out_ += "description " + quote_string(c.text.value); });
  }

  void print_clause(const SelectClause& c) {
    line(c.span, [&] {
      out_ += "select " + c.kind.name;
      if (c.all_namespaces) {
        out_ += " in all namespaces";
      } else if (c.namespace_list || c.namespaces.size() > 1) {
        out_ += " in namespaces " + string_list(c.namespaces);
      } else if (c.namespaces.size() == 1) {
        out_ += " in namespace " + quote_string(c.namespaces[0].value);
      }
      for (std::size_t i = 0; i < c.labels.size(); ++i) {
        const auto& r = c.labels[i];
        out_ += i == 0 ? " where " : " and ";
        std::string label = "label(" + quote_string(r.key.value) + ")";
        switch (r.op) {
          case LabelRequirement::Op::Exists:
            out_ += "has " + label;
            break;
          case LabelRequirement::Op::NotExists:
            out_ += "not has " + label;
            break;
          case LabelRequirement::Op::Equals:
          case LabelRequirement::Op::NotEquals:
            out_ += label + requirement_op(r.op) + quote_string(r.values.at(0).value);
            break;
          case LabelRequirement::Op::In:
          case LabelRequirement::Op::NotIn:
            out_ += label + requirement_op(r.op) + string_list(r.values);
            break;
        }
      }
      if (!c.excluded_names.empty()) out_ += " except " + string_list(c.excluded_names);
    });
  }

  void print_clause(const ModeClause& c) {
    line(c.span, [&] { out_ += "mode " + c.mode.name; });
  }

  void print_clause(const EveryClause& c) {
    line(c.span, [&] { out_ += "every " + c.interval.text; });
  }

  void print_clause(const SignalClause& c) {
    line(c.span, [&] {
      out_ += "signal " + c.name.name + " = ";
      std::size_t source_start = out_.size();
      print_expr(*c.source, out_);
      // After a query that spans lines, the modifiers go on a line of their own.
      bool has_modifiers = c.has_by || c.aggregation || c.missing;
      if (has_modifiers && out_.find('\n', source_start) != std::string::npos) {
        out_ += '\n';
        out_.append(static_cast<std::size_t>(depth_ + 2) * 2, ' ');
      } else if (has_modifiers) {
        out_ += ' ';
      }
      bool spaced = false;
      auto gap = [&] {
        if (spaced) out_ += ' ';
        spaced = true;
      };
      if (c.has_by) {
        gap();
        out_ += "by (";
        for (std::size_t i = 0; i < c.by_labels.size(); ++i) {
          if (i) out_ += ", ";
          out_ += c.by_labels[i].name;
        }
        out_ += ')';
      }
      if (c.aggregation) {
        gap();
        out_ += c.aggregation->name;
      }
      if (c.missing) {
        gap();
        out_ += "on missing ";
        switch (c.missing->kind) {
          case MissingRule::Kind::Hold:
            out_ += "hold " + c.missing->hold_for->text;
            break;
          case MissingRule::Kind::Unknown:
            out_ += "unknown";
            break;
          case MissingRule::Kind::Zero:
            out_ += "zero";
            break;
        }
      }
    });
  }

  void print_clause(const TriggerClause& c) {
    line(c.span, [&] {
      out_ += "trigger " + c.name.name + " when ";
      print_expr(*c.condition, out_);
      if (c.hold_for) out_ += " for " + c.hold_for->text;
      if (c.clear_condition) {
        out_ += " clear when ";
        print_expr(*c.clear_condition, out_);
        if (c.clear_for) out_ += " for " + c.clear_for->text;
      }
      if (c.keep_firing_for) out_ += " keep_firing_for " + c.keep_firing_for->text;
    });
  }

  void print_clause(const SafetyBlock& c) {
    leading(c.span.begin, false);
    indent();
    out_ += "safety";
    open_block();
    trailing(c.span.begin + 6);
    for (const auto& r : c.rules) {
      line(r.span, [&] { print_safety_rule(r); });
    }
    close_block(Span{c.span.file, c.span.end - 1, c.span.end});
    trailing(c.span.end);
  }

  void print_safety_rule(const SafetyRule& r) {
    using Kind = SafetyRule::Kind;
    switch (r.kind) {
      case Kind::Cooldown:
        out_ += "cooldown " + r.duration->text;
        if (r.scope_written) {
          out_ += r.scope == SafetyRule::Scope::Policy ? " per policy" : " per target";
        }
        break;
      case Kind::MaxActions:
        out_ += "max_actions " + std::to_string(r.count) + " per " + r.duration->text;
        break;
      case Kind::MaxUnavailable:
        out_ += "max_unavailable " + std::to_string(r.count) + (r.percent ? "%" : "");
        break;
      case Kind::MaxConcurrent:
        out_ += "max_concurrent " + std::to_string(r.count);
        break;
      case Kind::Approve:
        out_ += "approve ";
        for (std::size_t i = 0; i < r.actions.size(); ++i) {
          if (i) out_ += ", ";
          out_ += r.actions[i].name;
        }
        break;
      case Kind::AllowSystemNamespaces:
        out_ += "allow system_namespaces";
        break;
    }
  }

  void print_clause(const OnClause& c) {
    const auto* block = std::get_if<BlockStatement>(&c.body->node);
    if (!block) {
      line(c.span, [&] {
        out_ += "on " + c.trigger.name + " do ";
        print_action(std::get<ActionCall>(c.body->node));
      });
      return;
    }
    leading(c.span.begin, false);
    indent();
    out_ += "on " + c.trigger.name + " do";
    print_block(*block);
    trailing(c.span.end);
  }

  // ---- statements -----------------------------------------------------------------------------

  void print_action(const ActionCall& a) {
    out_ += a.name.name;
    print_arguments(a.arguments, out_);
    if (a.priority) out_ += " priority " + std::to_string(a.priority->value);
  }

  // Prints " {", the statements, and "}" (the caller ends the line).
  void print_block(const BlockStatement& b) {
    open_block();
    trailing(b.span.begin + 1);
    for (const auto& s : b.statements) print_statement(s);
    close_block(Span{b.span.file, b.span.end - 1, b.span.end});
  }

  void print_statement(const Statement& s) {
    if (const auto* let = std::get_if<LetStatement>(&s.node)) {
      line(let->span, [&] {
        out_ += "let " + let->name.name + " = ";
        print_expr(*let->value, out_);
      });
    } else if (const auto* action = std::get_if<ActionCall>(&s.node)) {
      line(action->span, [&] { print_action(*action); });
    } else {
      const auto& if_stmt = std::get<IfStatement>(s.node);
      leading(if_stmt.span.begin, false);
      indent();
      print_if(if_stmt);
    }
  }

  // Prints `if C then BODY [else ...]` starting at the current position, ending the line.
  void print_if(const IfStatement& i) {
    out_ += "if ";
    print_expr(*i.condition, out_);
    out_ += " then";
    bool then_block = print_body(*i.then_branch);
    if (!i.else_branch) {
      trailing(i.span.end);
      return;
    }
    if (then_block) {
      out_ += " else";
    } else {
      trailing(span_of(*i.then_branch).end);
      leading(span_of(*i.else_branch).begin, false);
      indent();
      out_ += "else";
    }
    if (const auto* nested_if = std::get_if<IfStatement>(&i.else_branch->node)) {
      out_ += ' ';
      print_if(*nested_if);
      return;
    }
    print_body(*i.else_branch);
    trailing(i.span.end);
  }

  // Prints " ACTION" or " { ... }"; returns whether it was a block.
  bool print_body(const Statement& body) {
    if (const auto* block = std::get_if<BlockStatement>(&body.node)) {
      print_block(*block);
      return true;
    }
    out_ += ' ';
    print_action(std::get<ActionCall>(body.node));
    return false;
  }

  const Module& module_;
  const std::string& text_;
  std::string out_;
  int depth_ = 0;
  std::size_t next_comment_ = 0;
  std::uint32_t last_end_ = 0;
  bool first_in_block_ = true;
};

}  // namespace

std::string quote_string(std::string_view value) {
  std::string out = "\"";
  for (char c : value) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out += c;
    }
  }
  return out + "\"";
}

std::string format_expr(const Expr& expr) {
  std::string out;
  print_expr(expr, out);
  return out;
}

std::string format_module(const Module& module, const SourceFile& file) {
  return Printer(module, file).run();
}

}  // namespace skippy::dsl
