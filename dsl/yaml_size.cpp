#include "dsl/yaml_size.hpp"

namespace skippy::dsl {
namespace {

std::size_t expanded_size(const YAML::Node& node, std::size_t budget, std::size_t max_depth,
                          std::size_t depth) {
  if (depth > max_depth) return budget + 1;
  std::size_t size = 16;
  if (node.IsScalar()) size += node.Scalar().size();
  if (size > budget) return size;
  if (node.IsMap()) {
    for (const auto& kv : node) {
      size += expanded_size(kv.first, budget - size, max_depth, depth + 1);
      if (size > budget) return size;
      size += expanded_size(kv.second, budget - size, max_depth, depth + 1);
      if (size > budget) return size;
    }
  } else if (node.IsSequence()) {
    for (const auto& item : node) {
      size += expanded_size(item, budget - size, max_depth, depth + 1);
      if (size > budget) return size;
    }
  }
  return size;
}

}  // namespace

std::size_t yaml_expanded_size(const YAML::Node& node, std::size_t budget, std::size_t max_depth) {
  return expanded_size(node, budget, max_depth, 0);
}

bool patch_too_large(const YAML::Node& patch) {
  return yaml_expanded_size(patch, kMaxPatchBytes, kMaxPatchDepth) > kMaxPatchBytes;
}

}  // namespace skippy::dsl
