// A policy's `select`: which targets of the cluster view it evaluates.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/bytecode/program.hpp"
#include "runtime/cluster/cluster_view.hpp"
#include "runtime/engine/target_table.hpp"

namespace skippy::engine {

struct EngineOptions {
  std::string default_namespace = "default";  // for policies that name no namespace
  // What one tick may spend asking ai.analyze(); past it, a site's verdict is unknown.
  std::int64_t analysis_budget_ms = 1000;
};

// Does `labels` satisfy the selection's label requirements (as Kubernetes selectors: `!=`
// and `not in` match objects without the label)?
bool labels_match(const bytecode::Program& program, const bytecode::Selection& selection,
                  const cluster::Labels& labels);

// Does the policy select the target: its kind, its namespaces (`all namespaces` leaves the
// system namespaces out unless the policy allows them), its labels, minus `except` names?
bool selects(const bytecode::Program& program, const bytecode::Policy& policy, const Target& target,
             const EngineOptions& options);

// Policies with the same selection share one list of targets per tick: group[p] is policy
// p's group, and groups are numbered from 0 in first-use order.
std::vector<std::uint32_t> selection_groups(const bytecode::Program& program);

}  // namespace skippy::engine
