#include "policytest/runner.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string_view>

#include "base/literals.hpp"
#include "runtime/prometheus/client.hpp"
#include "runtime/replay/query_sources.hpp"

namespace skippy::policytest {
namespace {

std::string describe(const ActionLine& a) {
  return a.policy + " " + a.action + " " + a.target + " " + a.outcome;
}

std::string describe(const TriggerLine& t) {
  return "trigger " + t.policy + " " + t.trigger + " " + t.target + " " + t.state;
}

std::string at_text(std::int64_t ms) {
  return ms == 0 ? "0s" : base::format_duration(ms);
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

// What a test reads of a trigger: its policy's and its own index in the program.
struct TriggerIndex {
  std::size_t policy = 0;
  std::size_t trigger = 0;
};

std::optional<std::size_t> policy_index(const bytecode::Program& program, std::string_view name) {
  for (std::size_t p = 0; p < program.policies.size(); ++p) {
    if (program.string(program.policies[p].name) == name) return p;
  }
  return std::nullopt;
}

std::optional<TriggerIndex> trigger_index(const bytecode::Program& program,
                                          const TriggerLine& line) {
  auto p = policy_index(program, line.policy);
  if (!p) return std::nullopt;
  const auto& triggers = program.policies[*p].triggers;
  for (std::size_t t = 0; t < triggers.size(); ++t) {
    if (program.string(triggers[t].name) == line.trigger) return TriggerIndex{*p, t};
  }
  return std::nullopt;
}

// A trigger's phase as promtool names an alert's state: clearing is still firing.
const char* state_name(engine::TriggerPhase phase) {
  switch (phase) {
    case engine::TriggerPhase::Pending:
      return "pending";
    case engine::TriggerPhase::Firing:
    case engine::TriggerPhase::Clearing:
      return "firing";
    case engine::TriggerPhase::Inactive:
      break;
  }
  return "inactive";
}

}  // namespace

void check_expected_triggers(const TestFile& file, const bytecode::Program& program,
                             std::vector<FileError>& errors) {
  auto names = [&](auto&& list, auto&& name_of) {
    std::string out;
    for (const auto& item : list) out += (out.empty() ? "`" : ", `") + name_of(item) + "`";
    return out.empty() ? std::string("none") : out;
  };
  for (const auto& test : file.tests) {
    for (const auto& e : test.expected_triggers) {
      auto p = policy_index(program, e.line.policy);
      if (!p) {
        errors.push_back({e.policy_where, e.path + ".policy: no policy `" + e.line.policy +
                                              "` in the policy files; there are " +
                                              names(program.policies, [&](const auto& q) {
                                                return std::string(program.string(q.name));
                                              })});
      } else if (!trigger_index(program, e.line)) {
        errors.push_back(
            {e.trigger_where, e.path + ".trigger: policy " + e.line.policy + " has no trigger `" +
                                  e.line.trigger + "`; its triggers are " +
                                  names(program.policies[*p].triggers, [&](const auto& t) {
                                    return std::string(program.string(t.name));
                                  })});
      }
    }
  }
}

std::size_t FileResult::failures() const {
  std::size_t n = 0;
  for (const auto& t : tests) n += t.passed ? 0 : 1;
  return n;
}

std::vector<std::string> compare(const TestCase& test, const std::vector<ActionEvent>& actual,
                                 const std::vector<TriggerLine>& states) {
  std::map<std::int64_t, std::vector<ActionLine>> got, want;
  for (const auto& e : actual) got[e.time_ms].push_back(e.line);
  for (auto& [t, lines] : got) std::sort(lines.begin(), lines.end());
  for (const auto& e : test.expected) want[e.at_ms] = e.actions;
  std::set<std::int64_t> times;
  for (const auto& [t, _] : got) times.insert(t);
  for (const auto& [t, _] : want) times.insert(t);
  // The trigger states that differ, by time: the expected and the actual of each.
  std::map<std::int64_t, std::vector<std::pair<TriggerLine, TriggerLine>>> wrong_states;
  for (std::size_t i = 0; i < test.expected_triggers.size() && i < states.size(); ++i) {
    const auto& e = test.expected_triggers[i];
    if (e.line == states[i]) continue;
    wrong_states[e.at_ms].emplace_back(e.line, states[i]);
    times.insert(e.at_ms);
  }
  std::vector<std::string> diff;
  for (std::int64_t t : times) {
    const auto& w = want[t];
    const auto& g = got[t];
    if (w == g) {
      if (wrong_states.count(t)) diff.push_back("at " + at_text(t) + ":");
      for (const auto& [expected, was] : wrong_states[t]) {
        diff.push_back("  - " + describe(expected));
        diff.push_back("  + " + describe(was));
      }
      continue;
    }
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
    for (const auto& [expected, was] : wrong_states[t]) {
      diff.push_back("  - " + describe(expected));
      diff.push_back("  + " + describe(was));
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
  // A Prometheus per test, its samples from time 0: every test sees the clock promtool gives
  // it (`time()` included), whatever its position in the file. The next test's boots while
  // this one runs. One that does not start fails the file's other tests too, without trying
  // again.
  auto launch = [&](std::size_t k) {
    std::unique_ptr<TestPrometheus> p;
    if (k < tests.size() && result.error.empty())
      p = TestPrometheus::launch(timed(tests[k]), settings.tools, result.error);
    return p;
  };
  std::unique_ptr<TestPrometheus> next = launch(0);
  for (std::size_t k = 0; k < tests.size(); ++k) {
    const auto& test = tests[k];
    const auto test_started = Clock::now();
    TestResult r;
    r.name = test.name;
    r.where = test.where;
    std::unique_ptr<TestPrometheus> prometheus = std::move(next);
    if (prometheus && !prometheus->ready(result.error)) prometheus.reset();
    if (prometheus) next = launch(k + 1);
    if (!prometheus) {
      r.diff.push_back("not run: " + result.error);
      r.seconds = seconds_since(test_started);
      result.tests.push_back(std::move(r));
      continue;
    }
    std::set<std::int64_t> times;
    for (const auto& e : test.expected) times.insert(e.at_ms);
    for (const auto& e : test.expected_triggers) times.insert(e.at_ms);
    for (std::int64_t at : times) {
      if (at % step != 0)
        r.diff.push_back("at " + at_text(at) + ": not an evaluation time (every " + at_text(step) +
                         ")");
    }
    std::vector<std::optional<TriggerIndex>> watched;
    for (const auto& e : test.expected_triggers) watched.push_back(trigger_index(program, e.line));
    r.states.resize(test.expected_triggers.size());
    prometheus::ClientOptions client_options;
    client_options.base_url = prometheus->url();
    client_options.retries = 0;
    prometheus::Client client(client_options);
    replay::LiveQueries queries(client);
    engine::EngineOptions engine_options;
    engine_options.default_namespace = settings.default_namespace;
    Simulation simulation(program, {}, engine_options);
    auto& engine = simulation.engine();
    std::set<std::string> errors;
    for (std::int64_t t = 0; t <= test.end_ms() && r.diff.empty(); t += step) {
      std::size_t view = 0;
      while (view + 1 < test.cluster.size() && test.cluster[view + 1].at_ms <= t) ++view;
      auto out = simulation.tick(t, *test.cluster[view].view, queries);
      for (auto& e : out.actions) r.actual.push_back(std::move(e));
      // The states the test asks about, after this tick (promtool's alert state at eval_time).
      for (std::size_t i = 0; i < watched.size(); ++i) {
        const auto& e = test.expected_triggers[i];
        if (e.at_ms != t) continue;
        r.states[i] = e.line;
        auto state = watched[i] ? engine.trigger_state(watched[i]->policy, watched[i]->trigger,
                                                       e.line.target)
                                : std::nullopt;
        r.states[i].state = state ? state_name(state->phase) : "inactive";
      }
      for (const auto& e : out.errors) {
        if (errors.insert(e).second) r.diff.push_back("at " + at_text(t) + ": " + e);
      }
    }
    if (r.diff.empty()) r.diff = compare(test, r.actual, r.states);
    r.passed = r.diff.empty();
    r.seconds = seconds_since(test_started);
    merge_coverage(result.coverage, simulation.coverage());
    result.tests.push_back(std::move(r));
  }
  result.seconds = seconds_since(started);
  return result;
}

}  // namespace skippy::policytest
