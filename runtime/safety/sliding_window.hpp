// The times of past events, oldest first, for "at most N in any window of D" checks: each time
// is added once and dropped once, so a check costs O(1) amortised.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>

namespace skippy::safety {

class SlidingWindow {
 public:
  SlidingWindow() = default;
  explicit SlidingWindow(std::int64_t length_ms) : length_ms_(length_ms) {}

  std::int64_t length_ms() const { return length_ms_; }
  void set_length(std::int64_t length_ms) { length_ms_ = length_ms; }

  // Drops the events that left the window (those at or before now - length) and returns how
  // many are left: the events in (now - length, now].
  std::size_t count(std::int64_t now_ms) {
    while (!times_.empty() && times_.front() <= now_ms - length_ms_) times_.pop_front();
    return times_.size();
  }
  // Times must not go backwards; an earlier time is recorded as the latest one.
  void add(std::int64_t at_ms) {
    times_.push_back(times_.empty() || at_ms >= times_.back() ? at_ms : times_.back());
  }
  void clear() { times_.clear(); }
  bool empty() const { return times_.empty(); }
  // When the oldest event leaves the window (only when not empty).
  std::int64_t next_slot_ms() const { return times_.front() + length_ms_; }
  const std::deque<std::int64_t>& times() const { return times_; }

 private:
  std::int64_t length_ms_ = 0;
  std::deque<std::int64_t> times_;
};

}  // namespace skippy::safety
