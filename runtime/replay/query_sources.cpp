#include "runtime/replay/query_sources.hpp"

namespace skippy::replay {

engine::QuerySource::Answered LiveQueries::answer(std::span<const std::string> queries,
                                                  std::span<const std::size_t> due,
                                                  std::int64_t time_ms,
                                                  std::span<engine::QueryResult> results) {
  std::vector<std::string> texts;
  texts.reserve(due.size());
  for (auto q : due) texts.push_back(queries[q]);
  vectors_.clear();
  outcomes_ = client_.query_many(texts, time_ms);
  Answered answered;
  for (std::size_t k = 0; k < due.size(); ++k) {
    auto& result = results[due[k]];
    if (outcomes_[k].ok()) {
      vectors_.push_back(std::make_unique<InstantVector>(outcomes_[k].result()));
      result.vector = vectors_.back().get();
      result.error.clear();
      ++answered.ok;
    } else {
      result.vector = nullptr;
      result.error = outcomes_[k].error().message;
      ++answered.failed;
    }
  }
  return answered;
}

RecordedQueries::RecordedQueries(prometheus::Client& client, std::span<const std::string> queries,
                                 const Window& window)
    : window_(window), history_(queries.size()) {
  const std::size_t ticks = window.ticks();
  if (ticks == 0) return;
  outcomes_.reserve(queries.size());
  for (std::size_t q = 0; q < queries.size(); ++q) {
    outcomes_.push_back(
        client.query_range(queries[q], window.start_ms, window.end_ms, window.step_ms));
    if (outcomes_.back().ok()) {
      history_[q] = std::make_unique<StepVectors>(outcomes_.back().result(), window.start_ms,
                                                  window.step_ms, ticks);
    } else {
      errors_.push_back("query `" + queries[q] + "`: " + outcomes_.back().error().message);
    }
  }
}

engine::QuerySource::Answered RecordedQueries::answer(std::span<const std::string>,
                                                      std::span<const std::size_t> due,
                                                      std::int64_t time_ms,
                                                      std::span<engine::QueryResult> results) {
  Answered answered;
  const bool on_step = window_.step_ms > 0 && time_ms >= window_.start_ms &&
                       time_ms <= window_.end_ms &&
                       (time_ms - window_.start_ms) % window_.step_ms == 0;
  const auto tick =
      on_step ? static_cast<std::size_t>((time_ms - window_.start_ms) / window_.step_ms) : 0;
  for (auto q : due) {
    auto& result = results[q];
    if (on_step && q < history_.size() && history_[q]) {
      result.vector = &history_[q]->at(tick);
      result.error.clear();
      ++answered.ok;
      continue;
    }
    result.vector = nullptr;
    result.error = !on_step || q >= outcomes_.size() ? "no recorded value at this time"
                                                     : outcomes_[q].error().message;
    ++answered.failed;
  }
  return answered;
}

}  // namespace skippy::replay
