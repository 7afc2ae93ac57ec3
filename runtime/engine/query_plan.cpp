#include "runtime/engine/query_plan.hpp"

#include <cstdio>
#include <unordered_map>

namespace skippy::engine {
namespace {

// Seconds as a PromQL duration: whole seconds, or milliseconds.
std::string promql_duration(std::int64_t ms) {
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

}  // namespace

std::string slot_promql(const bytecode::Program& program, const bytecode::Policy& policy,
                        std::size_t slot, const WindowPromql& windows) {
  const auto& s = policy.inputs[slot];
  if (s.kind == bytecode::InputKind::Promql) return std::string(program.string(s.query));
  if (s.kind != bytecode::InputKind::Window) return "";
  std::string source = slot_promql(program, policy, s.source, windows);
  if (source.empty() || s.id >= windows.size())
    return "";  // over a Kubernetes field: kept by the runtime
  const std::string& fn = windows[s.id];
  // A subquery at the default resolution works for any expression, not only selectors.
  std::string range = "(" + source + ")[" + promql_duration(s.window_ms) + ":]";
  if (s.parameter != 0) {  // forecast: predict_linear(range, horizon seconds)
    char horizon[32];
    std::snprintf(horizon, sizeof horizon, "%g", s.parameter);
    return fn + "(" + range + ", " + horizon + ")";
  }
  return fn + "(" + range + ")";
}

QueryPlan plan_queries(const bytecode::Program& program, const WindowPromql& windows) {
  QueryPlan plan;
  std::unordered_map<std::string, std::int32_t> index;
  for (const auto& policy : program.policies) {
    auto& slots = plan.slot_query.emplace_back(policy.inputs.size(), -1);
    for (std::size_t i = 0; i < policy.inputs.size(); ++i) {
      std::string q = slot_promql(program, policy, i, windows);
      if (q.empty()) continue;
      auto [it, inserted] = index.emplace(q, static_cast<std::int32_t>(plan.queries.size()));
      if (inserted) plan.queries.push_back(q);
      slots[i] = it->second;
    }
  }
  return plan;
}

}  // namespace skippy::engine
