#include "runtime/bytecode/disasm.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace skippy::bytecode {
namespace {

std::string duration(std::int64_t ms) {
  if (ms == 0) return "0s";
  std::string out;
  struct Unit {
    const char* suffix;
    std::int64_t ms;
  };
  static const Unit units[] = {
      {"d", 86'400'000}, {"h", 3'600'000}, {"m", 60'000}, {"s", 1000}, {"ms", 1}};
  for (const auto& u : units) {
    if (ms >= u.ms) {
      out += std::to_string(ms / u.ms) + u.suffix;
      ms %= u.ms;
    }
  }
  return out;
}

std::string name_or_id(const std::function<std::string(std::uint16_t)>& f, std::uint16_t id) {
  return f ? f(id) : "#" + std::to_string(id);
}

class Listing {
 public:
  Listing(const Program& program, const DisasmNames& names) : prog_(program), names_(names) {}

  std::string run() {
    line("skippy bytecode, format version " + std::to_string(kFormatVersion));
    line("source sha256 " + source_hash_hex(prog_));
    for (std::size_t i = 0; i < prog_.files.size(); ++i) {
      line("file " + std::to_string(i) + " " + std::string(prog_.string(prog_.files[i])));
    }
    for (const auto& p : prog_.policies) policy(p);
    return std::move(out_);
  }

 private:
  void line(const std::string& s) { out_ += s + "\n"; }
  std::string str(std::uint32_t id) const { return std::string(prog_.string(id)); }
  std::string where(const SourcePos& pos) const {
    std::string file = pos.file < prog_.files.size() ? str(prog_.files[pos.file]) : "?";
    return file + ":" + std::to_string(pos.line) + ":" + std::to_string(pos.column);
  }

  void policy(const Policy& p) {
    line("");
    line("policy " + str(p.name) + " (" + where(p.pos) + ")");
    line("  mode " + std::string(mode_name(p.mode)) + ", every " + duration(p.interval_ms) +
         ", cost bound " + std::to_string(p.cost_bound) + ", stack " + std::to_string(p.max_stack) +
         ", locals " + std::to_string(p.locals));
    selection(p.selection);
    safety(p.safety);
    for (std::size_t i = 0; i < p.inputs.size(); ++i)
      line("  input #" + std::to_string(i) + " " + input(p.inputs[i]));
    for (std::size_t i = 0; i < p.advice.size(); ++i) {
      std::string s = "  advice A" + std::to_string(i) + " signals [";
      for (std::size_t j = 0; j < p.advice[i].signal_slots.size(); ++j) {
        s += (j ? ", #" : "#") + std::to_string(p.advice[i].signal_slots[j]);
      }
      const AdviceRequest& r = p.advice[i];
      s += "] events " + duration(r.events_window_ms);
      if (r.question != kNoString) s += " question " + quoted_text(str(r.question));
      if (r.has_threshold) s += " threshold " + number_text(r.threshold);
      s += " horizon " + duration(r.horizon_ms) + " history " + duration(r.history_ms);
      if (r.handler < p.handlers.size() && p.handlers[r.handler].trigger < p.triggers.size())
        s += " on " + str(p.triggers[p.handlers[r.handler].trigger].name);
      s += " chooses [";
      for (std::size_t j = 0; j < r.allowed_actions.size(); ++j)
        s += (j ? ", " : "") + name_or_id(names_.action, r.allowed_actions[j]);
      s += r.allowed_actions.empty() ? "none]" : ", none]";
      s += " (" + where(r.pos) + ")";
      line(s);
    }
    for (std::size_t i = 0; i < p.constants.size(); ++i)
      line("  const K" + std::to_string(i) + " = " + constant(p, i));
    for (std::size_t i = 0; i < p.triggers.size(); ++i) {
      const Trigger& t = p.triggers[i];
      std::string s =
          "  trigger T" + std::to_string(i) + " " + str(t.name) + " for " + duration(t.for_ms);
      if (t.has_clear) s += ", clear for " + duration(t.clear_for_ms);
      if (t.keep_firing_for_ms) s += ", keep_firing_for " + duration(t.keep_firing_for_ms);
      line(s);
    }
    for (std::size_t i = 0; i < p.templates.size(); ++i) {
      const ProposalTemplate& t = p.templates[i];
      std::string s =
          "  action P" + std::to_string(i) + " " + name_or_id(names_.action, t.action) + "(";
      for (std::size_t j = 0; j < t.argument_names.size(); ++j)
        s += (j ? ", " : "") + str(t.argument_names[j]);
      s += ") on T" + std::to_string(t.trigger) + " priority " + std::to_string(t.priority);
      line(s);
    }
    std::vector<std::string> labels(p.code.size());
    if (p.conditions_entry < labels.size()) labels[p.conditions_entry] = "conditions:";
    for (const auto& h : p.handlers) {
      if (h.entry < labels.size() && h.trigger < p.triggers.size())
        labels[h.entry] = "on " + str(p.triggers[h.trigger].name) + ":";
    }
    SourcePos shown{UINT32_MAX, 0, 0};
    for (std::size_t pc = 0; pc < p.code.size(); ++pc) {
      if (!labels[pc].empty()) line("  " + labels[pc]);
      const SourcePos& pos = pc < p.code_pos.size() ? p.code_pos[pc] : SourcePos{};
      if ((pos.file != shown.file || pos.line != shown.line) && names_.source_line &&
          pos.file < prog_.files.size()) {
        if (auto text = names_.source_line(prog_.string(prog_.files[pos.file]), pos.line)) {
          line("    ; " + std::to_string(pos.line) + ": " + *text);
        }
        shown = pos;
      }
      line("    " + instruction(p, pc));
    }
  }

  void selection(const Selection& s) {
    std::string out = "  select " + std::string(target_kind_name(s.kind));
    if (s.all_namespaces) out += " in all namespaces";
    for (std::size_t i = 0; i < s.namespaces.size(); ++i)
      out += (i ? ", " : " in ") + quoted_text(str(s.namespaces[i]));
    for (const auto& r : s.labels) {
      out += " [" + quoted_text(str(r.key)) + " " + label_op_name(r.op);
      for (auto v : r.values) out += " " + quoted_text(str(v));
      out += "]";
    }
    for (auto n : s.excluded_names) out += " except " + quoted_text(str(n));
    line(out);
  }

  void safety(const SafetyConfig& s) {
    std::string out = "  safety";
    if (s.cooldown_target_ms) out += " cooldown " + duration(s.cooldown_target_ms) + " per target;";
    if (s.cooldown_policy_ms) out += " cooldown " + duration(s.cooldown_policy_ms) + " per policy;";
    if (s.max_actions)
      out += " max_actions " + std::to_string(s.max_actions) + " per " +
             duration(s.max_actions_window_ms) + ";";
    if (s.max_unavailable)
      out += " max_unavailable " + std::to_string(s.max_unavailable) +
             (s.max_unavailable_percent ? "%;" : ";");
    if (s.max_concurrent) out += " max_concurrent " + std::to_string(s.max_concurrent) + ";";
    if (s.approve_mask) {
      out += " approve";
      for (std::uint16_t i = 0; i < 32; ++i) {
        if (s.approve_mask & (1u << i)) out += " " + name_or_id(names_.action, i);
      }
      out += ";";
    }
    if (s.allow_system_namespaces) out += " allow system_namespaces;";
    line(out);
  }

  std::string input(const InputSlot& s) const {
    std::string out = s.name != kNoString ? str(s.name) + " = " : "";
    switch (s.kind) {
      case InputKind::Promql: {
        out += "promql " + quoted_text(str(s.query));
        if (!s.by_labels.empty()) {
          out += " by (";
          for (std::size_t i = 0; i < s.by_labels.size(); ++i)
            out += (i ? ", " : "") + str(s.by_labels[i]);
          out += ")";
        }
        if (s.aggregation != Aggregation::None)
          out += std::string(" ") + aggregation_name(s.aggregation);
        out += std::string(" on missing ") + missing_kind_name(s.missing);
        if (s.missing == MissingKind::Hold) out += " " + duration(s.hold_ms);
        return out;
      }
      case InputKind::Field:
        return out + "field " + name_or_id(names_.field, s.id);
      case InputKind::Events:
        return out + "events reason " +
               (s.reason == kNoString ? "any" : quoted_text(str(s.reason))) + " type " +
               (s.event_type == kNoString ? "any" : quoted_text(str(s.event_type))) + " within " +
               duration(s.window_ms);
      case InputKind::Window:
        return out + name_or_id(names_.window_function, s.id) + "(#" + std::to_string(s.source) +
               ", " + duration(s.window_ms) +
               (s.parameter != 0 ? ", " + number_text(s.parameter) + "s" : "") + ")";
      case InputKind::Advice:
        return out + "verdict A" + std::to_string(s.source) + "." +
               name_or_id(names_.verdict_field, s.id);
      case InputKind::Outcome:
        return out + "outcomes(" + name_or_id(names_.action, s.source) + ", " +
               duration(s.window_ms) + ")." + name_or_id(names_.outcome_field, s.id);
    }
    return out + "?";
  }

  std::string constant(const Policy& p, std::size_t i) const {
    const Constant& c = p.constants[i];
    switch (c.kind) {
      case ConstantKind::Number:
        return number_text(c.number);
      case ConstantKind::Bool:
        return c.boolean ? "true" : "false";
      case ConstantKind::String:
        return quoted_text(str(c.string));
      case ConstantKind::List: {
        std::string out = "[";
        for (std::size_t j = 0; j < c.items.size(); ++j)
          out += (j ? ", K" : "K") + std::to_string(c.items[j]);
        return out + "]";
      }
    }
    return "?";
  }

  std::string instruction(const Policy& p, std::size_t pc) const {
    const Instruction& ins = p.code[pc];
    char head[32];  // room for any size_t
    std::snprintf(head, sizeof head, "%04zu  ", pc);
    std::string out = head;
    if (static_cast<std::size_t>(ins.op) >= kOpCount)
      return out + "?? " + std::to_string(static_cast<int>(ins.op));
    const OpInfo& info = op_info(ins.op);
    std::string name(info.name);
    name.resize(std::max<std::size_t>(name.size(), 13), ' ');
    out += name;
    switch (info.operand) {
      case OperandKind::None:
        break;
      case OperandKind::InputNumConst:
        out += "#" + std::to_string(ins.a);
        if (ins.a < p.inputs.size() && p.inputs[ins.a].name != kNoString)
          out += " " + str(p.inputs[ins.a].name);
        out += ", ";
        [[fallthrough]];
      case OperandKind::Const:
      case OperandKind::NumConst:
        out += "K" + std::to_string(ins.b) +
               (ins.b < p.constants.size() ? " = " + constant(p, ins.b) : "");
        break;
      case OperandKind::Input:
        out += "#" + std::to_string(ins.b);
        if (ins.b < p.inputs.size() && p.inputs[ins.b].name != kNoString)
          out += " " + str(p.inputs[ins.b].name);
        break;
      case OperandKind::Local:
        out += "L" + std::to_string(ins.a);
        break;
      case OperandKind::Jump:
        out += "-> " + std::to_string(ins.b);
        break;
      case OperandKind::Builtin:
        out += name_or_id(names_.builtin, ins.b) + "/" + std::to_string(ins.a);
        break;
      case OperandKind::Trigger:
        out += "T" + std::to_string(ins.a);
        if (ins.a < p.triggers.size()) out += " " + str(p.triggers[ins.a].name);
        break;
      case OperandKind::Proposal:
        out += "P" + std::to_string(ins.b);
        if (ins.b < p.templates.size())
          out += " " + name_or_id(names_.action, p.templates[ins.b].action);
        out += "/" + std::to_string(ins.a);
        break;
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
  }

  const Program& prog_;
  const DisasmNames& names_;
  std::string out_;
};

}  // namespace

std::string number_text(double d) {
  if (d == std::floor(d) && std::fabs(d) < 1e15) return std::to_string(static_cast<long long>(d));
  // The shortest form that reads back the same.
  char buf[64];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, d);
    if (std::strtod(buf, nullptr) == d) break;
  }
  return buf;
}

std::string quoted_text(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '\n')
      out += "\\n";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\\')
      out += "\\\\";
    else
      out += c;
  }
  return out + "\"";
}

std::string disassemble(const Program& program, const DisasmNames& names) {
  return Listing(program, names).run();
}

}  // namespace skippy::bytecode
