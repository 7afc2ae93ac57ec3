// The compiler: checks a parsed program and emits bytecode. Every user mistake becomes a
// located diagnostic; a program with errors produces no bytecode.
#pragma once

#include <cstdint>
#include <optional>

#include "dsl/ast.hpp"
#include "dsl/diagnostics.hpp"
#include "dsl/source.hpp"
#include "runtime/bytecode/program.hpp"

namespace skippy::compiler {

struct CompileOptions {
  // The most instructions (calls and list tests weighted) one policy may execute per target
  // per tick; policies above it are rejected, as Kubernetes rejects CEL over its cost limit.
  std::uint32_t max_cost = 10'000;
  // Run without Prometheus: interval when neither the policy nor its defaults set one.
  std::int64_t default_interval_ms = 30'000;
};

// Checks and compiles `program` (every module's policies, in module order). Returns the
// bytecode when there were no errors (warnings allowed).
std::optional<bytecode::Program> compile_program(const dsl::Program& program,
                                                 const dsl::SourceManager& sources,
                                                 dsl::Diagnostics& diagnostics,
                                                 const CompileOptions& options = {});

}  // namespace skippy::compiler
