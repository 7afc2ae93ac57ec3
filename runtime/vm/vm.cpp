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

// Dispatch. With GCC and Clang each instruction jumps straight to the next one's code
// through a table made from opcodes.def (direct threading, as Lua's ljumptab.h does), which
// the branch predictor follows better than one shared switch; elsewhere, a switch.
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"  // labels as values are an extension
#define SKIPPY_DISPATCH \
  ins = code[pc++];     \
  goto* kJump[static_cast<std::uint8_t>(ins.op)];
#define SKIPPY_CASE(NAME) op_##NAME:
#define SKIPPY_NEXT                                 \
  do {                                              \
    ins = code[pc++];                               \
    goto* kJump[static_cast<std::uint8_t>(ins.op)]; \
  } while (0)
#else
#define SKIPPY_DISPATCH \
  ins = code[pc++];     \
  switch (ins.op)
#define SKIPPY_CASE(NAME) case Op::NAME:
#define SKIPPY_NEXT break
#endif

void Vm::run(const PreparedPolicy& prepared, std::uint32_t entry, const Value* inputs,
             Truth* conditions, Truth* clears, ProposalBuffer* out) const {
  Value stack[bytecode::kMaxStack];
  Value locals[bytecode::kMaxLocals];
  Value* sp = stack;  // next free slot
  const bytecode::Instruction* code = prepared.policy->code.data();
  const Value* constants = prepared.constants.values.data();
  std::uint32_t pc = entry;

  bytecode::Instruction ins;
#if defined(__GNUC__)
  static const void* const kJump[] = {
#define X(NAME, ...) &&op_##NAME,
#include "runtime/bytecode/opcodes.def"
#undef X
  };
#endif
  for (;;) {
    SKIPPY_DISPATCH {
      SKIPPY_CASE(PUSH_CONST)
      *sp++ = constants[ins.b];
      SKIPPY_NEXT;
      SKIPPY_CASE(PUSH_INPUT)
      *sp++ = inputs[ins.b];
      SKIPPY_NEXT;
      SKIPPY_CASE(PUSH_LOCAL)
      *sp++ = locals[ins.a];
      SKIPPY_NEXT;
      SKIPPY_CASE(STORE_LOCAL)
      locals[ins.a] = *--sp;
      SKIPPY_NEXT;
      SKIPPY_CASE(DUP)
      *sp = sp[-1];
      ++sp;
      SKIPPY_NEXT;
      SKIPPY_CASE(POP)
      --sp;
      SKIPPY_NEXT;
      SKIPPY_CASE(NEG)
      if (!sp[-1].is_unknown()) sp[-1].number = -sp[-1].number;
      SKIPPY_NEXT;
      SKIPPY_CASE(NOT)
      if (sp[-1].tag == ValueTag::Bool) sp[-1].boolean = !sp[-1].boolean;
      SKIPPY_NEXT;

#define SKIPPY_ARITH(OP, EXPR)            \
  SKIPPY_CASE(OP) {                       \
    Value& x = sp[-2];                    \
    const Value& y = sp[-1];              \
    --sp;                                 \
    if (x.is_unknown() || y.is_unknown()) \
      x = propagated();                   \
    else                                  \
      x = Value::of_number(EXPR);         \
    SKIPPY_NEXT;                          \
  }
      SKIPPY_ARITH(ADD, x.number + y.number)
      SKIPPY_ARITH(SUB, x.number - y.number)
      SKIPPY_ARITH(MUL, x.number * y.number)
#undef SKIPPY_ARITH
      SKIPPY_CASE(DIV) {
        Value& x = sp[-2];
        const Value& y = sp[-1];
        --sp;
        if (x.is_unknown() || y.is_unknown())
          x = propagated();
        else if (y.number == 0)
          x = Value::unknown(UnknownReason::DivisionByZero);
        else
          x = Value::of_number(x.number / y.number);
        SKIPPY_NEXT;
      }

#define SKIPPY_COMPARE(OP, EXPR)          \
  SKIPPY_CASE(OP) {                       \
    Value& x = sp[-2];                    \
    const Value& y = sp[-1];              \
    --sp;                                 \
    if (x.is_unknown() || y.is_unknown()) \
      x = propagated();                   \
    else                                  \
      x = Value::of_bool(EXPR);           \
    SKIPPY_NEXT;                          \
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

#define SKIPPY_COMPARE_K(OP, CMP)                                                             \
  SKIPPY_CASE(OP) {                                                                           \
    Value& x = sp[-1];                                                                        \
    x = x.is_unknown() ? propagated() : Value::of_bool(x.number CMP constants[ins.b].number); \
    SKIPPY_NEXT;                                                                              \
  }
      SKIPPY_COMPARE_K(EQ_NUM_K, ==)
      SKIPPY_COMPARE_K(NE_NUM_K, !=)
      SKIPPY_COMPARE_K(LT_NUM_K, <)
      SKIPPY_COMPARE_K(LE_NUM_K, <=)
      SKIPPY_COMPARE_K(GT_NUM_K, >)
      SKIPPY_COMPARE_K(GE_NUM_K, >=)
#undef SKIPPY_COMPARE_K

#define SKIPPY_COMPARE_INPUT_K(OP, CMP)                                                           \
  SKIPPY_CASE(OP) {                                                                               \
    const Value& x = inputs[ins.a];                                                               \
    *sp++ = x.is_unknown() ? propagated() : Value::of_bool(x.number CMP constants[ins.b].number); \
    SKIPPY_NEXT;                                                                                  \
  }
      SKIPPY_COMPARE_INPUT_K(EQ_INPUT_K, ==)
      SKIPPY_COMPARE_INPUT_K(NE_INPUT_K, !=)
      SKIPPY_COMPARE_INPUT_K(LT_INPUT_K, <)
      SKIPPY_COMPARE_INPUT_K(LE_INPUT_K, <=)
      SKIPPY_COMPARE_INPUT_K(GT_INPUT_K, >)
      SKIPPY_COMPARE_INPUT_K(GE_INPUT_K, >=)
#undef SKIPPY_COMPARE_INPUT_K

      SKIPPY_CASE(AND) {
        Value& x = sp[-2];
        const Value& y = sp[-1];
        --sp;
        if (x.is_false() || y.is_false())
          x = Value::of_bool(false);
        else if (x.is_true() && y.is_true())
          x = Value::of_bool(true);
        else
          x = propagated();
        SKIPPY_NEXT;
      }
      SKIPPY_CASE(OR) {
        Value& x = sp[-2];
        const Value& y = sp[-1];
        --sp;
        if (x.is_true() || y.is_true())
          x = Value::of_bool(true);
        else if (x.is_false() && y.is_false())
          x = Value::of_bool(false);
        else
          x = propagated();
        SKIPPY_NEXT;
      }
      SKIPPY_CASE(IN_LIST)
      SKIPPY_CASE(NOT_IN_LIST) {
        Value& x = sp[-1];
        if (x.is_unknown()) SKIPPY_NEXT;
        bool found = false;
        for (const Value& item : prepared.constants.lists[ins.b]) {
          if (values_equal(x, item)) {
            found = true;
            break;
          }
        }
        x = Value::of_bool(ins.op == Op::IN_LIST ? found : !found);
        SKIPPY_NEXT;
      }
      SKIPPY_CASE(CALL) {
        sp -= ins.a;
        *sp = builtins_[ins.b](sp);
        ++sp;
        SKIPPY_NEXT;
      }
      SKIPPY_CASE(JUMP)
      pc = ins.b;
      SKIPPY_NEXT;
      SKIPPY_CASE(JUMP_UNKNOWN)
      if ((--sp)->is_unknown()) pc = ins.b;
      SKIPPY_NEXT;
      SKIPPY_CASE(JUMP_FALSE)
      if ((--sp)->is_false()) pc = ins.b;
      SKIPPY_NEXT;
      SKIPPY_CASE(SET_TRIGGER)
      conditions[ins.a] = bytecode::truth_of(*--sp);
      SKIPPY_NEXT;
      SKIPPY_CASE(SET_CLEAR)
      clears[ins.a] = bytecode::truth_of(*--sp);
      SKIPPY_NEXT;
      SKIPPY_CASE(PROPOSE)
      sp -= ins.a;
      out->add(ins.b, sp, ins.a);
      SKIPPY_NEXT;
      SKIPPY_CASE(RETURN)
      return;
    }
  }
}

#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
#undef SKIPPY_DISPATCH
#undef SKIPPY_CASE
#undef SKIPPY_NEXT

}  // namespace skippy::vm
