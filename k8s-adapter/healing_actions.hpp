// HealingAction objects (kubeskippy.io/v1alpha1, the upstream operator's schema): the cluster's
// own record of every action the runtime takes, so that `kubectl get healingactions -w` shows
// healing as it happens, a person can approve an action by setting its status.approval, and
// several replicas of the runtime share what was done.
//
// HealingActions is an Executor that wraps the one that acts: before an action runs, its
// object is created under a name derived from the action's id ("skippy-<id>"), and only the
// instance whose create succeeds carries it out (an object that exists already, written by
// another instance, means the action was taken there: it is not repeated); after each attempt
// its status says what came of it. An action that waits for approval gets its object at once,
// in phase Pending. Each object carries the action's journal record (annotation
// skippy.io/journal-record, the journal's own checksummed encoding), so an instance that takes
// over after a failover can adopt the cooldowns and rate windows of what the last leader did.
//
// Without the CRD (the API server answers 404 for the resource) actions run unrecorded and a
// warning says so once; any other failure to create the record is the action's failure,
// classified as the API server's status says (a 5xx is retried).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "k8s-adapter/api_client.hpp"
#include "runtime/safety/action_records.hpp"
#include "runtime/safety/executor.hpp"
#include "runtime/safety/gatekeeper.hpp"

namespace skippy::k8s {

struct HealingActionsConfig {
  std::string namespace_name = "default";       // where the objects are written
  std::string instance;                         // this runtime's identity (skippy.io/instance)
  std::function<void(const std::string&)> log;  // warnings
};

// "skippy-<id>": a valid object name for an action id.
std::string healing_action_name(std::string_view id);

class HealingActions final : public safety::Executor, public safety::ActionRecords {
 public:
  // `inner` carries actions out; it must outlive this object.
  HealingActions(const ApiClient& client, HealingActionsConfig config, safety::Executor& inner);

  safety::ExecutionResult execute(const safety::ActionRequest& request,
                                  std::int64_t now_ms) override;

  // An action made to wait for approval: its object in phase Pending.
  void awaiting_approval(const safety::ActionRequest& request, std::int64_t decided_ms,
                         std::int64_t now_ms) override;
  // An approval that expired: its object in phase Cancelled.
  void expired(const safety::ActionRequest& request, std::int64_t now_ms) override;
  // The health check's verdict on an executed action.
  void verdict(const safety::HealthVerdict& verdict) override;
  // The ids of actions whose objects are Pending and approved (status.approval.approved),
  // with who approved them, for the gatekeeper's approve().
  std::vector<Approval> approvals() override;
  // Marks an approved action's object Approved (the gatekeeper took the approval).
  void approved(const safety::ActionRequest& request, const std::string& by,
                std::int64_t now_ms) override;
  // Reads every object of the namespace and adopts into `gatekeeper` the actions taken
  // (phase InProgress, Succeeded or Failed) that it does not know.
  safety::AdoptSummary adopt_from(safety::Gatekeeper& gatekeeper, std::int64_t now_ms) override;

 private:
  std::string collection_path() const;
  std::string object_path(std::string_view id, bool status) const;
  // POSTs the object; the API result.
  ApiResult create(const safety::ActionRequest& request, std::string_view phase,
                   std::int64_t decided_ms, std::int64_t now_ms);
  // Merge-patches the object's status.
  void set_status(std::string_view id, const std::string& status_json);
  void warn(const std::string& message);

  const ApiClient& client_;
  HealingActionsConfig config_;
  safety::Executor& inner_;
  bool unsupported_ = false;  // the API server has no HealingAction resource
};

}  // namespace skippy::k8s
