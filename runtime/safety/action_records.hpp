// The narrow interface through which the safety loop keeps a record of its actions outside
// itself, where people and other replicas see them (k8s-adapter/healing_actions.hpp writes
// them as HealingAction objects): actions waiting for approval and the approvals given on
// them, expiries, health-check verdicts, and what another instance did before a take-over.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/safety/action_request.hpp"
#include "runtime/safety/gatekeeper.hpp"
#include "runtime/safety/health_check.hpp"

namespace skippy::safety {

// What ActionRecords::adopt_from() found.
struct AdoptSummary {
  std::size_t adopted = 0;          // actions another instance took, now known here
  std::size_t skipped = 0;          // not taken (pending or approved only), or already known
  std::vector<std::string> errors;  // records that could not be read
};

class ActionRecords {
 public:
  virtual ~ActionRecords() = default;
  // An action made to wait for approval.
  virtual void awaiting_approval(const ActionRequest& request, std::int64_t decided_ms,
                                 std::int64_t now_ms) = 0;
  // An approval that expired.
  virtual void expired(const ActionRequest& request, std::int64_t now_ms) = 0;
  // The health check's verdict on an executed action.
  virtual void verdict(const HealthVerdict& verdict) = 0;
  // The actions waiting whose records say they were approved, with who approved them.
  struct Approval {
    std::string id;
    std::string approved_by;
  };
  virtual std::vector<Approval> approvals() = 0;
  // The gatekeeper took the approval of `request`.
  virtual void approved(const ActionRequest& request, const std::string& by,
                        std::int64_t now_ms) = 0;
  // Adopts into `gatekeeper` the actions taken elsewhere (executed, succeeded or failed) that
  // it does not know.
  virtual AdoptSummary adopt_from(Gatekeeper& gatekeeper, std::int64_t now_ms) = 0;
};

}  // namespace skippy::safety
