// Lowers a checked, folded IrPolicy to bytecode: the conditions entry first, then one entry
// per handler. Tracks stack depth and records a source position per instruction.
#pragma once

#include "compiler/ir.hpp"
#include "compiler/strings.hpp"
#include "dsl/source.hpp"

namespace skippy::compiler {

// Fills policy.header's code, code_pos, constants, entries, locals and max_stack. Returns
// false (with `problem` set) when a bytecode limit would be exceeded.
bool emit_policy(IrPolicy& policy, const dsl::SourceManager& sources, StringPool& strings,
                 std::string& problem);

}  // namespace skippy::compiler
