// Where a tick's PromQL results come from: a Prometheus asked now (`skippy run`, `skippy
// test`), or history fetched once as range queries (`skippy replay`, the restore on start).
// runtime/replay/query_sources.hpp has both. The engine reads only what it is given.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "runtime/engine/tick.hpp"

namespace skippy::engine {

class QuerySource {
 public:
  virtual ~QuerySource() = default;
  struct Answered {
    std::size_t ok = 0;
    std::size_t failed = 0;
  };
  // Sets results[q] for every q of `due` (indexes into `queries`, the plan's query texts) as
  // the query's value at `time_ms`, or its error. What it points `results` at stays valid
  // until its next answer.
  virtual Answered answer(std::span<const std::string> queries, std::span<const std::size_t> due,
                          std::int64_t time_ms, std::span<QueryResult> results) = 0;
};

}  // namespace skippy::engine
