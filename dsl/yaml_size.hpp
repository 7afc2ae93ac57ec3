// The size of a YAML value once its aliases are followed. Anchors and aliases let a few lines
// stand for billions of values ("billion laughs"), or repeat a long string thousands of times,
// which every walk of the tree (a patch's fields listed, a document read, YAML turned into
// JSON) would then expand; YAML from a user is measured before anything walks it.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstddef>

namespace skippy::dsl {

// The size of `node` with its aliases followed, each node counting 16 bytes and a scalar its
// text, counted up to `budget`: as soon as the budget is exceeded, or nesting goes past
// `max_depth`, counting stops and the result is more than `budget`.
std::size_t yaml_expanded_size(const YAML::Node& node, std::size_t budget, std::size_t max_depth);

// The most a literal patch (a policy's `patch(patch: ...)`, a HealingPolicy's patchAction) may
// hold once its aliases are followed, and how deep it may nest: far more than any patch an
// object takes (a Kubernetes object is a few levels deep), and little enough to walk at once.
inline constexpr std::size_t kMaxPatchBytes = 64 * 1024;
inline constexpr std::size_t kMaxPatchDepth = 64;

// True when `patch` is larger than kMaxPatchBytes once its aliases are followed, or nests
// deeper than kMaxPatchDepth; kPatchTooLarge says so.
bool patch_too_large(const YAML::Node& patch);
inline constexpr const char* kPatchTooLarge =
    "the patch is larger than 64 KiB once its YAML aliases are followed, or nested more than "
    "64 deep";

}  // namespace skippy::dsl
