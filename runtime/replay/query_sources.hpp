// The two sources of query results (engine/query_source.hpp): a Prometheus asked at every
// tick, each due query once, concurrently; and a stretch of history, each query fetched once
// as a range query and cut into one vector per step.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "runtime/engine/query_source.hpp"
#include "runtime/prometheus/client.hpp"
#include "runtime/replay/prometheus_vectors.hpp"

namespace skippy::replay {

// The ticks start, start + step, ..., end (inclusive), aligned to the step.
struct Window {
  std::int64_t start_ms = 0;
  std::int64_t end_ms = 0;
  std::int64_t step_ms = 0;
  std::size_t ticks() const {
    return step_ms > 0 && end_ms >= start_ms
               ? static_cast<std::size_t>((end_ms - start_ms) / step_ms) + 1
               : 0;
  }
  std::int64_t time_of(std::size_t tick) const {
    return start_ms + static_cast<std::int64_t>(tick) * step_ms;
  }
};

// Instant queries at the tick's time.
class LiveQueries final : public engine::QuerySource {
 public:
  explicit LiveQueries(prometheus::Client& client) : client_(client) {}
  Answered answer(std::span<const std::string> queries, std::span<const std::size_t> due,
                  std::int64_t time_ms, std::span<engine::QueryResult> results) override;

 private:
  prometheus::Client& client_;
  std::vector<prometheus::Outcome> outcomes_;
  std::vector<std::unique_ptr<InstantVector>> vectors_;
};

// Every query of `queries` as a range query over `window`, sent once when made. A query that
// failed answers its error at every tick (missing data: the slot's rule decides); a time
// outside the window, or off its steps, answers "no recorded value".
class RecordedQueries final : public engine::QuerySource {
 public:
  RecordedQueries(prometheus::Client& client, std::span<const std::string> queries,
                  const Window& window);
  Answered answer(std::span<const std::string> queries, std::span<const std::size_t> due,
                  std::int64_t time_ms, std::span<engine::QueryResult> results) override;
  // One line per range query that failed: "query `Q`: why".
  const std::vector<std::string>& errors() const { return errors_; }

 private:
  Window window_;
  std::vector<prometheus::Outcome> outcomes_;
  std::vector<std::unique_ptr<StepVectors>> history_;
  std::vector<std::string> errors_;
};

}  // namespace skippy::replay
