// The API executor against an HTTP server on loopback that records what it receives and
// answers as it is told: each action reaches the API server as the request the stdlib plans,
// with the kubeconfig's token; `notify` reaches its webhook without it; answers are classified
// for the retry rules; an action whose target is gone sends nothing.
#define BOOST_TEST_MODULE api_executor
#include <boost/test/unit_test.hpp>

#include "k8s-adapter/api_executor.hpp"
#include "runtime/cluster/snapshot.hpp"
#include "tests/runtime/prometheus/support.hpp"
#include "tests/support/safety_support.hpp"

using namespace skippy;
using safety::ExecutionStatus;

namespace {

const char* kCluster = R"(pods:
  - {namespace: demo, name: web-a, owner: Deployment/web}
  - {namespace: demo, name: web-b, owner: Deployment/web}
  - {namespace: demo, name: lonely}
deployments:
  - {namespace: demo, name: web, replicas: 2, ready_replicas: 2}
)";

struct Fixture {
  std::vector<cluster::SnapshotError> errors;
  cluster::SnapshotClusterView view = cluster::parse_snapshot(kCluster, errors);
  int status = 200;  // what the server answers next
  test::FaultServer server{[this](const test::Request&) {
    test::Response r;
    r.status = status;
    r.body = status == 200 ? "{}" : R"({"kind":"Status","message":"no"})";
    return r;
  }};
  k8s::ApiExecutor executor{connection(server.url()), view};

  Fixture() { BOOST_REQUIRE(errors.empty()); }
  static k8s::Connection connection(std::string server) {
    k8s::Connection c;
    c.server = std::move(server);
    c.credentials.bearer_token = "t0ken";
    return c;
  }
};

safety::ActionRequest request(std::string action, std::string kind, std::string name,
                              std::vector<safety::Argument> arguments = {}) {
  safety::ActionRequest r;
  r.id = "0123456789abcdef0123456789abcdef";
  r.policy = "p";
  r.trigger = "t";
  r.action = std::move(action);
  r.target.kind = std::move(kind);
  r.target.namespace_name = "demo";
  r.target.name = std::move(name);
  r.arguments = std::move(arguments);
  return r;
}

constexpr std::int64_t kNow = 1'700'000'000'000;

}  // namespace

BOOST_FIXTURE_TEST_CASE(each_action_reaches_the_api_server_as_planned, Fixture) {
  auto result = executor.execute(request("restart", "Deployment", "web"), kNow);
  BOOST_TEST(result.status == ExecutionStatus::Success);
  BOOST_TEST(result.message == "rollout restart of Deployment demo/web");
  auto sent = server.requests();
  BOOST_REQUIRE(sent.size() == 1u);
  BOOST_TEST(sent[0].method == "PATCH");
  BOOST_TEST(sent[0].path == "/apis/apps/v1/namespaces/demo/deployments/web");
  BOOST_TEST(sent[0].headers["content-type"] == "application/strategic-merge-patch+json");
  BOOST_TEST(sent[0].headers["authorization"] == "Bearer t0ken");
  BOOST_TEST(
      sent[0].body ==
      R"({"spec":{"template":{"metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":"2023-11-14T22:13:20.000Z"}}}}})");

  executor.execute(
      request("scale", "Pod", "web-a", {{"by", "1"}, {"of", "\"owner\""}, {"max", "5"}}), kNow);
  executor.execute(request("evict", "Pod", "web-b"), kNow);
  executor.execute(request("delete", "Pod", "lonely", {{"grace", "30"}}), kNow);
  executor.execute(request("restart", "Deployment", "web", {{"strategy", "\"recreate\""}}), kNow);
  sent = server.requests();
  BOOST_REQUIRE(sent.size() == 6u);
  BOOST_TEST(sent[1].method == "PATCH");
  BOOST_TEST(sent[1].path == "/apis/apps/v1/namespaces/demo/deployments/web/scale");
  BOOST_TEST(sent[1].body == R"({"spec":{"replicas":3}})");
  BOOST_TEST(sent[2].method == "POST");
  BOOST_TEST(sent[2].path == "/api/v1/namespaces/demo/pods/web-b/eviction");
  BOOST_TEST(sent[2].body.find(R"("apiVersion":"policy/v1","kind":"Eviction")") !=
             std::string::npos);
  BOOST_TEST(sent[3].method == "DELETE");
  BOOST_TEST(sent[3].path == "/api/v1/namespaces/demo/pods/lonely");
  BOOST_TEST(sent[3].body.find(R"("gracePeriodSeconds":30)") != std::string::npos);
  BOOST_TEST(sent[4].path == "/api/v1/namespaces/demo/pods/web-a");  // recreate: every pod
  BOOST_TEST(sent[5].path == "/api/v1/namespaces/demo/pods/web-b");
  BOOST_TEST(executor.last_requests().size() == 2u);
}

BOOST_FIXTURE_TEST_CASE(notify_posts_its_event_to_a_loopback_receiver, Fixture) {
  test::FaultServer receiver([](const test::Request&) { return test::Response{}; });
  auto r = request("notify", "Pod", "web-a",
                   {{"webhook", "\"" + receiver.url() + "/hooks/skippy\""}, {"message", "\"hi\""}});
  auto result = executor.execute(r, kNow);
  BOOST_TEST(result.status == ExecutionStatus::Success);
  BOOST_TEST(server.requests().empty());  // nothing for the API server
  auto got = receiver.requests();
  BOOST_REQUIRE(got.size() == 1u);
  BOOST_TEST(got[0].method == "POST");
  BOOST_TEST(got[0].path == "/hooks/skippy");
  BOOST_TEST(got[0].headers["content-type"] == "application/json");
  BOOST_TEST(got[0].headers.count("authorization") == 0u);  // the cluster's token stays home
  BOOST_TEST(got[0].body.find(R"("id":"0123456789abcdef0123456789abcdef")") != std::string::npos);
  BOOST_TEST(got[0].body.find(R"("message":"hi")") != std::string::npos);
  BOOST_TEST(got[0].body.find(R"("name":"web-a")") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(answers_are_classified_for_the_retry_rules, Fixture) {
  status = 503;
  auto r = executor.execute(request("restart", "Deployment", "web"), kNow);
  BOOST_TEST(r.status == ExecutionStatus::TransientFailure);
  BOOST_TEST(r.message.find("PATCH " + server.url() +
                            "/apis/apps/v1/namespaces/demo/deployments/web: 503") !=
             std::string::npos);
  status = 429;  // an eviction a PodDisruptionBudget refuses
  BOOST_TEST(executor.execute(request("evict", "Pod", "web-a"), kNow).status ==
             ExecutionStatus::TransientFailure);
  status = 403;
  BOOST_TEST(executor.execute(request("restart", "Deployment", "web"), kNow).status ==
             ExecutionStatus::PermanentFailure);
  status = 404;  // the pod is already gone: what a delete asks for
  BOOST_TEST(executor.execute(request("delete", "Pod", "web-a"), kNow).status ==
             ExecutionStatus::Success);
  BOOST_TEST(
      executor
          .execute(request("annotate", "Pod", "web-a", {{"key", "\"k\""}, {"value", "\"v\""}}),
                   kNow)
          .status == ExecutionStatus::PermanentFailure);  // a 404 on a PATCH is not
  // The recreate of two pods stops at the first failure.
  status = 500;
  server.requests();
  std::size_t before = server.requests().size();
  BOOST_TEST(
      executor
          .execute(request("restart", "Deployment", "web", {{"strategy", "\"recreate\""}}), kNow)
          .status == ExecutionStatus::TransientFailure);
  BOOST_TEST(server.requests().size() == before + 1);
}

BOOST_FIXTURE_TEST_CASE(no_answer_is_transient_and_a_missing_target_sends_nothing, Fixture) {
  auto gone = executor.execute(request("restart", "Pod", "web-z"), kNow);
  BOOST_TEST(gone.status == ExecutionStatus::PermanentFailure);
  BOOST_TEST(gone.message == "restart: Pod demo/web-z is no longer in the cluster");
  auto bad =
      executor.execute(request("scale", "Deployment", "web", {{"to", "{\"unknown\":1}"}}), kNow);
  BOOST_TEST(bad.status == ExecutionStatus::PermanentFailure);
  BOOST_TEST(server.requests().empty());
  server.stop();  // the API server is down: no answer
  auto down = executor.execute(request("restart", "Deployment", "web"), kNow);
  BOOST_TEST(down.status == ExecutionStatus::TransientFailure);
  BOOST_TEST(down.message.find("rollout restart of Deployment demo/web: PATCH ") == 0u);
}
