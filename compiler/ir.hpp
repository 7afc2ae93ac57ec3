// The typed IR the checker produces and the emitter lowers: every name resolved (to an
// input slot, a local, a builtin or a constant), every operator typed, every node located.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dsl/source.hpp"
#include "runtime/bytecode/opcodes.hpp"
#include "runtime/bytecode/program.hpp"
#include "stdlib/builtins/catalog.hpp"

namespace skippy::compiler {

// A checked type: what the value is, and whether it can be Unknown at run time (missing
// data, NaN, division by zero, or computed from something that can).
struct IrType {
  stdlib::Type type = stdlib::Type::Number;
  bool may_be_unknown = false;
  // A number from Prometheus, in its base units (seconds, bytes, cores): it compares with and
  // combines with durations and quantities, which are kept in the same units.
  bool base_units = false;
};

struct IrConstant {
  bytecode::ConstantKind kind = bytecode::ConstantKind::Number;
  double number = 0;
  bool boolean = false;
  std::string string;
};

struct IrExpr {
  enum class Kind : std::uint8_t {
    Constant,  // constant
    Input,     // index: input slot
    Local,     // index: local
    Unary,     // op (NEG, NOT), children[0]
    Binary,    // op (typed arithmetic, comparison, AND, OR), children[0..1]
    Call,      // index: builtin, children: arguments
    InList,    // op (IN_LIST, NOT_IN_LIST), children[0], list
  };
  Kind kind = Kind::Constant;
  IrType type;
  bytecode::Op op = bytecode::Op::RETURN;
  std::uint16_t index = 0;
  IrConstant constant;
  std::vector<IrConstant> list;
  std::vector<IrExpr> children;
  dsl::Span span;
  bool poisoned = false;          // an error was reported inside; checks on it stay quiet
  bool minutes_or_milli = false;  // a literal like 250m: minutes, or millicores by a quantity
};

struct IrStatement {
  enum class Kind : std::uint8_t { Let, If, Propose };
  Kind kind = Kind::Propose;
  std::uint16_t local = 0;  // Let
  IrExpr value;             // Let: the value; If: the condition
  std::vector<IrStatement> then_branch;
  std::vector<IrStatement> else_branch;
  std::uint16_t template_index = 0;  // Propose
  std::vector<IrExpr> arguments;     // Propose: in the template's argument order
  dsl::Span span;
};

struct IrTrigger {
  IrExpr condition;
  bool has_clear = false;
  IrExpr clear;
  dsl::Span span;
};

struct IrHandler {
  std::uint16_t trigger = 0;
  std::vector<IrStatement> body;
  dsl::Span span;
};

// A checked policy: the bytecode Policy with every table filled except the code, plus the
// IR the emitter turns into code.
struct IrPolicy {
  bytecode::Policy header;  // name, mode, selection, safety, inputs, triggers, templates...
  dsl::Span span;
  std::vector<IrTrigger> triggers;
  std::vector<IrHandler> handlers;
  std::uint16_t locals = 0;
};

}  // namespace skippy::compiler
