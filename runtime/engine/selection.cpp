#include "runtime/engine/selection.hpp"

#include <algorithm>
#include <array>

namespace skippy::engine {
namespace {

constexpr std::array<std::string_view, 3> kSystemNamespaces = {"kube-system", "kube-public",
                                                               "kube-node-lease"};

bool in_namespaces(const bytecode::Program& program, const bytecode::Policy& policy,
                   std::string_view ns, const EngineOptions& options) {
  const auto& s = policy.selection;
  if (s.all_namespaces) {
    bool system = std::find(kSystemNamespaces.begin(), kSystemNamespaces.end(), ns) !=
                  kSystemNamespaces.end();
    return !system || policy.safety.allow_system_namespaces;
  }
  if (s.namespaces.empty()) return ns == options.default_namespace;
  for (auto id : s.namespaces) {
    if (program.string(id) == ns) return true;
  }
  return false;
}

bool excluded(const bytecode::Program& program, const bytecode::Policy& policy,
              std::string_view name) {
  for (auto id : policy.selection.excluded_names) {
    if (program.string(id) == name) return true;
  }
  return false;
}

const cluster::Labels& labels_of(const Target& t) {
  return t.pod ? t.pod->meta.labels : t.workload->meta.labels;
}

}  // namespace

bool labels_match(const bytecode::Program& program, const bytecode::Selection& selection,
                  const cluster::Labels& labels) {
  for (const auto& r : selection.labels) {
    auto it = labels.find(program.string(r.key));
    bool has = it != labels.end();
    auto value_in = [&] {
      if (!has) return false;
      for (auto v : r.values) {
        if (program.string(v) == it->second) return true;
      }
      return false;
    };
    bool ok = true;
    switch (r.op) {
      case bytecode::LabelOp::Equals:
      case bytecode::LabelOp::In:
        ok = value_in();
        break;
      case bytecode::LabelOp::NotEquals:
      case bytecode::LabelOp::NotIn:
        ok = !value_in();
        break;  // as Kubernetes: absent matches
      case bytecode::LabelOp::Exists:
        ok = has;
        break;
      case bytecode::LabelOp::NotExists:
        ok = !has;
        break;
    }
    if (!ok) return false;
  }
  return true;
}

bool selects(const bytecode::Program& program, const bytecode::Policy& policy, const Target& target,
             const EngineOptions& options) {
  return target.kind == policy.selection.kind &&
         in_namespaces(program, policy, target.namespace_name, options) &&
         !excluded(program, policy, target.name) &&
         labels_match(program, policy.selection, labels_of(target));
}

std::vector<std::uint32_t> selection_groups(const bytecode::Program& program) {
  std::vector<std::uint32_t> group(program.policies.size());
  std::vector<std::size_t> first;  // the first policy of each group
  for (std::size_t p = 0; p < program.policies.size(); ++p) {
    const auto& policy = program.policies[p];
    auto same = [&](std::size_t q) {
      const auto& other = program.policies[q];
      return other.selection == policy.selection &&
             other.safety.allow_system_namespaces == policy.safety.allow_system_namespaces;
    };
    auto it = std::find_if(first.begin(), first.end(), same);
    group[p] = static_cast<std::uint32_t>(it - first.begin());
    if (it == first.end()) first.push_back(p);
  }
  return group;
}

}  // namespace skippy::engine
