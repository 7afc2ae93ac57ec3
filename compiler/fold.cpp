#include "compiler/fold.hpp"

#include <cmath>

#include "stdlib/builtins/functions.hpp"

namespace skippy::compiler {
namespace {

using bytecode::ConstantKind;
using bytecode::Op;

bool is_const(const IrExpr& e, ConstantKind kind) {
  return e.kind == IrExpr::Kind::Constant && e.constant.kind == kind && !e.poisoned;
}

void make_bool(IrExpr& e, bool value) {
  e.kind = IrExpr::Kind::Constant;
  e.constant = IrConstant{};
  e.constant.kind = ConstantKind::Bool;
  e.constant.boolean = value;
  e.type.may_be_unknown = false;
  e.children.clear();
  e.list.clear();
}

bool make_number(IrExpr& e, double value) {
  if (!std::isfinite(value)) return false;  // keep the run-time computation
  e.kind = IrExpr::Kind::Constant;
  e.constant = IrConstant{};
  e.constant.number = value;
  e.type.may_be_unknown = false;
  e.children.clear();
  return true;
}

void replace_with_child(IrExpr& e, std::size_t i) {
  IrExpr child = std::move(e.children[i]);
  child.span = e.span;
  e = std::move(child);
}

bool constants_equal(const IrConstant& a, const IrConstant& b) {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case ConstantKind::Number:
      return a.number == b.number;
    case ConstantKind::Bool:
      return a.boolean == b.boolean;
    case ConstantKind::String:
      return a.string == b.string;
    case ConstantKind::List:
      return false;
  }
  return false;
}

void fold_binary(IrExpr& e) {
  IrExpr& x = e.children[0];
  IrExpr& y = e.children[1];
  if (e.op == Op::AND || e.op == Op::OR) {
    bool absorbing = e.op == Op::OR;  // true absorbs `or`, false absorbs `and` (Kleene)
    for (std::size_t i = 0; i < 2; ++i) {
      if (is_const(e.children[i], ConstantKind::Bool)) {
        if (e.children[i].constant.boolean == absorbing) return make_bool(e, absorbing);
        return replace_with_child(e, 1 - i);
      }
    }
    return;
  }
  bool numbers = is_const(x, ConstantKind::Number) && is_const(y, ConstantKind::Number);
  switch (e.op) {
    case Op::ADD:
      if (numbers) make_number(e, x.constant.number + y.constant.number);
      return;
    case Op::SUB:
      if (numbers) make_number(e, x.constant.number - y.constant.number);
      return;
    case Op::MUL:
      if (numbers) make_number(e, x.constant.number * y.constant.number);
      return;
    case Op::DIV:
      if (numbers && y.constant.number != 0) make_number(e, x.constant.number / y.constant.number);
      return;
    case Op::EQ_NUM:
      if (numbers) make_bool(e, x.constant.number == y.constant.number);
      return;
    case Op::NE_NUM:
      if (numbers) make_bool(e, x.constant.number != y.constant.number);
      return;
    case Op::LT_NUM:
      if (numbers) make_bool(e, x.constant.number < y.constant.number);
      return;
    case Op::LE_NUM:
      if (numbers) make_bool(e, x.constant.number <= y.constant.number);
      return;
    case Op::GT_NUM:
      if (numbers) make_bool(e, x.constant.number > y.constant.number);
      return;
    case Op::GE_NUM:
      if (numbers) make_bool(e, x.constant.number >= y.constant.number);
      return;
    case Op::EQ_STR:
    case Op::NE_STR:
      if (is_const(x, ConstantKind::String) && is_const(y, ConstantKind::String)) {
        make_bool(e, (x.constant.string == y.constant.string) == (e.op == Op::EQ_STR));
      }
      return;
    case Op::EQ_BOOL:
    case Op::NE_BOOL:
      if (is_const(x, ConstantKind::Bool) && is_const(y, ConstantKind::Bool)) {
        make_bool(e, (x.constant.boolean == y.constant.boolean) == (e.op == Op::EQ_BOOL));
      }
      return;
    default:
      return;
  }
}

}  // namespace

void fold_expr(IrExpr& e) {
  for (auto& c : e.children) fold_expr(c);
  if (e.poisoned) return;
  switch (e.kind) {
    case IrExpr::Kind::Unary:
      if (e.op == Op::NEG && is_const(e.children[0], ConstantKind::Number)) {
        make_number(e, -e.children[0].constant.number);
      } else if (e.op == Op::NOT && is_const(e.children[0], ConstantKind::Bool)) {
        make_bool(e, !e.children[0].constant.boolean);
      }
      break;
    case IrExpr::Kind::Binary:
      fold_binary(e);
      break;
    case IrExpr::Kind::InList: {
      const IrExpr& x = e.children[0];
      if (x.kind != IrExpr::Kind::Constant) break;
      bool found = false;
      for (const auto& item : e.list) found = found || constants_equal(x.constant, item);
      make_bool(e, e.op == Op::IN_LIST ? found : !found);
      break;
    }
    case IrExpr::Kind::Call: {
      bytecode::Value args[3];
      for (std::size_t i = 0; i < e.children.size(); ++i) {
        if (!is_const(e.children[i], ConstantKind::Number)) return;
        args[i] = bytecode::Value::of_number(e.children[i].constant.number);
      }
      bytecode::Value result = stdlib::function_table()[e.index](args);
      if (result.tag == bytecode::ValueTag::Number) make_number(e, result.number);
      break;
    }
    default:
      break;
  }
}

void fold_statements(std::vector<IrStatement>& statements) {
  for (auto& s : statements) {
    fold_expr(s.value);
    for (auto& a : s.arguments) fold_expr(a);
    fold_statements(s.then_branch);
    fold_statements(s.else_branch);
  }
}

}  // namespace skippy::compiler
