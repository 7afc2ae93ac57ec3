// The disruption controller: every PodDisruptionBudget's status over the pods it selects now
// (expected, currently healthy, desired healthy, disruptions allowed, the DisruptionAllowed
// condition), as `kubectl get pdb` shows it.
#include "simulator/controllers/controller.hpp"
#include "simulator/disruption.hpp"
#include "simulator/object_meta.hpp"

namespace skippy::sim {

void run_disruption_controller(ControllerContext& context) {
  const ResourceType& budgets = resource("poddisruptionbudgets");
  for (const Json& pdb : list_copy(context.store, budgets)) {
    BudgetStatus b = budget_status(context.store, pdb);
    Json status = pdb.value("status", Json::object());
    status["observedGeneration"] = int_at(pdb, "/metadata/generation", 1);
    status["expectedPods"] = b.expected;
    status["currentHealthy"] = b.healthy;
    status["desiredHealthy"] = b.desired;
    status["disruptionsAllowed"] = b.allowed;
    Json conditions = status.value("conditions", Json::array());
    set_condition(conditions, "DisruptionAllowed", b.allowed > 0,
                  b.allowed > 0 ? "SufficientPods" : "InsufficientPods", "", context.now_ms);
    for (auto& c : conditions) c.erase("lastUpdateTime");
    status["conditions"] = conditions;
    write_status(context.store, budgets, pdb, status);
  }
}

}  // namespace skippy::sim
