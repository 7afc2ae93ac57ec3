// The scheduler and the kubelet, simulated: a pod without a node is assigned the node with the
// fewest pods (event Scheduled); `start_delay_ms` later its containers run (phase Running,
// startTime, IPs, containerStatuses; events Pulled, Created, Started); `ready_delay_ms` after
// that it is Ready, unless it has a behaviour (behaviour_controller.cpp decides then). When
// each pod reached each stage is remembered here, in simulated time.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "simulator/controllers/controller.hpp"

namespace skippy::sim {

class PodLifecycle {
 public:
  void step(ControllerContext& context);

 private:
  struct PodTimes {
    std::int64_t seen_ms = 0;
    std::optional<std::int64_t> scheduled_ms;
    std::optional<std::int64_t> started_ms;
  };
  std::map<std::string, PodTimes> times_;  // by pod uid
  std::uint32_t next_ip_ = 2;
};

}  // namespace skippy::sim
