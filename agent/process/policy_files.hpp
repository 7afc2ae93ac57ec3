// The policies `skippy run` runs: its --policies (.skippy files and folders, or one compiled
// .skpc), and with --healing-policies the live cluster's HealingPolicy objects beside them.
// A change to the files on disk (their signature) means a reload.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "runtime/bytecode/program.hpp"

namespace skippy::k8s {
class LiveCluster;
}

namespace skippy::agent {

class PolicyStatusReporter;

// What the policy files look like on disk: paths, sizes and modification times.
std::string files_signature(const std::vector<std::string>& paths);

// Loads one .skpc, or compiles the files (with `texts`, sources held in memory as (name,
// text)); the compiler's diagnostics go to standard error. Nothing, with why in `error`, when
// they cannot be read or have errors.
std::optional<bytecode::Program> load_policy_files(
    const std::vector<std::string>& paths, std::string& error,
    const std::vector<std::pair<std::string, std::string>>& texts = {});

// The files, and the live cluster's HealingPolicy objects that translate and compile (each
// object's status says whether it runs, through `reporter` if given). When the objects and the
// files do not compile together, the files run alone. Without `live`, the files alone.
std::optional<bytecode::Program> load_policies_and_objects(const std::vector<std::string>& paths,
                                                           const k8s::LiveCluster* live,
                                                           PolicyStatusReporter* reporter,
                                                           std::int64_t now_ms, std::string& error);

}  // namespace skippy::agent
