// The checker: resolves names and types over one policy's AST and builds its IR, reporting
// every mistake as a located diagnostic. Internal to the compiler library; split across
// check_policy.cpp (clauses), check_expr.cpp (expressions) and check_actions.cpp (actions).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "compiler/compile.hpp"
#include "compiler/defaults.hpp"
#include "compiler/ir.hpp"
#include "compiler/strings.hpp"
#include "dsl/ast.hpp"
#include "dsl/diagnostics.hpp"
#include "dsl/patch_paths.hpp"

namespace skippy::compiler {

// ai.analyze()'s `horizon:` and `history:` when not given.
inline constexpr std::int64_t kDefaultAdviceWindowMs = 30 * 60'000;

class PolicyChecker {
 public:
  PolicyChecker(const dsl::Policy& policy, const VisibleDefaults& defaults,
                const dsl::SourceManager& sources, dsl::Diagnostics& diagnostics,
                StringPool& strings, const CompileOptions& options);

  // Returns the checked policy; `ok` is false when it had errors.
  IrPolicy run(bool& ok);

 private:
  // ---- clauses (check_policy.cpp)
  void header();
  void selection(const dsl::SelectClause& select);
  void safety();
  void collect_signals_and_triggers();
  void triggers();
  void handlers();
  void warnings();
  bytecode::SourcePos pos(dsl::Span span) const;

  // ---- expressions (check_expr.cpp)
  enum class Context : std::uint8_t { Signal, Trigger, Handler };
  IrExpr expr(const dsl::Expr& e, std::optional<stdlib::Type> hint = std::nullopt);
  IrExpr name(const dsl::Expr& e, std::optional<stdlib::Type> hint);
  IrExpr member(const dsl::Expr& e);
  IrExpr call(const dsl::Expr& e);
  IrExpr unary(const dsl::Expr& e);
  IrExpr binary(const dsl::Expr& e);
  IrExpr comparison(const dsl::Expr& e, IrExpr lhs, IrExpr rhs);
  IrExpr membership(const dsl::Expr& e, IrExpr lhs);
  IrExpr window_call(const dsl::Expr& e, std::uint16_t function);
  IrExpr events_call(const dsl::Expr& e);
  IrExpr signal_ref(const std::string& name, dsl::Span span);
  IrExpr input(std::uint16_t slot, IrType type, dsl::Span span);
  std::uint16_t add_input(bytecode::InputSlot slot, const std::string& key);
  IrExpr error_expr(dsl::Span span);
  bool require_bool(const IrExpr& e, const dsl::Expr& where, dsl::DiagCode code, const char* what);

  // ---- actions and statements (check_actions.cpp)
  std::vector<IrStatement> statement(const dsl::Statement& s);
  std::vector<IrStatement> block(const dsl::Statement& s);
  IrStatement action(const dsl::ActionCall& call);
  void check_patch_target(const dsl::ActionCall& call, const std::string& text, dsl::PatchType type,
                          dsl::PatchTarget target);
  std::optional<IrStatement> let(const dsl::LetStatement& let);
  std::optional<std::uint16_t> advice(const dsl::Expr& call);
  // The actions the handler can reach after the statement being checked (stdlib action ids,
  // ascending): the advisor's closed choice.
  std::vector<std::uint16_t> reachable_actions() const;
  IrExpr outcomes(const dsl::Expr& member);
  // `verdict.action == NAME` (or `in [..., NAME]`) where the verdict cannot choose NAME:
  // E0355 at `span`.
  void check_verdict_comparison(dsl::Span span, const IrExpr& lhs, const IrExpr& rhs);

  // ---- reporting
  dsl::Diagnostic& report(dsl::DiagCode code, dsl::Span span, std::string message);
  void suggest(dsl::Diagnostic& d, std::string_view word,
               const std::vector<std::string>& candidates);

  struct SignalInfo {
    const dsl::SignalClause* clause = nullptr;
    enum class State : std::uint8_t { Unresolved, Resolving, Resolved } state = State::Unresolved;
    std::optional<IrExpr> value;  // an Input for PromQL; the inlined IR otherwise
    bool used = false;
  };
  struct LocalInfo {
    std::uint16_t index = 0;
    IrType type;
    std::optional<std::uint16_t> advice;  // bound to ai.analyze(): the request
  };

  const dsl::Policy& policy_;
  const VisibleDefaults& defaults_;
  const dsl::SourceManager& sources_;
  dsl::Diagnostics& diagnostics_;
  StringPool& strings_;
  const CompileOptions& options_;
  std::size_t errors_at_start_ = 0;

  IrPolicy out_;
  Context context_ = Context::Signal;
  std::uint16_t current_trigger_ = 0;
  std::map<std::string, SignalInfo> signals_;
  std::vector<std::string> signal_order_;
  std::map<std::string, std::uint16_t> trigger_index_;
  std::map<std::string, dsl::Span> trigger_spans_;
  std::map<std::string, std::uint16_t> input_keys_;
  std::vector<std::map<std::string, LocalInfo>> scopes_;
  // Per enclosing block, innermost last: its statements and the index of the one being checked.
  std::vector<std::pair<const std::vector<dsl::Statement>*, std::size_t>> following_;
  bool has_cooldown_ = false;
  bool has_rate_cap_ = false;
};

}  // namespace skippy::compiler
