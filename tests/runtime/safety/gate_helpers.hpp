// What the safety tests share: decide about one request, and a decision's verdicts and
// outcomes as text.
#pragma once

#include <boost/test/unit_test.hpp>

#include <span>
#include <string>
#include <vector>

#include "runtime/safety/decision_record.hpp"
#include "runtime/safety/gatekeeper.hpp"
#include "tests/support/safety_support.hpp"

namespace skippy::testing {

// Decides about one request and returns its decision's outcome text.
inline std::string once(safety::Gatekeeper& g, const safety::ActionRequest& r, std::int64_t now,
                        const safety::ClusterFacts& facts = web_facts()) {
  auto decisions = g.decide(std::span(&r, 1), facts, now);
  BOOST_REQUIRE(!decisions.empty());
  return safety::outcome_text(decisions.back());
}

// "mode:passed arguments:blocked protected:not-reached ..."
inline std::string verdicts(const safety::Decision& d) {
  std::string out;
  for (std::size_t g = 0; g < safety::kGateCount; ++g) {
    out += (g ? " " : "") + std::string(safety::gate_name(static_cast<safety::Gate>(g))) + ":" +
           safety::verdict_name(d.gate(static_cast<safety::Gate>(g)).verdict);
  }
  return out;
}

inline std::vector<std::string> outcomes(const std::vector<safety::Decision>& ds) {
  std::vector<std::string> out;
  for (const auto& d : ds) out.push_back(safety::outcome_text(d));
  return out;
}

}  // namespace skippy::testing
