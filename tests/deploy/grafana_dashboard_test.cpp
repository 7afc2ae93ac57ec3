// deploy/grafana/skippy-dashboard.json: importable (a Prometheus datasource variable, no
// datasource uid of a real Grafana), every panel expression valid PromQL for the installed
// promtool, and built only from what the runtime exports: the metric and label names of the
// /metrics of a running `skippy run` (a real Prometheus, a cluster snapshot and the model
// stand-in, so that its analyses and model calls are there), together with those of the
// families such a short run leaves empty (trigger changes, executions, heals, the outcome
// ledger, fallbacks), which the same monitor::RuntimeMetrics produces in-process when fed every
// kind of event; the running process's names are checked to be among the in-process ones. A panel
// naming a metric or a label the runtime does not export is reported.
#define BOOST_TEST_MODULE grafana_dashboard
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "base/json_escape.hpp"
#include "runtime/bytecode/program.hpp"
#include "runtime/monitor/self_metrics.hpp"
#include "simulator/model_stand_in.hpp"
#include "tests/deploy/dashboard_check.hpp"
#include "tests/run/run_fixture.hpp"
#include "tests/runtime/prometheus/prometheus_server.hpp"
#include "tests/support/compile_text.hpp"

using namespace skippy;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

const fs::path kDashboard = fs::path(SKIPPY_SOURCE_DIR) / "deploy/grafana/skippy-dashboard.json";

// Concrete values for the variables Grafana fills in, as promtool and Prometheus need them.
const std::map<std::string, std::string> kVariables = {
    {"datasource", "prometheus"}, {"job", ".*"},         {"instance", ".*"},
    {"__rate_interval", "1m"},    {"__interval", "15s"}, {"__range", "1h"}};

// The expressions of `dashboard`, variables replaced.
std::vector<test::PanelExpr> concrete(const test::Dashboard& dashboard) {
  std::vector<test::PanelExpr> out;
  for (const auto& e : dashboard.exprs)
    out.push_back({e.panel, test::substitute(e.expr, kVariables)});
  return out;
}

// Every family the runtime has, fed in-process by its own RuntimeMetrics for the policy the run
// below loads: a tick with its trigger firing, changing and analysed, a decision, an execution,
// a heal, the outcome ledger, and the model's calls, cache hits, fallbacks and budgets.
std::string in_process_exposition() {
  static const auto compiled = testing::compile_text(test::advised_memory_policy("1s"));
  BOOST_TEST_REQUIRE(compiled->program.has_value(), compiled->messages());
  monitor::RuntimeMetrics metrics(*compiled->program, "");
  engine::TickResult tick;
  engine::PolicyHealth health;
  health.evaluated = true;
  health.targets = 1;
  health.phases.push_back({0, 0, 1, 0});
  tick.health.push_back(health);
  tick.changes.push_back(
      {0, 0, "Pod/demo-apps/leaky-1", engine::TriggerChange::Fired, engine::TriggerPhase::Firing});
  engine::VerdictRecord verdict;
  verdict.verdict.analyzer = "deterministic";
  verdict.verdict.action = "restart";
  verdict.verdict.confidence = 0.9;
  tick.verdicts.push_back(verdict);
  metrics.record_tick(tick, 10ms, 1ms, 1, 1);
  metrics.record_missed_ticks(1);
  metrics.record_decision("memory_leak", "restart", "execute");
  metrics.record_execution("memory_leak", "restart", "success");
  metrics.record_heal("memory_leak", "restart", 30s);
  engine::OutcomeStats stats;
  stats.attempts = 1;
  stats.healed = 1;
  metrics.set_outcomes({{"memory_leak", "restart", stats}});
  metrics.record_model_call("ollama", "answered", true, 0.5, 100, 20);
  metrics.record_model_cache_hit("ollama");
  metrics.record_model_fallback("timeout");
  metrics.set_model_budget(10, 1000);
  return metrics.exposition();
}

// The /metrics of a running `skippy run` once it has ticked, analysed and decided: its
// policy's trigger fires at once on series that end now (leaky-1 at 90% of its limit).
std::string running_exposition() {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  test::TempDir dir("skippy-grafana-test");
  test::write_file(dir.path() / "p.skippy", test::advised_memory_policy("1s"));
  test::write_file(dir.path() / "cluster.yaml", test::kCluster);
  const auto now_s = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
  test::PrometheusServer prometheus(test::openmetrics(now_s - 600));
  sim::ModelStandIn model(sim::ModelOptions{});
  auto error = model.start();
  BOOST_REQUIRE_MESSAGE(!error, error.value_or(""));
  const std::string web = "127.0.0.1:" + std::to_string(test::free_port());
  test::Process run(
      {SKIPPY_BINARY, "run", "--policies", (dir.path() / "p.skippy").string(), "--cluster",
       (dir.path() / "cluster.yaml").string(), "--prometheus.url", prometheus.url(), "--audit.file",
       (dir.path() / "audit.jsonl").string(), "--web.listen-address", web, "--ai.backend", "ollama",
       "--ai.url", model.url(), "--ai.model", "llama3.1:8b"},
      dir.path() / "run.log");
  std::string exposition;
  bool decided = test::poll_until(
      [&] {
        auto [status, body] = test::http_get("http://" + web + "/metrics");
        exposition = body;
        return status == 200 && body.find("skippy_proposals_total{") != std::string::npos &&
               body.find("skippy_model_calls_total{") != std::string::npos;
      },
      30s);
  BOOST_REQUIRE_MESSAGE(decided, exposition + test::read_file(dir.path() / "run.log"));
  run.stop(SIGTERM);
  return exposition;
}

// What the runtime exports: the running process's names, and the in-process ones of the
// families a short run leaves empty. Built once (the run takes seconds).
const test::Vocabulary& exported() {
  static const test::Vocabulary vocabulary = [] {
    auto running = test::exposition_names(running_exposition());
    auto fed = test::exposition_names(in_process_exposition());
    // The in-process exposition is the runtime's: it has every series name the running
    // process showed, with the same labels.
    for (const auto& [name, labels] : running) {
      auto it = fed.find(name);
      BOOST_TEST((it != fed.end() && it->second == labels), name);
    }
    test::merge(fed, running);
    return fed;
  }();
  return vocabulary;
}

// Every problem of `dashboard` against `vocabulary`, "panel: problem".
std::vector<std::string> problems_of(const test::Dashboard& dashboard,
                                     const test::Vocabulary& vocabulary) {
  std::vector<std::string> out;
  for (const auto& e : concrete(dashboard)) {
    for (const auto& p : test::unexported_names(e.expr, vocabulary))
      out.push_back(e.panel + ": " + p);
  }
  return out;
}

// `promtool check rules` over the expressions as recording rules: its exit code and output.
std::pair<int, std::string> promtool_check(const std::vector<test::PanelExpr>& exprs) {
  test::TempDir dir("skippy-grafana-promtool");
  std::string rules = "groups:\n  - name: dashboard\n    rules:\n";
  for (std::size_t i = 0; i < exprs.size(); ++i) {
    rules += "      - record: dashboard:expr_" + std::to_string(i) + "\n        expr: \"" +
             base::json_escape(exprs[i].expr) + "\"\n";
  }
  test::write_file(dir.path() / "rules.yml", rules);
  test::Process p({"promtool", "check", "rules", (dir.path() / "rules.yml").string()},
                  dir.path() / "promtool.log");
  int code = p.wait();
  return {code, test::read_file(dir.path() / "promtool.log")};
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_tokenizer_finds_metric_and_label_names) {
  auto names = test::promql_names(
      R"(histogram_quantile(0.9, sum by (le, analyzer) (rate(a_bucket{job=~"x|y", outcome!="b{c}"}[5m] offset 1h))))"
      R"( / on(instance) group_left(policy) max without (kind) (b) or vector(0) and c > bool 1e3)");
  BOOST_TEST(names.metrics == (std::set<std::string>{"a_bucket", "b", "c"}));
  BOOST_TEST(names.labels == (std::set<std::string>{"le", "analyzer", "job", "outcome", "instance",
                                                    "policy", "kind"}));
  auto selector = test::promql_names(R"({__name__="x", state='firing'})");
  BOOST_TEST(selector.metrics.empty());
  BOOST_TEST(selector.labels == (std::set<std::string>{"state"}));
  BOOST_TEST(test::substitute("rate(x{job=~\"$job\"}[$__rate_interval]) ${datasource}",
                              kVariables) == "rate(x{job=~\".*\"}[1m]) prometheus");
  BOOST_CHECK_THROW(test::substitute("x[$nope]", kVariables), std::runtime_error);
  auto vocabulary = test::exposition_names(
      "# TYPE h histogram\nh_bucket{a=\"q\\\"x,b=\\\"\",le=\"1\"} 1\nh_count 1\nplain 2\n");
  BOOST_TEST(vocabulary["h_bucket"] == (std::set<std::string>{"a", "le"}));
  BOOST_TEST(vocabulary.contains("h_count"));
  BOOST_TEST(vocabulary.contains("plain"));
}

BOOST_AUTO_TEST_CASE(the_dashboard_picks_its_prometheus_through_a_variable) {
  auto dashboard = test::parse_dashboard(test::read_file(kDashboard));
  BOOST_TEST(dashboard.exprs.size() >= 30u);
  BOOST_TEST(dashboard.datasource_variables == std::vector<std::string>{"datasource"});
  BOOST_TEST_REQUIRE(!dashboard.datasource_uids.empty());
  for (const auto& uid : dashboard.datasource_uids) BOOST_TEST(uid == "${datasource}");
  // Every variable's query reads an exported metric by an exported or target label.
  BOOST_TEST(dashboard.variable_queries.size() == 3u);
  for (const auto& [name, query] : dashboard.variable_queries) {
    if (name == "datasource") continue;
    BOOST_TEST(query.starts_with("label_values(skippy_ticks_total"), query);
    BOOST_TEST(query.ends_with(", " + name + ")"), query);
  }
}

BOOST_AUTO_TEST_CASE(every_expression_is_valid_promql_for_promtool) {
  auto exprs = concrete(test::parse_dashboard(test::read_file(kDashboard)));
  auto [code, output] = promtool_check(exprs);
  BOOST_TEST(code == 0, output);
  BOOST_TEST(
      output.find("SUCCESS: " + std::to_string(exprs.size()) + " rules found") != std::string::npos,
      output);
  // The check bites: one broken expression fails it.
  exprs.push_back({"broken", "sum by (le (rate(x[1m]))"});
  auto [broken_code, broken_output] = promtool_check(exprs);
  BOOST_TEST(broken_code != 0, broken_output);
}

BOOST_AUTO_TEST_CASE(every_expression_uses_only_what_the_runtime_exports) {
  const auto& vocabulary = exported();
  // The running process showed the families the dashboard is mostly about.
  for (const char* name : {"skippy_ticks_total", "skippy_triggers", "skippy_proposals_total",
                           "skippy_analyses_total", "skippy_analysis_confidence_bucket",
                           "skippy_model_calls_total", "skippy_time_to_heal_seconds_bucket"})
    BOOST_TEST(vocabulary.contains(name), name);
  auto dashboard = test::parse_dashboard(test::read_file(kDashboard));
  auto problems = problems_of(dashboard, vocabulary);
  BOOST_TEST(problems.empty(), [&] {
    std::string all;
    for (const auto& p : problems) all += "\n  " + p;
    return all;
  }());
}

BOOST_AUTO_TEST_CASE(a_panel_naming_what_the_runtime_does_not_export_is_reported) {
  // A copy of the dashboard with a collapsed row holding a bogus panel, appended to its panels.
  std::string json = test::read_file(kDashboard);
  const std::string bogus =
      R"json({"type":"row","title":"Extra","collapsed":true,"panels":[{"type":"timeseries",)json"
      R"json("title":"Bogus","datasource":{"type":"prometheus","uid":"${datasource}"},)json"
      R"json("targets":[{"refId":"A","expr":"sum by (gate) (rate()json"
      R"json(skippy_proposals_total{job=~\"$job\"}[$__rate_interval]))"},)json"
      R"json({"refId":"B","expr":"rate(skippy_heals_total[$__rate_interval])"}]}]},)json";
  const auto panels = json.find("\"panels\": [");
  BOOST_TEST_REQUIRE(panels != std::string::npos);
  json.insert(panels + std::string_view("\"panels\": [").size(), bogus);
  auto problems = problems_of(test::parse_dashboard(json), exported());
  BOOST_TEST(problems ==
             (std::vector<std::string>{"Bogus: label gate is not on its metrics",
                                       "Bogus: metric skippy_heals_total is not exported"}));
}
