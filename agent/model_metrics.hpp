// The model advisor's reports (runtime/model) as the runtime's metrics (runtime/monitor):
// the glue between two parts that do not know each other.
#pragma once

#include <string>

#include "runtime/model/model_advisor.hpp"
#include "runtime/monitor/self_metrics.hpp"

namespace skippy::agent {

class ModelMetrics final : public model::ModelObserver {
 public:
  ModelMetrics(monitor::RuntimeMetrics& metrics, model::Backend backend)
      : metrics_(metrics), backend_(model::backend_name(backend)) {}

  void call_ended(const model::CallReport& r) override {
    metrics_.record_model_call(backend_, model::outcome_name(r.outcome), r.accepted, r.seconds,
                               r.prompt_tokens, r.completion_tokens);
  }
  void cache_hit() override { metrics_.record_model_cache_hit(backend_); }
  void fell_back(std::string_view reason) override { metrics_.record_model_fallback(reason); }
  void budget_left(std::int64_t calls, std::int64_t tokens) override {
    metrics_.set_model_budget(calls, tokens);
  }

 private:
  monitor::RuntimeMetrics& metrics_;
  std::string backend_;
};

}  // namespace skippy::agent
