// The gates, one function each, in the order the gatekeeper runs them. A gate only looks: it
// returns its verdict and, when it blocks, says why in `reason`. Reserving budgets is the
// gatekeeper's business.
#pragma once

#include <cstdint>
#include <string>

#include "runtime/safety/cluster_facts.hpp"
#include "runtime/safety/config.hpp"
#include "runtime/safety/decision.hpp"
#include "runtime/safety/ledger.hpp"
#include "runtime/safety/silence.hpp"

namespace skippy::safety {

// Room for one proposal's keys at a time, reused from proposal to proposal.
struct KeyScratch {
  std::string cooldown, workload, reason, text;
};

// A proposal as the gates see it: the request and the keys it needs, computed on first use.
class GateInput {
 public:
  GateInput(const ActionRequest& r, KeyScratch& scratch) : request(r), scratch_(scratch) {}
  const ActionRequest& request;
  const std::string& cooldown_key();
  const std::string& workload_key();

 private:
  KeyScratch& scratch_;
  bool have_cooldown_key_ = false, have_workload_key_ = false;
};

struct GateContext {
  const SafetyConfig& config;
  const ClusterFacts& facts;
  Ledger& real;
  Ledger* shadow;  // in a dry run, what earlier dry-run decisions would have used up; else null
  std::int64_t now_ms;
  const SilenceView* silences = nullptr;  // the Alertmanagers' silences at this tick; null: none
};

Verdict check_mode(GateInput& in, const GateContext& c, std::string& reason);
Verdict check_arguments(GateInput& in, const GateContext& c, std::string& reason);
Verdict check_protected(GateInput& in, const GateContext& c, std::string& reason);
Verdict check_silence(GateInput& in, const GateContext& c, std::string& reason);
Verdict check_cooldown(GateInput& in, const GateContext& c, std::string& reason);
Verdict check_rate_limit(GateInput& in, const GateContext& c, std::string& reason);
Verdict check_blast_radius(GateInput& in, const GateContext& c, std::string& reason);
Verdict check_circuit_breaker(GateInput& in, const GateContext& c, std::string& reason);
Verdict check_concurrency(GateInput& in, const GateContext& c, std::string& reason);
// `approved_ms`: when a human approved the action; negative when not approved.
Verdict check_approval(GateInput& in, const GateContext& c, std::int64_t approved_ms,
                       std::string& reason);

// Runs gate `gate`: one of the functions above.
Verdict check_gate(Gate gate, GateInput& in, const GateContext& c, std::int64_t approved_ms,
                   std::string& reason);

// Whether failures opened the circuit breaker and it has not cooled off at now.
bool breaker_open(const SafetyState& state, std::int64_t now_ms);

}  // namespace skippy::safety
