// Which PromQL queries a tick runs: each distinct query once, however many policies and
// targets use it. A windowed function over a PromQL signal is lowered to PromQL here
// (forecast -> predict_linear over a subquery, increase -> increase, ...).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/bytecode/program.hpp"

namespace skippy::engine {

struct QueryPlan {
  std::vector<std::string> queries;  // distinct, in first-use order
  // slot_query[policy][slot]: index into queries, or -1 for slots not read from Prometheus.
  std::vector<std::vector<std::int32_t>> slot_query;
};

// The PromQL function each window function lowers to, by window function id (from the
// stdlib, which declares the window functions).
using WindowPromql = std::vector<std::string>;

// The PromQL a PromQL or windowed-PromQL slot reads; "" for other slots.
std::string slot_promql(const bytecode::Program& program, const bytecode::Policy& policy,
                        std::size_t slot, const WindowPromql& windows);

QueryPlan plan_queries(const bytecode::Program& program, const WindowPromql& windows);

}  // namespace skippy::engine
