#include "k8s-adapter/leader_election.hpp"

#include <simdjson.h>

#include <chrono>

#include "base/json_escape.hpp"
#include "base/time_format.hpp"

namespace skippy::k8s {
namespace {

// RFC 3339 with microseconds, as metav1.MicroTime is written: 2026-11-26T19:33:00.123000Z.
std::string micro_time(std::int64_t wall_ms) {
  std::string t = base::format_time(wall_ms);  // ...00.123Z
  return t.insert(t.size() - 1, "000");
}

std::string text_of(simdjson::dom::element e, const char* key) {
  std::string_view v;
  return e[key].get(v) ? std::string() : std::string(v);
}

std::int64_t number_of(simdjson::dom::element e, const char* key) {
  std::int64_t v = 0;
  return e[key].get(v) ? 0 : v;
}

std::int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::int64_t wall_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::string check_leader_election(const LeaderElectionConfig& c) {
  if (c.name.empty()) return "the Lease needs a name";
  if (c.namespace_name.empty()) return "the Lease needs a namespace";
  if (c.identity.empty()) return "the candidate needs an identity";
  if (c.lease_duration_ms <= 0 || c.renew_deadline_ms <= 0 || c.retry_period_ms <= 0)
    return "the lease duration, renew deadline and retry period must be positive";
  if (c.renew_deadline_ms >= c.lease_duration_ms)
    return "the renew deadline must be shorter than the lease duration (a leader must stop "
           "before another may start)";
  if (c.retry_period_ms >= c.renew_deadline_ms)
    return "the retry period must be shorter than the renew deadline";
  return "";
}

LeaderElector::LeaderElector(const ApiClient& client, LeaderElectionConfig config)
    : client_(client), config_(std::move(config)) {}

std::string LeaderElector::lease_path(bool collection) const {
  std::string path =
      "/apis/coordination.k8s.io/v1/namespaces/" + config_.namespace_name + "/leases";
  return collection ? path : path + "/" + config_.name;
}

bool LeaderElector::write(const LeaseRecord& r, bool create) {
  std::string body =
      R"({"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":")" +
      base::json_escape(config_.name) + R"(","namespace":")" +
      base::json_escape(config_.namespace_name) + "\"";
  if (!create) body += R"(,"resourceVersion":")" + base::json_escape(observed_version_) + "\"";
  body += R"(},"spec":{"holderIdentity":")" + base::json_escape(r.holder) +
          R"(","leaseDurationSeconds":)" + std::to_string(r.lease_duration_s) +
          R"(,"acquireTime":")" + r.acquire_time + R"(","renewTime":")" + r.renew_time +
          R"(","leaseTransitions":)" + std::to_string(r.transitions) + "}}";
  auto result = create ? client_.send("POST", lease_path(true), body, "application/json")
                       : client_.send("PUT", lease_path(false), body, "application/json");
  if (!result.ok()) {
    last_error_ = result.error;
    return false;
  }
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(result.body).get(doc)) {
    last_error_ = "the API server's answer to the Lease " +
                  std::string(create ? "create" : "update") + " is not JSON";
    return false;
  }
  simdjson::dom::element meta;
  observed_version_ = doc["metadata"].get(meta) ? "" : text_of(meta, "resourceVersion");
  return true;
}

bool LeaderElector::try_acquire_or_renew(std::int64_t monotonic_ms, std::int64_t wall_ms) {
  last_error_.clear();
  LeaseRecord next;
  next.holder = config_.identity;
  next.lease_duration_s = (config_.lease_duration_ms + 999) / 1000;
  next.acquire_time = next.renew_time = micro_time(wall_ms);

  auto got = client_.get(lease_path(false));
  if (got.status == 404) {  // no Lease yet: the first candidate to create it leads
    if (!write(next, true)) return false;
    observed_ = next;
    observed_at_ms_ = renewed_at_ms_ = monotonic_ms;
    return true;
  }
  if (!got.ok()) {
    last_error_ = got.error;
    return false;
  }
  simdjson::dom::parser parser;
  simdjson::dom::element doc, spec, meta;
  if (parser.parse(got.body).get(doc) || doc["metadata"].get(meta)) {
    last_error_ = "the Lease " + config_.namespace_name + "/" + config_.name + " is not JSON";
    return false;
  }
  LeaseRecord old;
  if (!doc["spec"].get(spec)) {
    old.holder = text_of(spec, "holderIdentity");
    old.lease_duration_s = number_of(spec, "leaseDurationSeconds");
    old.acquire_time = text_of(spec, "acquireTime");
    old.renew_time = text_of(spec, "renewTime");
    old.transitions = number_of(spec, "leaseTransitions");
  }
  observed_version_ = text_of(meta, "resourceVersion");
  if (old != observed_ || observed_at_ms_ < 0) {
    observed_ = old;
    observed_at_ms_ = monotonic_ms;
  }
  const bool mine = old.holder == config_.identity;
  if (!old.holder.empty() && !mine && monotonic_ms < observed_at_ms_ + config_.lease_duration_ms)
    return false;  // held by another, and not expired on this process's clock
  if (mine) {
    next.acquire_time = old.acquire_time;
    next.transitions = old.transitions;
  } else {
    next.transitions = old.transitions + 1;
  }
  if (!write(next, false)) return false;  // 409: another candidate was faster
  observed_ = next;
  observed_at_ms_ = renewed_at_ms_ = monotonic_ms;
  return true;
}

bool LeaderElector::leading(std::int64_t monotonic_ms) const {
  return monotonic_ms < leading_until();
}

std::int64_t LeaderElector::leading_until() const {
  if (observed_.holder != config_.identity || renewed_at_ms_ < 0) return -1;
  return renewed_at_ms_ + config_.renew_deadline_ms;
}

void LeaderElector::release(std::int64_t wall_ms) {
  if (observed_.holder != config_.identity) return;
  LeaseRecord released = observed_;
  released.holder.clear();
  released.lease_duration_s = 1;
  released.renew_time = micro_time(wall_ms);
  if (write(released, false)) {
    observed_ = released;
    renewed_at_ms_ = -1;
  }
}

namespace {

ApiClientOptions election_client_options(const LeaderElectionConfig& c) {
  // One attempt must end well within the renew deadline, retries included.
  ApiClientOptions o;
  o.timeout_ms = std::max<std::int64_t>(c.retry_period_ms, 500);
  o.deadline_ms = std::max<std::int64_t>(c.renew_deadline_ms / 2, 500);
  o.backoff_initial_ms = std::max<std::int64_t>(c.retry_period_ms / 4, 50);
  o.max_attempts = 3;
  return o;
}

}  // namespace

LeaderElection::LeaderElection(Connection connection, LeaderElectionConfig config,
                               std::function<void(bool, const std::string&)> on_change)
    : client_(std::move(connection), election_client_options(config)),
      elector_(client_, std::move(config)),
      on_change_(std::move(on_change)) {}

LeaderElection::~LeaderElection() {
  stop();
}

void LeaderElection::start() {
  thread_ = std::thread([this] { loop(); });
}

void LeaderElection::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool LeaderElection::leading() const {
  return steady_ms() < lead_until_ms_.load();
}

std::string LeaderElection::holder() const {
  std::lock_guard lock(mutex_);
  return holder_;
}

void LeaderElection::loop() {
  const auto& config = elector_.config();
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    // The elector is used on this thread only.
    std::int64_t attempt_at = steady_ms();
    elector_.try_acquire_or_renew(attempt_at, wall_clock_ms());
    // Measured from the attempt's start: the request may have taken a while.
    std::int64_t until = elector_.leading_until();
    if (until >= 0) until = attempt_at + config.renew_deadline_ms;
    lead_until_ms_ = until;
    bool now_leading = leading();
    std::string why = elector_.last_error();
    std::string holder = elector_.observed_holder();
    lock.lock();
    holder_ = holder;
    if (now_leading != was_leading_) {
      was_leading_ = now_leading;
      if (on_change_) {
        lock.unlock();
        on_change_(now_leading,
                   why.empty() ? "held by " + (holder.empty() ? "nobody" : holder) : why);
        lock.lock();
      }
    }
    wake_.wait_for(lock, std::chrono::milliseconds(config.retry_period_ms),
                   [this] { return stopping_; });
  }
  lead_until_ms_ = 0;
  lock.unlock();
  elector_.release(wall_clock_ms());
}

}  // namespace skippy::k8s
