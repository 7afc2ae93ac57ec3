// The narrow interface through which built-in functions plug into the VM: a table of
// plain functions, called by index with their arguments on the VM's stack.
#pragma once

#include "runtime/bytecode/value.hpp"

namespace skippy::vm {

// Reads exactly as many arguments as the function's arity; returns a value, never throws.
using BuiltinFn = bytecode::Value (*)(const bytecode::Value* args);

}  // namespace skippy::vm
