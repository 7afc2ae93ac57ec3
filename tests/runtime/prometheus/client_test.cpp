// The client against a fault-injecting HTTP server of the test's own on 127.0.0.1: the request
// it sends (form POST, explicit time, auth headers, gzip), connection reuse, bounded
// concurrency, and every fault: 5xx then 200, 429 with Retry-After, 4xx (never retried),
// truncated and invalid JSON, a cut connection, a response slower than the timeout, and a
// refused connection. Backoff waits are recorded, not slept.
#define BOOST_TEST_MODULE prometheus_client
#include <boost/test/unit_test.hpp>

#include <atomic>

#include "runtime/prometheus/client.hpp"
#include "tests/runtime/prometheus/printers.hpp"
#include "tests/runtime/prometheus/support.hpp"

namespace pm = skippy::prometheus;
using skippy::test::FaultServer;
using skippy::test::RecordingSleep;
using skippy::test::Request;
using skippy::test::Response;
using namespace std::chrono_literals;

namespace {

std::string vector_body(const std::string& value) {
  return R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"up","job":"x"},"value":[1700000000.123,")" +
         value + R"("]}]}})";
}

const std::string kOk = vector_body("1");
const std::string kBadData =
    R"({"status":"error","errorType":"bad_data","error":"1:3: parse error: unexpected end of input"})";

pm::ClientOptions options_for(const FaultServer& server, const RecordingSleep& sleep) {
  pm::ClientOptions o;
  o.base_url = server.url();
  o.timeout_ms = 5000;
  o.retries = 2;
  o.backoff_initial_ms = 100;
  o.backoff_max_ms = 1000;
  o.sleep = sleep.fn();
  return o;
}

Response ok_response(const std::string& body = kOk) {
  Response r;
  r.body = body;
  return r;
}

// Answers the scripted responses in turn, then the last one forever.
FaultServer::Handler script(std::vector<Response> responses) {
  auto state = std::make_shared<std::pair<std::vector<Response>, std::atomic<std::size_t>>>(
      std::move(responses), 0);
  return [state](const Request&) {
    std::size_t i = state->second++;
    return state->first[std::min(i, state->first.size() - 1)];
  };
}

// An answer 10 s late (cut short when the server stops).
Response late() {
  Response r = ok_response();
  r.delay = 10s;
  return r;
}

// client.query("up", 1) and how long it took.
std::pair<pm::Outcome, std::chrono::steady_clock::duration> timed_query(pm::Client& client) {
  auto t0 = std::chrono::steady_clock::now();
  auto out = client.query("up", 1);
  return {std::move(out), std::chrono::steady_clock::now() - t0};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(requests)

BOOST_AUTO_TEST_CASE(instant_query_is_a_form_post_with_the_given_time) {
  FaultServer server([](const Request&) {
    Response r = ok_response();
    r.gzip = true;
    return r;
  });
  RecordingSleep sleep;
  pm::Client client(options_for(server, sleep));
  auto out = client.query(
      "sum by (job) (rate(http_requests_total{code=~\"5..\"}[5m])) > 0.5 & on() up", 1700000000123);
  BOOST_REQUIRE_MESSAGE(out.ok(), pm::why(out));
  BOOST_TEST(out.attempts == 1);
  BOOST_TEST(out.result().size() == 1u);
  BOOST_TEST(out.result()[0].samples[0].time_ms == 1700000000123);
  auto requests = server.requests();
  BOOST_REQUIRE(requests.size() == 1u);
  const Request& r = requests[0];
  BOOST_TEST(r.method == "POST");
  BOOST_TEST(r.path == "/api/v1/query");
  BOOST_TEST(r.headers.at("content-type") == "application/x-www-form-urlencoded");
  BOOST_TEST(r.headers.at("accept-encoding").find("gzip") != std::string::npos);
  BOOST_TEST(r.headers.at("user-agent") == "skippy-prometheus-client/0.1");
  BOOST_TEST(r.form("query") ==
             "sum by (job) (rate(http_requests_total{code=~\"5..\"}[5m])) > 0.5 & on() up");
  BOOST_TEST(r.form("time") == "1700000000.123");
  BOOST_TEST(r.form("timeout") == "5.000");
  BOOST_TEST(!r.headers.contains("authorization"));
  BOOST_TEST(sleep.waits->empty());
}

BOOST_AUTO_TEST_CASE(range_query_parameters) {
  FaultServer server([](const Request&) {
    return ok_response(
        R"({"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[10,"1"],[25,"2"]]}]}})");
  });
  RecordingSleep sleep;
  pm::Client client(options_for(server, sleep));
  auto out = client.query_range("up", 1700000000000, 1700000600000, 15000);
  BOOST_REQUIRE_MESSAGE(out.ok(), pm::why(out));
  BOOST_TEST(out.result().type() == pm::ResultType::Matrix);
  BOOST_TEST(out.result().sample_count() == 2u);
  auto r = server.requests().at(0);
  BOOST_TEST(r.path == "/api/v1/query_range");
  BOOST_TEST(r.form("start") == "1700000000.000");
  BOOST_TEST(r.form("end") == "1700000600.000");
  BOOST_TEST(r.form("step") == "15.000");
}

BOOST_AUTO_TEST_CASE(base_url_with_a_path_prefix) {
  FaultServer server([](const Request&) { return ok_response(); });
  RecordingSleep sleep;
  auto o = options_for(server, sleep);
  o.base_url = server.url() + "/prometheus/";
  pm::Client client(o);
  BOOST_TEST(client.query("up", 0).ok());
  BOOST_TEST(server.requests().at(0).path == "/prometheus/api/v1/query");
}

BOOST_AUTO_TEST_CASE(long_queries_fit) {
  FaultServer server([](const Request&) { return ok_response(); });
  RecordingSleep sleep;
  pm::Client client(options_for(server, sleep));
  std::string promql = "up{pod=~\"";
  for (int i = 0; i < 10000; ++i) promql += "pod-" + std::to_string(i) + "|";
  promql += "x\"}";
  BOOST_TEST(client.query(promql, 1).ok());
  BOOST_TEST(server.requests().at(0).form("query") == promql);
}

BOOST_AUTO_TEST_CASE(bearer_token) {
  FaultServer server([](const Request&) { return ok_response(); });
  RecordingSleep sleep;
  auto o = options_for(server, sleep);
  o.bearer_token = "s3cr3t-token";
  o.basic_user = "ignored";  // the token wins
  o.headers = {"X-Scope-OrgID: team-a"};
  pm::Client client(o);
  BOOST_TEST(client.query("up", 1).ok());
  auto r = server.requests().at(0);
  BOOST_TEST(r.headers.at("authorization") == "Bearer s3cr3t-token");
  BOOST_TEST(r.headers.at("x-scope-orgid") == "team-a");
}

BOOST_AUTO_TEST_CASE(basic_auth) {
  FaultServer server([](const Request&) { return ok_response(); });
  RecordingSleep sleep;
  auto o = options_for(server, sleep);
  o.basic_user = "alice";
  o.basic_password = "pa:ss";
  pm::Client client(o);
  BOOST_TEST(client.query("up", 1).ok());
  BOOST_TEST(server.requests().at(0).headers.at("authorization") ==
             "Basic YWxpY2U6cGE6c3M=");  // alice:pa:ss
}

BOOST_AUTO_TEST_CASE(tls_options_reach_curl) {
  // No TLS server here: a missing CA file must fail at once, as a transport error, unretried.
  FaultServer server([](const Request&) { return ok_response(); });
  RecordingSleep sleep;
  auto o = options_for(server, sleep);
  o.base_url = "https://127.0.0.1:" + std::to_string(server.port());
  o.ca_file = "/nonexistent/ca.pem";
  pm::Client client(o);
  auto out = client.query("up", 1);
  BOOST_REQUIRE(!out.ok());
  BOOST_TEST(out.error().kind == pm::Error::Kind::Transport);
  BOOST_TEST(out.attempts == 1);
}

BOOST_AUTO_TEST_CASE(connections_are_reused) {
  FaultServer server([](const Request&) { return ok_response(); });
  RecordingSleep sleep;
  pm::Client client(options_for(server, sleep));
  for (int i = 0; i < 5; ++i) {
    auto out = client.query("up", 1000 * i);
    BOOST_REQUIRE(out.ok());
    BOOST_TEST(out.connections_opened == (i == 0 ? 1 : 0));
  }
  std::vector<std::string> queries = {"a", "b", "c"};
  auto many = client.query_many(queries, 5000);
  BOOST_TEST(server.connections() <= 3);
  BOOST_TEST(server.requests().size() == 8u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(concurrency)

BOOST_AUTO_TEST_CASE(query_many_is_concurrent_bounded_and_ordered) {
  // Each answer carries its query's number; every answer takes 100 ms.
  FaultServer server([](const Request& r) {
    Response resp = ok_response(vector_body(r.form("query").substr(2)));
    resp.delay = 100ms;
    return resp;
  });
  RecordingSleep sleep;
  auto o = options_for(server, sleep);
  o.max_concurrency = 4;
  pm::Client client(o);
  std::vector<std::string> queries;
  for (int i = 0; i < 16; ++i) queries.push_back("q_" + std::to_string(i));
  auto t0 = std::chrono::steady_clock::now();
  auto outcomes = client.query_many(queries, 1700000000000);
  auto elapsed = std::chrono::steady_clock::now() - t0;
  BOOST_REQUIRE(outcomes.size() == 16u);
  for (int i = 0; i < 16; ++i) {
    BOOST_REQUIRE_MESSAGE(outcomes[i].ok(), pm::why(outcomes[i]));
    BOOST_TEST(outcomes[i].result()[0].samples[0].value == i);
  }
  BOOST_TEST(server.max_in_flight() <= 4);
  BOOST_TEST(server.max_in_flight() >= 2);  // 4 unless the machine is very busy
  BOOST_TEST(server.connections() <= 4);
  // Four waves of 100 ms, not sixteen.
  BOOST_TEST(elapsed < 1200ms);
  for (const auto& r : server.requests()) BOOST_TEST(r.form("time") == "1700000000.000");
}

BOOST_AUTO_TEST_CASE(query_many_retries_only_what_failed) {
  // "flaky" fails once with 502, "bad" is a 400, the rest succeed at once.
  auto flaky_seen = std::make_shared<std::atomic<int>>(0);
  FaultServer server([flaky_seen](const Request& r) {
    std::string q = r.form("query");
    if (q == "flaky" && (*flaky_seen)++ == 0) {
      Response resp;
      resp.status = 502;
      resp.body = "<html>bad gateway</html>";
      return resp;
    }
    if (q == "bad") {
      Response resp;
      resp.status = 400;
      resp.body = kBadData;
      return resp;
    }
    return ok_response();
  });
  RecordingSleep sleep;
  pm::Client client(options_for(server, sleep));
  std::vector<std::string> queries = {"good", "flaky", "bad", "good2"};
  auto outcomes = client.query_many(queries, 1);
  BOOST_TEST(outcomes[0].ok());
  BOOST_TEST(outcomes[0].attempts == 1);
  BOOST_TEST(outcomes[1].ok());
  BOOST_TEST(outcomes[1].attempts == 2);
  BOOST_REQUIRE(!outcomes[2].ok());
  BOOST_TEST(outcomes[2].error().kind == pm::Error::Kind::Prometheus);
  BOOST_TEST(outcomes[2].attempts == 1);
  BOOST_TEST(outcomes[3].ok());
  BOOST_TEST(server.requests().size() == 5u);
  BOOST_TEST(*sleep.waits == std::vector<std::int64_t>{100});
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(faults)

BOOST_AUTO_TEST_CASE(server_error_then_success_is_retried) {
  Response fail;
  fail.status = 500;
  fail.body = "internal error";
  FaultServer server(script({fail, ok_response()}));
  RecordingSleep sleep;
  pm::Client client(options_for(server, sleep));
  auto out = client.query("up", 1);
  BOOST_REQUIRE_MESSAGE(out.ok(), pm::why(out));
  BOOST_TEST(out.attempts == 2);
  BOOST_TEST(*sleep.waits == std::vector<std::int64_t>{100});
}

BOOST_AUTO_TEST_CASE(backoff_doubles_up_to_the_cap) {
  Response fail;
  fail.status = 503;
  fail.body = R"({"status":"error","errorType":"unavailable","error":"too many queries"})";
  FaultServer server(script({fail}));
  RecordingSleep sleep;
  auto o = options_for(server, sleep);
  o.retries = 4;
  o.backoff_initial_ms = 100;
  o.backoff_max_ms = 300;
  pm::Client client(o);
  auto out = client.query("up", 1);
  BOOST_REQUIRE(!out.ok());
  BOOST_TEST(out.attempts == 5);
  BOOST_TEST(*sleep.waits == (std::vector<std::int64_t>{100, 200, 300, 300}));
  const auto& e = out.error();
  BOOST_TEST(e.kind == pm::Error::Kind::Prometheus);
  BOOST_TEST(e.http_status == 503);
  BOOST_TEST(e.error_type == "unavailable");
  BOOST_TEST(e.message.find("HTTP 503: unavailable: too many queries") != std::string::npos,
             e.message);
  BOOST_TEST(e.message.find("after 5 attempts") != std::string::npos, e.message);
  BOOST_TEST(server.requests().size() == 5u);
}

BOOST_AUTO_TEST_CASE(too_many_requests_honours_retry_after) {
  Response busy;
  busy.status = 429;
  busy.headers = {"Retry-After: 2"};
  busy.body = "slow down";
  FaultServer server(script({busy, ok_response()}));
  RecordingSleep sleep;
  auto o = options_for(server, sleep);
  o.backoff_max_ms = 5000;
  pm::Client client(o);
  auto out = client.query("up", 1);
  BOOST_REQUIRE_MESSAGE(out.ok(), pm::why(out));
  BOOST_TEST(out.attempts == 2);
  BOOST_TEST(*sleep.waits == std::vector<std::int64_t>{2000});
}

BOOST_AUTO_TEST_CASE(retry_after_as_a_date_is_measured_against_the_response_date) {
  Response busy;
  busy.status = 503;
  busy.headers = {"Date: Wed, 21 Oct 2015 07:28:00 GMT",
                  "Retry-After: Wed, 21 Oct 2015 07:28:03 GMT"};
  FaultServer server(script({busy, ok_response()}));
  RecordingSleep sleep;
  auto o = options_for(server, sleep);
  o.backoff_max_ms = 5000;
  pm::Client client(o);
  BOOST_TEST(client.query("up", 1).ok());
  BOOST_TEST(*sleep.waits == std::vector<std::int64_t>{3000});
}

BOOST_AUTO_TEST_CASE(retry_after_beyond_the_cap_is_not_waited_for) {
  Response busy;
  busy.status = 429;
  busy.headers = {"Retry-After: 3600"};
  FaultServer server(script({busy, ok_response()}));
  RecordingSleep sleep;
  pm::Client client(options_for(server, sleep));
  auto out = client.query("up", 1);
  BOOST_REQUIRE(!out.ok());
  BOOST_TEST(out.attempts == 1);
  BOOST_TEST(out.error().kind == pm::Error::Kind::Http);
  BOOST_TEST(out.error().http_status == 429);
  BOOST_TEST(out.error().message.find("Retry-After 3600000 ms exceeds backoff_max_ms") !=
                 std::string::npos,
             out.error().message);
  BOOST_TEST(sleep.waits->empty());
}

BOOST_AUTO_TEST_CASE(client_errors_are_never_retried) {
  Response bad;
  bad.status = 400;
  bad.body = kBadData;
  FaultServer server(script({bad, ok_response()}));
  RecordingSleep sleep;
  pm::Client client(options_for(server, sleep));
  auto out = client.query("up{", 1);
  BOOST_REQUIRE(!out.ok());
  BOOST_TEST(out.attempts == 1);
  const auto& e = out.error();
  BOOST_TEST(e.kind == pm::Error::Kind::Prometheus);
  BOOST_TEST(e.http_status == 400);
  BOOST_TEST(e.error_type == "bad_data");
  BOOST_TEST(e.message ==
             "POST " + server.url() +
                 "/api/v1/query: HTTP 400: bad_data: 1:3: parse error: unexpected end of input");
  BOOST_TEST(sleep.waits->empty());

  Response forbidden;
  forbidden.status = 403;
  forbidden.body = "<html>Forbidden</html>";
  FaultServer proxy(script({forbidden, ok_response()}));
  pm::Client behind_proxy(options_for(proxy, sleep));
  auto denied = behind_proxy.query("up", 1);
  BOOST_REQUIRE(!denied.ok());
  BOOST_TEST(denied.attempts == 1);
  BOOST_TEST(denied.error().kind == pm::Error::Kind::Http);
  BOOST_TEST(denied.error().message.find("HTTP 403: <html>Forbidden</html>") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(truncated_json_is_a_located_decode_error) {
  std::string body = kOk.substr(0, kOk.size() - 10);
  FaultServer server(script({ok_response(body), ok_response()}));
  RecordingSleep sleep;
  pm::Client client(options_for(server, sleep));
  auto out = client.query("up", 1);
  BOOST_REQUIRE(!out.ok());
  BOOST_TEST(out.attempts == 1);  // a bad body is not retried
  const auto& e = out.error();
  BOOST_TEST(e.kind == pm::Error::Kind::Decode);
  BOOST_TEST(e.http_status == 200);
  BOOST_TEST(e.decode_offset <= body.size());
  BOOST_TEST(e.message.find("invalid response body: byte ") != std::string::npos, e.message);
  BOOST_TEST(e.message.find("truncated JSON") != std::string::npos, e.message);
}

BOOST_AUTO_TEST_CASE(invalid_json_is_a_decode_error) {
  for (std::string body : {std::string("<html><body>hello</body></html>"),
                           std::string("{\"status\":\"success\",\"data\":{]}"), std::string(""),
                           std::string("\x1f\x8b\x08 not really gzip")}) {
    FaultServer server([body](const Request&) { return ok_response(body); });
    RecordingSleep sleep;
    pm::Client client(options_for(server, sleep));
    auto out = client.query("up", 1);
    BOOST_REQUIRE(!out.ok());
    BOOST_TEST(out.error().kind == pm::Error::Kind::Decode, out.error().message);
    BOOST_TEST(out.attempts == 1);
  }
}

BOOST_AUTO_TEST_CASE(a_cut_connection_is_a_retried_transport_error) {
  Response cut = ok_response(kOk.substr(0, 40));
  cut.declared_length = kOk.size();  // promises more, then closes
  Response hang_up;
  hang_up.hang_up = true;
  FaultServer server(script({cut, hang_up, ok_response()}));
  RecordingSleep sleep;
  pm::Client client(options_for(server, sleep));
  auto out = client.query("up", 1);
  BOOST_REQUIRE_MESSAGE(out.ok(), pm::why(out));
  BOOST_TEST(out.attempts == 3);
  BOOST_TEST(*sleep.waits == (std::vector<std::int64_t>{100, 200}));

  FaultServer always_cut(script({cut}));
  pm::Client client2(options_for(always_cut, sleep));
  auto failed = client2.query("up", 1);
  BOOST_REQUIRE(!failed.ok());
  BOOST_TEST(failed.error().kind == pm::Error::Kind::Transport);
  BOOST_TEST(failed.error().http_status == 0);
  BOOST_TEST(failed.attempts == 3);
}

BOOST_AUTO_TEST_CASE(a_slow_server_times_out) {
  FaultServer server(script({late(), late(), ok_response()}));
  RecordingSleep sleep;
  auto o = options_for(server, sleep);
  o.timeout_ms = 200;
  o.retries = 1;
  pm::Client client(o);
  auto [out, elapsed] = timed_query(client);
  BOOST_REQUIRE(!out.ok());
  BOOST_TEST(out.error().kind == pm::Error::Kind::Timeout);
  BOOST_TEST(out.error().message.find("no complete response within 200 ms") != std::string::npos,
             out.error().message);
  BOOST_TEST(out.attempts == 2);
  BOOST_TEST(elapsed < 2s);
  BOOST_TEST(server.requests().at(0).form("timeout") == "0.200");
  // The next call goes through (the slow ones were abandoned).
  auto next = client.query("up", 1);
  BOOST_TEST(next.ok());
}

BOOST_AUTO_TEST_CASE(a_deadline_cuts_a_slow_attempt_short_and_leaves_no_retry) {
  FaultServer server(script({late(), ok_response()}));
  RecordingSleep sleep;
  auto o = options_for(server, sleep);
  o.timeout_ms = 5000;
  o.deadline_ms = 400;
  pm::Client client(o);
  auto [out, elapsed] = timed_query(client);
  BOOST_REQUIRE(!out.ok());
  BOOST_TEST(out.error().kind == pm::Error::Kind::Timeout);
  BOOST_TEST(out.error().message.find("no complete response within 400 ms") != std::string::npos,
             out.error().message);
  BOOST_TEST(out.error().message.find("no time for a retry within the deadline of 400 ms") !=
                 std::string::npos,
             out.error().message);
  BOOST_TEST(out.attempts == 1);
  BOOST_TEST(sleep.waits->empty());
  BOOST_TEST(elapsed >= 390ms);
  BOOST_TEST(elapsed < 1500ms);
  BOOST_TEST(server.requests().at(0).form("timeout") == "5.000");  // the server's own limit
}

BOOST_AUTO_TEST_CASE(retries_go_on_while_the_deadline_leaves_time_for_them) {
  Response unavailable;
  unavailable.status = 503;
  FaultServer server(script({unavailable, unavailable, ok_response()}));
  RecordingSleep sleep;
  auto o = options_for(server, sleep);
  o.deadline_ms = 5000;
  pm::Client client(o);
  auto out = client.query("up", 1);
  BOOST_REQUIRE_MESSAGE(out.ok(), pm::why(out));
  BOOST_TEST(out.attempts == 3);
  BOOST_TEST(*sleep.waits == (std::vector<std::int64_t>{100, 200}));

  // A backoff that would end past the deadline is not waited for.
  FaultServer always(script({unavailable}));
  RecordingSleep no_sleep;
  auto late = options_for(always, no_sleep);
  late.backoff_initial_ms = 1000;
  late.deadline_ms = 500;
  pm::Client client2(late);
  auto failed = client2.query("up", 1);
  BOOST_REQUIRE(!failed.ok());
  BOOST_TEST(failed.error().http_status == 503);
  BOOST_TEST(failed.attempts == 1);
  BOOST_TEST(no_sleep.waits->empty());
  BOOST_TEST(failed.error().message.find("no time for a retry within the deadline of 500 ms") !=
                 std::string::npos,
             failed.error().message);
}

BOOST_AUTO_TEST_CASE(a_deadline_bounds_query_many_whatever_the_slow_query) {
  // One slow query among fast ones: every outcome is in by the deadline, the fast ones ok.
  FaultServer server([](const Request& r) {
    Response out = ok_response();
    if (r.form("query") == "slow") out.delay = 10s;
    return out;
  });
  RecordingSleep sleep;
  auto o = options_for(server, sleep);
  o.timeout_ms = 600;
  o.deadline_ms = 600;
  pm::Client client(o);
  std::vector<std::string> queries = {"a", "slow", "b", "c"};
  auto t0 = std::chrono::steady_clock::now();
  auto outcomes = client.query_many(queries, 1);
  auto elapsed = std::chrono::steady_clock::now() - t0;
  BOOST_REQUIRE(outcomes.size() == 4u);
  BOOST_TEST(outcomes[0].ok());
  BOOST_TEST(!outcomes[1].ok());
  BOOST_TEST(outcomes[1].attempts == 1);
  BOOST_TEST(outcomes[2].ok());
  BOOST_TEST(outcomes[3].ok());
  BOOST_TEST(elapsed < 1500ms);
}

BOOST_AUTO_TEST_CASE(a_refused_connection_is_a_retried_transport_error) {
  auto server = std::make_unique<FaultServer>([](const Request&) { return ok_response(); });
  RecordingSleep sleep;
  pm::Client client(options_for(*server, sleep));
  BOOST_TEST(client.query("up", 1).ok());
  server->stop();  // the port now refuses connections
  auto out = client.query("up", 1);
  BOOST_REQUIRE(!out.ok());
  BOOST_TEST(out.error().kind == pm::Error::Kind::Transport);
  BOOST_TEST(out.attempts == 3);
  BOOST_TEST(out.error().message.find("after 3 attempts") != std::string::npos,
             out.error().message);
  BOOST_TEST(*sleep.waits == (std::vector<std::int64_t>{100, 200}));
}

BOOST_AUTO_TEST_CASE(oversized_responses_are_refused) {
  std::string big = R"({"status":"success","data":{"resultType":"vector","result":[)";
  for (int i = 0; i < 2000; ++i)
    big += std::string(i ? "," : "") + R"({"metric":{"a":"b"},"value":[1,"2"]})";
  big += "]}}";
  FaultServer server([big](const Request&) { return ok_response(big); });
  RecordingSleep sleep;
  auto o = options_for(server, sleep);
  o.max_response_bytes = 10000;
  pm::Client client(o);
  auto out = client.query("up", 1);
  BOOST_REQUIRE(!out.ok());
  BOOST_TEST(out.error().kind == pm::Error::Kind::Transport);
  BOOST_TEST(out.error().message.find("larger than max_response_bytes (10000)") !=
             std::string::npos);
  BOOST_TEST(out.attempts == 1);
}

BOOST_AUTO_TEST_SUITE_END()
