// Leader election on a coordination.k8s.io/v1 Lease, as client-go's leaderelection package
// does it, so that several replicas of the runtime can run and only one acts. Each attempt
// reads the Lease; a Lease held by another identity is respected until `lease_duration` has
// passed on this process's own clock since its record last changed (clocks of different
// machines are never compared); a free or expired Lease is taken, and a held one renewed, by
// an update carrying the resourceVersion read, so that of two candidates only one wins (the
// other gets 409 Conflict). A leader that could not renew for `renew_deadline` stops leading;
// since renew_deadline < lease_duration, it stops before anyone else may start.
//
// Time is an argument: `monotonic_ms` for the durations this process measures, `wall_ms` for
// the times written into the Lease (acquireTime, renewTime) for people and other tools.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "k8s-adapter/api_client.hpp"

namespace skippy::k8s {

struct LeaderElectionConfig {
  std::string namespace_name = "default";
  std::string name = "skippy";  // the Lease's name
  std::string identity;         // this candidate's holderIdentity (the pod's name in a cluster)
  std::int64_t lease_duration_ms = 15'000;
  std::int64_t renew_deadline_ms = 10'000;
  std::int64_t retry_period_ms = 2'000;
};

// What is wrong with a configuration ("" when nothing): an empty name or identity, durations
// not positive, or renew_deadline not shorter than lease_duration.
std::string check_leader_election(const LeaderElectionConfig& config);

// The Lease's record as read or written.
struct LeaseRecord {
  std::string holder;  // holderIdentity; "" when released
  std::int64_t lease_duration_s = 0;
  std::string acquire_time;  // RFC 3339 with microseconds, as the API server keeps it
  std::string renew_time;
  std::int64_t transitions = 0;  // leaseTransitions
  bool operator==(const LeaseRecord&) const = default;
};

class LeaderElector {
 public:
  LeaderElector(const ApiClient& client, LeaderElectionConfig config);

  // One attempt to take or renew the Lease. True when this candidate holds it afterwards.
  bool try_acquire_or_renew(std::int64_t monotonic_ms, std::int64_t wall_ms);
  // Whether this candidate may act at monotonic_ms: it holds the Lease and renewed it less
  // than renew_deadline ago.
  bool leading(std::int64_t monotonic_ms) const;
  // Until when (monotonic) it may act without another renewal; -1 when it does not lead.
  std::int64_t leading_until() const;
  // Gives the Lease up (holder "" and a 1 s duration), when this candidate holds it, so that
  // another takes over at once instead of after lease_duration.
  void release(std::int64_t wall_ms);

  // The holder last seen ("" before the first read) and the last error ("" when none).
  const std::string& observed_holder() const { return observed_.holder; }
  const std::string& last_error() const { return last_error_; }
  const LeaderElectionConfig& config() const { return config_; }

 private:
  std::string lease_path(bool collection) const;
  // PUT (update) or POST (create) of the record; true on 2xx, with the new resourceVersion.
  bool write(const LeaseRecord& record, bool create);

  const ApiClient& client_;
  LeaderElectionConfig config_;
  LeaseRecord observed_;
  std::string observed_version_;      // resourceVersion of the Lease last read or written
  std::int64_t observed_at_ms_ = -1;  // monotonic: when observed_ last changed
  std::int64_t renewed_at_ms_ = -1;   // monotonic: when this candidate last took or renewed it
  std::string last_error_;
};

// Runs an elector in a thread: an attempt every retry_period (sooner after losing it), with
// leading() readable from any thread. `on_change(true)` is called on the thread when
// leadership is gained, `on_change(false)` when it is lost.
class LeaderElection {
 public:
  LeaderElection(Connection connection, LeaderElectionConfig config,
                 std::function<void(bool leading, const std::string& why)> on_change = {});
  ~LeaderElection();  // stops, and releases the Lease if held

  void start();
  void stop();
  // Whether this process may act now: it renewed the Lease less than renew_deadline ago. Read
  // from the clock, so a renewal stuck in a slow request cannot stretch it.
  bool leading() const;
  std::string holder() const;

 private:
  void loop();

  ApiClient client_;
  LeaderElector elector_;
  std::function<void(bool, const std::string&)> on_change_;
  std::atomic<std::int64_t> lead_until_ms_{0};  // monotonic
  bool was_leading_ = false;                    // as last reported to on_change
  mutable std::mutex mutex_;
  std::string holder_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace skippy::k8s
