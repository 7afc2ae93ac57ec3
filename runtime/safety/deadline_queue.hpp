// Action ids by deadline, earliest first: a binary heap that compares times only, so pushing
// costs O(log n) integer comparisons. Nothing is removed when an action's deadline or state
// changes; whoever pops an entry checks that it still holds.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace skippy::safety {

class DeadlineQueue {
 public:
  using Entry = std::pair<std::int64_t, std::string>;  // (deadline, id)

  void push(std::int64_t deadline_ms, std::string id) {
    heap_.emplace_back(deadline_ms, std::move(id));
    std::push_heap(heap_.begin(), heap_.end(), later);
  }
  // Whether the earliest deadline has come at now.
  bool due(std::int64_t now_ms) const { return !heap_.empty() && heap_.front().first <= now_ms; }
  Entry pop() {
    std::pop_heap(heap_.begin(), heap_.end(), later);
    Entry out = std::move(heap_.back());
    heap_.pop_back();
    return out;
  }
  // Every entry, in no particular order, stale ones included.
  const std::vector<Entry>& entries() const { return heap_; }

 private:
  static bool later(const Entry& a, const Entry& b) { return a.first > b.first; }
  std::vector<Entry> heap_;
};

}  // namespace skippy::safety
