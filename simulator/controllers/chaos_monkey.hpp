// The chaos monkey: a pod with `sim.skippy.io/behaviour: chaos-monkey` kills one pod every
// `interval-seconds` of simulated time from its start, among the running pods of its namespace
// that its `target-selector` selects (never a chaos monkey), sorted by name; which one is
// chaos_victim(seed, round) (behaviour.hpp), so a test knows which pod dies when. The victim
// gets a Normal Killing event from the kubelet, as a real one does when a pod is deleted, and
// is deleted; its ReplicaSet replaces it. Rounds missed while there was nothing to kill are
// skipped, not made up.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "simulator/controllers/controller.hpp"

namespace skippy::sim {

class ChaosMonkeys {
 public:
  void step(ControllerContext& context);

 private:
  std::map<std::string, std::int64_t> rounds_done_;  // by the monkey's pod uid
};

}  // namespace skippy::sim
