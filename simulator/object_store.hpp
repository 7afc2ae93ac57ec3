// The simulated cluster's state: every object by resource, namespace and name, as the API
// server keeps it in etcd. One global revision numbers every change (the resourceVersion), and
// the recent changes are kept in order so that watches can resume from a revision; older
// revisions are gone (a watch from them is answered 410 Expired).
//
// The store is raw: it assigns uids, timestamps, resource versions and generations, checks
// names and resource versions, and honours finalizers, but knows nothing of kinds, defaults or
// status subresources (rest.hpp adds those). Time arrives as an argument. Not thread-safe:
// the server holds one lock around it.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "simulator/api_error.hpp"
#include "simulator/resource_types.hpp"

namespace skippy::sim {

enum class ChangeType { Added, Modified, Deleted };
// "ADDED", "MODIFIED", "DELETED", as watch events name them.
std::string_view change_name(ChangeType type);

// One change, as a watch sends it: the object after the change (for a deletion, as it was,
// with the revision of its deletion).
struct Change {
  std::int64_t revision = 0;
  ChangeType type = ChangeType::Added;
  const ResourceType* resource = nullptr;
  Json object;
};

class ObjectStore {
 public:
  // Keeps the last `history_limit` changes for watches.
  explicit ObjectStore(std::size_t history_limit = 20'000);

  // Adds `object` of `type`: metadata.name (or generateName, completed with a suffix) is
  // required, and metadata.namespace for a namespaced type. Sets apiVersion, kind, uid,
  // creationTimestamp (now), generation 1 and the resourceVersion. 409 AlreadyExists.
  Outcome<Json> create(const ResourceType& type, Json object, std::int64_t now_ms);

  // Replaces the object of the same name with `object`. A non-empty metadata.resourceVersion
  // must be the stored one (409 Conflict). uid, creationTimestamp and a deletionTimestamp are
  // kept; the generation grows when anything but metadata and status changed. An update that
  // changes nothing is no change (no new revision). An object being deleted whose last
  // finalizer goes is removed.
  Outcome<Json> update(const ResourceType& type, Json object);

  // Removes the object, or, while it has finalizers, marks it with a deletionTimestamp.
  Outcome<Json> remove(const ResourceType& type, std::string_view namespace_name,
                       std::string_view name, std::int64_t now_ms);

  // The object, or nullptr. Pointers are valid until the next change.
  const Json* find(const ResourceType& type, std::string_view namespace_name,
                   std::string_view name) const;
  // The objects of `type` in `namespace_name` ("" for all), by namespace then name.
  std::vector<const Json*> list(const ResourceType& type,
                                std::string_view namespace_name = {}) const;

  // The revision of the last change (the resourceVersion of a list).
  std::int64_t revision() const { return revision_; }
  // The changes of `type` (every type when nullptr) after revision `since`, oldest first;
  // nullopt when changes after `since` have been forgotten.
  std::optional<std::vector<Change>> changes_after(const ResourceType* type,
                                                   std::int64_t since) const;
  // The oldest revision a watch can resume from.
  std::int64_t oldest_revision() const { return forgotten_; }

 private:
  using Objects = std::map<std::string, Json>;  // by "namespace/name"
  Objects& objects_of(const ResourceType& type);
  void record(ChangeType type, const ResourceType& resource, const Json& object);

  std::map<std::string, Objects> objects_;  // by "group/plural"
  std::deque<Change> history_;
  std::size_t history_limit_;
  std::int64_t revision_ = 1;
  std::int64_t forgotten_ = 1;  // changes up to this revision are no longer kept
  std::uint64_t uids_ = 0;
  std::uint64_t suffixes_ = 0;
};

}  // namespace skippy::sim
