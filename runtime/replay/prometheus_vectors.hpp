// Prometheus query results as the vectors the engine reads: an instant query's vector as it
// is, and a range query's matrix cut into one vector per evaluation step.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "runtime/engine/join.hpp"
#include "runtime/prometheus/decode.hpp"

namespace skippy::replay {

// An instant query's vector (a series' value is its one sample).
class InstantVector final : public engine::VectorView {
 public:
  explicit InstantVector(const prometheus::QueryResult& result) : result_(result) {}
  std::size_t size() const override { return result_.size(); }
  std::string_view label(std::size_t series, std::string_view name) const override;
  double value(std::size_t series) const override;

 private:
  const prometheus::QueryResult& result_;
};

// A range query's matrix, evaluated every `step_ms` from `start_ms`: at step k, the series
// that have a sample at start + k * step, with that sample (what an instant query at that
// time would have returned). The matrix must outlive it.
class StepVectors {
 public:
  StepVectors(const prometheus::QueryResult& matrix, std::int64_t start_ms, std::int64_t step_ms,
              std::size_t steps);
  std::size_t steps() const { return steps_.size(); }
  const engine::VectorView& at(std::size_t step) const { return steps_[step]; }

 private:
  class Step final : public engine::VectorView {
   public:
    Step(const prometheus::QueryResult& matrix) : matrix_(&matrix) {}
    std::size_t size() const override { return samples_.size(); }
    std::string_view label(std::size_t series, std::string_view name) const override;
    double value(std::size_t series) const override { return samples_[series].second; }
    std::vector<std::pair<std::uint32_t, double>> samples_;  // (series of the matrix, value)

   private:
    const prometheus::QueryResult* matrix_;
  };
  std::vector<Step> steps_;
};

}  // namespace skippy::replay
