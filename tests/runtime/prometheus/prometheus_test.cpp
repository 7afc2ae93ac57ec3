// The client against a real Prometheus: a `prometheus` server on a free 127.0.0.1 port, with a
// temporary storage directory backfilled with known series (`promtool tsdb create-blocks-from
// openmetrics`). Queries at fixed times must give exact values: instant, range, scalar,
// string, NaN/±Inf, escaped labels, errors, concurrency and connection reuse; and Prometheus
// stopped (killed, then frozen) mid-run gives clean errors, and answers again once restarted.
// Built a second time against VictoriaMetrics (victoria_metrics_integration_test): where it
// answers otherwise, the case says how, and docs/prometheus-client.md lists it.
#define BOOST_TEST_MODULE prometheus_integration
#include <boost/test/unit_test.hpp>

#include <curl/curl.h>

#include <charconv>
#include <cmath>
#include <limits>
#include <sstream>

#include "runtime/prometheus/client.hpp"
#include "tests/runtime/prometheus/printers.hpp"
#include "tests/runtime/prometheus/prometheus_server.hpp"
#include "tests/runtime/prometheus/support.hpp"
#include "tests/runtime/prometheus/victoria_metrics_server.hpp"

namespace pm = skippy::prometheus;
namespace fs = std::filesystem;
using skippy::test::Process;
using PrometheusServer = skippy::test::BackendServer;
using skippy::test::kVictoriaMetrics;
using skippy::test::RecordingSleep;
using skippy::test::TempDir;
using namespace std::chrono_literals;

namespace {

// The backfilled data: samples every 15 s for 10 minutes from kT0 (2023-11-14T22:13:20Z).
constexpr std::int64_t kT0 = 1700000000;
constexpr std::int64_t kT0ms = kT0 * 1000;
constexpr int kSteps = 41;  // kT0 .. kT0 + 600 s

double web1(int i) {
  return 1.5 * i;
}
double web2(int i) {
  return 100.0 - i;
}
double db0(int i) {
  return 0.1 * i;
}

std::string shortest(double v) {
  char buf[64];
  return std::string(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
}

std::string openmetrics() {
  std::ostringstream out;
  out << "# HELP skippy_test_gauge A gauge with known values.\n# TYPE skippy_test_gauge gauge\n";
  for (int i = 0; i < kSteps; ++i)
    out << "skippy_test_gauge{namespace=\"demo\",pod=\"web-1\"} " << shortest(web1(i)) << ' '
        << kT0 + 15 * i << '\n';
  for (int i = 0; i < kSteps; ++i)
    out << "skippy_test_gauge{namespace=\"demo\",pod=\"web-2\"} " << shortest(web2(i)) << ' '
        << kT0 + 15 * i << '\n';
  for (int i = 0; i < kSteps; ++i)
    out << "skippy_test_gauge{namespace=\"other\",pod=\"db-0\"} " << shortest(db0(i)) << ' '
        << kT0 + 15 * i << '\n';
  out << "# TYPE skippy_test_special gauge\n";
  for (int i = 0; i < kSteps; ++i) {
    std::int64_t t = kT0 + 15 * i;
    out << "skippy_test_special{kind=\"nan\"} NaN " << t << '\n';
    out << "skippy_test_special{kind=\"inf\"} +Inf " << t << '\n';
    out << "skippy_test_special{kind=\"neg_inf\"} -Inf " << t << '\n';
    out << "skippy_test_special{kind=\"escaped\",path=\"C:\\\\dir\\\\\\\"quoted\\\"\",text="
           "\"caf\xc3\xa9 <&>\"} 1e-300 "
        << t << '\n';
  }
  out << "# EOF\n";
  return out.str();
}

PrometheusServer* g_server = nullptr;

struct GlobalServer {
  GlobalServer() {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    g_server = new PrometheusServer(openmetrics());
  }
  ~GlobalServer() {
    delete g_server;
    g_server = nullptr;
  }
};

pm::ClientOptions options(const RecordingSleep& sleep) {
  pm::ClientOptions o;
  o.base_url = g_server->url();
  o.timeout_ms = 10000;
  o.sleep = sleep.fn();
  return o;
}

// The series of `result` whose label `name` is `value`.
pm::Series find(const pm::QueryResult& result, std::string_view name, std::string_view value) {
  for (auto s : result) {
    if (s.labels.get(name) == value) return s;
  }
  BOOST_FAIL("no series with " << name << "=" << value);
  return {};
}

bool same_bits(double a, double b) {
  return std::memcmp(&a, &b, sizeof a) == 0;
}

}  // namespace

BOOST_TEST_GLOBAL_FIXTURE(GlobalServer);

BOOST_AUTO_TEST_SUITE(instant)

BOOST_AUTO_TEST_CASE(vector_values_are_exact) {
  RecordingSleep sleep;
  pm::Client client(options(sleep));
  for (int i : {0, 4, 17, 40}) {
    auto out = client.query("skippy_test_gauge", kT0ms + 15000 * i);
    BOOST_REQUIRE_MESSAGE(out.ok(), pm::why(out));
    const auto& r = out.result();
    BOOST_TEST(r.type() == pm::ResultType::Vector);
    BOOST_REQUIRE(r.size() == 3u);
    auto w1 = find(r, "pod", "web-1");
    BOOST_TEST(w1.labels.to_string() ==
               R"({__name__="skippy_test_gauge", namespace="demo", pod="web-1"})");
    BOOST_TEST(w1.samples[0].time_ms == kT0ms + 15000 * i);
    BOOST_TEST(same_bits(w1.samples[0].value, web1(i)));
    BOOST_TEST(same_bits(find(r, "pod", "web-2").samples[0].value, web2(i)));
    if constexpr (kVictoriaMetrics) {
      // VictoriaMetrics stores values as decimals of 12 significant digits: 0.1 * 3 comes
      // back as 0.3, not 0.30000000000000004.
      BOOST_TEST(find(r, "pod", "db-0").samples[0].value == db0(i),
                 boost::test_tools::tolerance(1e-12));
    } else {
      BOOST_TEST(same_bits(find(r, "pod", "db-0").samples[0].value, db0(i)));
    }
  }
}

BOOST_AUTO_TEST_CASE(time_has_millisecond_precision) {
  RecordingSleep sleep;
  pm::Client client(options(sleep));
  // 60.123 s in: the sample at 60 s, stamped with the evaluation time.
  auto out = client.query("skippy_test_gauge{pod=\"web-1\"}", kT0ms + 60123);
  BOOST_REQUIRE_MESSAGE(out.ok(), pm::why(out));
  BOOST_REQUIRE(out.result().size() == 1u);
  BOOST_TEST(out.result()[0].samples[0].time_ms == kT0ms + 60123);
  BOOST_TEST(out.result()[0].samples[0].value == web1(4));
  // One millisecond before the first sample there is nothing; five minutes after the last, too.
  auto before = client.query("skippy_test_gauge", kT0ms - 1);
  BOOST_REQUIRE(before.ok());
  BOOST_TEST(before.result().empty());
  auto after = client.query("skippy_test_gauge", kT0ms + 600000 + 300001);
  BOOST_REQUIRE(after.ok());
  BOOST_TEST(after.result().empty());
}

BOOST_AUTO_TEST_CASE(aggregations_scalars_and_strings) {
  RecordingSleep sleep;
  pm::Client client(options(sleep));
  auto sum =
      client.query("sum by (namespace) (skippy_test_gauge{namespace=\"demo\"})", kT0ms + 60000);
  BOOST_REQUIRE_MESSAGE(sum.ok(), pm::why(sum));
  BOOST_REQUIRE(sum.result().size() == 1u);
  BOOST_TEST(sum.result()[0].labels.to_string() == R"({namespace="demo"})");
  BOOST_TEST(sum.result()[0].samples[0].value == web1(4) + web2(4));

  auto scalar = client.query("scalar(sum(skippy_test_gauge{namespace=\"demo\"}))", kT0ms + 60000);
  BOOST_REQUIRE_MESSAGE(scalar.ok(), pm::why(scalar));
  if constexpr (kVictoriaMetrics) {
    // VictoriaMetrics answers a scalar as a vector of one series without labels.
    BOOST_TEST(scalar.result().type() == pm::ResultType::Vector);
    BOOST_REQUIRE(scalar.result().size() == 1u);
    BOOST_TEST(scalar.result()[0].labels.to_string() == "{}");
    BOOST_TEST(scalar.result()[0].samples[0].value == 102.0);
  } else {
    BOOST_TEST(scalar.result().type() == pm::ResultType::Scalar);
    BOOST_TEST(scalar.result().scalar().value == 102.0);
    BOOST_TEST(scalar.result().scalar().time_ms == kT0ms + 60000);
  }

  auto text = client.query("\"hello \\\"prometheus\\\"\"", kT0ms);
  BOOST_REQUIRE_MESSAGE(text.ok(), pm::why(text));
  if constexpr (kVictoriaMetrics) {
    BOOST_TEST(text.result().empty());  // no string results: an empty vector
  } else {
    BOOST_TEST(text.result().type() == pm::ResultType::String);
    BOOST_TEST(text.result().string_value() == "hello \"prometheus\"");
  }

  auto over_time =
      client.query("max_over_time(skippy_test_gauge{pod=\"web-2\"}[1m])", kT0ms + 120000);
  BOOST_REQUIRE(over_time.ok());
  // Prometheus 2's window is [60 s, 120 s]; VictoriaMetrics's leaves its start out, (60 s,
  // 120 s], as Prometheus 3 does.
  BOOST_TEST(over_time.result()[0].samples[0].value == (kVictoriaMetrics ? web2(5) : web2(4)));
}

BOOST_AUTO_TEST_CASE(special_values_and_escaped_labels) {
  RecordingSleep sleep;
  pm::Client client(options(sleep));
  auto out = client.query("skippy_test_special", kT0ms + 30000);
  BOOST_REQUIRE_MESSAGE(out.ok(), pm::why(out));
  const auto& r = out.result();
  if constexpr (kVictoriaMetrics) {
    // VictoriaMetrics keeps no NaN sample (NaN is its staleness mark): the series is absent,
    // which the engine reads as missing data rather than as an unknown value.
    BOOST_REQUIRE(r.size() == 3u);
  } else {
    BOOST_REQUIRE(r.size() == 4u);
    BOOST_TEST(std::isnan(find(r, "kind", "nan").samples[0].value));
  }
  BOOST_TEST(find(r, "kind", "inf").samples[0].value == std::numeric_limits<double>::infinity());
  BOOST_TEST(find(r, "kind", "neg_inf").samples[0].value ==
             -std::numeric_limits<double>::infinity());
  auto escaped = find(r, "kind", "escaped");
  BOOST_TEST(*escaped.labels.get("path") == "C:\\dir\\\"quoted\"");
  BOOST_TEST(*escaped.labels.get("text") == "caf\xc3\xa9 <&>");
  BOOST_TEST(escaped.samples[0].value == 1e-300);
}

BOOST_AUTO_TEST_CASE(prometheus_errors_are_not_retried) {
  RecordingSleep sleep;
  pm::Client client(options(sleep));
  auto out = client.query("sum(skippy_test_gauge", kT0ms);
  BOOST_REQUIRE(!out.ok());
  const auto& e = out.error();
  BOOST_TEST(e.kind == pm::Error::Kind::Prometheus);
  if constexpr (kVictoriaMetrics) {  // 422 for every error, its errorType the status
    BOOST_TEST(e.http_status == 422);
    BOOST_TEST(e.error_type == "422");
    BOOST_TEST(e.message.find("unexpected token") != std::string::npos, e.message);
  } else {
    BOOST_TEST(e.http_status == 400);
    BOOST_TEST(e.error_type == "bad_data");
    BOOST_TEST(e.message.find("parse error") != std::string::npos, e.message);
  }
  BOOST_TEST(out.attempts == 1);
  BOOST_TEST(sleep.waits->empty());
  // Many-to-many matching fails at evaluation time (422, "execution").
  auto exec = client.query("skippy_test_gauge + on() skippy_test_gauge", kT0ms);
  BOOST_REQUIRE(!exec.ok());
  BOOST_TEST(exec.error().kind == pm::Error::Kind::Prometheus);
  BOOST_TEST(exec.error().http_status == 422);
  BOOST_TEST(exec.error().error_type == (kVictoriaMetrics ? "422" : "execution"));
  BOOST_TEST(exec.attempts == 1);
}

BOOST_AUTO_TEST_CASE(long_queries_are_posted) {
  RecordingSleep sleep;
  pm::Client client(options(sleep));
  std::string promql = "skippy_test_gauge{pod=~\"";
  for (int i = 0; i < 5000; ++i) promql += "absent-pod-" + std::to_string(i) + "|";
  promql += "web-1\"}";
  BOOST_TEST_REQUIRE(promql.size() > 60000u);
  auto out = client.query(promql, kT0ms + 15000);
  if constexpr (kVictoriaMetrics) {
    // Posted, but longer than VictoriaMetrics's -search.maxQueryLen (16 KiB by default): a
    // clear error, not retried.
    BOOST_REQUIRE(!out.ok());
    BOOST_TEST(out.error().message.find("search.maxQueryLen") != std::string::npos,
               out.error().message);
    BOOST_TEST(out.attempts == 1);
    return;
  }
  BOOST_REQUIRE_MESSAGE(out.ok(), pm::why(out));
  BOOST_REQUIRE(out.result().size() == 1u);
  BOOST_TEST(out.result()[0].samples[0].value == web1(1));
}

BOOST_AUTO_TEST_CASE(connections_are_reused) {
  RecordingSleep sleep;
  pm::Client client(options(sleep));
  for (int i = 0; i < 4; ++i) {
    auto out = client.query("skippy_test_gauge", kT0ms + 15000 * i);
    BOOST_REQUIRE(out.ok());
    BOOST_TEST(out.connections_opened == (i == 0 ? 1 : 0));
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(range)

BOOST_AUTO_TEST_CASE(matrix_values_are_exact) {
  RecordingSleep sleep;
  pm::Client client(options(sleep));
  auto out =
      client.query_range("skippy_test_gauge{namespace=\"demo\"}", kT0ms, kT0ms + 120000, 15000);
  BOOST_REQUIRE_MESSAGE(out.ok(), pm::why(out));
  const auto& r = out.result();
  BOOST_TEST(r.type() == pm::ResultType::Matrix);
  BOOST_REQUIRE(r.size() == 2u);
  auto w1 = find(r, "pod", "web-1");
  BOOST_REQUIRE(w1.samples.size() == 9u);
  for (int k = 0; k < 9; ++k) {
    BOOST_TEST(w1.samples[k].time_ms == kT0ms + 15000 * k);
    BOOST_TEST(w1.samples[k].value == web1(k));
  }
  auto w2 = find(r, "pod", "web-2");
  BOOST_TEST(w2.samples[8].value == web2(8));
  // A step that is not a multiple of the scrape interval: the latest sample at each step.
  auto odd =
      client.query_range("skippy_test_gauge{pod=\"db-0\"}", kT0ms + 500, kT0ms + 60500, 20000);
  BOOST_REQUIRE(odd.ok());
  auto d = odd.result()[0];
  BOOST_REQUIRE(d.samples.size() == 4u);
  BOOST_TEST(d.samples[1].time_ms == kT0ms + 20500);
  BOOST_TEST(same_bits(d.samples[1].value, db0(1)));  // the sample at 15 s
  BOOST_TEST(same_bits(d.samples[3].value, db0(4)));  // the sample at 60 s
}

BOOST_AUTO_TEST_CASE(range_errors) {
  RecordingSleep sleep;
  pm::Client client(options(sleep));
  auto out =
      client.query_range("skippy_test_gauge", kT0ms + 60000, kT0ms, 15000);  // end before start
  if constexpr (kVictoriaMetrics) {  // no error: it answers from the start on
    BOOST_REQUIRE(out.ok());
    BOOST_REQUIRE(out.result().size() == 3u);
    for (auto series : out.result()) BOOST_TEST(series.samples[0].time_ms == kT0ms + 60000);
    return;
  }
  BOOST_REQUIRE(!out.ok());
  BOOST_TEST(out.error().kind == pm::Error::Kind::Prometheus);
  BOOST_TEST(out.error().error_type == "bad_data");
  BOOST_TEST(out.attempts == 1);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(many)

BOOST_AUTO_TEST_CASE(query_many_concurrently) {
  RecordingSleep sleep;
  auto o = options(sleep);
  o.max_concurrency = 4;
  pm::Client client(o);
  std::vector<std::string> queries;
  for (int i = 0; i < 24; ++i)
    queries.push_back("skippy_test_gauge{pod=\"web-1\"} + " + std::to_string(i));
  queries.push_back("sum(");  // one bad query does not spoil the others
  auto outcomes = client.query_many(queries, kT0ms + 60000);
  BOOST_REQUIRE(outcomes.size() == 25u);
  std::int64_t connections = 0;
  for (int i = 0; i < 24; ++i) {
    BOOST_REQUIRE_MESSAGE(outcomes[i].ok(), pm::why(outcomes[i]));
    BOOST_TEST(outcomes[i].result()[0].samples[0].value == web1(4) + i);
    BOOST_TEST(outcomes[i].result()[0].samples[0].time_ms == kT0ms + 60000);
    connections += outcomes[i].connections_opened;
  }
  BOOST_TEST(!outcomes[24].ok());
  BOOST_TEST(outcomes[24].error().error_type == (kVictoriaMetrics ? "422" : "bad_data"));
  BOOST_TEST(connections <= 4);
  // A second tick reuses the same connections.
  auto again = client.query_many(queries, kT0ms + 75000);
  std::int64_t reopened = 0;
  for (const auto& o2 : again) reopened += o2.connections_opened;
  BOOST_TEST(reopened == 0);
  BOOST_TEST(again[3].result()[0].samples[0].value == web1(5) + 3);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(faults)

BOOST_AUTO_TEST_CASE(prometheus_stopped_mid_run_then_restarted) {
  PrometheusServer own(openmetrics());  // its own server: this test kills it
  RecordingSleep sleep;
  pm::ClientOptions o;
  o.base_url = own.url();
  o.timeout_ms = 2000;
  o.retries = 2;
  o.backoff_initial_ms = 50;
  o.sleep = sleep.fn();
  pm::Client client(o);
  std::vector<std::string> queries = {"skippy_test_gauge{pod=\"web-1\"}",
                                      "skippy_test_gauge{pod=\"web-2\"}"};
  auto first = client.query_many(queries, kT0ms + 30000);
  BOOST_REQUIRE_MESSAGE(first[0].ok() && first[1].ok(), pm::why(first[0]) + pm::why(first[1]));

  own.stop(SIGKILL);
  auto down = client.query_many(queries, kT0ms + 45000);
  for (const auto& out : down) {
    BOOST_REQUIRE(!out.ok());
    BOOST_TEST(out.error().kind == pm::Error::Kind::Transport);
    BOOST_TEST(out.error().http_status == 0);
    BOOST_TEST(out.attempts == 3);
    BOOST_TEST(out.error().message.find(own.url()) != std::string::npos, out.error().message);
  }
  BOOST_TEST(*sleep.waits == (std::vector<std::int64_t>{50, 100}));

  own.start();
  auto back = client.query_many(queries, kT0ms + 45000);
  for (const auto& out : back) BOOST_REQUIRE_MESSAGE(out.ok(), pm::why(out));
  BOOST_TEST(back[0].result()[0].samples[0].value == web1(3));
  BOOST_TEST(back[1].result()[0].samples[0].value == web2(3));
}

BOOST_AUTO_TEST_CASE(prometheus_frozen_times_out_then_recovers) {
  PrometheusServer own(openmetrics());
  RecordingSleep sleep;
  pm::ClientOptions o;
  o.base_url = own.url();
  o.timeout_ms = 300;
  o.retries = 1;
  o.sleep = sleep.fn();
  pm::Client client(o);
  BOOST_REQUIRE(client.query("skippy_test_gauge", kT0ms).ok());
  own.pause();  // SIGSTOP: connections accepted by the kernel, never answered
  auto t0 = std::chrono::steady_clock::now();
  auto out = client.query("skippy_test_gauge", kT0ms + 15000);
  auto elapsed = std::chrono::steady_clock::now() - t0;
  own.resume();
  BOOST_REQUIRE(!out.ok());
  BOOST_TEST(out.error().kind == pm::Error::Kind::Timeout, out.error().message);
  BOOST_TEST(out.attempts == 2);
  BOOST_TEST(elapsed < 3s);
  auto later = client.query("skippy_test_gauge{pod=\"web-1\"}", kT0ms + 15000);
  BOOST_REQUIRE_MESSAGE(later.ok(), pm::why(later));
  BOOST_TEST(later.result()[0].samples[0].value == web1(1));
}

BOOST_AUTO_TEST_SUITE_END()
