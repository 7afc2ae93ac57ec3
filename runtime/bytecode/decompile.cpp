#include "runtime/bytecode/decompile.hpp"

namespace skippy::bytecode {
namespace {

class Reader {
 public:
  explicit Reader(const Policy& policy) : p_(policy) {}

  std::optional<DecompiledPolicy> run(std::string& error) {
    DecompiledPolicy out;
    out.triggers.resize(p_.triggers.size());
    if (!conditions(p_.conditions_entry, out.triggers)) {
      error = error_;
      return std::nullopt;
    }
    for (const auto& h : p_.handlers) {
      std::vector<CodeStatement> body;
      std::uint32_t end = 0;
      if (!block(h.entry, static_cast<std::uint32_t>(p_.code.size()), body, end) ||
          !at(end, Op::RETURN)) {
        error = error_.empty() ? where(end, "an `on` block does not end in RETURN") : error_;
        return std::nullopt;
      }
      out.handlers.push_back(std::move(body));
    }
    return out;
  }

 private:
  std::string where(std::uint32_t pc, const std::string& what) const {
    return "instruction " + std::to_string(pc) + ": " + what;
  }
  bool fail(std::uint32_t pc, const std::string& what) {
    if (error_.empty()) error_ = where(pc, what);
    return false;
  }
  bool at(std::uint32_t pc, Op op) const { return pc < p_.code.size() && p_.code[pc].op == op; }

  static CodeExpr leaf(CodeExpr::Kind kind, std::uint16_t index) {
    CodeExpr e;
    e.kind = kind;
    e.index = index;
    return e;
  }
  static CodeExpr node(CodeExpr::Kind kind, Op op, std::vector<CodeExpr> children) {
    CodeExpr e;
    e.kind = kind;
    e.op = op;
    e.children = std::move(children);
    return e;
  }

  // A fused comparison stands for the plain one: GT_NUM_K is GT_NUM with a constant.
  static Op unfused(Op op) {
    switch (op) {
      case Op::EQ_NUM_K:
      case Op::EQ_INPUT_K:
        return Op::EQ_NUM;
      case Op::NE_NUM_K:
      case Op::NE_INPUT_K:
        return Op::NE_NUM;
      case Op::LT_NUM_K:
      case Op::LT_INPUT_K:
        return Op::LT_NUM;
      case Op::LE_NUM_K:
      case Op::LE_INPUT_K:
        return Op::LE_NUM;
      case Op::GT_NUM_K:
      case Op::GT_INPUT_K:
        return Op::GT_NUM;
      case Op::GE_NUM_K:
      case Op::GE_INPUT_K:
        return Op::GE_NUM;
      default:
        return op;
    }
  }

  std::optional<CodeExpr> pop(std::uint32_t pc) {
    if (stack_.empty()) {
      fail(pc, "the stack is empty");
      return std::nullopt;
    }
    CodeExpr e = std::move(stack_.back());
    stack_.pop_back();
    return e;
  }

  // What an instruction was to expression(): not a value's, read, or unreadable.
  enum class Step : std::uint8_t { NotAValue, Read, Failed };

  // Applies an instruction that only computes a value.
  Step expression(std::uint32_t pc) {
    const Instruction& ins = p_.code[pc];
    const OpInfo& info = op_info(ins.op);
    switch (info.operand) {
      case OperandKind::Jump:
      case OperandKind::Trigger:
      case OperandKind::Proposal:
        return Step::NotAValue;
      default:
        break;
    }
    switch (ins.op) {
      case Op::PUSH_CONST:
        stack_.push_back(leaf(CodeExpr::Kind::Constant, ins.b));
        return Step::Read;
      case Op::PUSH_INPUT:
        stack_.push_back(leaf(CodeExpr::Kind::Input, ins.b));
        return Step::Read;
      case Op::PUSH_LOCAL:
        stack_.push_back(leaf(CodeExpr::Kind::Local, ins.a));
        return Step::Read;
      case Op::NEG:
      case Op::NOT: {
        auto x = pop(pc);
        if (!x) return Step::Failed;
        stack_.push_back(node(CodeExpr::Kind::Unary, ins.op, {std::move(*x)}));
        return Step::Read;
      }
      case Op::IN_LIST:
      case Op::NOT_IN_LIST: {
        auto x = pop(pc);
        if (!x) return Step::Failed;
        auto e = node(CodeExpr::Kind::InList, ins.op, {std::move(*x)});
        e.index = ins.b;
        stack_.push_back(std::move(e));
        return Step::Read;
      }
      case Op::CALL: {
        if (stack_.size() < ins.a) {
          fail(pc, "a call without its arguments");
          return Step::Failed;
        }
        std::vector<CodeExpr> args(std::make_move_iterator(stack_.end() - ins.a),
                                   std::make_move_iterator(stack_.end()));
        stack_.resize(stack_.size() - ins.a);
        auto e = node(CodeExpr::Kind::Call, ins.op, std::move(args));
        e.index = ins.b;
        stack_.push_back(std::move(e));
        return Step::Read;
      }
      case Op::DUP:
      case Op::POP:
      case Op::STORE_LOCAL:
      case Op::RETURN:
        return Step::NotAValue;
      default:
        break;
    }
    if (info.operand == OperandKind::InputNumConst) {
      stack_.push_back(
          node(CodeExpr::Kind::Binary, unfused(ins.op),
               {leaf(CodeExpr::Kind::Input, ins.a), leaf(CodeExpr::Kind::Constant, ins.b)}));
      return Step::Read;
    }
    if (info.operand == OperandKind::NumConst) {
      auto x = pop(pc);
      if (!x) return Step::Failed;
      stack_.push_back(node(CodeExpr::Kind::Binary, unfused(ins.op),
                            {std::move(*x), leaf(CodeExpr::Kind::Constant, ins.b)}));
      return Step::Read;
    }
    if (info.pops == 2 && info.pushes == 1) {  // the binary operators
      auto y = pop(pc);
      auto x = y ? pop(pc) : std::nullopt;
      if (!x) return Step::Failed;
      stack_.push_back(node(CodeExpr::Kind::Binary, ins.op, {std::move(*x), std::move(*y)}));
      return Step::Read;
    }
    fail(pc, std::string("unexpected ") + std::string(info.name));
    return Step::Failed;
  }

  // conditions: (expr SET_TRIGGER [expr SET_CLEAR])* RETURN
  bool conditions(std::uint32_t pc, std::vector<CodeTrigger>& triggers) {
    for (; pc < p_.code.size(); ++pc) {
      const Instruction& ins = p_.code[pc];
      Step step = expression(pc);
      if (step == Step::Failed) return false;
      if (step == Step::Read) continue;
      if (ins.op == Op::RETURN) return stack_.empty() || fail(pc, "values left on the stack");
      if ((ins.op != Op::SET_TRIGGER && ins.op != Op::SET_CLEAR) || ins.a >= triggers.size())
        return fail(pc, "not a trigger's condition");
      auto value = pop(pc);
      if (!value || !stack_.empty()) return fail(pc, "a condition is not one expression");
      (ins.op == Op::SET_TRIGGER ? triggers[ins.a].condition : triggers[ins.a].clear) =
          std::move(*value);
    }
    return fail(pc, "the conditions do not end in RETURN");
  }

  // Statements from `pc` up to `end` (exclusive), or to a RETURN or JUMP; `stop` is where
  // reading stopped.
  bool block(std::uint32_t pc, std::uint32_t end, std::vector<CodeStatement>& out,
             std::uint32_t& stop) {
    while (pc < end) {
      const Instruction& ins = p_.code[pc];
      Step step = expression(pc);
      if (step == Step::Failed) return false;
      if (step == Step::Read) {
        ++pc;
        continue;
      }
      CodeStatement s;
      s.pos = pc < p_.code_pos.size() ? p_.code_pos[pc] : SourcePos{};
      if (ins.op == Op::RETURN || ins.op == Op::JUMP) break;
      if (ins.op == Op::STORE_LOCAL) {
        auto value = pop(pc);
        if (!value || !stack_.empty()) return fail(pc, "a let is not one expression");
        s.kind = CodeStatement::Kind::Let;
        s.local = ins.a;
        s.value = std::move(*value);
        out.push_back(std::move(s));
        ++pc;
        continue;
      }
      if (ins.op == Op::PROPOSE) {
        if (stack_.size() != ins.a) return fail(pc, "a proposal without its arguments");
        s.kind = CodeStatement::Kind::Propose;
        s.template_index = ins.b;
        s.arguments = std::move(stack_);
        stack_.clear();
        out.push_back(std::move(s));
        ++pc;
        continue;
      }
      // if: cond DUP JUMP_UNKNOWN unk JUMP_FALSE else <then> JUMP end
      //     else: <else> JUMP end   unk: POP   end:
      if (ins.op != Op::DUP || !at(pc + 1, Op::JUMP_UNKNOWN) || !at(pc + 2, Op::JUMP_FALSE))
        return fail(pc, std::string("unexpected ") + std::string(op_info(ins.op).name));
      auto condition = pop(pc);
      if (!condition || !stack_.empty()) return fail(pc, "an if's condition is not one value");
      std::uint32_t unknown = p_.code[pc + 1].b, otherwise = p_.code[pc + 2].b;
      if (!(pc + 3 <= otherwise && otherwise <= unknown && at(unknown, Op::POP) && unknown < end))
        return fail(pc, "an if whose jumps are not the compiler's");
      s.kind = CodeStatement::Kind::If;
      s.value = std::move(*condition);
      std::uint32_t then_stop = 0, else_stop = 0;
      if (!block(pc + 3, otherwise, s.then_branch, then_stop) || !at(then_stop, Op::JUMP) ||
          then_stop + 1 != otherwise || p_.code[then_stop].b != unknown + 1)
        return fail(pc, "an if's then branch is not the compiler's");
      if (!block(otherwise, unknown, s.else_branch, else_stop) || !at(else_stop, Op::JUMP) ||
          else_stop + 1 != unknown || p_.code[else_stop].b != unknown + 1)
        return fail(pc, "an if's else branch is not the compiler's");
      out.push_back(std::move(s));
      pc = unknown + 1;
    }
    if (!stack_.empty()) return fail(pc, "values left on the stack");
    stop = pc;
    return true;
  }

  const Policy& p_;
  std::vector<CodeExpr> stack_;
  std::string error_;
};

}  // namespace

std::optional<DecompiledPolicy> decompile(const Policy& policy, std::string& error) {
  return Reader(policy).run(error);
}

}  // namespace skippy::bytecode
