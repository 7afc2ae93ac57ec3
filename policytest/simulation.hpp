// Policies run in simulated time, for `skippy test` and `skippy replay`: each tick is the
// runtime's own (agent/ticker.hpp): the engine evaluates the policies over the query results
// of the source it is given, every proposal goes through the safety loop's gates and journal
// protocol at that time (the journal kept in memory), and what they let through is carried out
// by an executor that acts on nothing and always succeeds, so that cooldowns, rate caps and
// concurrency limits hold as they would have. No clock is read and nothing sleeps.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "agent/sinks.hpp"
#include "policytest/test_file.hpp"
#include "runtime/bytecode/program.hpp"
#include "runtime/cluster/cluster_view.hpp"
#include "runtime/engine/query_source.hpp"
#include "runtime/engine/tick.hpp"
#include "runtime/safety/config.hpp"
#include "runtime/safety/decision.hpp"

namespace skippy::agent {
class SafetyLoop;
class Ticker;
}  // namespace skippy::agent

namespace skippy::policytest {

// What one policy did over a run: which triggers fired, which action branches (`on T do
// ...`) proposed, which gates blocked.
struct PolicyCoverage {
  struct Trigger {
    std::string name;
    std::size_t fired = 0;
  };
  struct Branch {
    std::string trigger;
    std::string action;
    std::string source;  // FILE:LINE:COLUMN of the action
    std::size_t ran = 0;
  };
  std::string name;
  std::string source;  // FILE:LINE of the policy
  std::vector<Trigger> triggers;
  std::vector<Branch> branches;
  std::array<std::size_t, safety::kGateCount> blocked{};  // by gate
};
using Coverage = std::vector<PolicyCoverage>;

// The program's policies, nothing covered yet.
Coverage empty_coverage(const bytecode::Program& program);
// Adds `from` to `into`, policy by policy (by name and source).
void merge_coverage(Coverage& into, const Coverage& from);

// One decision of a tick. A firing proposes its actions again at every tick: only the first
// decision about each (its id) counts, and each later one whose outcome differs (blocked by a
// cooldown, then executed once it is over).
struct ActionEvent {
  std::int64_t time_ms = 0;
  std::string trigger;
  ActionLine line;
};

struct TickOutput {
  std::vector<ActionEvent> actions;
  std::vector<std::string> audit;   // the audit records of the tick, as `skippy run` writes them
  std::vector<std::string> errors;  // policies that lacked data: "policy P: why"
};

class Simulation {
 public:
  Simulation(const bytecode::Program& program, safety::SafetyConfig config = {},
             engine::EngineOptions options = {});
  ~Simulation();

  engine::Engine& engine();
  // One tick at `now_ms`, the due queries answered by `queries`.
  TickOutput tick(std::int64_t now_ms, const cluster::ClusterView& view,
                  engine::QuerySource& queries);
  const Coverage& coverage() const { return coverage_; }

 private:
  const bytecode::Program& program_;
  std::int64_t now_ms_ = 0;  // the simulated clock, which stamps approvals
  agent::CollectedAudit audit_;
  std::unique_ptr<agent::SafetyLoop> safety_;
  std::unique_ptr<agent::Ticker> ticker_;
  Coverage coverage_;
  std::unordered_map<std::string, std::string> last_outcome_;  // by action id
};

// The tick step of a program: the greatest common divisor of its policies' intervals.
std::int64_t program_step_ms(const bytecode::Program& program);

}  // namespace skippy::policytest
