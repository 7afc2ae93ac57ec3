// The stdlib's side of the tick engine: how each Kubernetes field is read from the cluster
// view, how each window function is computed over a field's history, and the PromQL each
// window function lowers to. Ids are the catalog's.
#pragma once

#include "runtime/engine/tick.hpp"

namespace skippy::stdlib {

engine::EngineBuiltins engine_builtins();

// Does the catalog's field have a reader here? (Every field must: a test checks.)
bool has_reader(std::uint16_t field);

bytecode::Value read_field(std::uint16_t field, const cluster::Pod* pod,
                           const cluster::Workload* workload, std::int64_t now_ms);

// increase/rate/changes/avg_over/max_over/min_over/forecast over samples (oldest first).
bytecode::Value window_of_history(std::uint16_t function,
                                  std::span<const engine::HistorySample> samples,
                                  std::int64_t window_ms, double parameter, std::int64_t now_ms);

// A verdict's field and an outcome figure by catalog id; unknown when there is no such value
// (no forecast, nothing ended in the window).
bytecode::Value verdict_field(std::uint16_t field, const engine::Verdict& verdict);
bytecode::Value outcome_field(std::uint16_t field, const engine::OutcomeStats& stats);

// The catalog's action names, by id.
std::span<const std::string_view> action_names();

}  // namespace skippy::stdlib
