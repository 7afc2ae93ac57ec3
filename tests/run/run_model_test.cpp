// `skippy run --once --ai.backend ...` end to end against a real Prometheus and the model
// stand-in (simulator/model_stand_in.hpp): the model's verdict reaches the audit record and
// `skippy explain` in the cluster's own words, the API key reaches the stand-in as a header
// and appears in no log line and no audit record, and a hanging model leaves the decision to
// the deterministic analyzer after --ai.timeout.
#define BOOST_TEST_MODULE run_model
#include <simdjson.h>
#include <boost/test/unit_test.hpp>

#include "simulator/model_stand_in.hpp"
#include "tests/run/run_fixture.hpp"
#include "tests/runtime/prometheus/prometheus_server.hpp"
#include "tests/runtime/prometheus/support.hpp"

using namespace skippy;
using test::Process;
using test::TempDir;
namespace fs = std::filesystem;

namespace {

constexpr std::int64_t kT0 = 1700000000;  // seconds; data every 15 s for 10 minutes
const std::string kKey = "sk-run-test-9a8b7c";

test::RunResult run_once(const TempDir& dir, const std::string& prometheus,
                         const std::string& model, std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"--policies",
                                   (dir.path() / "p.skippy").string(),
                                   "--cluster",
                                   (dir.path() / "cluster.yaml").string(),
                                   "--prometheus.url",
                                   prometheus,
                                   "--time",
                                   std::to_string((kT0 + 585) * 1000),
                                   "--log.level",
                                   "debug",
                                   "--ai.backend",
                                   "ollama",
                                   "--ai.url",
                                   model,
                                   "--ai.model",
                                   "llama3.1:8b",
                                   "--ai.api-key-file",
                                   (dir.path() / "key").string()};
  args.insert(args.end(), extra.begin(), extra.end());
  return test::run_once_in(dir.path(), args);
}

struct Setup {
  TempDir dir{"skippy-run-model-test"};
  test::PrometheusServer prometheus{test::openmetrics(kT0)};
  Setup() {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    test::write_file(dir.path() / "p.skippy", test::advised_memory_policy("15s"));
    test::write_file(dir.path() / "cluster.yaml", test::kCluster);
    test::write_file(dir.path() / "key", kKey + "\n");
  }
};

std::unique_ptr<sim::ModelStandIn> stand_in(sim::ModelMode mode) {
  sim::ModelOptions options;
  options.mode = mode;
  options.api_key = kKey;
  auto s = std::make_unique<sim::ModelStandIn>(options);
  auto error = s->start();
  BOOST_REQUIRE_MESSAGE(!error, error.value_or(""));
  return s;
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_models_verdict_is_audited_and_explained_and_the_key_stays_secret) {
  Setup setup;
  auto model = stand_in(sim::ModelMode::sensible);
  auto run = run_once(setup.dir, setup.prometheus.url(), model->url());
  BOOST_TEST(run.code == 0, run.log);
  auto lines = test::lines_of(run.audit);
  BOOST_REQUIRE_EQUAL(lines.size(), 1u);
  simdjson::dom::parser parser;
  simdjson::dom::element record;
  BOOST_REQUIRE(!parser.parse(lines[0]).get(record));
  BOOST_TEST(std::string_view(record["action"]) == "restart");
  BOOST_TEST(std::string_view(record["target"]) == "Pod/demo-apps/leaky-1");
  auto analysis = record["analysis"].at(0);
  BOOST_TEST(std::string_view(analysis["analyzer"]) == "ollama");
  BOOST_TEST(std::string_view(analysis["model"]["validation"]) == "accepted");
  BOOST_TEST(std::string_view(analysis["reason"]).find("leaky-1") != std::string_view::npos);
  std::string_view sent = analysis["model"]["evidence_sent"];
  BOOST_TEST(sent.find("leaky-1") == std::string_view::npos, sent);
  BOOST_TEST(sent.find("<pod-1>") != std::string_view::npos, sent);

  // The key: a header on every request, nowhere else.
  BOOST_TEST_REQUIRE(model->request_count() >= 1u);
  for (const auto& r : model->requests()) {
    BOOST_TEST(r.headers.at("authorization") == "Bearer " + kKey);
    BOOST_TEST(r.body.find(kKey) == std::string::npos);
  }
  BOOST_TEST(run.audit.find(kKey) == std::string::npos);
  BOOST_TEST(run.log.find(kKey) == std::string::npos, run.log);
  BOOST_TEST(run.log.find("ai.analyze: ollama model llama3.1:8b at " + model->url() +
                          "/api/chat, names redacted") != std::string::npos,
             run.log);

  // skippy explain shows the model's part.
  auto id = std::string(std::string_view(record["id"]));
  test::write_file(setup.dir.path() / "audit.jsonl", run.audit);
  Process p(
      {SKIPPY_BINARY, "explain", id, "--audit.file", (setup.dir.path() / "audit.jsonl").string()},
      setup.dir.path() / "explain.out");
  BOOST_TEST(p.wait() == 0);
  auto text = test::read_file(setup.dir.path() / "explain.out");
  BOOST_TEST(text.find("analysis (ai.analyze at ") != std::string::npos, text);
  BOOST_TEST(text.find(", ollama):") != std::string::npos, text);
  BOOST_TEST(text.find("    model: ollama llama3.1:8b, prompt ") != std::string::npos, text);
  BOOST_TEST(text.find(": accepted") != std::string::npos, text);
  BOOST_TEST(text.find("on leaky-1") != std::string::npos, text);  // the reason, mapped back
  BOOST_TEST(text.find(kKey) == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_hanging_model_leaves_the_decision_to_the_deterministic_analyzer) {
  Setup setup;
  auto model = stand_in(sim::ModelMode::hang);
  auto run = run_once(setup.dir, setup.prometheus.url(), model->url(), {"--ai.timeout", "300ms"});
  BOOST_TEST(run.code == 0, run.log);
  auto lines = test::lines_of(run.audit);
  BOOST_REQUIRE_EQUAL(lines.size(), 1u);  // leaky-1 is forecast to reach 95: restart
  simdjson::dom::parser parser;
  simdjson::dom::element record;
  BOOST_REQUIRE(!parser.parse(lines[0]).get(record));
  auto analysis = record["analysis"].at(0);
  BOOST_TEST(std::string_view(analysis["analyzer"]) == "deterministic");
  BOOST_TEST(std::string_view(analysis["model"]["fallback"]) ==
             "no answer within --ai.timeout (300ms)");
  BOOST_TEST(run.log.find(kKey) == std::string::npos);
  model->shutdown();
}

BOOST_AUTO_TEST_CASE(a_bad_ai_setting_is_a_usage_error) {
  Setup setup;
  auto run = run_once(setup.dir, setup.prometheus.url(), "ftp://nowhere");
  BOOST_TEST(run.code == 2);
  BOOST_TEST(run.log.find("--ai.url: `ftp://nowhere` is not an http:// or https:// URL") !=
                 std::string::npos,
             run.log);
  fs::remove(setup.dir.path() / "key");
  auto missing = run_once(setup.dir, setup.prometheus.url(), "http://127.0.0.1:1");
  BOOST_TEST(missing.code == 2);
  BOOST_TEST(
      missing.log.find("--ai.api-key-file: cannot read the API key file") != std::string::npos,
      missing.log);
}
