// The abstract syntax tree of a .skippy file. Every node carries the span it was parsed from.
// The grammar builds it, the formatter prints it, the compiler checks and lowers it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "dsl/source.hpp"

namespace skippy::dsl {

struct Identifier {
  std::string name;
  Span span;
};

struct StringLiteral {
  std::string value;  // unescaped
  Span span;
};

struct DurationLiteral {
  std::int64_t millis = 0;
  std::string text;  // as written: "1h30m"
  Span span;
};

struct IntegerLiteral {
  std::int64_t value = 0;
  Span span;
};

// ---- Expressions -------------------------------------------------------------------------

enum class ExprKind : std::uint8_t {
  Number,    // 85, 0.8                 number
  Duration,  // 90s, 1h30m              number = seconds, text as written
  Quantity,  // 512Mi, 2G, 250m         number = value in base units, text as written
  Percent,   // 25%                     number = 25
  String,    // "x" or `raw`            text = value; raw tells which
  Bool,      // true / false            boolean
  Name,      // mem_pct                 text = name
  Member,    // pod.restarts            operands[0] = object, text = member name
  Call,      // f(a, k: v)              operands[0] = callee (Name or Member), arguments
  Unary,     // -x, +x, not x           unary_op, operands[0]
  Binary,    // a + b, a and b          binary_op, operands[0..1]
  List,      // [a, b]                  operands
};

enum class UnaryOp : std::uint8_t { Negate, Plus, Not };

enum class BinaryOp : std::uint8_t {
  Or,
  And,
  Equal,
  NotEqual,
  Less,
  LessEqual,
  Greater,
  GreaterEqual,
  In,
  NotIn,
  Add,
  Subtract,
  Multiply,
  Divide,
};

const char* unary_op_text(UnaryOp op);
const char* binary_op_text(BinaryOp op);
// Binding strength: or 1, and 2, comparisons 4, + - 5, * / 6 (not binds at 3, unary minus at 7).
int binary_op_precedence(BinaryOp op);

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Argument {
  std::optional<Identifier> name;  // set for `name: value`
  ExprPtr value;
  Span span;
};

struct Expr {
  ExprKind kind = ExprKind::Number;
  Span span;
  bool parenthesized = false;     // written in parentheses; kept by the formatter
  bool raw = false;               // String: written as a `raw` string
  bool minutes_or_milli = false;  // Duration "250m": minutes, or millicores where a quantity fits
  bool boolean = false;
  double number = 0;
  std::string text;
  UnaryOp unary_op = UnaryOp::Negate;
  BinaryOp binary_op = BinaryOp::Add;
  std::vector<ExprPtr> operands;
  std::vector<Argument> arguments;
};

// ---- Target selection ----------------------------------------------------------------------

// One requirement of a label selector, as in Kubernetes' matchLabels / matchExpressions.
struct LabelRequirement {
  enum class Op : std::uint8_t { Equals, NotEquals, In, NotIn, Exists, NotExists };
  Op op = Op::Equals;
  StringLiteral key;
  std::vector<StringLiteral> values;
  Span span;
};

struct SelectClause {
  Identifier kind;                        // pods, deployments, ...
  bool all_namespaces = false;            // `in all namespaces`
  bool namespace_list = false;            // written `namespaces [..]` rather than `namespace ".."`
  std::vector<StringLiteral> namespaces;  // empty and !all_namespaces: the runtime's namespace
  std::vector<LabelRequirement> labels;   // ANDed
  bool except_written = false;            // `except [...]` appears, even if empty
  std::vector<StringLiteral> excluded_names;
  Span span;
};

// ---- Clauses ---------------------------------------------------------------------------------

struct DescriptionClause {
  StringLiteral text;
  Span span;
};

struct ModeClause {
  Identifier mode;  // monitor | dryrun | manual | automatic
  Span span;
};

struct EveryClause {
  DurationLiteral interval;
  Span span;
};

struct MissingRule {
  enum class Kind : std::uint8_t { Hold, Unknown, Zero };
  Kind kind = Kind::Unknown;
  std::optional<DurationLiteral> hold_for;  // Hold only
  Span span;
};

struct SignalClause {
  Identifier name;
  ExprPtr source;  // promql(`...`) or a Kubernetes state expression
  bool has_by = false;
  std::vector<Identifier> by_labels;      // join labels: `by (namespace, pod)`
  std::optional<Identifier> aggregation;  // max | min | avg | sum | count
  std::optional<MissingRule> missing;
  Span span;
};

struct TriggerClause {
  Identifier name;
  ExprPtr condition;
  std::optional<DurationLiteral> hold_for;   // `for`
  ExprPtr clear_condition;                   // `clear when`, may be null
  std::optional<DurationLiteral> clear_for;  // `clear when ... for`
  std::optional<DurationLiteral> keep_firing_for;
  Span span;
};

struct SafetyRule {
  enum class Kind : std::uint8_t {
    Cooldown,               // cooldown 10m [per target|policy]
    MaxActions,             // max_actions 2 per 1h
    MaxUnavailable,         // max_unavailable 25% | 2
    MaxConcurrent,          // max_concurrent 3
    Approve,                // approve delete, scale
    AllowSystemNamespaces,  // allow system_namespaces
  };
  enum class Scope : std::uint8_t { Target, Policy };
  Kind kind = Kind::Cooldown;
  std::optional<DurationLiteral> duration;  // Cooldown, MaxActions window
  Scope scope = Scope::Target;              // Cooldown
  bool scope_written = false;
  std::int64_t count = 0;           // MaxActions, MaxUnavailable, MaxConcurrent
  bool percent = false;             // MaxUnavailable written as N%
  std::vector<Identifier> actions;  // Approve
  Span span;
};

struct SafetyBlock {
  std::vector<SafetyRule> rules;
  Span span;
};

struct ActionCall {
  Identifier name;  // restart, scale, ...
  std::vector<Argument> arguments;
  std::optional<IntegerLiteral> priority;
  Span span;
};

struct Statement;
using StatementPtr = std::unique_ptr<Statement>;

struct LetStatement {
  Identifier name;
  ExprPtr value;
  Span span;
};

struct IfStatement {
  ExprPtr condition;
  StatementPtr then_branch;
  StatementPtr else_branch;  // may be null; an IfStatement for `else if`
  Span span;
};

struct BlockStatement {
  std::vector<Statement> statements;
  Span span;
};

struct Statement {
  std::variant<LetStatement, IfStatement, BlockStatement, ActionCall> node;
};

struct OnClause {
  Identifier trigger;
  StatementPtr body;  // an ActionCall or a BlockStatement
  Span span;
};

using PolicyClause = std::variant<DescriptionClause, SelectClause, ModeClause, EveryClause,
                                  SignalClause, TriggerClause, SafetyBlock, OnClause>;

struct Policy {
  Identifier name;
  std::vector<PolicyClause> clauses;  // in source order
  Span span;
  Span close_brace;  // where `}` stands: comments before it stay inside
};

// ---- Files -------------------------------------------------------------------------------------

struct ImportDecl {
  StringLiteral path;
  Span span;
};

using DefaultsItem = std::variant<ModeClause, EveryClause, SafetyBlock>;

struct DefaultsDecl {
  std::vector<DefaultsItem> items;
  Span span;
  Span close_brace;
};

using Declaration = std::variant<ImportDecl, DefaultsDecl, Policy>;

struct Comment {
  std::uint32_t offset = 0;  // of the `#`
  std::string text;          // including the `#`, without the line end
};

struct Module {
  FileId file = 0;
  std::vector<FileId> imports;            // the files its imports resolved to, when loaded
  std::vector<Declaration> declarations;  // in source order
  std::vector<Comment> comments;          // in source order
};

// Every file of one run: the files named and the files they import, each parsed once.
struct Program {
  std::vector<Module> modules;
};

// The span of any clause, statement or declaration variant.
Span span_of(const PolicyClause& clause);
Span span_of(const Statement& statement);
Span span_of(const Declaration& declaration);
Span span_of(const DefaultsItem& item);

}  // namespace skippy::dsl
