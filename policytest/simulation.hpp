// Policies run in simulated time, for `skippy test` and `skippy replay`: each tick the engine
// evaluates the policies over the query results it is given, every proposal goes through the
// safety runtime's gates at that time, and what they let through is carried out by an
// executor that acts on nothing and always succeeds, so that cooldowns, rate caps and
// concurrency limits hold as they would have. No clock is read and nothing sleeps.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "policytest/test_file.hpp"
#include "runtime/bytecode/program.hpp"
#include "runtime/cluster/cluster_view.hpp"
#include "runtime/engine/tick.hpp"
#include "runtime/safety/config.hpp"
#include "runtime/safety/decision.hpp"

namespace skippy::safety {
class Executor;
class Gatekeeper;
}  // namespace skippy::safety

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

  engine::Engine& engine() { return *engine_; }
  // One tick at `now_ms`: `results` holds one result per planned query (only the due
  // policies' are read).
  TickOutput tick(std::int64_t now_ms, const cluster::ClusterView& view,
                  std::span<const engine::QueryResult> results);
  // The safety runtime's part of a tick the engine has already made (at tick.time_ms).
  TickOutput decide(const engine::TickResult& tick, const cluster::ClusterView& view);
  const Coverage& coverage() const { return coverage_; }

 private:
  const bytecode::Program& program_;
  std::unique_ptr<engine::Engine> engine_;
  std::unique_ptr<safety::Gatekeeper> gatekeeper_;
  std::unique_ptr<safety::Executor> executor_;
  Coverage coverage_;
  std::unordered_map<std::string, std::string> last_outcome_;  // by action id
};

// The tick step of a program: the greatest common divisor of its policies' intervals.
std::int64_t program_step_ms(const bytecode::Program& program);

}  // namespace skippy::policytest
