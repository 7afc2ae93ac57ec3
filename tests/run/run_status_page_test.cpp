// The status page end to end: `skippy run` (not --once) on a cluster snapshot with a real
// Prometheus holding data that ends now, so that one trigger fires and another is pending
// for leaky-1; once a decision exists, the pages are fetched over HTTP, and then shown in a
// real headless browser (Debian's chromium), whose DOM text is checked and whose
// screenshots are kept in the test's build directory.
#define BOOST_TEST_MODULE run_status_page
#include <simdjson.h>
#include <boost/test/unit_test.hpp>

#include "tests/run/run_fixture.hpp"
#include "tests/runtime/prometheus/prometheus_server.hpp"
#include "tests/runtime/prometheus/support.hpp"

namespace test = skippy::test;
namespace fs = std::filesystem;
namespace utf = boost::unit_test;

namespace {

// memory_leak fires at once for leaky-1 (high_memory) and is pending for it for an hour
// (sustained); steady-1 stays inactive.
std::string status_policy() {
  return test::pod_policy("memory_leak", "1s",
                          "  signal mem_pct = promql(`100 * container_memory_working_set_bytes / "
                          "1073741824`) by (namespace, pod) max on missing unknown\n"
                          "  trigger high_memory when mem_pct > 85\n"
                          "  trigger sustained when mem_pct > 85 for 1h\n"
                          "  on high_memory do restart(strategy: rolling) priority 10\n");
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// `skippy run` serving its web pages on a free port of 127.0.0.1, until a decision exists.
struct StatusRun {
  test::TempDir dir{"skippy-status-page-test"};
  test::PrometheusServer prometheus{test::recent_openmetrics()};
  int port = test::free_port();
  std::string web = "http://127.0.0.1:" + std::to_string(port);
  std::unique_ptr<test::Process> run;
  std::string decision_id;

  StatusRun() {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    test::write_file(dir.path() / "p.skippy", status_policy());
    test::write_file(dir.path() / "cluster.yaml", test::kCluster);
    run = std::make_unique<test::Process>(
        std::vector<std::string>{
            SKIPPY_BINARY, "run", "--policies", (dir.path() / "p.skippy").string(), "--cluster",
            (dir.path() / "cluster.yaml").string(), "--prometheus.url", prometheus.url(),
            "--audit.file", (dir.path() / "audit.jsonl").string(), "--web.listen-address",
            "127.0.0.1:" + std::to_string(port)},
        dir.path() / "run.log");
    simdjson::dom::parser parser;
    bool decided = test::poll_until(
        [&] {
          auto [status, body] = test::http_get(web + "/api/v1/status/decisions");
          simdjson::dom::element doc;
          simdjson::dom::array list;
          if (status != 200 || parser.parse(body).get(doc) || doc["data"]["decisions"].get(list) ||
              list.size() == 0)
            return false;
          decision_id = std::string(std::string_view(list.at(0)["id"]));
          return true;
        },
        std::chrono::seconds(20));
    BOOST_REQUIRE_MESSAGE(decided, log());
  }
  ~StatusRun() {
    run->stop(SIGTERM);
    BOOST_TEST(run->wait() == 0, log());
  }
  std::string log() const { return test::read_file(dir.path() / "run.log"); }
};

// Debian's chromium, if installed.
std::string chromium_path() {
  for (const char* path : {"/usr/bin/chromium", "/usr/bin/chromium-browser"})
    if (fs::exists(path)) return path;
  return {};
}

boost::test_tools::assertion_result chromium_present(utf::test_unit_id) {
  boost::test_tools::assertion_result present(!chromium_path().empty());
  present.message() << "chromium is not installed (apt-get install chromium; "
                       "scripts/install-deps installs it)";
  return present;
}

// Runs chromium headless with `args` then `url`; its stdout (and stderr) in `out`. Bounded:
// killed after a minute.
int chromium(const StatusRun& r, const std::vector<std::string>& args, const std::string& url,
             const fs::path& out) {
  std::vector<std::string> argv = {chromium_path(), "--headless", "--no-sandbox", "--disable-gpu",
                                   "--user-data-dir=" + (r.dir.path() / "chromium").string()};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back(url);
  test::Process p(argv, out);
  if (!test::poll_until([&] { return !p.running(); }, std::chrono::seconds(60))) p.stop(SIGKILL);
  return p.wait();
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_status_pages_show_policies_trigger_states_and_decisions) {
  StatusRun r;
  auto [status, policies] = test::http_get(r.web + "/");
  BOOST_TEST(status == 200);
  BOOST_TEST(contains(policies, "<nav>"), policies);
  BOOST_TEST(contains(policies, "memory_leak"), policies);
  BOOST_TEST(contains(policies, "p.skippy:1"), policies);
  BOOST_TEST(contains(policies, "healthy"), policies);
  BOOST_TEST(contains(policies, "leader election: no election"), policies);
  BOOST_TEST(contains(policies, "high_memory"), policies);
  BOOST_TEST(contains(policies, "demo-apps/leaky-1</td><td class=\"firing\">firing"), policies);
  BOOST_TEST(contains(policies, "demo-apps/leaky-1</td><td class=\"pending\">pending"), policies);
  BOOST_TEST(!contains(policies, "steady-1"), policies);  // inactive

  auto firing = test::http_get(r.web + "/?state=firing").second;
  BOOST_TEST(contains(firing, "high_memory"), firing);
  BOOST_TEST(!contains(firing, "sustained"), firing);
  auto elsewhere = test::http_get(r.web + "/?namespace=elsewhere").second;
  BOOST_TEST(contains(elsewhere, "No policies."), elsewhere);

  auto [list_status, decisions] = test::http_get(r.web + "/decisions");
  BOOST_TEST(list_status == 200);
  BOOST_TEST(contains(decisions, "href=\"/decisions/" + r.decision_id + "\""), decisions);
  BOOST_TEST(contains(decisions, "Pod/demo-apps/leaky-1"), decisions);
  BOOST_TEST(contains(decisions, "restart"), decisions);
  BOOST_TEST(contains(decisions, "dry-run"), decisions);  // a snapshot is not acted on
  BOOST_TEST(contains(decisions, "<td>all 10 passed</td>"), decisions);

  auto [one_status, explained] = test::http_get(r.web + "/decisions/" + r.decision_id);
  BOOST_TEST(one_status == 200);
  // What `skippy explain ID` prints, and the line of the policy that wrote the action.
  BOOST_TEST(contains(explained, "decision " + r.decision_id + " at "), explained);
  BOOST_TEST(contains(explained,
                      "proposed restart(strategy: rolling) priority 10 on "
                      "Pod/demo-apps/leaky-1"),
             explained);
  BOOST_TEST(contains(explained, "outcome: dry-run (would have been: execute)"), explained);
  BOOST_TEST(contains(explained, "on high_memory do restart(strategy: rolling) priority 10"),
             explained);

  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  auto api = test::http_get(r.web + "/api/v1/status/policies").second;
  BOOST_REQUIRE(!parser.parse(api).get(doc));
  BOOST_TEST(std::string_view(doc["data"]["policies"].at(0)["name"]) == "memory_leak");
  BOOST_TEST(std::string_view(doc["data"]["policies"].at(0)["triggers"].at(0)["targets"].at(
                 0)["state"]) == "firing");
  auto one = test::http_get(r.web + "/api/v1/status/decisions/" + r.decision_id).second;
  BOOST_REQUIRE(!parser.parse(one).get(doc));
  BOOST_TEST(std::string_view(doc["data"]["record"]["trigger"]) == "high_memory");
  // The safety page: nothing failed, so the circuit breaker is closed.
  auto [safety_status, safety] = test::http_get(r.web + "/safety");
  BOOST_TEST(safety_status == 200);
  BOOST_TEST(contains(safety, "class=\"ok\">closed</span>"), safety);
  BOOST_TEST(contains(safety, "<h2>Waiting for approval</h2>"), safety);
  BOOST_TEST(test::http_get(r.web + "/decisions/ffffffff").first == 404);
  BOOST_TEST(test::http_get(r.web + "/metrics").first == 200);  // still served beside it
}

BOOST_AUTO_TEST_CASE(a_headless_browser_shows_the_pages, *utf::precondition(chromium_present)) {
  StatusRun r;
  fs::path artifacts = SKIPPY_STATUS_PAGE_ARTIFACTS;
  fs::create_directories(artifacts);
  auto dom = [&](const std::string& path, const std::string& name) {
    fs::path out = r.dir.path() / (name + ".dom");
    int code = chromium(r, {"--dump-dom"}, r.web + path, out);
    BOOST_TEST(code == 0, test::read_file(out));
    return test::read_file(out);
  };
  auto policies = dom("/", "policies");
  BOOST_TEST(contains(policies, "<nav>"), policies);
  BOOST_TEST(contains(policies, "memory_leak"), policies);
  BOOST_TEST(contains(policies, "class=\"firing\">firing</td>"), policies);
  auto decisions = dom("/decisions", "decisions");
  BOOST_TEST(contains(decisions, "/decisions/" + r.decision_id), decisions);
  auto explained = dom("/decisions/" + r.decision_id, "decision");
  BOOST_TEST(contains(explained, "outcome: dry-run (would have been: execute)"), explained);

  for (const auto& [path, name] : std::vector<std::pair<std::string, std::string>>{
           {"/", "policies.png"},
           {"/decisions", "decisions.png"},
           {"/decisions/" + r.decision_id, "decision.png"}}) {
    fs::path png = artifacts / name;
    fs::remove(png);
    fs::path out = r.dir.path() / (name + ".log");
    int code =
        chromium(r, {"--screenshot=" + png.string(), "--window-size=1280,900"}, r.web + path, out);
    BOOST_TEST(code == 0, test::read_file(out));
    BOOST_REQUIRE_MESSAGE(fs::exists(png), test::read_file(out));
    auto bytes = test::read_file(png);
    BOOST_TEST(bytes.substr(0, 8) == std::string("\x89PNG\r\n\x1a\n", 8));
    BOOST_TEST(bytes.size() > 10'000u);  // a rendered page, not an empty one
  }
}
