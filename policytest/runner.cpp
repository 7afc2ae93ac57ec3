#include "policytest/runner.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <set>

#include "dsl/literals.hpp"
#include "runtime/prometheus/client.hpp"
#include "runtime/replay/prometheus_vectors.hpp"

namespace skippy::policytest {
namespace {

std::string describe(const ActionLine& a) {
  return a.policy + " " + a.action + " " + a.target + " " + a.outcome;
}

std::string at_text(std::int64_t ms) {
  return ms == 0 ? "0s" : dsl::format_duration(ms);
}

// The test's samples on the time axis, from 0 (the Unix epoch), as promtool writes them.
std::vector<TimedSeries> timed(const TestCase& test) {
  std::vector<TimedSeries> out;
  for (const auto& s : test.input_series) {
    TimedSeries t;
    t.labels = s.labels;
    for (std::size_t i = 0; i < s.samples.size(); ++i)
      t.samples.emplace_back(static_cast<std::int64_t>(i) * test.interval_ms, s.samples[i]);
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace

std::size_t FileResult::failures() const {
  std::size_t n = 0;
  for (const auto& t : tests) n += t.passed ? 0 : 1;
  return n;
}

std::vector<std::string> compare(const TestCase& test, const std::vector<ActionEvent>& actual) {
  std::map<std::int64_t, std::vector<ActionLine>> got, want;
  for (const auto& e : actual) got[e.time_ms].push_back(e.line);
  for (auto& [t, lines] : got) std::sort(lines.begin(), lines.end());
  for (const auto& e : test.expected) want[e.at_ms] = e.actions;
  std::set<std::int64_t> times;
  for (const auto& [t, _] : got) times.insert(t);
  for (const auto& [t, _] : want) times.insert(t);
  std::vector<std::string> diff;
  for (std::int64_t t : times) {
    const auto& w = want[t];
    const auto& g = got[t];
    if (w == g) continue;
    std::string head = "at " + at_text(t) + ":";
    if (w.empty() && test.no_actions_until_ms && t <= *test.no_actions_until_ms)
      head += " (no actions expected until " + at_text(*test.no_actions_until_ms) + ")";
    else if (w.empty())
      head += " (no actions expected)";
    diff.push_back(head);
    // A merge of the two sorted lists: common lines as context.
    std::size_t i = 0, j = 0;
    while (i < w.size() || j < g.size()) {
      if (i < w.size() && j < g.size() && w[i] == g[j]) {
        diff.push_back("    " + describe(w[i]));
        ++i, ++j;
      } else if (j >= g.size() || (i < w.size() && w[i] < g[j])) {
        diff.push_back("  - " + describe(w[i++]));
      } else {
        diff.push_back("  + " + describe(g[j++]));
      }
    }
  }
  return diff;
}

FileResult run_test_file(const TestFile& file, const bytecode::Program& program,
                         const RunSettings& settings) {
  using Clock = std::chrono::steady_clock;
  const auto started = Clock::now();
  FileResult result;
  result.path = file.path;
  result.coverage = empty_coverage(program);
  const std::int64_t step =
      file.evaluation_interval_ms > 0 ? file.evaluation_interval_ms : program_step_ms(program);
  auto seconds_since = [](Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
  };
  std::vector<TestCase> tests = file.tests;
  for (auto& t : tests) {
    if (t.interval_ms <= 0) t.interval_ms = step;
  }
  if (step <= 0) result.error = "the test file names no policy to evaluate";
  for (const auto& test : tests) {
    const auto test_started = Clock::now();
    TestResult r;
    r.name = test.name;
    r.where = test.where;
    // A Prometheus per test, its samples from time 0: every test sees the clock
    // promtool gives it (`time()` included), whatever its position in the file.
    // One that does not start fails the file's other tests too, without trying
    // again.
    std::unique_ptr<TestPrometheus> prometheus;
    if (result.error.empty())
      prometheus = TestPrometheus::start(timed(test), settings.tools, result.error);
    if (!prometheus) {
      r.diff.push_back("not run: " + result.error);
      r.seconds = seconds_since(test_started);
      result.tests.push_back(std::move(r));
      continue;
    }
    for (const auto& e : test.expected) {
      if (e.at_ms % step != 0)
        r.diff.push_back("at " + at_text(e.at_ms) + ": not an evaluation time (every " +
                         at_text(step) + ")");
    }
    prometheus::ClientOptions client_options;
    client_options.base_url = prometheus->url();
    client_options.retries = 0;
    prometheus::Client client(client_options);
    engine::EngineOptions engine_options;
    engine_options.default_namespace = settings.default_namespace;
    Simulation simulation(program, {}, engine_options);
    auto& engine = simulation.engine();
    std::set<std::string> errors;
    for (std::int64_t t = 0; t <= test.end_ms() && r.diff.empty(); t += step) {
      std::size_t view = 0;
      while (view + 1 < test.cluster.size() && test.cluster[view + 1].at_ms <= t) ++view;
      auto due = engine.due_queries(t);
      std::vector<std::string> queries;
      for (auto q : due) queries.push_back(engine.plan().queries[q]);
      auto outcomes = client.query_many(queries, t);
      std::vector<engine::QueryResult> results(engine.plan().queries.size());
      std::vector<std::unique_ptr<replay::InstantVector>> vectors;
      for (std::size_t i = 0; i < due.size(); ++i) {
        if (outcomes[i].ok()) {
          vectors.push_back(std::make_unique<replay::InstantVector>(outcomes[i].result()));
          results[due[i]].vector = vectors.back().get();
        } else {
          results[due[i]].error = outcomes[i].error().message;
        }
      }
      auto out = simulation.tick(t, *test.cluster[view].view, results);
      for (auto& e : out.actions) r.actual.push_back(std::move(e));
      for (const auto& e : out.errors) {
        if (errors.insert(e).second) r.diff.push_back("at " + at_text(t) + ": " + e);
      }
    }
    if (r.diff.empty()) r.diff = compare(test, r.actual);
    r.passed = r.diff.empty();
    r.seconds = seconds_since(test_started);
    merge_coverage(result.coverage, simulation.coverage());
    result.tests.push_back(std::move(r));
  }
  result.seconds = seconds_since(started);
  return result;
}

}  // namespace skippy::policytest
