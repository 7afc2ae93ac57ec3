// A span-free S-expression dump of the AST: what a program means, not how it was laid out.
// Tests pin parses with it, and `skippy fmt` checks that formatting kept the meaning.
#pragma once

#include <string>

#include "dsl/ast.hpp"

namespace skippy::dsl {

std::string dump_module(const Module& module);
std::string dump_expr(const Expr& expr);

}  // namespace skippy::dsl
