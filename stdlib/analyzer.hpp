// The deterministic analyzer behind ai.analyze(): from a site's evidence it computes the
// first signal's trend and forecast (runtime/analysis/trend.hpp), whether the target degrades
// alone or with its workload or node, and what earlier actions achieved, and chooses among
// the site's allowed actions by the documented rules of docs/ai.md, with a confidence from
// the documented formula. Always available, fast, and the same answer for the same evidence.
#pragma once

#include "runtime/analysis/trend.hpp"
#include "runtime/engine/advisor.hpp"

namespace skippy::stdlib {

// The figures the rules read, for tests and the audit record.
struct Assessment {
  analysis::Trend trend;   // the first signal's
  bool degrading = false;  // forecast to reach the threshold, or rising without one
  std::size_t peers_with_data = 0;
  std::size_t peers_degrading = 0;
  std::size_t node_peers_with_data = 0;
  std::size_t node_peers_degrading = 0;
  std::string scope = "target";  // target, workload, node
};

// The rules' first half: the numbers, without a choice.
Assessment assess(const engine::AdviceQuestion& question);

class DeterministicAnalyzer final : public engine::Advisor {
 public:
  engine::Verdict analyze(const engine::AdviceQuestion& question) override;
};

// The order in which the rules prefer actions for a scope; actions the site allows but this
// list does not name come after it, in catalog order.
std::span<const std::string_view> preferred_actions(std::string_view scope);

}  // namespace skippy::stdlib
