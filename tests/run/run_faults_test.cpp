// `skippy run` when Prometheus misbehaves: a real Prometheus, backfilled with known series,
// behind a fault-injecting proxy of the test's own on 127.0.0.1.
//
// - One query answered with a 5xx, truncated JSON, a connection cut mid-body, a body that is
//   not JSON, or more slowly than --prometheus.timeout, while the other query goes through:
//   the policy of the good query proposes exactly what it proposes without faults, the other
//   is unhealthy with the query's error (log line, exit 1, skippy_policy_healthy 0), and the
//   process is done within the timeout and a margin, retries included.
// - Prometheus killed while `skippy run` ticks every second: the process goes on and says
//   so; a firing trigger stays firing (one firing, never resolved), a trigger that zeros
//   would fire does not, and once Prometheus is back the policies are evaluated again.
//
// Nothing sleeps for a fixed time: every wait polls for what it waits for, with a deadline.
#define BOOST_TEST_MODULE run_faults
#include <simdjson.h>
#include <boost/test/unit_test.hpp>

#include <algorithm>

#include <map>

#include "tests/run/fault_proxy.hpp"
#include "tests/run/run_fixture.hpp"
#include "tests/runtime/prometheus/prometheus_server.hpp"
#include "tests/runtime/prometheus/support.hpp"

using skippy::test::Fault;
using skippy::test::FaultProxy;
using skippy::test::kCluster;
using skippy::test::memory_policy;
using skippy::test::Process;
using skippy::test::PrometheusServer;
using skippy::test::TempDir;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

constexpr std::int64_t kT0 = 1700000000;  // the fixed data's start, seconds
constexpr std::int64_t kAt = kT0 + 585;   // leaky-1 at 89% memory, steady-1 7 restarts
constexpr auto kTimeout = 2000ms;         // --prometheus.timeout
constexpr auto kMargin = 2000ms;          // start, compile, the good queries, exit
constexpr auto kPatience = 30s;           // how long a poll waits for what must happen
const std::string kRestartsQuery = "kube_pod_container_status_restarts_total";

// Restarts steady-1 (7 restarts), by a query of its own beside the memory policy's.
std::string restarts_policy(std::string_view interval) {
  return skippy::test::pod_policy(
      "restarts", interval,
      "  signal restarts = promql(`kube_pod_container_status_restarts_total`) by (namespace, pod) "
      "max on missing unknown\n"
      "  trigger restarting when restarts > 5\n"
      "  on restarting do restart(strategy: recreate) priority 5\n");
}

// Deletes pods that are not ready, every second: both pods are, so it must never fire; read
// as zeros, the missing data of an outage would make it fire.
std::string readiness_policy(std::string_view on_missing) {
  return skippy::test::pod_policy(
      "readiness", "1s",
      "  signal ready = promql(`kube_pod_status_ready{condition=\"true\"}`) by (namespace, pod) "
      "max on missing " +
          std::string(on_missing) +
          "\n"
          "  trigger not_ready when ready < 1\n"
          "  on not_ready do delete(grace: 10s) priority 5\n");
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// One audit record, as far as these tests read it.
struct Record {
  std::string policy, target, action, id;
  std::map<std::string, std::optional<double>> signals;  // nullopt: unknown
};

std::vector<Record> records_of(const std::string& audit) {
  std::vector<Record> out;
  simdjson::dom::parser parser;
  for (const auto& line : skippy::test::lines_of(audit)) {
    simdjson::dom::element e;
    BOOST_REQUIRE_MESSAGE(!parser.parse(line).get(e), line);
    Record r;
    r.policy = std::string(std::string_view(e["policy"]));
    r.target = std::string(std::string_view(e["target"]));
    r.action = std::string(std::string_view(e["action"]));
    r.id = std::string(std::string_view(e["id"]));
    for (auto [name, value] : simdjson::dom::object(e["signals"])) {
      double v = 0;
      r.signals[std::string(name)] = value.get(v) ? std::nullopt : std::optional(v);
    }
    out.push_back(std::move(r));
  }
  return out;
}

// A Prometheus with the fixed data, shared by the tests that evaluate at kAt.
PrometheusServer& fixed_prometheus() {
  static PrometheusServer server(skippy::test::openmetrics(kT0));
  return server;
}

struct OnceResult {
  int code = 0;
  std::string audit, log;
  std::chrono::milliseconds took{0};
};

// `skippy run --once` at kAt with the memory and restarts policies, asking `url`.
OnceResult run_once(const std::string& url) {
  TempDir dir("skippy-run-faults-test");
  skippy::test::write_file(dir.path() / "p.skippy",
                           memory_policy("15s") + "\n" + restarts_policy("15s"));
  skippy::test::write_file(dir.path() / "cluster.yaml", kCluster);
  auto audit = dir.path() / "audit.jsonl";
  auto started = std::chrono::steady_clock::now();
  Process run(
      {SKIPPY_BINARY, "run", "--policies", (dir.path() / "p.skippy").string(), "--cluster",
       (dir.path() / "cluster.yaml").string(), "--prometheus.url", url, "--prometheus.timeout",
       std::to_string(kTimeout.count()), "--once", "--time", std::to_string(kAt * 1000),
       "--audit.file", audit.string(), "--web.listen-address", ""},
      dir.path() / "run.log");
  OnceResult r;
  r.code = run.wait();
  r.took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 started);
  r.audit = skippy::test::read_file(audit);
  r.log = skippy::test::read_file(dir.path() / "run.log");
  return r;
}

// The restarts query gets `fault`: the memory policy proposes as it does without faults, the
// restarts policy is unhealthy with the query's error, which ends with `error`, and the run
// ends within the timeout.
void one_query_fails(Fault fault, const std::string& error) {
  FaultProxy proxy(fixed_prometheus().url());
  proxy.inject(kRestartsQuery, fault);
  auto r = run_once(proxy.url());
  BOOST_TEST(r.code == 1, r.log);  // a policy was unhealthy
  auto records = records_of(r.audit);
  BOOST_REQUIRE_EQUAL(records.size(), 1u);
  BOOST_TEST(records[0].policy == "memory_leak");
  BOOST_TEST(records[0].target == "Pod/demo-apps/leaky-1");
  BOOST_TEST(records[0].action == "restart");
  BOOST_TEST(records[0].signals["mem_pct"].value_or(0) == 89.0, boost::test_tools::tolerance(1e-6));
  BOOST_TEST(contains(r.log, "policy restarts: query `" + kRestartsQuery + "` failed: POST " +
                                 proxy.url() + "/api/v1/query: " + error),
             r.log);
  BOOST_TEST(!contains(r.log, "policy memory_leak:"), r.log);
  BOOST_TEST(contains(r.log, "2 queries (1 failed)"), r.log);
  BOOST_TEST(r.took.count() < (kTimeout + kMargin).count());  // milliseconds
}

// `skippy run` ticking until stopped, its audit file, log and /metrics at hand.
class Runtime {
 public:
  Runtime(const TempDir& dir, const std::string& policies, const std::string& prometheus_url)
      : dir_(dir.path()), web_("http://127.0.0.1:" + std::to_string(skippy::test::free_port())) {
    skippy::test::write_file(dir_ / "p.skippy", policies);
    skippy::test::write_file(dir_ / "cluster.yaml", kCluster);
    process_ = std::make_unique<Process>(
        std::vector<std::string>{SKIPPY_BINARY, "run", "--policies", (dir_ / "p.skippy").string(),
                                 "--cluster", (dir_ / "cluster.yaml").string(), "--prometheus.url",
                                 prometheus_url, "--prometheus.timeout", "1000", "--audit.file",
                                 (dir_ / "audit.jsonl").string(), "--web.listen-address",
                                 web_.substr(7)},
        dir_ / "run.log");
  }

  std::optional<double> metric(std::string_view series) const {
    return skippy::test::metric_value(skippy::test::http_get(web_ + "/metrics").second, series);
  }
  bool metric_is(std::string_view series, double value) const {
    return metric(series) == std::optional(value);
  }
  std::vector<Record> records() const {
    return records_of(skippy::test::read_file(dir_ / "audit.jsonl"));
  }
  std::string log() const { return skippy::test::read_file(dir_ / "run.log"); }
  bool running() { return process_->running(); }
  // Polls until `what` holds; false (and the log in the report) after kPatience.
  bool until(const std::function<bool()>& what) const {
    return skippy::test::poll_until(what, kPatience);
  }
  int stop() {
    process_->stop(SIGTERM);
    return process_->wait();
  }

 private:
  fs::path dir_;
  std::string web_;
  std::unique_ptr<Process> process_;
};

std::size_t count(const std::vector<Record>& records, const std::string& policy, bool known) {
  return std::count_if(records.begin(), records.end(), [&](const Record& r) {
    return r.policy == policy && std::all_of(r.signals.begin(), r.signals.end(), [&](auto& s) {
             return s.second.has_value() == known;
           });
  });
}

const std::string kMemoryHealthy = R"(skippy_policy_healthy{policy="memory_leak"})";
const std::string kReadinessHealthy = R"(skippy_policy_healthy{policy="readiness"})";
const std::string kFiring =
    R"(skippy_triggers{policy="memory_leak",state="firing",trigger="high_memory"})";
const std::string kFired =
    R"(skippy_trigger_changes_total{change="fired",policy="memory_leak",trigger="high_memory"})";
const std::string kResolved =
    R"(skippy_trigger_changes_total{change="resolved",policy="memory_leak",trigger="high_memory"})";
const std::string kNotReadyFired =
    R"(skippy_trigger_changes_total{change="fired",policy="readiness",trigger="not_ready"})";

}  // namespace

BOOST_AUTO_TEST_SUITE(one_query_fails_the_others_go_on)

BOOST_AUTO_TEST_CASE(through_the_proxy_without_faults_both_policies_propose) {
  FaultProxy proxy(fixed_prometheus().url());
  auto r = run_once(proxy.url());
  BOOST_TEST(r.code == 0, r.log);
  auto records = records_of(r.audit);
  BOOST_REQUIRE_EQUAL(records.size(), 2u);
  // Decisions are in priority order (lower first), then by policy.
  std::sort(records.begin(), records.end(),
            [](const auto& a, const auto& b) { return a.policy < b.policy; });
  BOOST_TEST(records[0].policy == "memory_leak");
  BOOST_TEST(records[0].target == "Pod/demo-apps/leaky-1");
  BOOST_TEST(records[1].policy == "restarts");
  BOOST_TEST(records[1].target == "Pod/demo-apps/steady-1");
  BOOST_TEST(records[1].signals["restarts"].value_or(0) == 7.0);
  BOOST_TEST(contains(r.log, "2 queries (0 failed)"), r.log);
}

BOOST_AUTO_TEST_CASE(a_5xx_answer) {
  one_query_fails(Fault::ServerError, "HTTP 503: upstream unavailable (after 3 attempts)");
}

BOOST_AUTO_TEST_CASE(truncated_json) {
  one_query_fails(Fault::TruncatedJson, "invalid response body: ");
}

BOOST_AUTO_TEST_CASE(a_connection_cut_mid_body) {
  one_query_fails(Fault::CutMidBody, "transfer closed with ");
}

BOOST_AUTO_TEST_CASE(a_body_that_is_not_json) {
  one_query_fails(Fault::InvalidJson,
                  "invalid response body: byte 0: expected a JSON object, found '<html>");
}

BOOST_AUTO_TEST_CASE(an_answer_slower_than_the_timeout_holds_the_tick_for_the_timeout_only) {
  auto started = std::chrono::steady_clock::now();
  one_query_fails(Fault::Slow, "no complete response within 2000 ms");
  auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  BOOST_TEST(waited.count() >= kTimeout.count());  // milliseconds: it did wait for it
}

BOOST_AUTO_TEST_CASE(the_failing_policy_is_unhealthy_in_metrics_until_its_query_answers_again) {
  PrometheusServer prometheus(skippy::test::recent_openmetrics());
  FaultProxy proxy(prometheus.url());
  proxy.inject(kRestartsQuery, Fault::ServerError);
  TempDir dir("skippy-run-faults-test");
  Runtime run(dir, memory_policy("1s") + "\n" + restarts_policy("1s"), proxy.url());
  const std::string restarts_healthy = R"(skippy_policy_healthy{policy="restarts"})";
  BOOST_REQUIRE_MESSAGE(run.until([&] {
    return run.metric_is(restarts_healthy, 0) && run.metric_is(kMemoryHealthy, 1);
  }),
                        run.log());
  BOOST_TEST(run.until([&] { return count(run.records(), "memory_leak", true) > 0; }), run.log());
  BOOST_TEST(count(run.records(), "restarts", true) == 0u);
  BOOST_TEST(contains(run.log(), "level=warning msg=\"policy restarts: query `" + kRestartsQuery +
                                     "` failed: POST " + proxy.url() +
                                     "/api/v1/query: HTTP 503: upstream unavailable"),
             run.log());

  proxy.inject("", Fault::None);
  BOOST_TEST(run.until([&] {
    return run.metric_is(restarts_healthy, 1) && count(run.records(), "restarts", true) > 0;
  }),
             run.log());
  BOOST_TEST(run.stop() == 0, run.log());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_CASE(prometheus_stopped_mid_run_is_missing_data_never_recovery) {
  PrometheusServer prometheus(skippy::test::recent_openmetrics());
  TempDir dir("skippy-run-faults-test");
  Runtime run(dir, memory_policy("1s") + "\n" + readiness_policy("unknown"), prometheus.url());
  // Ticking: leaky-1 over 85% makes high_memory fire once; both pods are ready.
  BOOST_REQUIRE_MESSAGE(run.until([&] {
    return count(run.records(), "memory_leak", true) > 0 && run.metric_is(kFiring, 1) &&
           run.metric_is(kReadinessHealthy, 1);
  }),
                        run.log());
  const std::string firing_id = run.records().front().id;

  prometheus.stop(SIGKILL);
  BOOST_REQUIRE_MESSAGE(run.until([&] {
    return run.metric_is(kMemoryHealthy, 0) && run.metric_is(kReadinessHealthy, 0);
  }),
                        run.log());
  // Three more ticks without Prometheus.
  auto ticks = run.metric("skippy_ticks_total").value_or(0);
  BOOST_REQUIRE_MESSAGE(
      run.until([&] { return run.metric("skippy_ticks_total").value_or(0) >= ticks + 3; }),
      run.log());
  BOOST_TEST(run.running());
  BOOST_TEST(run.metric("skippy_queries_total{outcome=\"failed\"}").value_or(0) >= 6);
  BOOST_TEST(contains(run.log(),
                      "policy memory_leak: query `100 * container_memory_working_set_"
                      "bytes / 1073741824` failed: POST " +
                          prometheus.url() + "/api/v1/query: "),
             run.log());
  // The firing trigger stays firing: fired once, never resolved, every proposal the one
  // decision it made before the outage. The readiness trigger did not take the missing
  // data for "not ready".
  BOOST_TEST(run.metric_is(kFiring, 1));
  BOOST_TEST(run.metric_is(kFired, 1));
  BOOST_TEST(!run.metric(kResolved));
  BOOST_TEST(!run.metric(kNotReadyFired));
  auto records = run.records();
  const std::size_t known_during_outage = count(records, "memory_leak", true);
  for (const auto& r : records) {
    BOOST_TEST(r.policy == "memory_leak");
    BOOST_TEST(r.id == firing_id);
  }

  // Prometheus back: evaluated again, with data, the same firing going on.
  prometheus.start();
  BOOST_TEST(run.until([&] {
    return run.metric_is(kMemoryHealthy, 1) && run.metric_is(kReadinessHealthy, 1) &&
           count(run.records(), "memory_leak", true) > known_during_outage;
  }),
             run.log());
  BOOST_TEST(run.records().back().id == firing_id);
  BOOST_TEST(run.metric_is(kFired, 1));
  BOOST_TEST(!run.metric(kNotReadyFired));
  BOOST_TEST(run.stop() == 0, run.log());
}

// `on missing zero` is for a series that is absent; a Prometheus outage is not zeros, or a
// trigger such as `ready < 1` would fire (and propose a delete) for every pod.
BOOST_AUTO_TEST_CASE(an_outage_is_not_read_as_zeros) {
  PrometheusServer prometheus(skippy::test::recent_openmetrics());
  TempDir dir("skippy-run-faults-test");
  Runtime run(dir, readiness_policy("zero"), prometheus.url());
  BOOST_REQUIRE_MESSAGE(run.until([&] { return run.metric_is(kReadinessHealthy, 1); }), run.log());
  prometheus.stop(SIGKILL);
  BOOST_REQUIRE_MESSAGE(run.until([&] { return run.metric_is(kReadinessHealthy, 0); }), run.log());
  auto ticks = run.metric("skippy_ticks_total").value_or(0);
  BOOST_REQUIRE(
      run.until([&] { return run.metric("skippy_ticks_total").value_or(0) >= ticks + 3; }));
  BOOST_TEST(!run.metric(kNotReadyFired));
  BOOST_TEST(run.records().empty());
  BOOST_TEST(run.stop() == 0, run.log());
}
