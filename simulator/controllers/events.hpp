// core/v1 Events, as controllers and the kubelet record them: one per object, reason and
// message, counted (count, firstTimestamp, lastTimestamp) when it happens again, and named
// from what it is about so that a repeat finds it. Events older than an hour are removed, as
// the real API server lets them expire.
#pragma once

#include <cstdint>
#include <string>

#include "simulator/object_store.hpp"

namespace skippy::sim {

class EventRecorder {
 public:
  // `type` is "Normal" or "Warning"; `component` the reporter ("kubelet", "default-scheduler").
  void record(ObjectStore& store, const Json& involved, const std::string& type,
              const std::string& reason, const std::string& message, const std::string& component,
              std::int64_t now_ms);
  // Removes events last seen more than `ttl_ms` before `now_ms`.
  void expire(ObjectStore& store, std::int64_t now_ms, std::int64_t ttl_ms = 3'600'000);
};

}  // namespace skippy::sim
