#include "runtime/bytecode/file.hpp"

#include <zlib.h>

#include <algorithm>
#include <cmath>

#include "runtime/bytecode/serialization.hpp"

namespace skippy::bytecode {
namespace {

constexpr std::size_t kHeaderSize = 4 + 2 + 2 + 4 + 32;
constexpr std::size_t kTrailerSize = 4;

std::uint32_t crc32_of(const std::uint8_t* data, std::size_t size) {
  uLong crc = crc32(0L, Z_NULL, 0);
  // zlib takes uInt lengths; feed large inputs in pieces.
  while (size > 0) {
    auto piece = static_cast<uInt>(std::min<std::size_t>(size, 1u << 30));
    crc = crc32(crc, data, piece);
    data += piece;
    size -= piece;
  }
  return static_cast<std::uint32_t>(crc);
}

// Verifies one policy; appends errors prefixed with the policy's index.
class PolicyVerifier {
 public:
  PolicyVerifier(const Program& program, const Policy& policy, std::size_t index,
                 const LoadLimits& limits, std::vector<LoadError>& errors)
      : program_(program),
        p_(policy),
        limits_(limits),
        errors_(errors),
        prefix_("policy " + std::to_string(index) + ": ") {}

  void run() {
    string_id(p_.name, "name", false);
    pos(p_.pos, "position");
    if (static_cast<int>(p_.mode) > 3)
      error("mode " + std::to_string(static_cast<int>(p_.mode)) + " is not a mode");
    if (p_.interval_ms <= 0) error("the interval must be positive");
    selection();
    inputs();
    constants();
    for (const auto& t : p_.triggers) {
      string_id(t.name, "trigger name", false);
      pos(t.pos, "trigger position");
      if (t.for_ms < 0 || t.clear_for_ms < 0 || t.keep_firing_for_ms < 0)
        error("a trigger duration is negative");
    }
    for (const auto& h : p_.handlers) {
      if (h.trigger >= p_.triggers.size())
        error("a handler names trigger " + std::to_string(h.trigger) + " of " +
              std::to_string(p_.triggers.size()));
      if (h.entry >= p_.code.size()) error("a handler's entry is outside the code");
    }
    if (p_.templates.size() > kMaxTemplates)
      error("more than " + std::to_string(kMaxTemplates) + " proposal templates");
    for (const auto& t : p_.templates) {
      if (t.argument_names.size() > kMaxActionArguments) error("a proposal has too many arguments");
      if (t.action >= limits_.action_parameter_count.size()) {
        error("a proposal names action " + std::to_string(t.action) +
              ", which this runtime does not have");
      } else if (t.argument_names.size() > limits_.action_parameter_count[t.action]) {
        error("a proposal passes more arguments than its action takes");
      }
      if (t.trigger >= p_.triggers.size()) error("a proposal names a trigger that does not exist");
      for (auto n : t.argument_names) string_id(n, "argument name", false);
      pos(t.pos, "proposal position");
    }
    if (p_.locals > kMaxLocals) error("too many locals");
    if (p_.code.size() > kMaxCode)
      error("the code is longer than " + std::to_string(kMaxCode) + " instructions");
    if (p_.code_pos.size() != p_.code.size()) error("the span table does not match the code");
    for (const auto& cp : p_.code_pos) pos(cp, "instruction position");
    if (!errors_.empty()) return;  // the code checks below index the tables checked above
    code();
    if (errors_.empty() && p_.cost_bound != cost_of(p_, limits_))
      error("the recorded cost bound is wrong");
  }

 private:
  void error(std::string message) { errors_.push_back(LoadError{0, prefix_ + std::move(message)}); }

  void string_id(std::uint32_t id, const char* what, bool optional) {
    if (optional && id == kNoString) return;
    if (id >= program_.strings.size())
      error(std::string(what) + " refers to string " + std::to_string(id) + " of " +
            std::to_string(program_.strings.size()));
  }

  void pos(const SourcePos& sp, const char* what) {
    if (sp.file >= program_.files.size())
      error(std::string(what) + " names source file " + std::to_string(sp.file) + " of " +
            std::to_string(program_.files.size()));
  }

  void selection() {
    const auto& s = p_.selection;
    if (static_cast<int>(s.kind) > 4) error("unknown target kind");
    for (auto n : s.namespaces) string_id(n, "namespace", false);
    for (auto n : s.excluded_names) string_id(n, "excluded name", false);
    for (const auto& r : s.labels) {
      if (static_cast<int>(r.op) > 5) error("unknown label operator");
      string_id(r.key, "label key", false);
      for (auto v : r.values) string_id(v, "label value", false);
    }
  }

  void inputs() {
    for (std::size_t i = 0; i < p_.inputs.size(); ++i) {
      const InputSlot& s = p_.inputs[i];
      string_id(s.name, "input name", true);
      switch (s.kind) {
        case InputKind::Promql:
          string_id(s.query, "query", false);
          for (auto l : s.by_labels) string_id(l, "join label", false);
          if (static_cast<int>(s.aggregation) > 5) error("unknown aggregation");
          if (static_cast<int>(s.missing) > 2) error("unknown missing-data rule");
          if (s.hold_ms < 0) error("negative hold time");
          break;
        case InputKind::Field:
          if (s.id >= limits_.field_count)
            error("input names field " + std::to_string(s.id) +
                  ", which this runtime does not have");
          break;
        case InputKind::Events:
          string_id(s.reason, "event reason", true);
          string_id(s.event_type, "event type", true);
          if (s.window_ms <= 0) error("an event window must be positive");
          break;
        case InputKind::Window:
          if (s.id >= limits_.window_function_count)
            error("input names window function " + std::to_string(s.id) +
                  ", which this runtime does not have");
          if (s.source >= i) error("a windowed input must refer to an earlier input");
          if (s.window_ms <= 0) error("a window must be positive");
          break;
        case InputKind::Advice:
          if (s.id >= limits_.advice_field_count) error("input names an unknown verdict field");
          if (s.source >= p_.advice.size())
            error("input names an advice request that does not exist");
          break;
        case InputKind::Outcome:
          if (s.id >= limits_.outcome_field_count) error("input names an unknown outcome field");
          if (s.source >= limits_.action_parameter_count.size())
            error("input reads the outcomes of an action this runtime does not have");
          if (s.window_ms <= 0) error("an outcome window must be positive");
          break;
        default:
          error("input " + std::to_string(i) + " has unknown kind " +
                std::to_string(static_cast<int>(s.kind)));
      }
    }
    for (const auto& r : p_.advice) {
      for (auto slot : r.signal_slots) {
        if (slot >= p_.inputs.size()) error("an advice request names an input that does not exist");
      }
      string_id(r.question, "advice question", true);
      pos(r.pos, "advice position");
      // The closed choice: actions this runtime has, ascending and distinct, each one the
      // handler can propose (so an analyzer can never name an action the policy does not allow).
      for (std::size_t k = 0; k < r.allowed_actions.size(); ++k) {
        auto a = r.allowed_actions[k];
        if (a >= limits_.action_parameter_count.size())
          error("an advice request allows an action this runtime does not have");
        else if (k > 0 && a <= r.allowed_actions[k - 1])
          error("an advice request's allowed actions are not ascending and distinct");
      }
      if (r.handler >= p_.handlers.size())
        error("an advice request names a handler that does not exist");
      for (auto a : r.allowed_actions) {
        bool proposed = std::any_of(p_.templates.begin(), p_.templates.end(), [&](const auto& t) {
          return t.action == a && r.handler < p_.handlers.size() &&
                 t.trigger == p_.handlers[r.handler].trigger;
        });
        if (!proposed) error("an advice request allows an action its handler never proposes");
      }
      if (r.has_threshold && !std::isfinite(r.threshold))
        error("an advice request's threshold is not finite");
      if (r.horizon_ms <= 0 || r.history_ms <= 0)
        error("an advice request's horizon and history must be positive");
    }
  }

  void constants() {
    for (const auto& c : p_.constants) {
      switch (c.kind) {
        case ConstantKind::Number:
        case ConstantKind::Bool:
          break;
        case ConstantKind::String:
          string_id(c.string, "string constant", false);
          break;
        case ConstantKind::List:
          for (auto item : c.items) {
            if (item >= p_.constants.size() || p_.constants[item].kind == ConstantKind::List) {
              error("a constant list holds something other than a number or string constant");
              break;
            }
          }
          break;
        default:
          error("unknown constant kind");
      }
    }
  }

  // Operands in range, jumps forward and inside, one stack depth per instruction on every
  // path, every path ending in RETURN with an empty stack.
  void code() {
    const auto n = p_.code.size();
    // Each instruction belongs to the conditions code (0) or to handler code (1): triggers
    // are set only by the former, proposals made only by the latter.
    // `stored[pc]`: the locals stored on every path to pc (a bit each; at most 64 locals).
    std::vector<int> depth(n + 1, -1);
    std::vector<int> region(n + 1, -1);
    std::vector<std::uint64_t> stored(n + 1, 0);
    int current_region = 0;
    std::uint64_t current_stored = 0;
    auto enter = [&](std::size_t pc, int d, const char* how, int r) {
      if (pc > n) return error(std::string(how) + " leaves the code");
      if (depth[pc] == -1) {
        depth[pc] = d;
        region[pc] = r;
        stored[pc] = current_stored;
        return;
      }
      stored[pc] &= current_stored;  // stored on every path: the intersection
      if (depth[pc] != d) {
        error("instruction " + std::to_string(pc) + " is reached with stack depths " +
              std::to_string(depth[pc]) + " and " + std::to_string(d));
      } else if (region[pc] != r) {
        error("instruction " + std::to_string(pc) +
              " is reached from both the conditions and a handler");
      }
    };
    if (p_.conditions_entry >= n) return error("the conditions entry is outside the code");
    enter(p_.conditions_entry, 0, "the conditions entry", 0);
    for (const auto& h : p_.handlers) enter(h.entry, 0, "a handler entry", 1);
    if (p_.locals > 64) return error("more than 64 locals");
    int max_depth = 0;
    for (std::size_t pc = 0; pc < n && errors_.empty(); ++pc) {
      if (depth[pc] == -1) continue;  // unreachable: never executed
      const Instruction& ins = p_.code[pc];
      if (static_cast<std::size_t>(ins.op) >= kOpCount)
        return error("instruction " + std::to_string(pc) + " has unknown opcode " +
                     std::to_string(static_cast<int>(ins.op)));
      const OpInfo& info = op_info(ins.op);
      int pops = info.pops < 0 ? ins.a : info.pops;
      if (!operand(pc, ins, info)) return;
      int d = depth[pc];
      current_region = region[pc];
      current_stored = stored[pc];
      if (ins.op == Op::PUSH_LOCAL && ins.a < 64 && !(current_stored >> ins.a & 1u)) {
        return error("instruction " + std::to_string(pc) + " reads local " + std::to_string(ins.a) +
                     " before it is stored on every path");
      }
      if (ins.op == Op::STORE_LOCAL && ins.a < 64) current_stored |= std::uint64_t{1} << ins.a;
      if ((ins.op == Op::SET_TRIGGER || ins.op == Op::SET_CLEAR) && current_region != 0)
        return error("instruction " + std::to_string(pc) +
                     " sets a trigger outside the conditions code");
      if (ins.op == Op::PROPOSE && current_region != 1)
        return error("instruction " + std::to_string(pc) + " proposes an action outside a handler");
      if (d < pops)
        return error("instruction " + std::to_string(pc) + " (" + std::string(info.name) +
                     ") pops an empty stack");
      d = d - pops + info.pushes;
      if (d > static_cast<int>(kMaxStack))
        return error("the stack grows past " + std::to_string(kMaxStack));
      max_depth = std::max(max_depth, d);
      switch (ins.op) {
        case Op::RETURN:
          if (d != 0) error("RETURN at " + std::to_string(pc) + " leaves values on the stack");
          break;
        case Op::JUMP:
          enter(ins.b, d, "a jump", current_region);
          break;
        case Op::JUMP_FALSE:
        case Op::JUMP_UNKNOWN:
          enter(ins.b, d, "a jump", current_region);
          enter(pc + 1, d, "falling through", current_region);
          break;
        default:
          enter(pc + 1, d, "falling through", current_region);
      }
    }
    if (errors_.empty() && depth[n] != -1) error("the code runs past its end without RETURN");
    if (errors_.empty() && max_depth > p_.max_stack) error("the recorded stack size is too small");
  }

  bool operand(std::size_t pc, const Instruction& ins, const OpInfo& info) {
    auto bad = [&](const std::string& why) {
      error("instruction " + std::to_string(pc) + " (" + std::string(info.name) + "): " + why);
      return false;
    };
    switch (info.operand) {
      case OperandKind::None:
        return true;
      case OperandKind::Const: {
        if (ins.b >= p_.constants.size()) return bad("constant out of range");
        bool is_list = p_.constants[ins.b].kind == ConstantKind::List;
        bool wants_list = ins.op == Op::IN_LIST || ins.op == Op::NOT_IN_LIST;
        if (is_list != wants_list)
          return bad(wants_list ? "needs a list constant" : "cannot push a list");
        return true;
      }
      case OperandKind::Input:
        return ins.b < p_.inputs.size() ? true : bad("input slot out of range");
      case OperandKind::Local:
        return ins.a < p_.locals ? true : bad("local out of range");
      case OperandKind::Jump:
        return ins.b > pc && ins.b < p_.code.size() ? true
                                                    : bad("jumps must go forward, inside the code");
      case OperandKind::Builtin:
        if (ins.b >= limits_.builtin_count) return bad("unknown builtin");
        if (ins.b < limits_.builtin_arity.size() && ins.a != limits_.builtin_arity[ins.b])
          return bad("wrong argument count");
        return true;
      case OperandKind::Trigger:
        return ins.a < p_.triggers.size() ? true : bad("trigger out of range");
      case OperandKind::InputNumConst:
        if (ins.a >= p_.inputs.size()) return bad("input slot out of range");
        [[fallthrough]];
      case OperandKind::NumConst:
        if (ins.b >= p_.constants.size()) return bad("constant out of range");
        return p_.constants[ins.b].kind == ConstantKind::Number ? true
                                                                : bad("needs a number constant");
      case OperandKind::Proposal:
        if (ins.b >= p_.templates.size()) return bad("proposal template out of range");
        return ins.a == p_.templates[ins.b].argument_names.size()
                   ? true
                   : bad("argument count does not match its template");
    }
    return bad("unknown operand kind");
  }

  const Program& program_;
  const Policy& p_;
  const LoadLimits& limits_;
  std::vector<LoadError>& errors_;
  std::string prefix_;
};

}  // namespace

std::uint32_t cost_of(const Policy& policy, const LoadLimits& limits) {
  std::uint64_t cost = 0;
  for (const auto& ins : policy.code) {
    cost += 1;
    if ((ins.op == Op::IN_LIST || ins.op == Op::NOT_IN_LIST) && ins.b < policy.constants.size()) {
      cost += policy.constants[ins.b].items.size();
    }
    if (ins.op == Op::CALL && ins.b < limits.builtin_cost.size())
      cost += limits.builtin_cost[ins.b];
  }
  return static_cast<std::uint32_t>(std::min<std::uint64_t>(cost, UINT32_MAX));
}

std::vector<std::uint8_t> write_program(const Program& program) {
  detail::Writer body;
  detail::transfer_body(body, const_cast<Program&>(program));  // the Writer only reads
  detail::Writer out;
  for (char c : kMagic) out.scalar(static_cast<std::uint8_t>(c), "magic");
  out.scalar(kFormatVersion, "version");
  out.scalar(std::uint16_t{0}, "flags");
  out.scalar(static_cast<std::uint32_t>(body.bytes.size()), "length");
  out.bytes.insert(out.bytes.end(), program.source_hash.begin(), program.source_hash.end());
  out.bytes.insert(out.bytes.end(), body.bytes.begin(), body.bytes.end());
  out.scalar(crc32_of(out.bytes.data(), out.bytes.size()), "checksum");
  return std::move(out.bytes);
}

void reseal_checksum(std::vector<std::uint8_t>& bytes) {
  if (bytes.size() < kTrailerSize) return;
  std::uint32_t crc = crc32_of(bytes.data(), bytes.size() - kTrailerSize);
  for (std::size_t i = 0; i < 4; ++i) {
    bytes[bytes.size() - kTrailerSize + i] = static_cast<std::uint8_t>(crc >> (8 * i));
  }
}

std::vector<LoadError> verify_program(const Program& program, const LoadLimits& limits) {
  std::vector<LoadError> errors;
  for (auto f : program.files) {
    if (f >= program.strings.size())
      errors.push_back({0, "a source file names a string that does not exist"});
  }
  for (std::size_t i = 0; i < program.policies.size(); ++i) {
    PolicyVerifier(program, program.policies[i], i, limits, errors).run();
    if (errors.size() > 20) break;
  }
  return errors;
}

LoadResult load_program(std::span<const std::uint8_t> bytes, const LoadLimits& limits) {
  LoadResult result;
  auto fail = [&](std::size_t offset, std::string message) {
    result.errors.push_back(LoadError{offset, std::move(message)});
    return std::move(result);
  };
  if (bytes.size() < kHeaderSize + kTrailerSize) {
    return fail(0,
                "truncated: " + std::to_string(bytes.size()) + " bytes is shorter than a header");
  }
  detail::Reader header(bytes.data(), kHeaderSize);
  std::array<std::uint8_t, 4> magic{};
  for (auto& m : magic) header.scalar(m, "magic");
  if (std::memcmp(magic.data(), kMagic.data(), 4) != 0)
    return fail(0, "not a Skippy bytecode file (bad magic)");
  std::uint16_t version = 0, flags = 0;
  std::uint32_t length = 0;
  header.scalar(version, "version");
  header.scalar(flags, "flags");
  header.scalar(length, "length");
  if (version != kFormatVersion) {
    return fail(4, "bytecode format version " + std::to_string(version) +
                       "; this skippy reads version " + std::to_string(kFormatVersion) +
                       " (recompile the policies)");
  }
  if (flags != 0) return fail(6, "unknown flags " + std::to_string(flags));
  if (length != bytes.size() - kHeaderSize - kTrailerSize) {
    return fail(8, "truncated or padded: the header says " + std::to_string(length) +
                       " body bytes, the file has " +
                       std::to_string(bytes.size() - kHeaderSize - kTrailerSize));
  }
  detail::Reader trailer(bytes.data() + bytes.size() - kTrailerSize, kTrailerSize);
  std::uint32_t stored = 0;
  trailer.scalar(stored, "checksum");
  if (stored != crc32_of(bytes.data(), bytes.size() - kTrailerSize)) {
    return fail(bytes.size() - kTrailerSize, "checksum mismatch: the file is corrupt");
  }
  std::memcpy(result.program.source_hash.data(), bytes.data() + 12, 32);
  detail::Reader body(bytes.data() + kHeaderSize, length);
  detail::transfer_body(body, result.program);
  if (!body.ok()) {
    return fail(kHeaderSize + body.failed_offset(),
                std::string("malformed ") + body.failed_at() + " at byte " +
                    std::to_string(kHeaderSize + body.failed_offset()));
  }
  if (body.position() != length)
    return fail(kHeaderSize + body.position(), "trailing bytes after the last policy");
  result.errors = verify_program(result.program, limits);
  return result;
}

}  // namespace skippy::bytecode
