// Constant folding that never changes meaning: it folds what the VM would compute the same
// way every time, and refuses division by zero, NaN and infinities.
#pragma once

#include "compiler/ir.hpp"

namespace skippy::compiler {

void fold_expr(IrExpr& e);
void fold_statements(std::vector<IrStatement>& statements);

}  // namespace skippy::compiler
