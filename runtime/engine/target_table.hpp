// Every object of the cluster view that a policy can select (pods and workloads), each with
// an id that stays the same from tick to tick while the object exists. Per-target state lives
// in flat arrays indexed by these ids, and joined signal values are columns indexed by them,
// so the hot path of a tick compares no strings and hashes no keys.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "runtime/bytecode/program.hpp"
#include "runtime/cluster/cluster_view.hpp"

namespace skippy::engine {

struct Target {
  bytecode::TargetKind kind = bytecode::TargetKind::Pods;
  std::uint32_t id = 0;
  const cluster::Pod* pod = nullptr;
  const cluster::Workload* workload = nullptr;  // the target itself, or a pod's workload
  std::string_view key;                         // "ns/name" or "Kind/ns/name"
  std::string_view namespace_name;
  std::string_view name;
};

// The Kubernetes kind of a target kind: Pod, Deployment, StatefulSet, ...
std::string_view kind_name(bytecode::TargetKind kind);
// The target kind of a workload's Kubernetes kind (Deployment, ...); none for other kinds.
std::optional<bytecode::TargetKind> workload_kind(std::string_view kind);

class TargetTable {
 public:
  TargetTable() = default;
  TargetTable(const TargetTable& other);
  TargetTable& operator=(const TargetTable& other);
  TargetTable(TargetTable&&) = default;  // map nodes move with the map: key views stay valid
  TargetTable& operator=(TargetTable&&) = default;

  // Reads the view's pods and workloads. An object seen at the previous refresh keeps its id;
  // the id of an object that is gone is reused later, with a new generation. The targets, and
  // the keys they view, stay valid until the next refresh (and as long as the view does).
  void refresh(const cluster::ClusterView& view);

  std::span<const Target> targets() const { return targets_; }
  // Ids are below this.
  std::size_t id_count() const { return generations_.size(); }
  // Changes each time an id is given to another object.
  std::uint32_t generation(std::uint32_t id) const { return generations_[id]; }
  std::optional<std::uint32_t> find(std::string_view key) const;
  // Changes when a refresh finds the targets differ from the previous refresh's (an id given
  // or freed, another order, a pod moved to another node or workload): what is computed from
  // the targets alone can be kept while it stays the same.
  std::uint64_t version() const { return version_; }

 private:
  struct KeyHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::uint32_t id_for(const std::string& key);
  void rebuild_key_views();

  std::unordered_map<std::string, std::uint32_t, KeyHash, std::equal_to<>> ids_;
  std::vector<std::string_view> keys_;  // by id: views of ids_'s keys ("" when free)
  std::vector<std::uint32_t> generations_;
  std::vector<std::uint64_t> seen_;  // by id: the refresh that last saw it
  std::vector<std::uint32_t> free_;
  std::vector<Target> targets_;
  std::uint64_t refreshes_ = 0;
  std::uint64_t version_ = 0;
  // The previous refresh's targets, to recognise an unchanged view without hashing: by
  // position, the id, and the node and workload a pod had.
  std::vector<std::uint32_t> last_ids_;
  std::vector<std::string> last_nodes_, last_workloads_;
};

}  // namespace skippy::engine
