#include "runtime/engine/audit.hpp"

#include "dsl/render.hpp"

#include <cmath>
#include <cstdio>
#include <ctime>

namespace skippy::engine {
namespace {

// JSON string escaping, shared with the diagnostics' JSON output.
using dsl::json_escape;

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

}  // namespace

std::string format_time(std::int64_t ms) {
  std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(((ms % 1000) + 1000) % 1000));
  return buf;
}

std::string proposal_id(const bytecode::Program& program, const ProposalRecord& p) {
  // FNV-1a over the parts, separated so that ("ab","c") and ("a","bc") differ.
  std::uint64_t h = 1469598103934665603ull;
  auto mix = [&](std::string_view part) {
    for (unsigned char c : part) {
      h ^= c;
      h *= 1099511628211ull;
    }
    h ^= 0xff;
    h *= 1099511628211ull;
  };
  const auto& policy = program.policies[p.policy];
  mix(program.string(policy.name));
  mix(std::to_string(p.template_index));
  mix(p.target);
  mix(std::to_string(p.fired_at_ms));
  char buf[20];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

std::string audit_record(const bytecode::Program& program, const TickResult& tick,
                         const ProposalRecord& p, const Decision& decision,
                         std::span<const std::string_view> action_names) {
  const std::int64_t time_ms = tick.time_ms;
  const auto arguments = tick.arguments(p);
  const auto inputs = tick.inputs(p);
  const auto& policy = program.policies[p.policy];
  const auto& t = policy.templates[p.template_index];
  std::string action = t.action < action_names.size() ? std::string(action_names[t.action]) : "?";
  std::string out =
      "{\"time\":\"" + format_time(time_ms) + "\",\"id\":\"" + proposal_id(program, p) +
      "\",\"policy\":\"" + json_escape(program.string(policy.name)) + "\",\"trigger\":\"" +
      json_escape(program.string(policy.triggers[t.trigger].name)) + "\",\"target\":\"" +
      json_escape(p.target) + "\",\"action\":\"" + json_escape(action) + "\",\"arguments\":{";
  for (std::size_t i = 0; i < arguments.size() && i < t.argument_names.size(); ++i) {
    out += (i ? ",\"" : "\"") + json_escape(program.string(t.argument_names[i])) +
           "\":" + json_value(arguments[i]);
  }
  out += "},\"priority\":" + std::to_string(t.priority) + ",\"mode\":\"" +
         bytecode::mode_name(policy.mode) + "\",\"outcome\":\"" + json_escape(decision.outcome) +
         "\"";
  if (!decision.reason.empty()) out += ",\"reason\":\"" + json_escape(decision.reason) + "\"";
  out += ",\"fired_at\":\"" + format_time(p.fired_at_ms) + "\",\"signals\":{";
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
         std::to_string(pos.column) + "\"}";
  return out;
}

}  // namespace skippy::engine
