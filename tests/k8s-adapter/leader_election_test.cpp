// Leader election on a Lease of the simulated API server, over HTTP on loopback, with the
// candidates' clocks given: the first candidate takes the Lease, a second respects it while it
// is renewed, takes it once the holder has been silent for the lease duration on its own clock,
// and the old holder, finding it taken, stops leading; a released Lease is taken at once; once
// one of two waiting candidates takes an expired Lease, the other respects the fresh record.
#define BOOST_TEST_MODULE leader_election
#include <boost/test/unit_test.hpp>

#include <csignal>

#include "k8s-adapter/leader_election.hpp"
#include "tests/k8s-adapter/sim_api.hpp"

using namespace skippy;

namespace {

constexpr std::int64_t kWall = 1'700'000'000'000;

struct Cluster : test::SimApi {
  Cluster() : SimApi(kWall) {}

  k8s::LeaderElector candidate(const std::string& identity) {
    k8s::LeaderElectionConfig config;
    config.identity = identity;
    config.lease_duration_ms = 15'000;
    config.renew_deadline_ms = 10'000;
    config.retry_period_ms = 2'000;
    return k8s::LeaderElector(*client, config);
  }
  std::string lease_holder() {
    auto got = client->get("/apis/coordination.k8s.io/v1/namespaces/default/leases/skippy");
    BOOST_REQUIRE_MESSAGE(got.ok(), got.error);
    auto at = got.body.find("\"holderIdentity\":\"");
    if (at == std::string::npos) return "";
    at += 18;
    return got.body.substr(at, got.body.find('"', at) - at);
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(the_holder_keeps_the_lease_until_it_goes_silent_for_the_lease_duration) {
  Cluster cluster;
  auto a = cluster.candidate("replica-a");
  auto b = cluster.candidate("replica-b");
  // a and b have unrelated monotonic clocks: only durations on each are compared.
  BOOST_TEST(a.try_acquire_or_renew(1'000, kWall));
  BOOST_TEST(a.leading(1'000));
  BOOST_TEST(cluster.lease_holder() == "replica-a");
  BOOST_TEST(!b.try_acquire_or_renew(500'000, kWall + 1'000));
  BOOST_TEST(b.observed_holder() == "replica-a");
  // a renews every 2 s: b never sees the Lease unchanged for 15 s.
  for (std::int64_t t = 2'000; t <= 30'000; t += 2'000) {
    BOOST_TEST(a.try_acquire_or_renew(1'000 + t, kWall + t));
    BOOST_TEST(!b.try_acquire_or_renew(500'000 + t, kWall + t + 500));
  }
  BOOST_TEST(cluster.lease_holder() == "replica-a");
  // a goes silent. b saw a change last at its 530,000; it takes over at 545,000, not before.
  BOOST_TEST(!b.try_acquire_or_renew(544'999, kWall + 45'000));
  BOOST_TEST(!a.leading(1'000 + 30'000 + 10'000));  // a's renew deadline passed: it stopped
  BOOST_TEST(b.try_acquire_or_renew(545'000, kWall + 46'000));
  BOOST_TEST(b.leading(545'000));
  BOOST_TEST(cluster.lease_holder() == "replica-b");
  // a wakes up: the Lease is b's and not expired on a's clock, so a does not lead.
  BOOST_TEST(!a.try_acquire_or_renew(1'000 + 60'000, kWall + 47'000));
  BOOST_TEST(!a.leading(1'000 + 60'000));
  BOOST_TEST(a.observed_holder() == "replica-b");
  auto lease = cluster.client->get("/apis/coordination.k8s.io/v1/namespaces/default/leases/skippy");
  BOOST_TEST(lease.body.find("\"leaseTransitions\":1") != std::string::npos, lease.body);
}

BOOST_AUTO_TEST_CASE(a_leader_that_cannot_renew_stops_leading_at_its_renew_deadline) {
  Cluster cluster;
  auto a = cluster.candidate("replica-a");
  BOOST_TEST(a.try_acquire_or_renew(0, kWall));
  BOOST_TEST(a.leading(9'999));
  BOOST_TEST(!a.leading(10'000));  // 10 s without a renewal; others wait 15 s
  BOOST_TEST(a.leading_until() == 10'000);
}

BOOST_AUTO_TEST_CASE(a_released_lease_is_taken_at_once) {
  Cluster cluster;
  auto a = cluster.candidate("replica-a");
  auto b = cluster.candidate("replica-b");
  BOOST_TEST(a.try_acquire_or_renew(0, kWall));
  BOOST_TEST(!b.try_acquire_or_renew(0, kWall));
  a.release(kWall + 1'000);
  BOOST_TEST(!a.leading(1'000));
  BOOST_TEST(cluster.lease_holder() == "");
  BOOST_TEST(b.try_acquire_or_renew(1'000, kWall + 1'000));
  BOOST_TEST(cluster.lease_holder() == "replica-b");
}

BOOST_AUTO_TEST_CASE(once_one_candidate_takes_an_expired_lease_the_others_respect_it) {
  Cluster cluster;
  auto a = cluster.candidate("replica-a");
  auto b = cluster.candidate("replica-b");
  auto c = cluster.candidate("replica-c");
  BOOST_TEST(a.try_acquire_or_renew(0, kWall));
  // b and c both saw a's record at 0 and nothing since: at 20 s both may take it. b is first;
  // c then reads b's fresh record, a change, and waits a lease duration from now.
  BOOST_TEST(!b.try_acquire_or_renew(0, kWall));
  BOOST_TEST(!c.try_acquire_or_renew(0, kWall));
  bool b_won = b.try_acquire_or_renew(20'000, kWall + 20'000);
  bool c_won = c.try_acquire_or_renew(20'000, kWall + 20'000);
  BOOST_TEST(b_won);
  BOOST_TEST(!c_won);  // it read b's fresh record: held, and not expired on c's clock
  BOOST_TEST(cluster.lease_holder() == "replica-b");
}

BOOST_AUTO_TEST_CASE(configurations_that_could_let_two_lead_are_refused) {
  k8s::LeaderElectionConfig c;
  c.identity = "a";
  BOOST_TEST(k8s::check_leader_election(c) == "");
  c.renew_deadline_ms = c.lease_duration_ms;
  BOOST_TEST(k8s::check_leader_election(c).find("shorter than the lease duration") !=
             std::string::npos);
  c = {};
  BOOST_TEST(k8s::check_leader_election(c) == "the candidate needs an identity");
}
