#include "policytest/simulation.hpp"

#include <numeric>

#include "runtime/act/action_requests.hpp"
#include "runtime/engine/audit.hpp"
#include "runtime/safety/cluster_facts.hpp"
#include "runtime/safety/decision_record.hpp"
#include "runtime/safety/executor.hpp"
#include "runtime/safety/gatekeeper.hpp"
#include "stdlib/catalog.hpp"
#include "stdlib/engine_support.hpp"
#include "stdlib/functions.hpp"

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

std::vector<act::ActionInfo> action_table() {
  std::vector<act::ActionInfo> out;
  for (const auto& a : stdlib::actions()) out.push_back({a.name, a.destructive});
  return out;
}

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
    : program_(program),
      engine_(std::make_unique<engine::Engine>(program, stdlib::function_table(),
                                               stdlib::engine_builtins(), std::move(options))),
      gatekeeper_(std::make_unique<safety::Gatekeeper>(std::move(config))),
      executor_(std::make_unique<SimulatedExecutor>()),
      coverage_(empty_coverage(program)) {}

Simulation::~Simulation() = default;

TickOutput Simulation::tick(std::int64_t now_ms, const cluster::ClusterView& view,
                            std::span<const engine::QueryResult> results) {
  return decide(engine_->tick(now_ms, view, results), view);
}

TickOutput Simulation::decide(const engine::TickResult& tick, const cluster::ClusterView& view) {
  static const std::vector<act::ActionInfo> actions = action_table();
  const std::int64_t now_ms = tick.time_ms;
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
  std::vector<safety::ActionRequest> requests;
  requests.reserve(tick.proposals.size());
  for (const auto& p : tick.proposals) {
    requests.push_back(act::action_request(program_, tick, p, actions));
    ++coverage_[p.policy].branches[p.template_index].ran;
  }
  auto facts = safety::cluster_facts(view);
  for (const auto& v : gatekeeper_->check_health(facts, now_ms))
    out.audit.push_back(safety::health_record(v));
  auto decisions = gatekeeper_->decide(requests, facts, now_ms);
  for (const auto& d : decisions) {
    out.audit.push_back(act::decision_audit_record(program_, tick, requests, d));
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
  auto reports = safety::execute_decisions(decisions, *executor_, *gatekeeper_, now_ms);
  auto retries = safety::execute_due_retries(*executor_, *gatekeeper_, now_ms);
  for (const auto* list : {&reports, &retries}) {
    for (const auto& r : *list) out.audit.push_back(safety::execution_record(r));
  }
  return out;
}

}  // namespace skippy::policytest
