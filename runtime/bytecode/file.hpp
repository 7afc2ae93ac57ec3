// Reading and writing .skpc files. The loader verifies everything before anything runs.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "runtime/bytecode/program.hpp"

namespace skippy::bytecode {

// Serializes a program: header (magic, version, body length, source hash), body, CRC-32.
// The same program always gives the same bytes.
std::vector<std::uint8_t> write_program(const Program& program);

// What the loader checks ids against: the built-in tables of the runtime that will run it.
struct LoadLimits {
  std::size_t builtin_count = 0;
  std::span<const std::uint8_t> builtin_arity;  // per builtin
  std::span<const std::uint16_t> builtin_cost;  // per builtin
  std::size_t field_count = 0;
  std::size_t window_function_count = 0;
  std::size_t advice_field_count = 0;
  std::size_t outcome_field_count = 0;
  std::span<const std::uint8_t> action_parameter_count;  // per action: how many it accepts
};

struct LoadError {
  std::size_t offset = 0;  // byte offset in the file, where known
  std::string message;
};

struct LoadResult {
  Program program;
  std::vector<LoadError> errors;  // empty: verified and safe to run
  bool ok() const { return errors.empty(); }
};

// Parses and verifies bytes: magic, version, length, checksum, every count against the
// remaining bytes, every index against its table, every enum, every jump (forward, in code,
// on a consistent stack), stack depth, locals, cost bound. Never throws, never reads out of
// bounds, never allocates more than the input can justify.
LoadResult load_program(std::span<const std::uint8_t> bytes, const LoadLimits& limits);

// Verifies a program built in memory (the compiler runs this on what it emits).
std::vector<LoadError> verify_program(const Program& program, const LoadLimits& limits);

// Recomputes the trailing checksum of serialized bytes, for tools and tests that patch a
// file on purpose. The loader still verifies everything else.
void reseal_checksum(std::vector<std::uint8_t>& bytes);

// Computes a policy's cost bound: instructions, with calls and list tests weighted.
std::uint32_t cost_of(const Policy& policy, const LoadLimits& limits);

}  // namespace skippy::bytecode
