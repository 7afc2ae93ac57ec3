#include "runtime/vm/vm.hpp"

#include <cstring>

namespace skippy::vm {
namespace {

using bytecode::Op;
using bytecode::Truth;
using bytecode::UnknownReason;
using bytecode::Value;
using bytecode::ValueTag;

Value propagated() {
  return Value::unknown(UnknownReason::Propagated);
}

bool strings_equal(const Value& x, const Value& y) {
  return x.length == y.length && (x.length == 0 || std::memcmp(x.chars, y.chars, x.length) == 0);
}

bool values_equal(const Value& x, const Value& y) {
  if (x.tag != y.tag) return false;
  switch (x.tag) {
    case ValueTag::Number:
      return x.number == y.number;
    case ValueTag::String:
      return strings_equal(x, y);
    case ValueTag::Bool:
      return x.boolean == y.boolean;
    default:
      return false;
  }
}

}  // namespace

std::vector<PreparedPolicy> prepare(const bytecode::Program& program) {
  std::vector<PreparedPolicy> out;
  out.reserve(program.policies.size());
  for (const auto& p : program.policies) {
    out.push_back(PreparedPolicy{&program, &p, bytecode::materialize_constants(program, p)});
  }
  return out;
}

void Vm::conditions(const PreparedPolicy& policy, std::span<const Value> inputs,
                    std::span<Truth> conditions, std::span<Truth> clears) const {
  for (auto& c : clears) c = Truth::Unknown;
  run(policy, policy.policy->conditions_entry, inputs.data(), conditions.data(), clears.data(),
      nullptr);
}

void Vm::handler(const PreparedPolicy& policy, std::size_t h, std::span<const Value> inputs,
                 ProposalBuffer& out) const {
  run(policy, policy.policy->handlers[h].entry, inputs.data(), nullptr, nullptr, &out);
}

void Vm::run(const PreparedPolicy& prepared, std::uint32_t entry, const Value* inputs,
             Truth* conditions, Truth* clears, ProposalBuffer* out) const {
  Value stack[bytecode::kMaxStack];
  Value locals[bytecode::kMaxLocals];
  Value* sp = stack;  // next free slot
  const bytecode::Instruction* code = prepared.policy->code.data();
  const Value* constants = prepared.constants.values.data();
  std::uint32_t pc = entry;

  for (;;) {
    const bytecode::Instruction ins = code[pc++];
    switch (ins.op) {
      case Op::PUSH_CONST:
        *sp++ = constants[ins.b];
        break;
      case Op::PUSH_INPUT:
        *sp++ = inputs[ins.b];
        break;
      case Op::PUSH_LOCAL:
        *sp++ = locals[ins.a];
        break;
      case Op::STORE_LOCAL:
        locals[ins.a] = *--sp;
        break;
      case Op::DUP:
        *sp = sp[-1];
        ++sp;
        break;
      case Op::POP:
        --sp;
        break;
      case Op::NEG:
        if (!sp[-1].is_unknown()) sp[-1].number = -sp[-1].number;
        break;
      case Op::NOT:
        if (sp[-1].tag == ValueTag::Bool) sp[-1].boolean = !sp[-1].boolean;
        break;

#define SKIPPY_ARITH(OP, EXPR)            \
  case Op::OP: {                          \
    Value& x = sp[-2];                    \
    const Value& y = sp[-1];              \
    --sp;                                 \
    if (x.is_unknown() || y.is_unknown()) \
      x = propagated();                   \
    else                                  \
      x = Value::of_number(EXPR);         \
    break;                                \
  }
        SKIPPY_ARITH(ADD, x.number + y.number)
        SKIPPY_ARITH(SUB, x.number - y.number)
        SKIPPY_ARITH(MUL, x.number * y.number)
#undef SKIPPY_ARITH
      case Op::DIV: {
        Value& x = sp[-2];
        const Value& y = sp[-1];
        --sp;
        if (x.is_unknown() || y.is_unknown())
          x = propagated();
        else if (y.number == 0)
          x = Value::unknown(UnknownReason::DivisionByZero);
        else
          x = Value::of_number(x.number / y.number);
        break;
      }

#define SKIPPY_COMPARE(OP, EXPR)          \
  case Op::OP: {                          \
    Value& x = sp[-2];                    \
    const Value& y = sp[-1];              \
    --sp;                                 \
    if (x.is_unknown() || y.is_unknown()) \
      x = propagated();                   \
    else                                  \
      x = Value::of_bool(EXPR);           \
    break;                                \
  }
        SKIPPY_COMPARE(EQ_NUM, x.number == y.number)
        SKIPPY_COMPARE(NE_NUM, x.number != y.number)
        SKIPPY_COMPARE(LT_NUM, x.number < y.number)
        SKIPPY_COMPARE(LE_NUM, x.number <= y.number)
        SKIPPY_COMPARE(GT_NUM, x.number > y.number)
        SKIPPY_COMPARE(GE_NUM, x.number >= y.number)
        SKIPPY_COMPARE(EQ_STR, strings_equal(x, y))
        SKIPPY_COMPARE(NE_STR, !strings_equal(x, y))
        SKIPPY_COMPARE(EQ_BOOL, x.boolean == y.boolean)
        SKIPPY_COMPARE(NE_BOOL, x.boolean != y.boolean)
#undef SKIPPY_COMPARE

      case Op::AND: {
        Value& x = sp[-2];
        const Value& y = sp[-1];
        --sp;
        if (x.is_false() || y.is_false())
          x = Value::of_bool(false);
        else if (x.is_true() && y.is_true())
          x = Value::of_bool(true);
        else
          x = propagated();
        break;
      }
      case Op::OR: {
        Value& x = sp[-2];
        const Value& y = sp[-1];
        --sp;
        if (x.is_true() || y.is_true())
          x = Value::of_bool(true);
        else if (x.is_false() && y.is_false())
          x = Value::of_bool(false);
        else
          x = propagated();
        break;
      }
      case Op::IN_LIST:
      case Op::NOT_IN_LIST: {
        Value& x = sp[-1];
        if (x.is_unknown()) break;
        bool found = false;
        for (const Value& item : prepared.constants.lists[ins.b]) {
          if (values_equal(x, item)) {
            found = true;
            break;
          }
        }
        x = Value::of_bool(ins.op == Op::IN_LIST ? found : !found);
        break;
      }
      case Op::CALL: {
        sp -= ins.a;
        *sp = builtins_[ins.b](sp);
        ++sp;
        break;
      }
      case Op::JUMP:
        pc = ins.b;
        break;
      case Op::JUMP_UNKNOWN:
        if ((--sp)->is_unknown()) pc = ins.b;
        break;
      case Op::JUMP_FALSE:
        if ((--sp)->is_false()) pc = ins.b;
        break;
      case Op::SET_TRIGGER:
        conditions[ins.a] = bytecode::truth_of(*--sp);
        break;
      case Op::SET_CLEAR:
        clears[ins.a] = bytecode::truth_of(*--sp);
        break;
      case Op::PROPOSE:
        sp -= ins.a;
        out->add(ins.b, sp, ins.a);
        break;
      case Op::RETURN:
        return;
    }
  }
}

}  // namespace skippy::vm
