// Restart safety for `skippy run`: the recent Prometheus history is replayed through the
// engine so that pending `for` timers go on where they were, instead of starting again (late)
// or being skipped (early). What it restored is logged.
#pragma once

#include <cstdint>

#include "runtime/bytecode/program.hpp"
#include "runtime/cluster/cluster_view.hpp"
#include "runtime/engine/tick.hpp"
#include "runtime/prometheus/client.hpp"

namespace skippy::agent {

// Replays at most `max_lookback_ms` before `start_ms` (0: nothing).
void restore_triggers(engine::Engine& engine, const bytecode::Program& program,
                      prometheus::Client& client, const cluster::ClusterView& view,
                      std::int64_t start_ms, std::int64_t max_lookback_ms);

}  // namespace skippy::agent
