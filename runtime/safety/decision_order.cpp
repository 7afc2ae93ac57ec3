#include "runtime/safety/decision_order.hpp"

#include <algorithm>
#include <cstdint>
#include <string>

#include "runtime/safety/string_map.hpp"

namespace skippy::safety {
namespace {

// Numbers names in the order first seen, then ranks them by their sorted order. A run of equal
// names costs one comparison each.
class Ranks {
 public:
  std::uint32_t id(std::string_view name) {
    if (last_ && name == last_->first) return last_->second;
    auto it = ids_.find(name);
    if (it == ids_.end())
      it = ids_.emplace(std::string(name), static_cast<std::uint32_t>(ids_.size())).first;
    last_ = &*it;
    return it->second;
  }
  // rank_of[id]: the place of the name numbered id among all, sorted.
  std::vector<std::uint32_t> ranks() const {
    std::vector<const std::pair<const std::string, std::uint32_t>*> names;
    names.reserve(ids_.size());
    for (const auto& entry : ids_) names.push_back(&entry);
    std::sort(names.begin(), names.end(), [](auto* a, auto* b) { return a->first < b->first; });
    std::vector<std::uint32_t> rank_of(names.size());
    for (std::size_t i = 0; i < names.size(); ++i)
      rank_of[names[i]->second] = static_cast<std::uint32_t>(i);
    return rank_of;
  }

 private:
  StringMap<std::uint32_t> ids_;
  const std::pair<const std::string, std::uint32_t>* last_ = nullptr;
};

struct Key {
  std::int32_t priority;
  std::uint32_t policy;  // rank of the policy's name (first its id)
  std::uint32_t place;   // rank of "kind/namespace" (first its id)
  std::uint32_t index;   // into the items
  std::uint64_t name;    // the target name's first 8 bytes, big-endian: orders like the name
};

std::uint64_t prefix(std::string_view name) {
  std::uint64_t out = 0;
  for (std::size_t i = 0; i < 8; ++i)
    out = out << 8 | (i < name.size() ? static_cast<unsigned char>(name[i]) : 0u);
  return out;
}

// The rest of the order, for keys that tie: the whole target name, the action, the id.
bool rest_before(const OrderedRequest& x, const OrderedRequest& y) {
  const auto& a = *x.request;
  const auto& b = *y.request;
  if (int c = a.target.name.compare(b.target.name)) return c < 0;
  if (int c = a.action.compare(b.action)) return c < 0;
  if (int c = a.id.compare(b.id)) return c < 0;
  return x.from_approval && !y.from_approval;
}

}  // namespace

std::vector<OrderedRequest> decision_order(std::span<const ActionRequest> proposals,
                                           std::span<const ActionRequest* const> approved) {
  std::vector<OrderedRequest> items;
  items.reserve(proposals.size() + approved.size());
  for (const auto& p : proposals) items.push_back({&p, false});
  for (const auto* a : approved) items.push_back({a, true});

  Ranks policies, places;
  std::vector<Key> keys(items.size());
  std::string place;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const auto& r = *items[i].request;
    place.assign(r.target.kind).append("/").append(r.target.namespace_name);
    keys[i] = {r.priority, policies.id(r.policy), places.id(place), static_cast<std::uint32_t>(i),
               prefix(r.target.name)};
  }
  auto policy_rank = policies.ranks(), place_rank = places.ranks();
  for (auto& k : keys) k.policy = policy_rank[k.policy], k.place = place_rank[k.place];
  std::sort(keys.begin(), keys.end(), [&](const Key& a, const Key& b) {
    if (a.priority != b.priority) return a.priority < b.priority;
    if (a.policy != b.policy) return a.policy < b.policy;
    if (a.place != b.place) return a.place < b.place;
    if (a.name != b.name) return a.name < b.name;
    return rest_before(items[a.index], items[b.index]);
  });
  std::vector<OrderedRequest> out;
  out.reserve(items.size());
  for (const auto& k : keys) out.push_back(items[k.index]);
  return out;
}

}  // namespace skippy::safety
