#include "dsl/ast.hpp"

namespace skippy::dsl {

const char* unary_op_text(UnaryOp op) {
  switch (op) {
    case UnaryOp::Negate:
      return "-";
    case UnaryOp::Plus:
      return "+";
    case UnaryOp::Not:
      return "not";
  }
  return "?";
}

const char* binary_op_text(BinaryOp op) {
  switch (op) {
    case BinaryOp::Or:
      return "or";
    case BinaryOp::And:
      return "and";
    case BinaryOp::Equal:
      return "==";
    case BinaryOp::NotEqual:
      return "!=";
    case BinaryOp::Less:
      return "<";
    case BinaryOp::LessEqual:
      return "<=";
    case BinaryOp::Greater:
      return ">";
    case BinaryOp::GreaterEqual:
      return ">=";
    case BinaryOp::In:
      return "in";
    case BinaryOp::NotIn:
      return "not in";
    case BinaryOp::Add:
      return "+";
    case BinaryOp::Subtract:
      return "-";
    case BinaryOp::Multiply:
      return "*";
    case BinaryOp::Divide:
      return "/";
  }
  return "?";
}

int binary_op_precedence(BinaryOp op) {
  switch (op) {
    case BinaryOp::Or:
      return 1;
    case BinaryOp::And:
      return 2;
    case BinaryOp::Add:
    case BinaryOp::Subtract:
      return 5;
    case BinaryOp::Multiply:
    case BinaryOp::Divide:
      return 6;
    default:
      return 4;  // comparisons
  }
}

Span span_of(const PolicyClause& clause) {
  return std::visit([](const auto& c) { return c.span; }, clause);
}

Span span_of(const Statement& statement) {
  return std::visit([](const auto& s) { return s.span; }, statement.node);
}

Span span_of(const Declaration& declaration) {
  return std::visit([](const auto& d) { return d.span; }, declaration);
}

Span span_of(const DefaultsItem& item) {
  return std::visit([](const auto& i) { return i.span; }, item);
}

}  // namespace skippy::dsl
