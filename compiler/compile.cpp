#include "compiler/compile.hpp"

#include <openssl/evp.h>

#include "compiler/checker.hpp"
#include "compiler/defaults.hpp"
#include "compiler/emit.hpp"
#include "compiler/fold.hpp"
#include "runtime/bytecode/file.hpp"
#include "stdlib/builtins/functions.hpp"

namespace skippy::compiler {
namespace {

bool has_error_within(const dsl::Diagnostics& diagnostics, dsl::Span span) {
  for (const auto& d : diagnostics.all()) {
    if (d.severity == dsl::Severity::Error && d.span.file == span.file &&
        d.span.begin >= span.begin && d.span.begin <= span.end) {
      return true;
    }
  }
  return false;
}

// SHA-256 over every source file read, in load order: path, NUL, text, NUL.
std::array<std::uint8_t, 32> hash_sources(const dsl::SourceManager& sources) {
  std::array<std::uint8_t, 32> out{};
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (!ctx) return out;
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  const char zero = 0;
  for (std::size_t i = 0; i < sources.size(); ++i) {
    const auto& f = sources.file(static_cast<dsl::FileId>(i));
    EVP_DigestUpdate(ctx, f.path().data(), f.path().size());
    EVP_DigestUpdate(ctx, &zero, 1);
    EVP_DigestUpdate(ctx, f.text().data(), f.text().size());
    EVP_DigestUpdate(ctx, &zero, 1);
  }
  unsigned int length = 0;
  EVP_DigestFinal_ex(ctx, out.data(), &length);
  EVP_MD_CTX_free(ctx);
  return out;
}

void warn_constant_conditions(const IrPolicy& policy, const dsl::Policy& ast,
                              dsl::Diagnostics& diagnostics) {
  std::size_t i = 0;
  for (const auto& clause : ast.clauses) {
    const auto* t = std::get_if<dsl::TriggerClause>(&clause);
    if (!t || i >= policy.triggers.size()) continue;
    const IrExpr& c = policy.triggers[i++].condition;
    if (c.kind == IrExpr::Kind::Constant && !c.poisoned) {
      diagnostics.report(dsl::DiagCode::ConstantCondition, t->condition->span,
                         std::string("the condition of trigger `") + t->name.name + "` is always " +
                             (c.constant.boolean ? "true" : "false"));
    }
  }
}

}  // namespace

std::optional<bytecode::Program> compile_program(const dsl::Program& program,
                                                 const dsl::SourceManager& sources,
                                                 dsl::Diagnostics& diagnostics,
                                                 const CompileOptions& options) {
  auto defaults = resolve_defaults(program, diagnostics);
  StringPool strings;
  bytecode::Program out;
  for (std::size_t i = 0; i < sources.size(); ++i) {
    out.files.push_back(strings.intern(sources.file(static_cast<dsl::FileId>(i)).path()));
  }
  auto limits = stdlib::load_limits();
  bool ok = !diagnostics.has_errors();
  for (const auto& module : program.modules) {
    for (const auto& decl : module.declarations) {
      const auto* policy = std::get_if<dsl::Policy>(&decl);
      if (!policy || has_error_within(diagnostics, policy->span)) continue;
      bool policy_ok = false;
      PolicyChecker checker(*policy, defaults[module.file], sources, diagnostics, strings, options);
      IrPolicy ir = checker.run(policy_ok);
      if (!policy_ok) {
        ok = false;
        continue;
      }
      for (auto& t : ir.triggers) {
        fold_expr(t.condition);
        fold_expr(t.clear);
      }
      for (auto& h : ir.handlers) fold_statements(h.body);
      warn_constant_conditions(ir, *policy, diagnostics);
      std::string problem;
      if (!emit_policy(ir, sources, strings, problem)) {
        diagnostics.report(dsl::DiagCode::TooComplex, policy->name.span,
                           "policy `" + policy->name.name + "` is too large: " + problem);
        ok = false;
        continue;
      }
      ir.header.cost_bound = bytecode::cost_of(ir.header, limits);
      if (ir.header.cost_bound > options.max_cost) {
        diagnostics
            .report(dsl::DiagCode::CostLimit, policy->name.span,
                    "policy `" + policy->name.name + "` may execute " +
                        std::to_string(ir.header.cost_bound) +
                        " steps per target per tick; the limit is " +
                        std::to_string(options.max_cost))
            .notes.push_back(
                {std::nullopt,
                 "split it into smaller policies, or raise the limit with --max-cost"});
        ok = false;
        continue;
      }
      out.policies.push_back(std::move(ir.header));
    }
  }
  if (!ok || diagnostics.has_errors()) return std::nullopt;
  out.strings = strings.take();
  out.source_hash = hash_sources(sources);
  // What the compiler emits must pass the same verification as a file loaded from disk.
  auto problems = bytecode::verify_program(out, limits);
  if (!problems.empty()) {
    diagnostics.report(
        dsl::DiagCode::TooComplex, dsl::Span{},
        "internal error: the emitted bytecode fails verification: " + problems.front().message);
    return std::nullopt;
  }
  return out;
}

}  // namespace skippy::compiler
