#include "runtime/safety/decision_record.hpp"

#include "base/json_escape.hpp"
#include "base/time_format.hpp"

namespace skippy::safety {
namespace {

using base::json_escape;

void field(std::string& out, std::string_view name, std::string_view text) {
  out.append(",\"").append(name).append("\":\"").append(json_escape(text)).append("\"");
}

void number(std::string& out, std::string_view name, std::int64_t value) {
  out.append(",\"").append(name).append("\":").append(std::to_string(value));
}

// The start of a record about what became of an action: its event, id, time and names.
std::string event_record(std::string_view event, const ActionRequest& r, std::int64_t time_ms) {
  std::string out = "{\"event\":\"";
  out.append(event).append("\"");
  field(out, "id", r.id);
  field(out, "time", base::format_time(time_ms));
  field(out, "policy", r.policy);
  field(out, "action", r.action);
  field(out, "target", target_key(r.target));
  return out;
}

}  // namespace

std::string decision_record(const Decision& d) {
  const ActionRequest& r = *d.request;
  std::string out = "{\"id\":\"" + json_escape(r.id) + "\"";
  field(out, "time", base::format_time(d.time_ms));
  field(out, "policy", r.policy);
  field(out, "trigger", r.trigger);
  field(out, "fired_at", base::format_time(r.fired_at_ms));
  field(out, "target", target_key(r.target));
  field(out, "action", r.action);
  out += ",\"arguments\":{";
  for (std::size_t i = 0; i < r.arguments.size(); ++i) {
    const auto& a = r.arguments[i];
    out.append(i ? ",\"" : "\"").append(json_escape(a.name)).append("\":");
    out.append(a.json.empty() ? "null" : a.json);
  }
  out += "}";
  number(out, "priority", r.priority);
  out.append(",\"destructive\":").append(r.destructive ? "true" : "false");
  field(out, "mode", bytecode::mode_name(r.mode));
  field(out, "outcome", outcome_text(d));
  if (d.outcome == Outcome::DryRun) field(out, "would", would_text(d));
  if (!d.reason().empty()) field(out, "reason", d.reason());
  out += ",\"gates\":[";
  for (std::size_t g = 0; g < kGateCount; ++g) {
    auto v = d.gate(static_cast<Gate>(g));
    out.append(g ? ",{\"gate\":\"" : "{\"gate\":\"").append(gate_name(static_cast<Gate>(g)));
    out.append("\",\"verdict\":\"").append(verdict_name(v.verdict)).append("\"");
    if (!v.reason.empty()) field(out, "reason", v.reason);
    out += "}";
  }
  out += "]}";
  return out;
}

std::string execution_record(const ExecutionReport& report) {
  std::string out = event_record("execution", *report.request, report.time_ms);
  number(out, "attempt", report.attempt);
  field(out, "status", execution_status_name(report.result.status));
  field(out, "state", action_state_name(report.effect.state));
  if (report.effect.state == ActionState::Retrying)
    field(out, "retry_at", base::format_time(report.effect.retry_at_ms));
  field(out, "message", report.result.message);
  out += "}";
  return out;
}

std::string health_record(const HealthVerdict& v) {
  std::string out = event_record("health-check", *v.request, v.time_ms);
  field(out, "state", action_state_name(v.state));
  field(out, "reason", v.reason);
  out += "}";
  return out;
}

}  // namespace skippy::safety
