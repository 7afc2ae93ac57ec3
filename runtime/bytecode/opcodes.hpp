// Opcodes and their metadata, generated from opcodes.def.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace skippy::bytecode {

enum class Op : std::uint8_t {
#define X(name, operand, pops, pushes, meaning) name,
#include "runtime/bytecode/opcodes.def"
#undef X
};

enum class OperandKind : std::uint8_t {
  None,
  Const,
  Input,
  Local,
  Jump,
  Builtin,
  Trigger,
  Proposal,
  NumConst,
  InputNumConst
};

struct OpInfo {
  std::string_view name;
  OperandKind operand;
  int pops;  // -1: the instruction's `a` operand says how many
  int pushes;
  std::string_view meaning;
};

inline constexpr std::array kOpInfo = {
#define X(name, operand, pops, pushes, meaning) \
  OpInfo{#name, OperandKind::operand, pops, pushes, meaning},
#include "runtime/bytecode/opcodes.def"
#undef X
};

inline constexpr std::size_t kOpCount = kOpInfo.size();

inline const OpInfo& op_info(Op op) {
  return kOpInfo[static_cast<std::size_t>(op)];
}

struct Instruction {
  Op op;
  std::uint8_t a = 0;
  std::uint16_t b = 0;
  friend bool operator==(const Instruction&, const Instruction&) = default;
};

static_assert(sizeof(Instruction) == 4);

}  // namespace skippy::bytecode
