// The resource kinds a Skippy policy selects, and what each is called upstream, in `select`,
// and in kube-state-metrics labels. kKindNames is in the order of the enum.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace skippy::translate {

enum class Kind : std::uint8_t { Pods, Deployments, StatefulSets, DaemonSets, ReplicaSets };

// How each kind is named: upstream (`kind: Deployment`), after `select` (deployments), and
// as the label of Prometheus series that name a target (deployment).
struct KindNames {
  Kind kind;
  std::string_view upstream;
  std::string_view word;
  std::string_view label;
};

inline constexpr std::array<KindNames, 5> kKindNames = {{
    {Kind::Pods, "Pod", "pods", "pod"},
    {Kind::Deployments, "Deployment", "deployments", "deployment"},
    {Kind::StatefulSets, "StatefulSet", "statefulsets", "statefulset"},
    {Kind::DaemonSets, "DaemonSet", "daemonsets", "daemonset"},
    {Kind::ReplicaSets, "ReplicaSet", "replicasets", "replicaset"},
}};

// `Pod` -> Pods, ...; nothing for kinds Skippy does not select (Service, Node, ...).
inline std::optional<Kind> kind_from_upstream(std::string_view kind) {
  for (const auto& k : kKindNames)
    if (k.upstream == kind) return k.kind;
  return std::nullopt;
}

inline const KindNames& kind_names(Kind kind) {
  return kKindNames[static_cast<std::size_t>(kind)];
}
inline std::string_view kind_word(Kind kind) {
  return kind_names(kind).word;
}
inline std::string_view kind_label(Kind kind) {
  return kind_names(kind).label;
}
inline std::string_view kind_upstream(Kind kind) {
  return kind_names(kind).upstream;
}

}  // namespace skippy::translate
