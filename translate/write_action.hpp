// One upstream action template into a Skippy action call, for the policy's kind: restart,
// scale, patch and delete with their options; custom actions and actions that do not apply
// to the kind are left out with a located warning.
#pragma once

#include <cstdint>
#include <string>

#include "translate/finding.hpp"
#include "translate/healing_policy.hpp"
#include "translate/kinds.hpp"

namespace skippy::translate {

struct WrittenAction {
  bool written = false;  // false: left out (a warning says why)
  std::string action;    // the Skippy action: restart, scale, patch, delete
  std::string call;      // `restart(strategy: rolling)`
  std::int64_t priority = 50;
  std::string comment;  // `restart-pods: Restart pods with issues; upstream priority 10`
};

WrittenAction write_action(const Action& action, Kind kind, Findings& findings);

// Skippy runs lower priorities first, upstream higher ones: 100 - the upstream priority,
// within Skippy's 0 to 1000.
std::int64_t skippy_priority(std::int64_t upstream);

}  // namespace skippy::translate
