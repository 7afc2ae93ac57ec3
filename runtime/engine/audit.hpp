// What the engine adds to the audit record of a decision about one of its proposals: the
// signal values that led to it and where the action is written. The safety runtime's
// decision record (runtime/safety/decision_record.hpp) says what became of it.
#pragma once

#include <string>

#include "base/time_format.hpp"
#include "runtime/bytecode/program.hpp"
#include "runtime/engine/tick.hpp"

namespace skippy::engine {

// A Value as JSON: a number, a string, a boolean, or {"unknown": "why"}.
std::string json_value(const bytecode::Value& value);

// What led to a proposal, as JSON members (without braces) for its decision record:
// "signals" (every named input of the policy for the target), "source" (where the action
// is written, FILE:LINE:COLUMN) and, when its handler called ai.analyze(), "analysis".
std::string proposal_context(const bytecode::Program& program, const TickResult& tick,
                             const ProposalRecord& proposal);

// One analysis a proposal's handler consulted, as a JSON object: the site and where it is
// written, the analyzer, its choice, confidence, trend, scope and forecast, the allowed set,
// the evidence it cites with their values, and the digest of what it was shown.
std::string analysis_json(const bytecode::Program& program, const VerdictRecord& record);

// RFC 3339 UTC with milliseconds: 2026-11-26T09:40:48.123Z
using base::format_time;

}  // namespace skippy::engine
