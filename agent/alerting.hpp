// What `skippy run` tells Alertmanager: `notify` posts its alert to every configured
// Alertmanager (and to its webhook when it names one), and with notify_decisions every action
// executed or blocked is an alert too. The silences the safety loop asks for each tick come
// from the same Alertmanagers.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "agent/sinks.hpp"
#include "runtime/alerting/alertmanager.hpp"
#include "runtime/safety/executor.hpp"

namespace skippy::agent {

// Executes `notify` by posting its alert (severity and message from its arguments) to the
// Alertmanagers, then through `inner` when it has a webhook; every other action goes to
// `inner`. A notify none of the Alertmanagers took fails transiently.
class AlertingExecutor final : public safety::Executor {
 public:
  AlertingExecutor(const alerting::Alertmanagers& alertmanagers,
                   std::unique_ptr<safety::Executor> inner)
      : alertmanagers_(alertmanagers), inner_(std::move(inner)) {}
  safety::ExecutionResult execute(const safety::ActionRequest& request,
                                  std::int64_t now_ms) override;

 private:
  const alerting::Alertmanagers& alertmanagers_;
  std::unique_ptr<safety::Executor> inner_;
};

// The alerts about a tick's decisions that executed or were blocked, the execution's message
// (or the blocking gate's reason) as description.
std::vector<alerting::Alert> decision_alerts(std::span<const safety::Decision> decisions,
                                             std::span<const safety::ExecutionReport> executions,
                                             std::int64_t now_ms, std::string_view generator_url);

}  // namespace skippy::agent
