// From the engine's proposals to the safety runtime's requests: each proposal of a tick,
// described with names, its target's objects, and its policy's rules, as the gatekeeper
// decides about it. The stdlib's action catalog arrives as a table, so the runtime does not
// depend on the stdlib.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "runtime/bytecode/program.hpp"
#include "runtime/engine/tick.hpp"
#include "runtime/safety/action_request.hpp"
#include "runtime/safety/decision.hpp"

namespace skippy::act {

// An action of the catalog, by id.
struct ActionInfo {
  std::string_view name;
  bool destructive = false;
};

safety::ActionRequest action_request(const bytecode::Program& program,
                                     const engine::TickResult& tick,
                                     const engine::ProposalRecord& proposal,
                                     std::span<const ActionInfo> actions);

// A decision's audit record: the safety runtime's decision record and, when the decision is
// about one of `requests` (made from `tick`'s proposals, in order), the proposal's context
// (its signals and where its action is written).
std::string decision_audit_record(const bytecode::Program& program, const engine::TickResult& tick,
                                  std::span<const safety::ActionRequest> requests,
                                  const safety::Decision& decision);

}  // namespace skippy::act
