// Replaying policies over Prometheus history: each planned query once as a range query, then
// one engine tick per step with the values the queries had then, as if the runtime had been
// running. On start, a short replay restores pending `for` timers (so a restart neither delays
// a due action by a whole `for` window nor fires early); `skippy replay` runs it over any
// stretch of history.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "runtime/bytecode/program.hpp"
#include "runtime/cluster/cluster_view.hpp"
#include "runtime/engine/tick.hpp"
#include "runtime/prometheus/client.hpp"
#include "runtime/replay/query_sources.hpp"

namespace skippy::replay {

struct ReplayReport {
  std::size_t ticks = 0;
  std::size_t queries = 0;
  std::vector<std::string> errors;  // one per failed range query
};

// Ticks `engine` at every tick of the window. A failed range query counts as missing data for
// the ticks (the slot's missing-data rule decides, and the policy is unhealthy). The cluster
// view is the present one: the runtime keeps no history of it. `on_tick` sees every result.
ReplayReport replay(engine::Engine& engine, prometheus::Client& client,
                    const cluster::ClusterView& cluster, const Window& window,
                    const std::function<void(const engine::TickResult&)>& on_tick = {});

// How much history restoring the program's trigger states needs: the longest `for` plus
// `clear ... for` plus `keep_firing_for` of a trigger, the longest `hold` of a signal, or the
// longest `history:` an ai.analyze() site reads.
std::int64_t restore_lookback_ms(const bytecode::Program& program);

// The ticks before `now_ms` to replay on start: from now - lookback (at most
// `max_lookback_ms`) to the last tick before now, at the engine's step. None when there is
// nothing to restore.
std::optional<Window> restore_window(const engine::Engine& engine, const bytecode::Program& program,
                                     std::int64_t now_ms, std::int64_t max_lookback_ms);

// Which of the policy's triggers a replay over Prometheus history can restore: those whose
// condition reads a PromQL signal (or a windowed function of one). A condition that reads only
// Kubernetes state (fields, events) would be replayed against the present cluster, as if it had
// been so all along, and could fire at the first tick after a start; its trigger's state is
// not restored. Read from the conditions code: each SET_TRIGGER takes the inputs read since
// the SET_TRIGGER or SET_CLEAR before it (and the lets they read).
std::vector<bool> restorable_triggers(const bytecode::Policy& policy);

// After a restore replay: forgets the state of every trigger restorable_triggers() rejects, so
// that it starts afresh, late rather than early. Returns how many triggers that was.
std::size_t forget_unrestorable(engine::Engine& engine, const bytecode::Program& program);

}  // namespace skippy::replay
