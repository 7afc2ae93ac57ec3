// The API client against a loopback server that answers as each test scripts: transient
// answers are retried with backoff (Retry-After honoured, waits recorded, not slept), a
// caller's mistake is not, errors read as the server's Status says; update() reads fresh state
// after a conflict. And the in-cluster connection from a service account directory.
#define BOOST_TEST_MODULE api_client
#include <boost/test/unit_test.hpp>

#include <cstdlib>

#include "k8s-adapter/api_client.hpp"
#include "k8s-adapter/in_cluster.hpp"
#include "tests/runtime/prometheus/support.hpp"

using namespace skippy;

namespace {

k8s::Connection connection(std::string server) {
  k8s::Connection c;
  c.server = std::move(server);
  c.credentials.bearer_token = "t0ken";
  return c;
}

k8s::ApiClientOptions recording(const test::RecordingSleep& sleep) {
  k8s::ApiClientOptions o;
  o.sleep = sleep.fn();
  o.timeout_ms = 2'000;
  return o;
}

test::Response status(int code, const std::string& reason, const std::string& message) {
  test::Response r;
  r.status = code;
  r.body = R"({"kind":"Status","apiVersion":"v1","status":"Failure","message":")" + message +
           R"(","reason":")" + reason + R"(","code":)" + std::to_string(code) + "}";
  return r;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_503_is_retried_after_a_backoff) {
  int calls = 0;
  test::FaultServer server([&](const test::Request&) {
    if (++calls == 1) return status(503, "ServiceUnavailable", "etcd is busy");
    test::Response r;
    r.body = R"({"kind":"Pod"})";
    return r;
  });
  test::RecordingSleep sleep;
  k8s::ApiClient client(connection(server.url()), recording(sleep));
  auto result = client.get("/api/v1/namespaces/x/pods/y");
  BOOST_TEST(result.ok(), result.error);
  BOOST_TEST(result.status == 200);
  BOOST_TEST(result.attempts == 2);
  BOOST_TEST(result.body == R"({"kind":"Pod"})");
  BOOST_TEST(*sleep.waits == std::vector<std::int64_t>{200});
  BOOST_TEST(server.requests()[0].headers["authorization"] == "Bearer t0ken");
}

BOOST_AUTO_TEST_CASE(retry_after_is_honoured_and_attempts_are_bounded) {
  test::FaultServer server([&](const test::Request&) {
    auto r = status(429, "TooManyRequests", "slow down");
    r.headers.push_back("Retry-After: 3");
    return r;
  });
  test::RecordingSleep sleep;
  auto options = recording(sleep);
  options.max_attempts = 3;
  k8s::ApiClient client(connection(server.url()), options);
  auto result = client.get("/api/v1/pods");
  BOOST_TEST(!result.ok());
  BOOST_TEST(result.attempts == 3);
  BOOST_TEST(*sleep.waits == (std::vector<std::int64_t>{3000, 3000}));  // more than 200, 400
  BOOST_TEST(result.error == "GET /api/v1/pods: 429 TooManyRequests: slow down (after 3 attempts)");
}

BOOST_AUTO_TEST_CASE(backoff_doubles_up_to_its_cap) {
  test::FaultServer server([&](const test::Request&) {
    test::Response r;
    r.status = 500;
    r.body = "oops";
    return r;
  });
  test::RecordingSleep sleep;
  auto options = recording(sleep);
  options.max_attempts = 5;
  options.backoff_max_ms = 500;
  k8s::ApiClient client(connection(server.url()), options);
  auto result = client.get("/api/v1/pods");
  BOOST_TEST(*sleep.waits == (std::vector<std::int64_t>{200, 400, 500, 500}));
  BOOST_TEST(result.error == "GET /api/v1/pods: 500: oops (after 5 attempts)");
}

BOOST_AUTO_TEST_CASE(a_caller_mistake_is_not_retried_and_reads_as_the_status_says) {
  test::FaultServer server(
      [&](const test::Request&) { return status(404, "NotFound", R"(pods \"y\" not found)"); });
  test::RecordingSleep sleep;
  k8s::ApiClient client(connection(server.url()), recording(sleep));
  auto result = client.get("/api/v1/namespaces/x/pods/y");
  BOOST_TEST(result.status == 404);
  BOOST_TEST(result.attempts == 1);
  BOOST_TEST(sleep.waits->empty());
  BOOST_TEST(result.error ==
             R"(GET /api/v1/namespaces/x/pods/y: 404 NotFound: pods "y" not found)");
  BOOST_TEST(!k8s::retryable_status(501));
  BOOST_TEST(!k8s::retryable_status(505));
  BOOST_TEST(!k8s::retryable_status(403));
  BOOST_TEST(k8s::retryable_status(0));
  BOOST_TEST(k8s::retryable_status(502));
}

BOOST_AUTO_TEST_CASE(no_answer_is_retried_within_the_deadline) {
  test::FaultServer server([](const test::Request&) { return test::Response{}; });
  std::string url = server.url();
  server.stop();  // nothing listens there now
  test::RecordingSleep sleep;
  auto options = recording(sleep);
  std::int64_t now = 0;
  options.clock_ms = [&] { return now; };
  options.sleep = [&](std::chrono::milliseconds d) {
    sleep.waits->push_back(d.count());
    now += d.count();
  };
  options.deadline_ms = 1'000;
  k8s::ApiClient client(connection(url), options);
  auto result = client.get("/api/v1/pods");
  BOOST_TEST(result.status == 0);
  BOOST_TEST(*sleep.waits == (std::vector<std::int64_t>{200, 400}));  // 800 more would reach 1000
  BOOST_TEST(result.error.find("no time for another within the deadline of 1000 ms") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_conflict_is_retried_on_fresh_state) {
  int version = 1;
  int puts = 0;
  test::FaultServer server([&](const test::Request& r) {
    test::Response out;
    if (r.method == "GET") {
      out.body = R"({"metadata":{"resourceVersion":")" + std::to_string(version) + R"("}})";
    } else if (++puts == 1) {
      ++version;  // someone else wrote in between
      out = status(409, "Conflict", "the object has been modified");
    } else {
      out.body = r.body;
    }
    return out;
  });
  test::RecordingSleep sleep;
  k8s::ApiClient client(connection(server.url()), recording(sleep));
  std::vector<std::string> seen;
  auto result = client.update("/apis/apps/v1/namespaces/d/deployments/web",
                              [&](std::string_view current, std::string&) {
                                seen.emplace_back(current);
                                return std::optional<std::string>(std::string(current));
                              });
  BOOST_TEST(result.ok(), result.error);
  BOOST_TEST(result.attempts == 4);  // GET, PUT 409, GET, PUT
  BOOST_REQUIRE(seen.size() == 2u);
  BOOST_TEST(seen[1] == R"({"metadata":{"resourceVersion":"2"}})");
  auto sent = server.requests();
  BOOST_TEST(sent.back().method == "PUT");
  BOOST_TEST(sent.back().body == seen[1]);
  BOOST_TEST(sent.back().headers["content-type"] == "application/json");

  // A change that refuses sends nothing and says why.
  auto refused = client.update("/apis/apps/v1/namespaces/d/deployments/web",
                               [](std::string_view, std::string& why) {
                                 why = "replicas would go below 1";
                                 return std::optional<std::string>();
                               });
  BOOST_TEST(refused.error ==
             "PUT /apis/apps/v1/namespaces/d/deployments/web: replicas would go below 1");
}

BOOST_AUTO_TEST_CASE(in_cluster_connection_from_the_service_account) {
  test::TempDir dir("skippy-sa");
  ::unsetenv("KUBERNETES_SERVICE_HOST");
  auto outside = k8s::in_cluster_connection(dir.path().string());
  BOOST_REQUIRE(std::holds_alternative<std::string>(outside));
  BOOST_TEST(std::get<std::string>(outside).find("not in a cluster") == 0u);

  ::setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1", 1);
  ::setenv("KUBERNETES_SERVICE_PORT", "443", 1);
  auto no_token = k8s::in_cluster_connection(dir.path().string());
  BOOST_REQUIRE(std::holds_alternative<std::string>(no_token));
  BOOST_TEST(std::get<std::string>(no_token) ==
             "cannot read the service account token `" + (dir.path() / "token").string() + "`");

  test::write_file(dir.path() / "token", "ey.token\n");
  test::write_file(dir.path() / "ca.crt", "-----BEGIN CERTIFICATE-----\n");
  test::write_file(dir.path() / "namespace", "skippy-system");
  auto in = k8s::in_cluster_connection(dir.path().string());
  BOOST_REQUIRE(std::holds_alternative<k8s::Connection>(in));
  const auto& c = std::get<k8s::Connection>(in);
  BOOST_TEST(c.server == "https://10.96.0.1:443");
  BOOST_TEST(c.credentials.bearer_token == "ey.token");
  BOOST_TEST(c.credentials.ca_file == (dir.path() / "ca.crt").string());
  BOOST_TEST(c.namespace_name == "skippy-system");

  ::setenv("KUBERNETES_SERVICE_HOST", "fd00::1", 1);
  BOOST_TEST(std::get<k8s::Connection>(k8s::in_cluster_connection(dir.path().string())).server ==
             "https://[fd00::1]:443");
  ::unsetenv("KUBERNETES_SERVICE_HOST");
  ::unsetenv("KUBERNETES_SERVICE_PORT");
}
