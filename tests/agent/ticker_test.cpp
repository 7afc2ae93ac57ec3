// The tick that `skippy run`, `skippy test` and `skippy replay` share, driven at fixed
// timestamps: the engine's proposals go through the safety loop with its journal protocol
// (decisions written before anything is executed, the journal saved before and after
// execution), audit records and log lines go to the sinks, and an action is never carried
// out when the journal that would remember it cannot be saved.
#define BOOST_TEST_MODULE agent
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "agent/journal_store.hpp"
#include "agent/safety_loop.hpp"
#include "agent/ticker.hpp"
#include "runtime/cluster/snapshot.hpp"
#include "runtime/monitor/self_metrics.hpp"
#include "runtime/safety/executor.hpp"
#include "tests/support/compile_text.hpp"

using namespace skippy;

namespace {

// Kubernetes state only: no query is due, so the query source must not be asked for any.
const char* kPolicy = R"(policy crashing {
  select pods in namespace "apps"
  mode automatic
  every 15s
  trigger looping when pod.restarts > 3
  safety {
    cooldown 10m per target
  }
  on looping do restart() priority 1
}
)";

constexpr std::int64_t kT0 = 1'700'000'010'000;  // on a 15s step
constexpr std::int64_t kStep = 15'000;

class NoQueries final : public engine::QuerySource {
 public:
  Answered answer(std::span<const std::string>, std::span<const std::size_t> due, std::int64_t,
                  std::span<engine::QueryResult>) override {
    asked += due.size();
    return {};
  }
  std::size_t asked = 0;
};

// A journal kept in memory whose saves can be made to fail, counting them.
class FlakyJournal final : public agent::JournalStore {
 public:
  std::optional<safety::SafetyState> load(bool& found, std::string& error) override {
    return memory.load(found, error);
  }
  std::optional<std::string> save(const safety::SafetyState& state) override {
    ++saves;
    if (failing) return std::string("disk full");
    return memory.save(state);
  }
  std::string where() const override { return "flaky"; }
  agent::MemoryJournal memory;
  bool failing = false;
  std::size_t saves = 0;
};

// The executor's calls and the audit, in the order they happened.
struct Trace {
  std::vector<std::string> events;
};

class TracingExecutor final : public safety::Executor {
 public:
  explicit TracingExecutor(Trace& trace) : trace_(trace) {}
  safety::ExecutionResult execute(const safety::ActionRequest& request, std::int64_t) override {
    trace_.events.push_back("execute " + request.action + " " + safety::target_key(request.target));
    return {safety::ExecutionStatus::Success, "done"};
  }

 private:
  Trace& trace_;
};

class TracingAudit final : public agent::AuditSink {
 public:
  explicit TracingAudit(Trace& trace) : trace_(trace) {}
  void record(std::string_view json) override {
    auto event = json.find("\"event\":\"execution\"") != std::string_view::npos ? "execution"
                 : json.find("\"outcome\":") != std::string_view::npos          ? "decision"
                                                                                : "other";
    trace_.events.push_back(std::string("audit ") + event);
    records.emplace_back(json);
  }
  std::vector<std::string> records;

 private:
  Trace& trace_;
};

cluster::SnapshotClusterView cluster_with_restarts(int restarts) {
  std::vector<cluster::SnapshotError> errors;
  auto view = cluster::parse_snapshot(
      "pods: [{namespace: apps, name: web-1, owner: Deployment/web, restarts: " +
          std::to_string(restarts) +
          "}]\ndeployments: [{namespace: apps, name: web, replicas: 3}]\n",
      errors);
  BOOST_REQUIRE(errors.empty());
  return view;
}

struct Agent {
  std::unique_ptr<testing::Compiled> compiled = testing::compile_text(kPolicy);
  Trace trace;
  TracingAudit audit{trace};
  std::vector<std::string> log;
  FlakyJournal* journal = nullptr;
  std::unique_ptr<agent::SafetyLoop> safety;
  std::unique_ptr<agent::Ticker> ticker;
  NoQueries queries;

  Agent() {
    BOOST_REQUIRE_MESSAGE(compiled->program, compiled->messages());
    agent::Sinks sinks;
    sinks.audit = &audit;
    sinks.log = [this](agent::LogLevel, std::string_view m) { log.emplace_back(m); };
    auto store = std::make_unique<FlakyJournal>();
    journal = store.get();
    std::string error;
    safety = agent::SafetyLoop::open(
        {}, std::move(store), std::make_unique<TracingExecutor>(trace), [] { return kT0; }, sinks,
        error);
    BOOST_REQUIRE_MESSAGE(safety, error);
    ticker = std::make_unique<agent::Ticker>(*compiled->program, engine::EngineOptions{}, *safety,
                                             sinks);
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(decisions_are_written_and_saved_before_the_action_runs) {
  Agent a;
  auto view = cluster_with_restarts(5);
  auto report = a.ticker->tick(kT0, view, a.queries);
  BOOST_TEST(a.queries.asked == 0u);
  BOOST_TEST(report.queries == 0u);
  BOOST_TEST_REQUIRE(report.requests.size() == 1u);
  BOOST_TEST(report.requests[0].action == "restart");
  BOOST_TEST_REQUIRE(report.safety.decisions.size() == 1u);
  BOOST_TEST(safety::outcome_text(report.safety.decisions[0]) == "execute");
  BOOST_TEST(report.safety.executions.size() == 1u);
  BOOST_TEST(report.safety.failed == 0u);
  // The decision is in the audit before the executor is called, the execution after.
  BOOST_TEST(a.trace.events ==
             (std::vector<std::string>{"audit decision", "execute restart Pod/apps/web-1",
                                       "audit execution"}));
  // Saved once after deciding (before executing) and once after executing.
  BOOST_TEST(a.journal->saves == 2u);
  bool found = false;
  std::string error;
  auto kept = a.journal->memory.load(found, error);
  BOOST_TEST_REQUIRE(found);
  BOOST_TEST(kept->actions.size() == 1u);

  // The next tick, still firing: the same action, which never runs twice.
  report = a.ticker->tick(kT0 + kStep, view, a.queries);
  BOOST_TEST_REQUIRE(report.safety.decisions.size() == 1u);
  BOOST_TEST(safety::outcome_text(report.safety.decisions[0]) == "duplicate");
  BOOST_TEST(report.safety.executions.empty());
  // Cleared, then firing again: a new action, which the cooldown holds back.
  auto healthy = cluster_with_restarts(0);
  a.ticker->tick(kT0 + 2 * kStep, healthy, a.queries);
  report = a.ticker->tick(kT0 + 3 * kStep, view, a.queries);
  BOOST_TEST_REQUIRE(report.safety.decisions.size() == 1u);
  BOOST_TEST(safety::outcome_text(report.safety.decisions[0]) == "blocked:cooldown");
  BOOST_TEST(report.safety.executions.empty());
}

BOOST_AUTO_TEST_CASE(an_action_the_journal_cannot_remember_is_not_carried_out) {
  Agent a;
  a.journal->failing = true;
  auto view = cluster_with_restarts(5);
  auto report = a.ticker->tick(kT0, view, a.queries);
  BOOST_TEST_REQUIRE(report.safety.executions.size() == 1u);
  BOOST_TEST(report.safety.failed == 1u);
  BOOST_TEST(report.safety.executions[0].result.message ==
             "not executed: the safety journal could not be saved");
  for (const auto& e : a.trace.events) BOOST_TEST(!e.starts_with("execute"), e);
  bool logged = false;
  for (const auto& line : a.log)
    logged = logged || line == "cannot save the safety journal flaky: disk full";
  BOOST_TEST(logged);
}

BOOST_AUTO_TEST_CASE(a_replica_on_standby_evaluates_but_decides_nothing) {
  Agent a;
  auto view = cluster_with_restarts(5);
  auto report = a.ticker->tick(kT0, view, a.queries, {.all = false, .acting = false});
  BOOST_TEST(report.requests.size() == 1u);  // the engine ran: its timers stay current
  BOOST_TEST(report.safety.decisions.empty());
  BOOST_TEST(a.trace.events.empty());
  BOOST_TEST(a.journal->saves == 0u);
}

BOOST_AUTO_TEST_CASE(a_reload_keeps_the_state_of_unchanged_triggers) {
  Agent a;
  auto healthy = cluster_with_restarts(0);
  a.ticker->tick(kT0, healthy, a.queries);
  auto again = testing::compile_text(kPolicy);
  BOOST_TEST_REQUIRE(again->program.has_value());
  BOOST_TEST(a.ticker->reload(*again->program) == 1u);
  BOOST_TEST(&a.ticker->program() == &*again->program);
  auto view = cluster_with_restarts(5);
  auto report = a.ticker->tick(kT0 + kStep, view, a.queries);
  BOOST_TEST(report.requests.size() == 1u);
}

namespace {

// The outcome ledger through a policy: `helped_before` reads what this policy's restarts
// achieved on the workload.
const char* kLearningPolicy = R"(policy crashing {
  select pods in namespace "apps"
  mode automatic
  every 15s
  trigger looping when pod.restarts > 3
  trigger helped_before when outcomes(restart, within: 1h).healed >= 1
  safety {
    cooldown 10m per target
  }
  on looping do restart() priority 1
  on helped_before do restart() priority 2
}
)";

std::vector<std::string> triggers_of(const agent::TickReport& report) {
  std::vector<std::string> out;
  for (const auto& r : report.requests) out.push_back(r.trigger);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_outcome_ledger_survives_a_restart_and_policies_read_it) {
  auto compiled = testing::compile_text(kLearningPolicy);
  BOOST_TEST_REQUIRE(compiled->program.has_value(), compiled->messages());
  Trace trace;
  TracingAudit audit{trace};
  agent::Sinks sinks;
  sinks.audit = &audit;
  monitor::RuntimeMetrics metrics(*compiled->program, "");
  sinks.metrics = &metrics;
  agent::MemoryJournal kept;  // what a restart finds on disk
  auto open = [&](std::int64_t now) {
    auto journal = std::make_unique<FlakyJournal>();
    std::string error;
    bool found = false;
    if (auto state = kept.load(found, error); state && found) journal->memory.save(*state);
    auto* store = journal.get();
    auto safety = agent::SafetyLoop::open(
        {}, std::move(journal), std::make_unique<TracingExecutor>(trace), [now] { return now; },
        sinks, error);
    BOOST_REQUIRE_MESSAGE(safety, error);
    return std::pair{std::move(safety), store};
  };
  NoQueries queries;
  auto [safety, store] = open(kT0);
  auto ticker =
      std::make_unique<agent::Ticker>(*compiled->program, engine::EngineOptions{}, *safety, sinks);
  auto looping = cluster_with_restarts(5);
  auto report = ticker->tick(kT0, looping, queries);
  BOOST_TEST(triggers_of(report) == std::vector<std::string>{"looping"});
  BOOST_TEST(report.safety.executions.size() == 1u);
  // Verified after the health check's initial delay: the pod is ready, the restart healed.
  auto healthy = cluster_with_restarts(0);
  std::int64_t t = kT0;
  for (int i = 0; i < 4; ++i) report = ticker->tick(t += kStep, healthy, queries);
  BOOST_TEST(safety->outcomes("crashing", "restart", "Deployment/apps/web", 3'600'000, t).healed ==
             1u);
  BOOST_TEST(triggers_of(report) == std::vector<std::string>{"helped_before"});
  // The heal is timed from the firing at kT0 to the tick whose health check passed.
  const std::string exposition = metrics.exposition();
  BOOST_TEST(exposition.find(
                 "skippy_time_to_heal_seconds_count{action=\"restart\",policy=\"crashing\"} 1\n") !=
                 std::string::npos,
             exposition);
  const std::string sum =
      "skippy_time_to_heal_seconds_sum{action=\"restart\",policy=\"crashing\"} ";
  auto at = exposition.find(sum);
  BOOST_TEST_REQUIRE(at != std::string::npos, exposition);
  const double healed_after = std::stod(exposition.substr(at + sum.size()));
  BOOST_TEST(healed_after >= kStep / 1000.0);
  BOOST_TEST(healed_after <= static_cast<double>(t - kT0) / 1000.0);
  bool found = false;
  std::string error;
  auto saved = store->memory.load(found, error);
  BOOST_TEST_REQUIRE(found);
  BOOST_TEST_REQUIRE(!saved->outcomes.empty());
  kept.save(*saved);

  // A new process: the ledger comes back from the journal, and the policy still reads it.
  ticker.reset();
  safety.reset();
  auto [restarted, restarted_store] = open(t + kStep);
  (void)restarted_store;
  agent::Ticker again(*compiled->program, engine::EngineOptions{}, *restarted, sinks);
  report = again.tick(t + kStep, healthy, queries);
  BOOST_TEST(triggers_of(report) == std::vector<std::string>{"helped_before"});
  // An hour later the healed restart is out of the window: nothing to read, nothing fires.
  report = again.tick(t + kStep + 3'600'000, healthy, queries);
  BOOST_TEST(report.requests.empty());
}
