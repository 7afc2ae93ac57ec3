// A decision as one JSON line, for the audit log and `skippy explain`. docs/safety.md lists
// the fields.
#pragma once

#include <string>

#include "runtime/safety/decision.hpp"
#include "runtime/safety/executor.hpp"

namespace skippy::safety {

// One JSON object, without a newline: id, time, policy, trigger, target, action, arguments,
// priority, mode, outcome (and would, for a dry run), reason, and every gate's verdict in order.
std::string decision_record(const Decision& decision);

// One execution as one JSON object, without a newline: "event":"execution", id, time, policy,
// action, target, attempt, status (success, transient-failure, permanent-failure), state (what
// the action is now: succeeded, retrying, failed, ...), retry_at when retrying, and message.
std::string execution_record(const ExecutionReport& report);

// One health check verdict as one JSON object, without a newline: "event":"health-check", id,
// time, policy, action, target, state (succeeded or failed) and reason.
std::string health_record(const HealthVerdict& verdict);

}  // namespace skippy::safety
