// Audit records: one JSON line per decision about a proposal, saying what was proposed, to
// whom, why (the trigger and the signal values that led to it), and what became of it.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "runtime/bytecode/program.hpp"
#include "runtime/engine/tick.hpp"

namespace skippy::engine {

struct Decision {
  std::string outcome;  // executed, dry-run, recorded, awaiting-approval, blocked
  std::string reason;   // why, for anything but executed
};

// A deterministic id for (policy, action, target, firing): the same firing proposing the same
// action for the same target always gets the same id, so it is never executed twice.
std::string proposal_id(const bytecode::Program& program, const ProposalRecord& proposal);

// The JSON line (without newline) for one decision about one of the tick's proposals.
// `action_names` are the stdlib's, by id.
std::string audit_record(const bytecode::Program& program, const TickResult& tick,
                         const ProposalRecord& proposal, const Decision& decision,
                         std::span<const std::string_view> action_names);

// RFC 3339 UTC with milliseconds: 2026-11-26T09:40:48.123Z
std::string format_time(std::int64_t ms);

}  // namespace skippy::engine
