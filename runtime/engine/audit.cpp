#include "runtime/engine/audit.hpp"
#include "base/json_escape.hpp"

#include <cmath>
#include <cstdio>

namespace skippy::engine {

using base::json_escape;

namespace {

// A figure as people write it: at most 6 significant digits.
std::string short_number(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

std::string digest_hex(std::uint64_t d) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(d));
  return buf;
}

}  // namespace

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
  if (p.verdict_count > 0) {
    out += ",\"analysis\":[";
    for (std::uint32_t k = 0; k < p.verdict_count; ++k) {
      if (k) out += ",";
      out += analysis_json(program, tick.verdicts[p.verdicts_begin + k]);
    }
    out += "]";
  }
  return out;
}

std::string analysis_json(const bytecode::Program& program, const VerdictRecord& r) {
  const auto& policy = program.policies[r.policy];
  const auto& request = policy.advice[r.site];
  const auto& v = r.verdict;
  std::string out = "{\"site\":" + std::to_string(r.site);
  const auto& pos = request.pos;
  std::string file =
      pos.file < program.files.size() ? std::string(program.string(program.files[pos.file])) : "?";
  out += ",\"source\":\"" + json_escape(file) + ":" + std::to_string(pos.line) + ":" +
         std::to_string(pos.column) + "\"";
  out += ",\"analyzer\":\"" + json_escape(v.analyzer) + "\"";
  out += ",\"action\":\"" + json_escape(v.action) + "\"";
  out += ",\"confidence\":" + short_number(v.confidence);
  out += ",\"trend\":\"" + json_escape(v.trend) + "\"";
  out += ",\"scope\":\"" + json_escape(v.scope) + "\"";
  out += ",\"time_to_threshold_s\":" +
         (v.time_to_threshold_s ? short_number(*v.time_to_threshold_s) : std::string("null"));
  out += ",\"reason\":\"" + json_escape(v.reason) + "\"";
  out += ",\"allowed\":[";
  for (std::size_t i = 0; i < r.allowed.size(); ++i)
    out += (i ? ",\"" : "\"") + json_escape(r.allowed[i]) + "\"";
  out += std::string(r.allowed.empty() ? "" : ",") + "\"none\"]";
  out += ",\"evidence\":[";
  for (std::size_t i = 0; i < v.evidence.size(); ++i) {
    const auto& e = v.evidence[i];
    out += std::string(i ? "," : "") + "{\"id\":\"" + json_escape(e.id) + "\",\"kind\":\"" +
           json_escape(e.kind) + "\",\"name\":\"" + json_escape(e.name) +
           "\",\"value\":" + (e.json.empty() ? "null" : e.json) + "}";
  }
  out += "]";
  if (!v.numbers.empty()) out += ",\"numbers\":" + v.numbers;
  out += ",\"digest\":\"" + digest_hex(r.digest) + "\"";
  out += std::string(",\"cached\":") + (r.cached ? "true" : "false");
  if (!r.rejected.empty()) out += ",\"rejected\":\"" + json_escape(r.rejected) + "\"";
  if (v.model) {
    const auto& m = *v.model;
    out += ",\"model\":{\"backend\":\"" + json_escape(m.backend) + "\",\"model\":\"" +
           json_escape(m.model) + "\",\"prompt_digest\":\"" + json_escape(m.prompt_digest) +
           "\",\"answer_digest\":\"" + json_escape(m.answer_digest) + "\",\"validation\":\"" +
           json_escape(m.validation) + "\",\"fallback\":\"" + json_escape(m.fallback) +
           "\",\"latency_s\":" + short_number(m.latency_s) +
           ",\"tokens\":" + std::to_string(m.tokens) +
           ",\"cached\":" + (m.cached ? "true" : "false") + ",\"evidence_sent\":\"" +
           json_escape(m.evidence) + "\"}";
  }
  return out + "}";
}

}  // namespace skippy::engine
