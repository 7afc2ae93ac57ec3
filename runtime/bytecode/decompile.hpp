// A compiled policy's code read back as the trees it was emitted from: every trigger's
// condition and clear condition, and every `on` block's statements (let, if/else, proposals).
// It reads what will run (constants folded, comparisons fused), for `skippy explain-policy`.
// Code that is not in the shape the compiler emits is refused with the instruction where
// reading stopped.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "runtime/bytecode/program.hpp"

namespace skippy::bytecode {

struct CodeExpr {
  enum class Kind : std::uint8_t {
    Constant,  // index: a constant of the policy
    Input,     // index: an input slot
    Local,     // index: a local
    Unary,     // op (NEG, NOT), children[0]
    Binary,    // op (ADD ... OR, the unfused comparison), children[0..1]
    Call,      // index: a builtin function, children: its arguments
    InList,    // op (IN_LIST, NOT_IN_LIST), index: the list constant, children[0]
  };
  Kind kind = Kind::Constant;
  Op op = Op::RETURN;
  std::uint16_t index = 0;
  std::vector<CodeExpr> children;
};

struct CodeStatement {
  enum class Kind : std::uint8_t { Let, If, Propose };
  Kind kind = Kind::Propose;
  std::uint16_t local = 0;  // Let
  CodeExpr value;           // Let: the value; If: the condition
  std::vector<CodeStatement> then_branch;
  std::vector<CodeStatement> else_branch;
  std::uint16_t template_index = 0;  // Propose
  std::vector<CodeExpr> arguments;   // Propose: in the template's argument order
  SourcePos pos;                     // of the statement's last instruction
};

struct CodeTrigger {
  std::optional<CodeExpr> condition;
  std::optional<CodeExpr> clear;
};

struct DecompiledPolicy {
  std::vector<CodeTrigger> triggers;                 // indexed like Policy::triggers
  std::vector<std::vector<CodeStatement>> handlers;  // indexed like Policy::handlers
};

// The policy's code as trees, or nullopt with `error` saying where it could not be read.
std::optional<DecompiledPolicy> decompile(const Policy& policy, std::string& error);

}  // namespace skippy::bytecode
