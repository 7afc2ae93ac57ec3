#include "runtime/engine/target_table.hpp"

namespace skippy::engine {

std::string_view kind_name(bytecode::TargetKind kind) {
  switch (kind) {
    case bytecode::TargetKind::Pods:
      return "Pod";
    case bytecode::TargetKind::Deployments:
      return "Deployment";
    case bytecode::TargetKind::StatefulSets:
      return "StatefulSet";
    case bytecode::TargetKind::DaemonSets:
      return "DaemonSet";
    case bytecode::TargetKind::ReplicaSets:
      return "ReplicaSet";
  }
  return "";
}

std::optional<bytecode::TargetKind> workload_kind(std::string_view name) {
  for (auto kind : {bytecode::TargetKind::Deployments, bytecode::TargetKind::StatefulSets,
                    bytecode::TargetKind::DaemonSets, bytecode::TargetKind::ReplicaSets}) {
    if (kind_name(kind) == name) return kind;
  }
  return std::nullopt;
}

TargetTable::TargetTable(const TargetTable& other)
    : ids_(other.ids_),
      generations_(other.generations_),
      seen_(other.seen_),
      free_(other.free_),
      refreshes_(other.refreshes_) {
  rebuild_key_views();  // the targets belong to the other table's tick: not copied
}

TargetTable& TargetTable::operator=(const TargetTable& other) {
  if (this != &other) {
    TargetTable copy(other);
    *this = std::move(copy);
  }
  return *this;
}

void TargetTable::rebuild_key_views() {
  keys_.assign(generations_.size(), std::string_view());
  for (const auto& [key, id] : ids_) keys_[id] = key;
}

std::optional<std::uint32_t> TargetTable::find(std::string_view key) const {
  auto it = ids_.find(key);
  if (it == ids_.end()) return std::nullopt;
  return it->second;
}

std::uint32_t TargetTable::id_for(const std::string& key) {
  auto it = ids_.find(key);
  if (it != ids_.end()) return it->second;
  std::uint32_t id;
  if (!free_.empty()) {
    id = free_.back();
    free_.pop_back();
  } else {
    id = static_cast<std::uint32_t>(generations_.size());
    generations_.push_back(0);
    seen_.push_back(0);
    keys_.emplace_back();
  }
  ++generations_[id];
  auto inserted = ids_.emplace(key, id).first;
  keys_[id] = inserted->first;  // map nodes do not move: the view stays valid
  return id;
}

void TargetTable::refresh(const cluster::ClusterView& view) {
  ++refreshes_;
  const std::size_t previous = targets_.size();
  targets_.clear();
  bool changed = false;
  std::string key;
  // The object at position i is usually the one that was there at the previous refresh:
  // comparing its key with that one's costs less than hashing it.
  auto add = [&](Target t) {
    const std::size_t position = targets_.size();
    std::uint32_t id;
    if (position < last_ids_.size() && keys_[last_ids_[position]] == key) {
      id = last_ids_[position];
    } else {
      id = id_for(key);
      changed = true;
    }
    if (seen_[id] == refreshes_) return;  // the same object twice in the view: once is enough
    seen_[id] = refreshes_;
    t.id = id;
    t.key = keys_[id];
    targets_.push_back(t);
  };
  for (const auto& pod : view.pods()) {
    const auto& m = pod.meta;
    key.assign(m.namespace_name).append("/").append(m.name);
    Target t;
    t.kind = bytecode::TargetKind::Pods;
    t.pod = &pod;
    t.workload = pod.workload_kind.empty()
                     ? nullptr
                     : view.find_workload(pod.workload_kind, m.namespace_name, pod.workload_name);
    t.namespace_name = m.namespace_name;
    t.name = m.name;
    add(t);
  }
  for (const auto& w : view.workloads()) {
    auto kind = workload_kind(w.kind);
    if (!kind) continue;
    const auto& m = w.meta;
    key.assign(w.kind).append("/").append(m.namespace_name).append("/").append(m.name);
    Target t;
    t.kind = *kind;
    t.workload = &w;
    t.namespace_name = m.namespace_name;
    t.name = m.name;
    add(t);
  }
  // Objects that are gone free their ids.
  for (std::uint32_t id = 0; id < generations_.size(); ++id) {
    if (seen_[id] == refreshes_ || keys_[id].empty()) continue;
    ids_.erase(ids_.find(keys_[id]));
    keys_[id] = {};
    free_.push_back(id);
    changed = true;
  }
  // What a join reads of a target besides its key: a pod's node and workload.
  if (targets_.size() != previous) changed = true;
  last_ids_.resize(targets_.size());
  last_nodes_.resize(targets_.size());
  last_workloads_.resize(targets_.size());
  for (std::size_t i = 0; i < targets_.size(); ++i) {
    const Target& t = targets_[i];
    std::string_view node = t.pod ? std::string_view(t.pod->node) : std::string_view();
    std::string_view workload =
        t.pod && t.workload ? std::string_view(t.workload->meta.name) : std::string_view();
    if (last_ids_[i] != t.id || last_nodes_[i] != node || last_workloads_[i] != workload) {
      changed = true;
      last_ids_[i] = t.id;
      last_nodes_[i] = node;
      last_workloads_[i] = workload;
    }
  }
  if (changed) ++version_;
}

}  // namespace skippy::engine
