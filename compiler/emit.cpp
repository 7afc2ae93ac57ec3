#include "compiler/emit.hpp"

#include <cstring>
#include <map>
#include <tuple>

namespace skippy::compiler {
namespace {

using bytecode::Op;

class Emitter {
 public:
  Emitter(IrPolicy& policy, const dsl::SourceManager& sources, StringPool& strings)
      : ir_(policy), p_(policy.header), sources_(sources), strings_(strings) {}

  bool run(std::string& problem) {
    p_.conditions_entry = here();
    for (std::size_t i = 0; i < ir_.triggers.size(); ++i) {
      const IrTrigger& t = ir_.triggers[i];
      expr(t.condition);
      emit(Op::SET_TRIGGER, static_cast<std::uint8_t>(i), 0, t.span);
      if (t.has_clear) {
        expr(t.clear);
        emit(Op::SET_CLEAR, static_cast<std::uint8_t>(i), 0, t.span);
      }
    }
    emit(Op::RETURN, 0, 0, ir_.span);
    for (const auto& h : ir_.handlers) {
      p_.handlers.push_back(bytecode::Handler{h.trigger, here()});
      statements(h.body);
      emit(Op::RETURN, 0, 0, h.span);
    }
    p_.locals = ir_.locals;
    p_.max_stack = static_cast<std::uint16_t>(max_depth_);
    if (!problem_.empty()) {
      problem = problem_;
      return false;
    }
    return true;
  }

 private:
  std::uint32_t here() const { return static_cast<std::uint32_t>(p_.code.size()); }

  void limit(bool exceeded, const char* what) {
    if (exceeded && problem_.empty()) problem_ = what;
  }

  void emit(Op op, std::uint8_t a, std::uint16_t b, dsl::Span span) {
    limit(p_.code.size() >= bytecode::kMaxCode,
          "the policy compiles to more than 65535 instructions");
    const auto& info = bytecode::op_info(op);
    depth_ -= info.pops < 0 ? a : info.pops;
    depth_ += info.pushes;
    max_depth_ = std::max(max_depth_, depth_);
    limit(max_depth_ > static_cast<int>(bytecode::kMaxStack),
          "an expression needs more than 64 stack slots");
    p_.code.push_back(bytecode::Instruction{op, a, b});
    auto lc = sources_.file(span.file).line_column(span.begin);
    p_.code_pos.push_back(bytecode::SourcePos{span.file, lc.line, lc.column});
  }

  // Patches the jump at `at` to land here.
  void land(std::uint32_t at) { p_.code[at].b = static_cast<std::uint16_t>(here()); }

  std::uint16_t constant(const IrConstant& c) {
    std::uint64_t bits = 0;
    std::memcpy(&bits, &c.number, sizeof bits);
    auto key = std::make_tuple(static_cast<int>(c.kind), bits, c.boolean, c.string);
    auto it = constants_.find(key);
    if (it != constants_.end()) return it->second;
    bytecode::Constant out;
    out.kind = c.kind;
    out.number = c.kind == bytecode::ConstantKind::Number ? c.number : 0;
    out.boolean = c.kind == bytecode::ConstantKind::Bool && c.boolean;
    if (c.kind == bytecode::ConstantKind::String) out.string = strings_.intern(c.string);
    return add_constant(std::move(out), key);
  }

  template <typename Key>
  std::uint16_t add_constant(bytecode::Constant c, const Key& key) {
    limit(p_.constants.size() >= 65535, "the policy needs more than 65535 constants");
    auto index = static_cast<std::uint16_t>(p_.constants.size());
    p_.constants.push_back(std::move(c));
    constants_.emplace(key, index);
    return index;
  }

  std::uint16_t list_constant(const std::vector<IrConstant>& items) {
    bytecode::Constant list;
    list.kind = bytecode::ConstantKind::List;
    for (const auto& item : items) list.items.push_back(constant(item));
    std::string key_text;
    for (auto i : list.items) key_text += std::to_string(i) + ",";
    auto key = std::make_tuple(static_cast<int>(bytecode::ConstantKind::List), std::uint64_t{0},
                               false, key_text);
    auto it = constants_.find(key);
    if (it != constants_.end()) return it->second;
    return add_constant(std::move(list), key);
  }

  // A comparison of a number with a number constant lowers to one fused instruction (with
  // the input read in, for an input slot): `mem_pct > 85` is `GT_INPUT_K #0, K0`.
  bool compare_with_constant(const IrExpr& e) {
    struct Fused {
      Op op, with_constant, with_input, mirrored;  // mirrored: the op with sides swapped
    };
    static constexpr Fused kFused[] = {
        {Op::EQ_NUM, Op::EQ_NUM_K, Op::EQ_INPUT_K, Op::EQ_NUM},
        {Op::NE_NUM, Op::NE_NUM_K, Op::NE_INPUT_K, Op::NE_NUM},
        {Op::LT_NUM, Op::LT_NUM_K, Op::LT_INPUT_K, Op::GT_NUM},
        {Op::LE_NUM, Op::LE_NUM_K, Op::LE_INPUT_K, Op::GE_NUM},
        {Op::GT_NUM, Op::GT_NUM_K, Op::GT_INPUT_K, Op::LT_NUM},
        {Op::GE_NUM, Op::GE_NUM_K, Op::GE_INPUT_K, Op::LE_NUM},
    };
    auto is_number = [](const IrExpr& x) {
      return x.kind == IrExpr::Kind::Constant && x.constant.kind == bytecode::ConstantKind::Number;
    };
    const IrExpr* value = &e.children[0];
    const IrExpr* limit = &e.children[1];
    Op op = e.op;
    if (!is_number(*limit) && is_number(*value)) {  // 85 < mem_pct is mem_pct > 85
      std::swap(value, limit);
      for (const auto& f : kFused) {
        if (f.op == op) {
          op = f.mirrored;
          break;
        }
      }
    }
    if (!is_number(*limit) || is_number(*value)) return false;
    for (const auto& f : kFused) {
      if (f.op != op) continue;
      if (value->kind == IrExpr::Kind::Input && value->index <= 0xff) {
        emit(f.with_input, static_cast<std::uint8_t>(value->index), constant(limit->constant),
             e.span);
      } else {
        expr(*value);
        emit(f.with_constant, 0, constant(limit->constant), e.span);
      }
      return true;
    }
    return false;
  }

  void expr(const IrExpr& e) {
    switch (e.kind) {
      case IrExpr::Kind::Constant:
        emit(Op::PUSH_CONST, 0, constant(e.constant), e.span);
        break;
      case IrExpr::Kind::Input:
        emit(Op::PUSH_INPUT, 0, e.index, e.span);
        break;
      case IrExpr::Kind::Local:
        emit(Op::PUSH_LOCAL, static_cast<std::uint8_t>(e.index), 0, e.span);
        break;
      case IrExpr::Kind::Unary:
        expr(e.children[0]);
        emit(e.op, 0, 0, e.span);
        break;
      case IrExpr::Kind::Binary:
        if (compare_with_constant(e)) break;
        expr(e.children[0]);
        expr(e.children[1]);
        emit(e.op, 0, 0, e.span);
        break;
      case IrExpr::Kind::Call:
        for (const auto& c : e.children) expr(c);
        emit(Op::CALL, static_cast<std::uint8_t>(e.children.size()), e.index, e.span);
        break;
      case IrExpr::Kind::InList:
        expr(e.children[0]);
        emit(e.op, 0, list_constant(e.list), e.span);
        break;
    }
  }

  void statements(const std::vector<IrStatement>& body) {
    for (const auto& s : body) statement(s);
  }

  // if: cond DUP JUMP_UNKNOWN unk JUMP_FALSE else <then> JUMP end
  //     else: <else> JUMP end   unk: POP   end:
  // An unknown condition runs neither branch.
  void statement(const IrStatement& s) {
    switch (s.kind) {
      case IrStatement::Kind::Let:
        expr(s.value);
        emit(Op::STORE_LOCAL, static_cast<std::uint8_t>(s.local), 0, s.span);
        break;
      case IrStatement::Kind::Propose:
        for (const auto& a : s.arguments) expr(a);
        emit(Op::PROPOSE, static_cast<std::uint8_t>(s.arguments.size()), s.template_index, s.span);
        break;
      case IrStatement::Kind::If: {
        if (s.value.kind == IrExpr::Kind::Constant) {  // folded: only one branch can run
          statements(s.value.constant.boolean ? s.then_branch : s.else_branch);
          break;
        }
        int base = depth_;
        expr(s.value);
        emit(Op::DUP, 0, 0, s.value.span);
        auto to_unknown = here();
        emit(Op::JUMP_UNKNOWN, 0, 0, s.value.span);
        auto to_else = here();
        emit(Op::JUMP_FALSE, 0, 0, s.value.span);
        statements(s.then_branch);
        auto then_done = here();
        emit(Op::JUMP, 0, 0, s.span);
        land(to_else);
        depth_ = base;
        statements(s.else_branch);
        auto else_done = here();
        emit(Op::JUMP, 0, 0, s.span);
        land(to_unknown);
        depth_ = base + 1;
        emit(Op::POP, 0, 0, s.span);
        land(then_done);
        land(else_done);
        break;
      }
    }
  }

  IrPolicy& ir_;
  bytecode::Policy& p_;
  const dsl::SourceManager& sources_;
  StringPool& strings_;
  std::map<std::tuple<int, std::uint64_t, bool, std::string>, std::uint16_t> constants_;
  int depth_ = 0;
  int max_depth_ = 0;
  std::string problem_;
};

}  // namespace

bool emit_policy(IrPolicy& policy, const dsl::SourceManager& sources, StringPool& strings,
                 std::string& problem) {
  return Emitter(policy, sources, strings).run(problem);
}

}  // namespace skippy::compiler
