#include "agent/alerting.hpp"

namespace skippy::agent {

safety::ExecutionResult AlertingExecutor::execute(const safety::ActionRequest& request,
                                                  std::int64_t now_ms) {
  if (request.action != "notify") return inner_->execute(request, now_ms);
  const auto& options = alertmanagers_.options();
  alerting::Alert alert =
      alerting::action_alert(request, "execute", safety::string_argument(request, "message"),
                             now_ms, options.generator_url);
  std::string problem = alertmanagers_.post(std::span(&alert, 1));
  if (!problem.empty())
    return {safety::ExecutionStatus::TransientFailure, "notify Alertmanager: " + problem};
  std::string told = "alert sent to " + std::to_string(options.urls.size()) + " Alertmanager" +
                     (options.urls.size() == 1 ? "" : "s");
  if (safety::string_argument(request, "webhook").empty())
    return {safety::ExecutionStatus::Success, "notify: " + told};
  auto result = inner_->execute(request, now_ms);
  result.message += "; " + told;
  return result;
}

std::vector<alerting::Alert> decision_alerts(std::span<const safety::Decision> decisions,
                                             std::span<const safety::ExecutionReport> executions,
                                             std::int64_t now_ms, std::string_view generator_url) {
  std::vector<alerting::Alert> out;
  for (const auto& d : decisions) {
    if (d.outcome != safety::Outcome::Execute && d.outcome != safety::Outcome::Blocked) continue;
    std::string message;
    if (d.outcome == safety::Outcome::Blocked) message = d.gate(d.blocked_by).reason;
    for (const auto& e : executions)
      if (e.request && e.request->id == d.request->id) message = e.result.message;
    out.push_back(alerting::action_alert(*d.request, safety::outcome_text(d), message, now_ms,
                                         generator_url));
  }
  return out;
}

}  // namespace skippy::agent
