#include "runtime/engine/audit.hpp"
#include "base/json_escape.hpp"

#include <cmath>
#include <cstdio>

namespace skippy::engine {

using base::json_escape;

std::string json_value(const bytecode::Value& v) {
  switch (v.tag) {
    case bytecode::ValueTag::Number: {
      if (!std::isfinite(v.number)) return "null";
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.17g", v.number);
      return buf;
    }
    case bytecode::ValueTag::Bool:
      return v.boolean ? "true" : "false";
    case bytecode::ValueTag::String:
      return "\"" + json_escape(v.string()) + "\"";
    case bytecode::ValueTag::Unknown:
      return std::string("{\"unknown\":\"") + bytecode::unknown_reason_name(v.unknown_reason()) +
             "\"}";
  }
  return "null";
}

std::string proposal_context(const bytecode::Program& program, const TickResult& tick,
                             const ProposalRecord& p) {
  const auto inputs = tick.inputs(p);
  const auto& policy = program.policies[p.policy];
  const auto& t = policy.templates[p.template_index];
  std::string out = "\"signals\":{";
  bool first = true;
  for (std::size_t slot = 0; slot < inputs.size() && slot < policy.inputs.size(); ++slot) {
    const auto& s = policy.inputs[slot];
    if (s.name == bytecode::kNoString) continue;
    out += (first ? "\"" : ",\"") + json_escape(program.string(s.name)) +
           "\":" + json_value(inputs[slot]);
    first = false;
  }
  const auto& pos = t.pos;
  std::string file =
      pos.file < program.files.size() ? std::string(program.string(program.files[pos.file])) : "?";
  out += "},\"source\":\"" + json_escape(file) + ":" + std::to_string(pos.line) + ":" +
         std::to_string(pos.column) + "\"";
  return out;
}

}  // namespace skippy::engine
