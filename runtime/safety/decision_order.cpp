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
  std::vector<OrderedRequest> out;
  out.reserve(proposals.size() + approved.size());
  Ranks policies, places;
  std::string place;
  auto add = [&](const ActionRequest& r, bool from_approval) {
    place.assign(r.target.kind).append("/").append(r.target.namespace_name);
    out.push_back({&r, from_approval, r.priority, policies.id(r.policy), places.id(place),
                   prefix(r.target.name)});
  };
  for (const auto& p : proposals) add(p, false);
  for (const auto* a : approved) add(*a, true);
  auto policy_rank = policies.ranks(), place_rank = places.ranks();
  for (auto& o : out)
    o.policy_rank = policy_rank[o.policy_rank], o.place_rank = place_rank[o.place_rank];
  std::sort(out.begin(), out.end(), [](const OrderedRequest& a, const OrderedRequest& b) {
    if (a.priority != b.priority) return a.priority < b.priority;
    if (a.policy_rank != b.policy_rank) return a.policy_rank < b.policy_rank;
    if (a.place_rank != b.place_rank) return a.place_rank < b.place_rank;
    if (a.name_prefix != b.name_prefix) return a.name_prefix < b.name_prefix;
    return rest_before(a, b);
  });
  return out;
}

}  // namespace skippy::safety
