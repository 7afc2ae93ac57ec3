#include "stdlib/engine_support.hpp"

#include <algorithm>
#include <cmath>

#include "stdlib/catalog.hpp"

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

Value read_field(std::uint16_t field, const cluster::Pod* pod, const cluster::Workload* workload,
                 std::int64_t now_ms) {
  auto all = fields();
  if (field >= all.size()) return not_applicable();
  const FieldDecl& f = all[field];
  if (f.owner == FieldOwner::Pod) {
    if (!pod) return not_applicable();
    const auto& p = *pod;
    const std::string_view n = f.name;
    if (n == "phase") return text(p.phase);
    if (n == "ready") return Value::of_bool(p.ready);
    if (n == "restarts") return number(static_cast<double>(p.restarts));
    if (n == "waiting_reason") return text(p.waiting_reason);
    if (n == "terminated_reason") return text(p.terminated_reason);
    if (n == "last_exit_code") return number(static_cast<double>(p.last_exit_code));
    if (n == "age") return number(static_cast<double>(now_ms - p.meta.created_ms) / 1000.0);
    if (n == "name") return text(p.meta.name);
    if (n == "namespace") return text(p.meta.namespace_name);
    if (n == "node") return text(p.node);
    if (n == "owner_kind") return text(p.owner_kind);
    if (n == "owner_name") return text(p.owner_name);
    if (n == "memory_limit") return number(p.memory_limit_bytes);
    if (n == "cpu_limit") return number(p.cpu_limit_cores);
    return not_applicable();
  }
  if (!workload) return not_applicable();  // a bare pod has no workload
  const auto& w = *workload;
  const std::string_view n = f.name;
  if (n == "kind") return text(w.kind);
  if (n == "name") return text(w.meta.name);
  if (n == "replicas") return number(static_cast<double>(w.replicas));
  if (n == "ready_replicas") return number(static_cast<double>(w.ready_replicas));
  if (n == "available_replicas") return number(static_cast<double>(w.available_replicas));
  if (n == "updated_replicas") return number(static_cast<double>(w.updated_replicas));
  if (n == "age") return number(static_cast<double>(now_ms - w.meta.created_ms) / 1000.0);
  return not_applicable();
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

engine::EngineBuiltins engine_builtins() {
  engine::EngineBuiltins b;
  for (const auto& w : window_functions()) b.window_promql.emplace_back(w.promql);
  b.read_field = &read_field;
  b.window_of_history = &window_of_history;
  return b;
}

}  // namespace skippy::stdlib
