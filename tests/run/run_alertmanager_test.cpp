// `skippy run` with a real Alertmanager (Debian's prometheus-alertmanager, started here on
// loopback): an action's alert arrives with its labels, a silence made with amtool blocks the
// next action at the silence gate, expiring it lets the action through, and an Alertmanager
// that is down blocks nothing unless --alertmanager.silences-required says so.
#define BOOST_TEST_MODULE run_alertmanager
#include <simdjson.h>
#include <boost/test/unit_test.hpp>

#include <filesystem>

#include "tests/run/api_stand_in.hpp"
#include "tests/run/run_fixture.hpp"
#include "tests/runtime/prometheus/prometheus_server.hpp"
#include "tests/runtime/prometheus/support.hpp"

using skippy::test::Process;
using skippy::test::TempDir;
namespace fs = std::filesystem;
namespace test = skippy::test;

namespace {

constexpr const char* kAlertmanager = "/usr/bin/prometheus-alertmanager";
constexpr const char* kAmtool = "/usr/bin/amtool";

// A policy in mode automatic that restarts crashy-1 (of kCrashLoopCluster) at every tick: each
// `--once` run is a new firing. It reads no PromQL.
constexpr const char* kPolicy = R"(policy crash_restart {
  select pods in namespace "demo-apps" where label("issue") == "crashloop"
  mode automatic
  every 1s
  trigger crashing when pod.restarts > 5
  on crashing do restart() priority 10
}
)";

// An Alertmanager on a free 127.0.0.1 port with one receiver that sends nothing; stopped with
// the object.
class AlertmanagerServer {
 public:
  AlertmanagerServer() : dir_("skippy-alertmanager-test"), port_(test::free_port()) {
    test::write_file(dir_.path() / "alertmanager.yml",
                     "route:\n  receiver: none\nreceivers:\n  - name: none\n");
    process_ = std::make_unique<Process>(
        std::vector<std::string>{kAlertmanager, "--config.file",
                                 (dir_.path() / "alertmanager.yml").string(), "--storage.path",
                                 (dir_.path() / "data").string(), "--web.listen-address",
                                 "127.0.0.1:" + std::to_string(port_), "--cluster.listen-address="},
        dir_.path() / "alertmanager.log");
    bool ready =
        test::poll_until([&] { return process_->running() && test::http_ok(url() + "/-/ready"); },
                         std::chrono::seconds(30));
    BOOST_REQUIRE_MESSAGE(ready, test::read_file(dir_.path() / "alertmanager.log"));
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  void stop() { process_.reset(); }
  // amtool ARGS... against this Alertmanager: its exit code and output.
  std::pair<int, std::string> amtool(std::vector<std::string> args) {
    args.insert(args.begin(), {kAmtool, "--alertmanager.url=" + url()});
    const fs::path log = dir_.path() / "amtool.log";
    fs::remove(log);
    Process p(args, log);
    int code = p.wait();
    return {code, test::read_file(log)};
  }

 private:
  TempDir dir_;
  int port_;
  std::unique_ptr<Process> process_;
};

struct Setup {
  TempDir dir{"skippy-run-alertmanager-test"};
  test::ApiServer api;
  Setup() {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    test::write_kubeconfig(dir.path() / "kubeconfig", api.server.url());
    test::write_file(dir.path() / "p.skippy", kPolicy);
    test::write_file(dir.path() / "cluster.yaml", test::kCrashLoopCluster);
  }
  // One tick now (the alerts must be firing now) with the Alertmanager at `am_url` and `more`
  // flags: the decision record.
  simdjson::dom::element decide(const std::string& am_url, std::vector<std::string> more = {}) {
    std::vector<std::string> args = {"--policies",
                                     (dir.path() / "p.skippy").string(),
                                     "--cluster",
                                     (dir.path() / "cluster.yaml").string(),
                                     "--prometheus.url",
                                     "http://127.0.0.1:1",
                                     "--kubeconfig",
                                     (dir.path() / "kubeconfig").string(),
                                     "--healing-actions",
                                     "false",
                                     "--alertmanager.url",
                                     am_url,
                                     "--alertmanager.timeout",
                                     "2s",
                                     "--web.external-url",
                                     "http://skippy.example:9477/"};
    args.insert(args.end(), more.begin(), more.end());
    last = test::run_once_in(dir.path(), args);
    BOOST_REQUIRE_MESSAGE(last.code == 0, last.log);
    for (const auto& line : test::lines_of(last.audit)) {
      simdjson::dom::element e;
      simdjson::dom::array gates;
      if (!parser.parse(line).get(e) && !e["gates"].get(gates)) {
        docs.push_back(std::make_unique<simdjson::dom::parser>());
        return docs.back()->parse(line).value();
      }
    }
    BOOST_FAIL("no decision record: " + last.audit + last.log);
    return {};
  }
  test::RunResult last;
  simdjson::dom::parser parser;
  std::vector<std::unique_ptr<simdjson::dom::parser>> docs;
};

std::string text(simdjson::dom::element e) {
  std::string_view v;
  return e.get(v) ? std::string() : std::string(v);
}

// The silence gate's entry of a decision record.
simdjson::dom::element silence_gate(simdjson::dom::element record) {
  for (auto g : record["gates"].get_array())
    if (text(g["gate"]) == "silence") return g;
  BOOST_FAIL("no silence gate");
  return {};
}

const std::string kPodPath = "/api/v1/namespaces/demo-apps/pods/crashy-1";

}  // namespace

BOOST_AUTO_TEST_CASE(alerts_silences_and_an_alertmanager_that_is_down) {
  if (!fs::exists(kAlertmanager) || !fs::exists(kAmtool)) {
    BOOST_TEST_MESSAGE("skipped: " << kAlertmanager
                                   << " or amtool is missing (scripts/install-deps installs "
                                      "prometheus-alertmanager)");
    return;
  }
  Setup s;
  AlertmanagerServer am;

  // The action runs, and its alert arrives with the action's labels.
  auto record = s.decide(am.url(), {"--alertmanager.notify-decisions"});
  BOOST_TEST(text(record["outcome"]) == "execute");
  BOOST_TEST(text(silence_gate(record)["verdict"]) == "passed");
  BOOST_TEST(s.api.count("DELETE", kPodPath) == 1u);
  const std::string id = text(record["id"]);
  auto [status, body] = test::http_get(am.url() + "/api/v2/alerts");
  BOOST_REQUIRE(status == 200);
  simdjson::dom::parser parser;
  simdjson::dom::array alerts = parser.parse(body).get_array();
  BOOST_REQUIRE_EQUAL(alerts.size(), 1u);
  auto alert = alerts.at(0);
  BOOST_TEST(text(alert["labels"]["alertname"]) == "SkippyAction");
  BOOST_TEST(text(alert["labels"]["policy"]) == "crash_restart");
  BOOST_TEST(text(alert["labels"]["trigger"]) == "crashing");
  BOOST_TEST(text(alert["labels"]["action"]) == "restart");
  BOOST_TEST(text(alert["labels"]["namespace"]) == "demo-apps");
  BOOST_TEST(text(alert["labels"]["target"]) == "crashy-1");
  BOOST_TEST(text(alert["labels"]["outcome"]) == "execute");
  BOOST_TEST(text(alert["labels"]["severity"]) == "info");
  BOOST_TEST(text(alert["annotations"]["decision_id"]) == id);
  BOOST_TEST(text(alert["annotations"]["explain"]) == "skippy explain " + id);
  BOOST_TEST(text(alert["generatorURL"]) == "http://skippy.example:9477/");

  // A silence on the policy blocks the next action at the silence gate, naming the silence.
  auto [code, out] = am.amtool({"silence", "add", "policy=crash_restart", "--comment=maintenance",
                                "--author=ops", "--duration=1h"});
  BOOST_REQUIRE_MESSAGE(code == 0, out);
  std::string silence_id = out.substr(0, out.find_first_of("\r\n"));
  BOOST_REQUIRE(!silence_id.empty());
  record = s.decide(am.url());
  BOOST_TEST(text(record["outcome"]) == "blocked:silence");
  auto gate = silence_gate(record);
  BOOST_TEST(text(gate["verdict"]) == "blocked");
  BOOST_TEST(text(gate["reason"]).find("silenced by " + silence_id) == 0u, text(gate["reason"]));
  BOOST_TEST(text(gate["reason"]).find("(ops: maintenance)") != std::string::npos);
  BOOST_TEST(s.api.count("DELETE", kPodPath) == 1u);  // not sent

  // Expired, it silences nothing: the action runs.
  auto [expired, expire_out] = am.amtool({"silence", "expire", silence_id});
  BOOST_REQUIRE_MESSAGE(expired == 0, expire_out);
  record = s.decide(am.url());
  BOOST_TEST(text(record["outcome"]) == "execute");
  BOOST_TEST(s.api.count("DELETE", kPodPath) == 2u);

  // Down, the Alertmanager blocks nothing (the gate says so) unless silences are required.
  const std::string gone = am.url();
  am.stop();
  record = s.decide(gone);
  BOOST_TEST(text(record["outcome"]) == "execute");
  BOOST_TEST(text(silence_gate(record)["reason"]).find("alertmanager unreachable") == 0u);
  BOOST_TEST(s.api.count("DELETE", kPodPath) == 3u);
  record = s.decide(gone, {"--alertmanager.silences-required"});
  BOOST_TEST(text(record["outcome"]) == "blocked:silence");
  BOOST_TEST(text(silence_gate(record)["reason"]).find("silences are required") !=
             std::string::npos);
  BOOST_TEST(s.api.count("DELETE", kPodPath) == 3u);
}
