// A decided action as the exact requests that carry it out: the safety runtime's
// ActionRequest (its arguments as JSON, its target by name) resolved against the cluster as
// the view shows it now, then planned by plan_remediation. Executors send what this returns;
// a dry run can show it without sending anything.
#pragma once

#include <cstdint>
#include <string>
#include <variant>

#include "runtime/cluster/cluster_view.hpp"
#include "runtime/safety/action_request.hpp"
#include "stdlib/remediation.hpp"

namespace skippy::stdlib {

// The requests, or why the action cannot be carried out (its target is gone, an argument is
// not what the action takes, ...): a permanent failure, as asking again will not change it.
std::variant<Remediation, std::string> plan_action(const safety::ActionRequest& request,
                                                   const cluster::ClusterView& view,
                                                   std::int64_t now_ms);

}  // namespace skippy::stdlib
