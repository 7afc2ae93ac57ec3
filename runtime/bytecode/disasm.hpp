// A readable listing of a program: every policy's tables and code, each instruction with
// its operand explained and the source line it came from.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "runtime/bytecode/program.hpp"

namespace skippy::bytecode {

// Names for the ids a program refers to (the stdlib's tables), and the source text when it
// is at hand. Any of them may be empty: ids are then printed as numbers.
struct DisasmNames {
  std::function<std::string(std::uint16_t)> builtin;
  std::function<std::string(std::uint16_t)> field;
  std::function<std::string(std::uint16_t)> window_function;
  std::function<std::string(std::uint16_t)> verdict_field;
  std::function<std::string(std::uint16_t)> outcome_field;
  std::function<std::string(std::uint16_t)> action;
  std::function<std::optional<std::string>(std::string_view path, std::uint32_t line)> source_line;
};

std::string disassemble(const Program& program, const DisasmNames& names);

// A number as the listing shows it: whole numbers plain, others the shortest text that reads
// back the same ("85", "0.8").
std::string number_text(double d);

// A string in double quotes, with `"`, `\` and line feeds escaped.
std::string quoted_text(std::string_view s);

}  // namespace skippy::bytecode
