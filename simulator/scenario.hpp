// Scenario files: for now, multi-document YAML of Kubernetes manifests (namespaces,
// workloads, pods, PodDisruptionBudgets, HealingPolicies, `kind: List` documents) that
// `skippy sim --scenario` creates at start, namespaces first, each through the same rules as a
// POST to the API server. A pod template (or pod) may give its pods a failing app's behaviour
// with `sim.skippy.io/` annotations (behaviour.hpp), checked here.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "simulator/object_store.hpp"

namespace skippy::sim {

// One manifest and where it came from ("scenario.yaml:12").
struct Manifest {
  Json object;
  std::string where;
};

// The manifests of a scenario's text, or the first reason it is not one ("NAME:LINE: ...").
std::variant<std::vector<Manifest>, std::string> parse_scenario(std::string_view text,
                                                                const std::string& name);
// The same from a file.
std::variant<std::vector<Manifest>, std::string> load_scenario(const std::string& path);

// Creates the manifests, namespaces first; returns one located error per manifest refused
// ("scenario.yaml:12: deployments.apps \"web\" already exists", or a wrong behaviour).
std::vector<std::string> apply_manifests(ObjectStore& store, const std::vector<Manifest>& manifests,
                                         std::int64_t now_ms);

}  // namespace skippy::sim
