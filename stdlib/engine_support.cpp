#include "stdlib/engine_support.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "stdlib/builtins/catalog.hpp"

namespace skippy::stdlib {
namespace {

using bytecode::UnknownReason;
using bytecode::Value;

Value text(const std::string& s) {
  return Value::of_string(s);
}
Value number(double d) {
  return Value::of_number(d);
}
Value not_applicable() {
  return Value::unknown(UnknownReason::NotApplicable);
}

}  // namespace

namespace {

// How each field of the catalog is read, by owner and name; field_readers() orders them by
// the catalog's field ids once, so that reading a field in the hot path is an indexed call.
struct FieldReader {
  FieldOwner owner;
  std::string_view name;
  Value (*pod)(const cluster::Pod&, std::int64_t now_ms) = nullptr;
  Value (*workload)(const cluster::Workload&, std::int64_t now_ms) = nullptr;
};

double seconds_since(std::int64_t created_ms, std::int64_t now_ms) {
  return static_cast<double>(now_ms - created_ms) / 1000.0;
}

using P = const cluster::Pod&;
using W = const cluster::Workload&;
using Ms = std::int64_t;
const FieldReader kReaders[] = {
    {FieldOwner::Pod, "phase", [](P p, Ms) { return text(p.phase); }},
    {FieldOwner::Pod, "ready", [](P p, Ms) { return Value::of_bool(p.ready); }},
    {FieldOwner::Pod, "restarts", [](P p, Ms) { return number(static_cast<double>(p.restarts)); }},
    {FieldOwner::Pod, "waiting_reason", [](P p, Ms) { return text(p.waiting_reason); }},
    {FieldOwner::Pod, "terminated_reason", [](P p, Ms) { return text(p.terminated_reason); }},
    {FieldOwner::Pod, "last_exit_code",
     [](P p, Ms) { return number(static_cast<double>(p.last_exit_code)); }},
    {FieldOwner::Pod, "age",
     [](P p, Ms now) { return number(seconds_since(p.meta.created_ms, now)); }},
    {FieldOwner::Pod, "name", [](P p, Ms) { return text(p.meta.name); }},
    {FieldOwner::Pod, "namespace", [](P p, Ms) { return text(p.meta.namespace_name); }},
    {FieldOwner::Pod, "node", [](P p, Ms) { return text(p.node); }},
    {FieldOwner::Pod, "owner_kind", [](P p, Ms) { return text(p.owner_kind); }},
    {FieldOwner::Pod, "owner_name", [](P p, Ms) { return text(p.owner_name); }},
    {FieldOwner::Pod, "memory_limit", [](P p, Ms) { return number(p.memory_limit_bytes); }},
    {FieldOwner::Pod, "cpu_limit", [](P p, Ms) { return number(p.cpu_limit_cores); }},
    {FieldOwner::Workload, "kind", nullptr, [](W w, Ms) { return text(w.kind); }},
    {FieldOwner::Workload, "name", nullptr, [](W w, Ms) { return text(w.meta.name); }},
    {FieldOwner::Workload, "replicas", nullptr,
     [](W w, Ms) { return number(static_cast<double>(w.replicas)); }},
    {FieldOwner::Workload, "ready_replicas", nullptr,
     [](W w, Ms) { return number(static_cast<double>(w.ready_replicas)); }},
    {FieldOwner::Workload, "available_replicas", nullptr,
     [](W w, Ms) { return number(static_cast<double>(w.available_replicas)); }},
    {FieldOwner::Workload, "updated_replicas", nullptr,
     [](W w, Ms) { return number(static_cast<double>(w.updated_replicas)); }},
    {FieldOwner::Workload, "age", nullptr,
     [](W w, Ms now) { return number(seconds_since(w.meta.created_ms, now)); }},
};

// By field id; a field without a reader gets an empty one (and reads as not applicable).
// Built once at start (the catalog is constant), so a read is one indexed call.
std::vector<FieldReader> readers_by_field() {
  std::vector<FieldReader> out;
  for (const auto& f : fields()) {
    FieldReader r{f.owner, f.name};
    for (const auto& candidate : kReaders) {
      if (candidate.owner == f.owner && candidate.name == f.name) r = candidate;
    }
    out.push_back(r);
  }
  return out;
}
const std::vector<FieldReader> kByField = readers_by_field();

}  // namespace

bool has_reader(std::uint16_t field) {
  return field < kByField.size() && (kByField[field].pod || kByField[field].workload);
}

Value read_field(std::uint16_t field, const cluster::Pod* pod, const cluster::Workload* workload,
                 std::int64_t now_ms) {
  if (field >= kByField.size()) return not_applicable();
  const FieldReader& r = kByField[field];
  if (r.owner == FieldOwner::Pod) return pod && r.pod ? r.pod(*pod, now_ms) : not_applicable();
  // A bare pod has no workload.
  return workload && r.workload ? r.workload(*workload, now_ms) : not_applicable();
}

Value window_of_history(std::uint16_t function, std::span<const engine::HistorySample> samples,
                        std::int64_t window_ms, double parameter, std::int64_t now_ms) {
  // Only samples inside the window count; with fewer than two, nothing can be said of change.
  std::vector<engine::HistorySample> in;
  for (const auto& s : samples) {
    if (s.time_ms >= now_ms - window_ms && s.time_ms <= now_ms) in.push_back(s);
  }
  auto fns = window_functions();
  if (function >= fns.size() || in.empty()) return Value::unknown(UnknownReason::Missing);
  const std::string_view name = fns[function].name;
  if (name == "avg_over") {
    double sum = 0;
    for (const auto& s : in) sum += s.value;
    return number(sum / static_cast<double>(in.size()));
  }
  if (name == "max_over" || name == "min_over") {
    auto [lo, hi] = std::minmax_element(in.begin(), in.end(),
                                        [](auto& a, auto& b) { return a.value < b.value; });
    return number(name == "max_over" ? hi->value : lo->value);
  }
  if (in.size() < 2) return Value::unknown(UnknownReason::Missing);
  if (name == "changes") {
    double n = 0;
    for (std::size_t i = 1; i < in.size(); ++i) n += in[i].value != in[i - 1].value ? 1 : 0;
    return number(n);
  }
  if (name == "increase" || name == "rate") {
    // A counter: a drop is a reset, after which the new value is all increase (as PromQL).
    double total = 0;
    for (std::size_t i = 1; i < in.size(); ++i) {
      double d = in[i].value - in[i - 1].value;
      total += d >= 0 ? d : in[i].value;
    }
    if (name == "rate") {
      double seconds = static_cast<double>(in.back().time_ms - in.front().time_ms) / 1000.0;
      return seconds > 0 ? number(total / seconds) : Value::unknown(UnknownReason::Missing);
    }
    return number(total);
  }
  if (name == "forecast") {
    // Least squares over (t, v), extrapolated `parameter` seconds past now (predict_linear).
    double n = static_cast<double>(in.size()), st = 0, sv = 0, stt = 0, stv = 0;
    for (const auto& s : in) {
      double t = static_cast<double>(s.time_ms - now_ms) / 1000.0;
      st += t;
      sv += s.value;
      stt += t * t;
      stv += t * s.value;
    }
    double denominator = n * stt - st * st;
    if (denominator == 0) return Value::unknown(UnknownReason::Missing);
    double slope = (n * stv - st * sv) / denominator;
    double intercept = (sv - slope * st) / n;
    return number(intercept + slope * parameter);
  }
  return Value::unknown(UnknownReason::Missing);
}

bytecode::Value verdict_field(std::uint16_t field, const engine::Verdict& v) {
  using bytecode::Value;
  auto all = verdict_fields();
  if (field >= all.size()) return Value::unknown(bytecode::UnknownReason::NotApplicable);
  std::string_view name = all[field].name;
  if (name == "action") return Value::of_string(v.action);
  if (name == "confidence") return Value::of_number(v.confidence);
  if (name == "reason") return Value::of_string(v.reason);
  if (name == "analyzer") return Value::of_string(v.analyzer);
  if (name == "trend") return Value::of_string(v.trend);
  if (name == "scope") return Value::of_string(v.scope);
  if (name == "time_to_threshold")
    return v.time_to_threshold_s ? Value::of_number(*v.time_to_threshold_s) : Value::unknown();
  return Value::unknown(bytecode::UnknownReason::NotApplicable);
}

bytecode::Value outcome_field(std::uint16_t field, const engine::OutcomeStats& s) {
  using bytecode::Value;
  auto all = outcome_fields();
  if (field >= all.size()) return Value::unknown(bytecode::UnknownReason::NotApplicable);
  std::string_view name = all[field].name;
  if (name == "attempts") return Value::of_number(s.attempts);
  if (name == "healed") return Value::of_number(s.healed);
  if (name == "failed") return Value::of_number(s.failed);
  if (name == "recurred") return Value::of_number(s.recurred);
  if (name == "success_rate")
    return s.attempts ? Value::of_number(static_cast<double>(s.healed) / s.attempts)
                      : Value::unknown();
  if (name == "recovery_time")
    return s.healed ? Value::of_number(static_cast<double>(s.recovery_ms_total) / s.healed / 1000)
                    : Value::unknown();
  return Value::unknown(bytecode::UnknownReason::NotApplicable);
}

std::span<const std::string_view> action_names() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> out;
    for (const auto& a : actions()) out.push_back(a.name);
    return out;
  }();
  return names;
}

engine::EngineBuiltins engine_builtins() {
  engine::EngineBuiltins b;
  for (const auto& w : window_functions()) b.window_promql.emplace_back(w.promql);
  b.read_field = &read_field;
  b.window_of_history = &window_of_history;
  b.verdict_field = &verdict_field;
  b.outcome_field = &outcome_field;
  b.action_names = action_names();
  return b;
}

}  // namespace skippy::stdlib
