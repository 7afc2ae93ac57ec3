#include "policytest/simulation.hpp"

#include <numeric>

#include "agent/safety_loop.hpp"
#include "agent/ticker.hpp"
#include "runtime/safety/executor.hpp"
#include "stdlib/builtins/catalog.hpp"

namespace skippy::policytest {
namespace {

std::string file_of(const bytecode::Program& program, const bytecode::SourcePos& pos) {
  return pos.file < program.files.size() ? std::string(program.string(program.files[pos.file]))
                                         : "?";
}

// Carries out nothing, and says so; every action succeeds.
class SimulatedExecutor final : public safety::Executor {
 public:
  safety::ExecutionResult execute(const safety::ActionRequest&, std::int64_t) override {
    return {safety::ExecutionStatus::Success, "simulated: nothing was sent"};
  }
};

}  // namespace

Coverage empty_coverage(const bytecode::Program& program) {
  Coverage out;
  auto actions = stdlib::actions();
  for (const auto& policy : program.policies) {
    PolicyCoverage c;
    c.name = program.string(policy.name);
    c.source = file_of(program, policy.pos) + ":" + std::to_string(policy.pos.line);
    for (const auto& t : policy.triggers)
      c.triggers.push_back({std::string(program.string(t.name)), 0});
    for (const auto& t : policy.templates) {
      PolicyCoverage::Branch b;
      b.trigger = t.trigger < c.triggers.size() ? c.triggers[t.trigger].name : "?";
      b.action = t.action < actions.size() ? std::string(actions[t.action].name) : "?";
      b.source = file_of(program, t.pos) + ":" + std::to_string(t.pos.line) + ":" +
                 std::to_string(t.pos.column);
      c.branches.push_back(std::move(b));
    }
    out.push_back(std::move(c));
  }
  return out;
}

void merge_coverage(Coverage& into, const Coverage& from) {
  for (const auto& p : from) {
    auto it = std::find_if(into.begin(), into.end(), [&](const PolicyCoverage& q) {
      return q.name == p.name && q.source == p.source;
    });
    if (it == into.end()) {
      into.push_back(p);
      continue;
    }
    for (std::size_t i = 0; i < p.triggers.size() && i < it->triggers.size(); ++i)
      it->triggers[i].fired += p.triggers[i].fired;
    for (std::size_t i = 0; i < p.branches.size() && i < it->branches.size(); ++i)
      it->branches[i].ran += p.branches[i].ran;
    for (std::size_t g = 0; g < safety::kGateCount; ++g) it->blocked[g] += p.blocked[g];
  }
}

std::int64_t program_step_ms(const bytecode::Program& program) {
  std::int64_t step = 0;
  for (const auto& p : program.policies) step = std::gcd(step, p.interval_ms);
  return step;
}

Simulation::Simulation(const bytecode::Program& program, safety::SafetyConfig config,
                       engine::EngineOptions options)
    : program_(program), coverage_(empty_coverage(program)) {
  agent::Sinks sinks;
  sinks.audit = &audit_;
  std::string error;  // a journal in memory always opens
  safety_ = agent::SafetyLoop::open(
      std::move(config), std::make_unique<agent::MemoryJournal>(),
      std::make_unique<SimulatedExecutor>(), [this] { return now_ms_; }, sinks, error);
  ticker_ = std::make_unique<agent::Ticker>(program, std::move(options), *safety_, sinks);
}

Simulation::~Simulation() = default;

engine::Engine& Simulation::engine() {
  return ticker_->engine();
}

TickOutput Simulation::tick(std::int64_t now_ms, const cluster::ClusterView& view,
                            engine::QuerySource& queries) {
  now_ms_ = now_ms;
  audit_.records.clear();
  auto report = ticker_->tick(now_ms, view, queries);
  const auto& tick = *report.tick;
  TickOutput out;
  for (std::size_t p = 0; p < tick.health.size(); ++p) {
    if (tick.health[p].evaluated && !tick.health[p].healthy)
      out.errors.push_back("policy " + std::string(program_.string(program_.policies[p].name)) +
                           ": " + tick.health[p].last_error);
  }
  for (const auto& change : tick.changes) {
    if (change.change == engine::TriggerChange::Fired)
      ++coverage_[change.policy].triggers[change.trigger].fired;
  }
  for (const auto& p : tick.proposals) ++coverage_[p.policy].branches[p.template_index].ran;
  for (const auto& d : report.safety.decisions) {
    if (d.outcome == safety::Outcome::Duplicate) continue;
    std::string outcome_text =
        d.outcome == safety::Outcome::Execute ? "executed" : safety::outcome_text(d);
    auto [last, first] = last_outcome_.try_emplace(d.request->id, outcome_text);
    if (!first && last->second == outcome_text) continue;  // the same firing, decided alike
    last->second = outcome_text;
    const safety::Outcome outcome = d.outcome == safety::Outcome::DryRun ? d.would : d.outcome;
    if (outcome == safety::Outcome::Blocked) {
      auto policy = std::find_if(coverage_.begin(), coverage_.end(), [&](const PolicyCoverage& c) {
        return c.name == d.request->policy;
      });
      if (policy != coverage_.end()) ++policy->blocked[static_cast<std::size_t>(d.blocked_by)];
    }
    ActionEvent e;
    e.time_ms = now_ms;
    e.trigger = d.request->trigger;
    e.line.policy = d.request->policy;
    e.line.action = d.request->action;
    e.line.target = normal_target(safety::target_key(d.request->target));
    e.line.outcome = std::move(outcome_text);
    out.actions.push_back(std::move(e));
  }
  out.audit = std::move(audit_.records);
  audit_.records.clear();
  return out;
}

}  // namespace skippy::policytest
