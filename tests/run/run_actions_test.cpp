// `skippy run` carrying out actions: through a kubeconfig's API server (here an HTTP server
// on loopback that records what reaches it), with the safety journal. A crash between deciding
// and executing repeats nothing and forgets no cooldown; a corrupt journal stops the start;
// actions that wait for approval run once `skippy approve` approves them.
#define BOOST_TEST_MODULE run_actions
#include <simdjson.h>
#include <boost/test/unit_test.hpp>

#include <atomic>

#include "runtime/safety/journal.hpp"
#include "tests/run/api_stand_in.hpp"
#include "tests/run/run_fixture.hpp"
#include "tests/runtime/prometheus/prometheus_server.hpp"
#include "tests/runtime/prometheus/support.hpp"

using skippy::test::Process;
using skippy::test::TempDir;
namespace fs = std::filesystem;
namespace test = skippy::test;

namespace {

constexpr std::int64_t kT0 = 1700000000;  // seconds; data every 15 s for 10 minutes

// The audit records of a file whose field `key` is `value`.
std::vector<std::string> records_with(const std::string& audit, const char* key,
                                      std::string_view value) {
  std::vector<std::string> out;
  simdjson::dom::parser parser;
  for (const auto& line : test::lines_of(audit)) {
    simdjson::dom::element e;
    std::string_view v;
    if (!parser.parse(line).get(e) && !e[key].get(v) && v == value) out.push_back(line);
  }
  return out;
}

std::string field(const std::string& record, const char* key) {
  simdjson::dom::parser parser;
  simdjson::dom::element e;
  std::string_view v;
  if (parser.parse(record).get(e) || e[key].get(v)) return "";
  return std::string(v);
}

struct Setup {
  TempDir dir{"skippy-actions-test"};
  test::ApiServer api;
  fs::path journal = dir.path() / "safety.journal";
  fs::path audit = dir.path() / "audit.jsonl";

  Setup() {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    test::write_kubeconfig(dir.path() / "kubeconfig", api.server.url());
  }

  std::vector<std::string> run_args(const std::string& prometheus_url, const std::string& policy) {
    return {SKIPPY_BINARY, "run", "--policies", (dir.path() / policy).string(), "--cluster",
            (dir.path() / "cluster.yaml").string(), "--prometheus.url", prometheus_url,
            "--prometheus.timeout", "3000", "--kubeconfig", (dir.path() / "kubeconfig").string(),
            "--safety.journal", journal.string(),
            // The stand-in records every request: the HealingAction records (tested with the
            // simulator in healing_actions_test and run_failover_test) stay out of its counts.
            "--healing-actions", "false", "--audit.file", audit.string()};
  }
  // A --once run at `at_s`, not waited for.
  std::unique_ptr<Process> start_once(const std::string& prometheus_url, std::int64_t at_s) {
    auto args = run_args(prometheus_url, "p.skippy");
    args.insert(args.end(), {"--once", "--time", std::to_string(at_s * 1000)});
    return std::make_unique<Process>(args, dir.path() / "run.log");
  }
  std::string log() const { return test::read_file(dir.path() / "run.log"); }
};

}  // namespace

BOOST_AUTO_TEST_CASE(a_crash_between_deciding_and_executing_repeats_nothing_and_keeps_cooldowns) {
  Setup s;
  test::write_file(s.dir.path() / "p.skippy", test::memory_policy("15s"));
  test::write_file(s.dir.path() / "cluster.yaml", test::kCluster);
  test::PrometheusServer prometheus(test::openmetrics(kT0));
  const std::string pod_path = "/api/v1/namespaces/demo-apps/pods/leaky-1";

  // The first run decides to restart leaky-1 and sends the DELETE; the API server holds its
  // answer, and the process is killed while it waits.
  s.api.hold = true;
  auto first = s.start_once(prometheus.url(), kT0 + 585);
  BOOST_REQUIRE_MESSAGE(test::poll_until([&] { return s.api.count("DELETE", pod_path) == 1; },
                                         std::chrono::seconds(20)),
                        s.log());
  first->stop(SIGKILL);
  auto decided = records_with(test::read_file(s.audit), "outcome", "execute");
  BOOST_REQUIRE_EQUAL(decided.size(), 1u);
  const std::string id = field(decided[0], "id");
  auto journal = skippy::safety::load_journal(s.journal.string());
  BOOST_REQUIRE(journal.found && !journal.error);
  BOOST_TEST(journal.state.actions.count(id) == 1u);
  BOOST_TEST(skippy::safety::action_state_name(journal.state.actions.find(id)->second.state) ==
             std::string("in-flight"));
  BOOST_TEST(journal.state.target_cooldowns.size() == 1u);

  // Restarted at the same tick, the same firing proposes the same id: a duplicate, not sent.
  s.api.hold = false;
  fs::remove(s.audit);
  auto again = s.start_once(prometheus.url(), kT0 + 585);
  BOOST_TEST(again->wait() == 0, s.log());
  auto duplicate = records_with(test::read_file(s.audit), "id", id);
  BOOST_REQUIRE_EQUAL(duplicate.size(), 1u);
  BOOST_TEST(field(duplicate[0], "outcome") == "duplicate");
  BOOST_TEST(field(duplicate[0], "reason").find("in flight") == 0u, duplicate[0]);

  // A later tick is a new firing (no `for`: it fires at its tick): the cooldown the first run
  // started still holds it back.
  fs::remove(s.audit);
  auto later = s.start_once(prometheus.url(), kT0 + 600);
  BOOST_TEST(later->wait() == 0, s.log());
  auto blocked = records_with(test::read_file(s.audit), "outcome", "blocked:cooldown");
  BOOST_TEST(blocked.size() == 1u, test::read_file(s.audit));
  BOOST_TEST(s.api.count("DELETE", pod_path) == 1u);  // exactly once, across three processes
  BOOST_TEST(records_with(test::read_file(s.audit), "event", "execution").empty());
}

BOOST_AUTO_TEST_CASE(an_executed_action_is_recorded_with_its_result_and_survives_in_the_journal) {
  Setup s;
  test::write_file(s.dir.path() / "p.skippy", test::memory_policy("15s"));
  test::write_file(s.dir.path() / "cluster.yaml", test::kCluster);
  test::PrometheusServer prometheus(test::openmetrics(kT0));
  auto run = s.start_once(prometheus.url(), kT0 + 585);
  BOOST_TEST(run->wait() == 0, s.log());
  auto requests = s.api.server.requests();
  BOOST_REQUIRE_EQUAL(requests.size(), 1u);
  BOOST_TEST(requests[0].method == "DELETE");
  BOOST_TEST(requests[0].path == "/api/v1/namespaces/demo-apps/pods/leaky-1");
  BOOST_TEST(requests[0].headers["authorization"] == "Bearer s3cret");
  std::string audit = test::read_file(s.audit);
  auto executions = records_with(audit, "event", "execution");
  BOOST_REQUIRE_EQUAL(executions.size(), 1u);
  BOOST_TEST(field(executions[0], "status") == "success");
  // The pod's restart is done once its Deployment is ready again: the health check.
  BOOST_TEST(field(executions[0], "state") == "verifying");
  BOOST_TEST(field(executions[0], "message") == "delete Pod demo-apps/leaky-1");
  BOOST_TEST(s.log().find("1 executed (0 failed)") != std::string::npos, s.log());
  const std::string id = field(executions[0], "id");
  auto state_of = [&] {
    auto journal = skippy::safety::load_journal(s.journal.string());
    BOOST_REQUIRE(journal.found && !journal.error);
    return std::string(
        skippy::safety::action_state_name(journal.state.actions.find(id)->second.state));
  };
  BOOST_TEST(state_of() == "verifying");

  // A minute later (past the check's initial delay) the snapshot shows Deployment leaky ready.
  auto later = s.start_once(prometheus.url(), kT0 + 645);
  BOOST_TEST(later->wait() == 0, s.log());
  audit = test::read_file(s.audit);
  auto checks = records_with(audit, "event", "health-check");
  BOOST_REQUIRE_EQUAL(checks.size(), 1u);
  BOOST_TEST(field(checks[0], "id") == id);
  BOOST_TEST(field(checks[0], "state") == "succeeded");
  BOOST_TEST(field(checks[0], "reason") == "Deployment demo-apps/leaky ready: 1/1 replicas",
             checks[0]);
  BOOST_TEST(state_of() == "succeeded");
  BOOST_TEST(s.api.server.requests().size() == 1u);  // the new firing is held by the cooldown

  // skippy explain shows the decision and what became of it.
  Process explain({SKIPPY_BINARY, "explain", id.substr(0, 10), "--audit.file", s.audit.string()},
                  s.dir.path() / "explain.out");
  BOOST_TEST(explain.wait() == 0);
  std::string text = test::read_file(s.dir.path() / "explain.out");
  BOOST_TEST(text.find("outcome: execute") != std::string::npos, text);
  BOOST_TEST(text.find("attempt 1: success: delete Pod demo-apps/leaky-1 (now verifying)") !=
                 std::string::npos,
             text);
  BOOST_TEST(
      text.find(": succeeded: Deployment demo-apps/leaky ready: 1/1 replicas") != std::string::npos,
      text);
}

BOOST_AUTO_TEST_CASE(a_corrupt_journal_stops_the_start_and_is_left_as_it_is) {
  Setup s;
  test::write_file(s.dir.path() / "p.skippy", test::memory_policy("15s"));
  test::write_file(s.dir.path() / "cluster.yaml", test::kCluster);
  test::write_file(s.journal, "skippy-safety-journal 1\n{\"not\": \"sealed\"}\n");
  const std::string before = test::read_file(s.journal);
  test::PrometheusServer prometheus(test::openmetrics(kT0));
  auto run = s.start_once(prometheus.url(), kT0 + 585);
  BOOST_TEST(run->wait() == 2);
  BOOST_TEST(s.log().find(s.journal.string() + ": byte ") != std::string::npos, s.log());
  BOOST_TEST(s.log().find("move it away to start with no safety state") != std::string::npos);
  BOOST_TEST(test::read_file(s.journal) == before);
  BOOST_TEST(s.api.server.requests().empty());
}

BOOST_AUTO_TEST_CASE(an_action_waiting_for_approval_runs_once_skippy_approve_approves_it) {
  Setup s;
  test::write_file(s.dir.path() / "m.skippy", test::kManualPolicy);
  test::write_file(s.dir.path() / "cluster.yaml", test::kCrashLoopCluster);
  test::PrometheusServer prometheus(test::openmetrics(kT0));
  int port = test::free_port();
  std::string web = "http://127.0.0.1:" + std::to_string(port);
  auto args = s.run_args(prometheus.url(), "m.skippy");
  args.insert(args.end(), {"--web.listen-address", "127.0.0.1:" + std::to_string(port),
                           "--web.enable-approvals", "--restore.max-lookback", "0s"});
  Process run(args, s.dir.path() / "run.log");

  auto approve = [&](std::vector<std::string> more) {
    std::vector<std::string> argv = {SKIPPY_BINARY, "approve", "--runtime.url", web};
    argv.insert(argv.end(), more.begin(), more.end());
    fs::remove(s.dir.path() / "approve.out");
    Process p(argv, s.dir.path() / "approve.out");
    int code = p.wait();
    return std::make_pair(code, test::read_file(s.dir.path() / "approve.out"));
  };
  std::string id;
  BOOST_REQUIRE_MESSAGE(test::poll_until(
                            [&] {
                              auto [status, body] = test::http_get(web + "/api/v1/approvals");
                              auto at = body.find("\"id\":\"");
                              if (status != 200 || at == std::string::npos) return false;
                              id = body.substr(at + 6, 32);
                              return true;
                            },
                            std::chrono::seconds(20)),
                        s.log());
  auto [list_code, list] = approve({"--list"});
  BOOST_TEST(list_code == 0);
  BOOST_TEST(list.find(id) != std::string::npos, list);
  BOOST_TEST(list.find("Pod/demo-apps/crashy-1") != std::string::npos, list);
  BOOST_TEST(list.find("pending") != std::string::npos, list);
  BOOST_TEST(s.api.server.requests().empty());  // nothing runs before the approval

  auto [code, out] = approve({id.substr(0, 8)});  // a prefix is enough
  BOOST_TEST(code == 0, out);
  BOOST_TEST(out == "approved " + id + ": restart Pod/demo-apps/crashy-1 (policy crash_restart)\n");
  const std::string pod_path = "/api/v1/namespaces/demo-apps/pods/crashy-1";
  BOOST_REQUIRE_MESSAGE(test::poll_until([&] { return s.api.count("DELETE", pod_path) == 1; },
                                         std::chrono::seconds(20)),
                        s.log());
  auto [again_code, again] = approve({id});
  BOOST_TEST(again_code == 1);
  BOOST_TEST(again.find(id + ": not-pending") != std::string::npos, again);
  auto [unknown_code, unknown] = approve({"ffffffffffffffffffffffffffffffff"});
  BOOST_TEST(unknown_code == 1);
  BOOST_TEST(unknown.find("unknown") != std::string::npos, unknown);
  run.stop(SIGTERM);
  BOOST_TEST(run.wait() == 0);
  std::string audit = test::read_file(s.audit);
  BOOST_TEST(records_with(audit, "outcome", "awaiting-approval").size() == 1u, audit);
  BOOST_TEST(records_with(audit, "outcome", "execute").size() == 1u, audit);
  BOOST_TEST(records_with(audit, "event", "execution").size() == 1u, audit);
  BOOST_TEST(s.api.count("DELETE", pod_path) == 1u);
  auto [down_code, down] = approve({"--list"});  // the runtime is gone: a usage error
  BOOST_TEST(down_code == 2);
}
