// Implementations of the pure built-in functions, in catalog order. The runtime's VM takes
// this table; it never looks a function up by name.
#pragma once

#include <span>

#include "runtime/bytecode/disasm.hpp"
#include "runtime/bytecode/file.hpp"
#include "runtime/vm/builtins.hpp"

namespace skippy::stdlib {

std::span<const vm::BuiltinFn> function_table();

// Names for the disassembler: this stdlib's functions, fields, actions.
bytecode::DisasmNames disasm_names();

// What the bytecode loader checks a program against: this stdlib's tables.
bytecode::LoadLimits load_limits();

}  // namespace skippy::stdlib
