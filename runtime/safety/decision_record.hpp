// A decision as one JSON line, for the audit log and `skippy explain`. docs/safety.md lists
// the fields.
#pragma once

#include <string>

#include "runtime/safety/decision.hpp"

namespace skippy::safety {

// One JSON object, without a newline: id, time, policy, trigger, target, action, arguments,
// priority, mode, outcome (and would, for a dry run), reason, and every gate's verdict in order.
std::string decision_record(const Decision& decision);

}  // namespace skippy::safety
