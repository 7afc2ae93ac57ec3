// `skippy run --once` end to end: a real Prometheus backfilled with known series, a cluster
// snapshot, compiled policies; the audit records must say exactly what was proposed, to whom,
// with which signal values, and what became of it. Prometheus stopped: a clean failure.
#define BOOST_TEST_MODULE run
#include <simdjson.h>
#include <boost/test/unit_test.hpp>

#include "tests/run/run_fixture.hpp"
#include "tests/runtime/prometheus/prometheus_server.hpp"
#include "tests/runtime/prometheus/support.hpp"
#include "tests/runtime/prometheus/victoria_metrics_server.hpp"

using skippy::test::http_get;
using skippy::test::kCluster;
using skippy::test::memory_policy;
using skippy::test::Process;
using PrometheusServer = skippy::test::BackendServer;
using skippy::test::TempDir;
namespace fs = std::filesystem;

namespace {

constexpr std::int64_t kT0 = 1700000000;  // seconds; data every 15 s for 10 minutes

using skippy::test::RunResult;

RunResult run_once(const TempDir& dir, const std::string& url, std::int64_t at_s, bool dry_run,
                   std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"--policies",
                                   (dir.path() / "p.skippy").string(),
                                   "--cluster",
                                   (dir.path() / "cluster.yaml").string(),
                                   "--prometheus.url",
                                   url,
                                   "--prometheus.timeout",
                                   "3000",
                                   "--time",
                                   std::to_string(at_s * 1000)};
  if (dry_run) args.push_back("--dry-run");
  args.insert(args.end(), extra.begin(), extra.end());
  return skippy::test::run_once_in(dir.path(), args);
}

}  // namespace

BOOST_AUTO_TEST_CASE(once_against_a_real_prometheus_writes_the_expected_audit_records) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  TempDir dir("skippy-run-test");
  skippy::test::write_file(dir.path() / "p.skippy", memory_policy("15s"));
  skippy::test::write_file(dir.path() / "cluster.yaml", kCluster);
  PrometheusServer prometheus(skippy::test::openmetrics(kT0));

  // At 5 minutes leaky-1 is at 70%: nothing is proposed.
  auto early = run_once(dir, prometheus.url(), kT0 + 300, false);
  BOOST_TEST(early.code == 0, early.log);
  BOOST_TEST(early.audit.empty());
  BOOST_TEST(early.log.find(
                 "1 policies, 2 targets, 1 queries (0 failed), 0 trigger changes, 0 proposals") !=
                 std::string::npos,
             early.log);

  // At 9m45s it is at 89%: one restart is proposed, for leaky-1 only.
  auto late = run_once(dir, prometheus.url(), kT0 + 585, false);
  BOOST_TEST(late.code == 0, late.log);
  simdjson::dom::parser parser;
  auto lines = skippy::test::lines_of(late.audit);
  BOOST_REQUIRE_EQUAL(lines.size(), 1u);
  simdjson::dom::element record;
  BOOST_REQUIRE(!parser.parse(lines[0]).get(record));
  BOOST_TEST(std::string_view(record["policy"]) == "memory_leak");
  BOOST_TEST(std::string_view(record["trigger"]) == "high_memory");
  BOOST_TEST(std::string_view(record["target"]) == "Pod/demo-apps/leaky-1");
  BOOST_TEST(std::string_view(record["action"]) == "restart");
  BOOST_TEST(std::string_view(record["arguments"]["strategy"]) == "rolling");
  BOOST_TEST(int64_t(record["priority"]) == 10);
  // A snapshot cannot be acted on: the decision is a dry run, which ran every gate.
  BOOST_TEST(std::string_view(record["outcome"]) == "dry-run");
  BOOST_TEST(std::string_view(record["would"]) == "execute");
  simdjson::dom::array gates;
  BOOST_REQUIRE(!record["gates"].get(gates));
  BOOST_TEST(gates.size() == 10u);
  BOOST_TEST(std::string_view(gates.at(0)["gate"]) == "mode");
  BOOST_TEST(std::string_view(gates.at(4)["gate"]) == "cooldown");
  BOOST_TEST(std::string_view(gates.at(4)["verdict"]) == "passed");
  BOOST_TEST(double(record["signals"]["mem_pct"]) == 89.0,
             boost::test_tools::tolerance(1e-6));  // bytes are whole
  BOOST_TEST(std::string_view(record["time"]) == "2023-11-14T22:23:05.000Z");
  BOOST_TEST(std::string_view(record["source"]).find("p.skippy:11:") != std::string_view::npos);

  // The same tick with --dry-run: the same proposal, the same id, outcome dry-run.
  auto dry = run_once(dir, prometheus.url(), kT0 + 585, true);
  simdjson::dom::element dry_record;
  BOOST_REQUIRE(!parser.parse(dry.audit.substr(0, dry.audit.find('\n'))).get(dry_record));
  BOOST_TEST(std::string_view(dry_record["outcome"]) == "dry-run");
  BOOST_TEST(std::string_view(dry_record["id"]) == std::string_view(record["id"]));

  // skippy explain tells the decision, found by a prefix of its id.
  skippy::test::write_file(dir.path() / "audit.jsonl", late.audit);
  auto id = std::string(std::string_view(record["id"]));
  auto explain = [&](const std::string& which) {
    Process p(
        {SKIPPY_BINARY, "explain", which, "--audit.file", (dir.path() / "audit.jsonl").string()},
        dir.path() / "explain.out");
    int code = p.wait();
    return std::make_pair(code, skippy::test::read_file(dir.path() / "explain.out"));
  };
  auto [code, text] = explain(id.substr(0, 8));
  BOOST_TEST(code == 0, text);
  BOOST_TEST(text.find("decision " + id + " at 2023-11-14T22:23:05.000Z") != std::string::npos,
             text);
  BOOST_TEST(text.find("proposed restart(strategy: rolling) priority 10 on "
                       "Pod/demo-apps/leaky-1") != std::string::npos,
             text);
  BOOST_TEST(text.find("    mem_pct = 88.9999") != std::string::npos, text);  // 89% of whole bytes
  BOOST_TEST(text.find("    cooldown        passed") != std::string::npos, text);
  BOOST_TEST(text.find("outcome: dry-run (would have been: execute)") != std::string::npos, text);
  BOOST_TEST(
      text.find("on high_memory do restart(strategy: rolling) priority 10") != std::string::npos,
      text);  // the source line
  auto [missing_code, missing] = explain("ffffffff");
  BOOST_TEST(missing_code == 1);
  BOOST_TEST(missing.find("no decision `ffffffff`") != std::string::npos, missing);
}

BOOST_AUTO_TEST_CASE(a_restart_restores_pending_for_timers_from_history) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  TempDir dir("skippy-run-test");
  // leaky-1 is above 85% from its sample at 9m (kT0 + 540 s). Ticks are aligned to 15 s
  // since the epoch, which puts them 5 s after the samples: the first tick that sees 86% is
  // kT0 + 550 s, and with `for 1m` the trigger fires at the tick kT0 + 610 s.
  std::string policy = memory_policy("15s");
  policy.replace(policy.find("when mem_pct > 85"), 17, "when mem_pct > 85 for 1m");
  skippy::test::write_file(dir.path() / "p.skippy", policy);
  skippy::test::write_file(dir.path() / "cluster.yaml", kCluster);
  PrometheusServer prometheus(skippy::test::openmetrics(kT0));

  // Started for the tick kT0 + 610 s, the runtime replays the ticks from kT0 + 535 s to
  // kT0 + 595 s: the condition has held since kT0 + 550 s, so the action is due now, not a
  // whole minute later.
  auto due = run_once(dir, prometheus.url(), kT0 + 610, false);
  BOOST_TEST(due.code == 0, due.log);
  BOOST_TEST(due.log.find("restored trigger states from 5 ticks (2023-11-14T22:22:15.000Z to "
                          "2023-11-14T22:23:15.000Z): 1 pending, 0 firing") != std::string::npos,
             due.log);
  BOOST_TEST(due.audit.find("\"target\":\"Pod/demo-apps/leaky-1\"") != std::string::npos,
             due.audit);
  BOOST_TEST(due.audit.find("\"fired_at\":\"2023-11-14T22:23:30.000Z\"") != std::string::npos,
             due.audit);

  // Started for the tick kT0 + 595 s, 45 s into the minute: still pending, not fired early.
  auto early = run_once(dir, prometheus.url(), kT0 + 595, false);
  BOOST_TEST(early.code == 0, early.log);
  BOOST_TEST(early.audit.empty(), early.audit);
  BOOST_TEST(early.log.find("1 pending") != std::string::npos, early.log);

  // Without the restore the trigger would start pending at kT0 + 610 s and act a minute
  // later: too late.
  auto fresh = run_once(dir, prometheus.url(), kT0 + 610, false, {"--restore.max-lookback", "0s"});
  BOOST_TEST(fresh.code == 0, fresh.log);
  BOOST_TEST(fresh.audit.empty(), fresh.audit);
  BOOST_TEST(fresh.log.find("restored") == std::string::npos, fresh.log);
}

BOOST_AUTO_TEST_CASE(a_bad_restore_lookback_is_a_usage_error) {
  TempDir dir("skippy-run-test");
  skippy::test::write_file(dir.path() / "p.skippy", memory_policy("15s"));
  skippy::test::write_file(dir.path() / "cluster.yaml", kCluster);
  auto r = run_once(dir, "http://127.0.0.1:1", kT0, false, {"--restore.max-lookback", "soon"});
  BOOST_TEST(r.code == 2);
  BOOST_TEST(r.log.find("--restore.max-lookback: `soon` is not a duration") != std::string::npos,
             r.log);
}

BOOST_AUTO_TEST_CASE(once_without_prometheus_fails_cleanly_and_proposes_nothing) {
  TempDir dir("skippy-run-test");
  skippy::test::write_file(dir.path() / "p.skippy", memory_policy("15s"));
  skippy::test::write_file(dir.path() / "cluster.yaml", kCluster);
  int port = skippy::test::free_port();  // nothing listens there
  auto r = run_once(dir, "http://127.0.0.1:" + std::to_string(port), kT0 + 585, false);
  BOOST_TEST(r.code == 1);
  BOOST_TEST(r.audit.empty());
  BOOST_TEST(r.log.find("policy memory_leak: query") != std::string::npos, r.log);
  BOOST_TEST(r.log.find("1 queries (1 failed)") != std::string::npos, r.log);
}

BOOST_AUTO_TEST_CASE(a_broken_snapshot_is_reported_with_its_line) {
  TempDir dir("skippy-run-test");
  skippy::test::write_file(dir.path() / "p.skippy", memory_policy("15s"));
  skippy::test::write_file(dir.path() / "cluster.yaml", "pods:\n  - {name: a, restarts: lots}\n");
  auto r = run_once(dir, "http://127.0.0.1:1", kT0, false);
  BOOST_TEST(r.code == 1);
  BOOST_TEST(
      r.log.find("cluster.yaml:2: pods[0].restarts: expected a whole number") != std::string::npos,
      r.log);
}

BOOST_AUTO_TEST_CASE(running_it_serves_metrics_health_and_readiness_then_stops_on_sigterm) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  TempDir dir("skippy-run-test");
  std::string policy = memory_policy("1s");
  skippy::test::write_file(dir.path() / "p.skippy", policy);
  skippy::test::write_file(dir.path() / "cluster.yaml", kCluster);
  PrometheusServer prometheus(skippy::test::openmetrics(kT0));
  int port = skippy::test::free_port();
  std::string web = "http://127.0.0.1:" + std::to_string(port);
  Process run({SKIPPY_BINARY, "run", "--policies", (dir.path() / "p.skippy").string(), "--cluster",
               (dir.path() / "cluster.yaml").string(), "--prometheus.url", prometheus.url(),
               "--audit.file", (dir.path() / "audit.jsonl").string(), "--web.listen-address",
               "127.0.0.1:" + std::to_string(port)},
              dir.path() / "run.log");
  // Serving at once; ready after the first tick (within a second or two).
  BOOST_REQUIRE(skippy::test::poll_until([&] { return http_get(web + "/healthz").first == 200; },
                                         std::chrono::seconds(10)));
  BOOST_REQUIRE(skippy::test::poll_until([&] { return http_get(web + "/ready").first == 200; },
                                         std::chrono::seconds(10)));
  auto [status, metrics] = http_get(web + "/metrics");
  BOOST_TEST(status == 200);
  BOOST_TEST(metrics.find("skippy_ticks_total") != std::string::npos, metrics);
  BOOST_TEST(metrics.find("skippy_policy_healthy{policy=\"memory_leak\"} 1") != std::string::npos,
             metrics);
  BOOST_TEST(metrics.find("skippy_queries_total{outcome=\"ok\"}") != std::string::npos, metrics);
  BOOST_TEST(
      metrics.find(
          "skippy_triggers{policy=\"memory_leak\",state=\"inactive\",trigger=\"high_memory\"} 2") !=
          std::string::npos,
      metrics);
  BOOST_TEST(metrics.find("skippy_bytecode_info{format_version=\"3\"") != std::string::npos,
             metrics);
  BOOST_TEST(metrics.find("skippy_tick_duration_seconds_count") != std::string::npos, metrics);
  run.stop(SIGTERM);
  BOOST_TEST(run.wait() == 0, skippy::test::read_file(dir.path() / "run.log"));
}

BOOST_AUTO_TEST_CASE(policies_reload_when_their_files_change_and_a_broken_set_is_rejected) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  TempDir dir("skippy-run-test");
  std::string policy = memory_policy("1s");
  auto file = dir.path() / "p.skippy";
  skippy::test::write_file(file, policy);
  skippy::test::write_file(dir.path() / "cluster.yaml", kCluster);
  PrometheusServer prometheus(skippy::test::openmetrics(kT0));
  int port = skippy::test::free_port();
  std::string web = "http://127.0.0.1:" + std::to_string(port);
  auto log = dir.path() / "run.log";
  Process run({SKIPPY_BINARY, "run", "--policies", file.string(), "--cluster",
               (dir.path() / "cluster.yaml").string(), "--prometheus.url", prometheus.url(),
               "--audit.file", (dir.path() / "audit.jsonl").string(), "--web.listen-address",
               "127.0.0.1:" + std::to_string(port)},
              log);
  BOOST_REQUIRE(skippy::test::poll_until([&] { return http_get(web + "/ready").first == 200; },
                                         std::chrono::seconds(10)));
  auto contains = [&](const std::string& text) {
    return skippy::test::read_file(log).find(text) != std::string::npos;
  };
  // A second policy beside the first: reloaded, and the first keeps its trigger's state.
  skippy::test::write_file(
      file,
      policy +
          "policy restarts {\n  select pods in namespace \"demo-apps\"\n  every 1s\n"
          "  trigger t when pod.restarts > 5\n  on t do annotate(key: \"k\", value: \"v\")\n}\n");
  BOOST_TEST(skippy::test::poll_until(
                 [&] { return contains("reloaded: 2 policies, 1 triggers kept their state"); },
                 std::chrono::seconds(10)),
             skippy::test::read_file(log));
  // A broken set is rejected; the process goes on with the policies in use.
  skippy::test::write_file(file, "policy broken {\n  select pods\n  trigger t when\n}\n");
  BOOST_TEST(skippy::test::poll_until(
                 [&] { return contains("reload rejected, the policies in use go on"); },
                 std::chrono::seconds(10)),
             skippy::test::read_file(log));
  auto [status, metrics] = http_get(web + "/metrics");
  BOOST_TEST(status == 200);
  BOOST_TEST(metrics.find("policies=\"2\"") != std::string::npos, metrics);
  run.stop(SIGTERM);
  BOOST_TEST(run.wait() == 0, skippy::test::read_file(log));
}

namespace {

const char* kEmptyVector = R"({"status":"success","data":{"resultType":"vector","result":[]}})";

skippy::test::Response empty_vector(const skippy::test::Request&) {
  skippy::test::Response r;
  r.body = kEmptyVector;
  return r;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_config_file_says_how_to_ask_prometheus_and_flags_win_over_it) {
  TempDir dir("skippy-run-test");
  fs::create_directories(dir.path() / "etc");
  skippy::test::write_file(dir.path() / "p.skippy", memory_policy("15s"));
  skippy::test::write_file(dir.path() / "cluster.yaml", kCluster);
  skippy::test::write_file(dir.path() / "etc" / "password", "pw\n");
  skippy::test::FaultServer from_file(empty_vector);
  skippy::test::FaultServer from_flag(empty_vector);
  auto config = dir.path() / "etc" / "skippy.yml";
  skippy::test::write_file(config,
                           "policies: ../p.skippy\ncluster: ../cluster.yaml\n"
                           "prometheus:\n  url: " +
                               from_file.url() +
                               "\n  timeout: 3s\n"
                               "  basic_auth: {username: skippy, password_file: password}\n"
                               "  headers: {X-Scope-OrgID: team-a}\n"
                               "audit: {file: audit.jsonl}\nweb: {listen_address: ''}\n");
  auto log = dir.path() / "run.log";
  std::vector<std::string> args = {
      SKIPPY_BINARY, "run",    "--config.file",           config.string(),
      "--once",      "--time", std::to_string(kT0 * 1000)};
  BOOST_TEST(Process(args, log).wait() == 0, skippy::test::read_file(log));
  auto requests = from_file.requests();
  BOOST_REQUIRE_EQUAL(requests.size(), 1u);
  BOOST_TEST(requests[0].headers["x-scope-orgid"] == "team-a");
  BOOST_TEST(requests[0].headers["authorization"] == "Basic c2tpcHB5OnB3");  // skippy:pw
  BOOST_TEST(requests[0].form("timeout") == "3.000");
  BOOST_TEST(fs::exists(dir.path() / "etc" / "audit.jsonl"));  // beside the file

  // A flag given on the command line wins over the file.
  args.insert(args.end(), {"--prometheus.url", from_flag.url(), "--prometheus.timeout", "1500"});
  BOOST_TEST(Process(args, log).wait() == 0, skippy::test::read_file(log));
  BOOST_TEST(from_file.requests().size() == 1u);
  BOOST_REQUIRE_EQUAL(from_flag.requests().size(), 1u);
  BOOST_TEST(from_flag.requests()[0].form("timeout") == "1.500");
  BOOST_TEST(from_flag.requests()[0].headers["x-scope-orgid"] == "team-a");  // the rest stays
}

BOOST_AUTO_TEST_CASE(a_mistake_in_the_config_file_is_a_usage_error_at_its_line_and_column) {
  TempDir dir("skippy-run-test");
  auto config = dir.path() / "skippy.yml";
  skippy::test::write_file(config, "prometheus:\n  timeout: ten\nlog: {level: loud}\n");
  auto log = dir.path() / "run.log";
  Process run({SKIPPY_BINARY, "run", "--config.file", config.string(), "--policies", "p.skippy",
               "--cluster", "cluster.yaml", "--once"},
              log);
  BOOST_TEST(run.wait() == 2);
  auto text = skippy::test::read_file(log);
  BOOST_TEST(text == config.string() +
                         ":2:12: prometheus.timeout: expected a duration such as `10s` or "
                         "`500ms`\n" +
                         config.string() +
                         ":3:14: log.level: unknown log level `loud`: debug, info, warn or "
                         "error\n");
}
