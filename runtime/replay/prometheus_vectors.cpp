#include "runtime/replay/prometheus_vectors.hpp"

#include <cmath>

namespace skippy::replay {

std::string_view InstantVector::label(std::size_t series, std::string_view name) const {
  return result_[series].labels.get(name).value_or(std::string_view());
}

double InstantVector::value(std::size_t series) const {
  auto samples = result_[series].samples;
  return samples.empty() ? std::nan("") : samples.back().value;
}

StepVectors::StepVectors(const prometheus::QueryResult& matrix, std::int64_t start_ms,
                         std::int64_t step_ms, std::size_t steps)
    : steps_(steps, Step(matrix)) {
  for (std::size_t s = 0; s < matrix.size(); ++s) {
    for (const auto& sample : matrix[s].samples) {
      // Samples off the step grid, or outside it, are not what a tick would have seen.
      std::int64_t offset = sample.time_ms - start_ms;
      if (step_ms <= 0 || offset < 0 || offset % step_ms != 0) continue;
      auto k = static_cast<std::size_t>(offset / step_ms);
      if (k >= steps) continue;
      steps_[k].samples_.emplace_back(static_cast<std::uint32_t>(s), sample.value);
    }
  }
}

std::string_view StepVectors::Step::label(std::size_t series, std::string_view name) const {
  return (*matrix_)[samples_[series].first].labels.get(name).value_or(std::string_view());
}

}  // namespace skippy::replay
