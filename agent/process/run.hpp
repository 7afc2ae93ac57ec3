// The `skippy run` process: reads its settings (the flags and --config.file), connects to
// Prometheus and the cluster, restores the triggers' state, and ticks until SIGINT or SIGTERM
// (once with --once), reloading the policies on SIGHUP or when they change. Each tick is the
// agent's Ticker (agent/ticker.hpp), the same as `skippy test` and `skippy replay` run.
#pragma once

#include "agent/config/run_options.hpp"

namespace skippy::agent {

// Returns the exit code: 0; 1 when the policies (or the snapshot) have errors, or with --once
// when a policy was unhealthy; 2 for a usage or I/O error. Problems before the first tick go to
// standard error, the rest to the log.
int run_agent(const RunOptions& flags);

}  // namespace skippy::agent
