#include "simulator/disruption.hpp"

#include <cmath>

#include "simulator/object_meta.hpp"
#include "simulator/pod_state.hpp"
#include "simulator/selectors.hpp"

namespace skippy::sim {
namespace {

// An int-or-percent field ("2", 2 or "50%") of `total`; percentages round up.
std::int64_t scaled(const Json& value, std::int64_t total) {
  if (value.is_number_integer()) return value.get<std::int64_t>();
  if (!value.is_string()) return 0;
  std::string s = value.get<std::string>();
  try {
    if (s.ends_with("%")) {
      double pct = std::stod(s.substr(0, s.size() - 1));
      return static_cast<std::int64_t>(std::ceil(pct * static_cast<double>(total) / 100.0));
    }
    return std::stoll(s);
  } catch (const std::exception&) {
    return 0;
  }
}

std::vector<const Json*> selected_pods(const ObjectStore& store, const Json& pdb) {
  std::vector<const Json*> out;
  auto selector =
      label_selector_of(pdb.contains("spec") ? pdb["spec"].value("selector", Json()) : Json());
  auto* s = std::get_if<LabelSelector>(&selector);
  if (!s) return out;
  for (const Json* pod : store.list(*find_resource("", "v1", "pods"), namespace_of(pdb))) {
    if (pod_active(*pod) && s->matches(labels_of(*pod))) out.push_back(pod);
  }
  return out;
}

}  // namespace

BudgetStatus budget_status(const ObjectStore& store, const Json& pdb) {
  BudgetStatus b;
  auto pods = selected_pods(store, pdb);
  b.expected = static_cast<std::int64_t>(pods.size());
  for (const Json* p : pods) b.healthy += pod_ready(*p) ? 1 : 0;
  Json::json_pointer min("/spec/minAvailable"), max("/spec/maxUnavailable");
  if (pdb.contains(max))
    b.desired = std::max<std::int64_t>(0, b.expected - scaled(pdb.at(max), b.expected));
  else if (pdb.contains(min))
    b.desired = scaled(pdb.at(min), b.expected);
  else
    b.desired = b.expected;  // neither: no disruption allowed
  b.allowed = std::max<std::int64_t>(0, b.healthy - b.desired);
  return b;
}

Outcome<Json> evict_pod(ObjectStore& store, const ObjectRef& ref, const Json& eviction,
                        std::int64_t now_ms) {
  if (!eviction.is_object()) return bad_request("the body is not a policy/v1 Eviction");
  const Json* pod = store.find(*ref.type, ref.namespace_name, ref.name);
  if (!pod) return not_found(ref.type->plural, ref.type->group, ref.name);
  std::vector<const Json*> budgets;
  for (const Json* pdb :
       store.list(*find_resource("policy", "v1", "poddisruptionbudgets"), ref.namespace_name)) {
    auto selector = label_selector_of(
        pdb->contains("spec") ? (*pdb)["spec"].value("selector", Json()) : Json());
    auto* s = std::get_if<LabelSelector>(&selector);
    if (s && !s->requirements.empty() && s->matches(labels_of(*pod))) budgets.push_back(pdb);
  }
  if (budgets.size() > 1)
    return ApiError{500, "InternalError",
                    "This pod has more than one PodDisruptionBudget, which the eviction "
                    "subresource does not support.",
                    nullptr};
  // A pod that is not ready takes nothing from a budget: evicting it disrupts nothing.
  if (budgets.size() == 1 && pod_ready(*pod)) {
    BudgetStatus b = budget_status(store, *budgets.front());
    if (b.allowed <= 0) {
      std::string why = "The disruption budget " + name_of(*budgets.front()) + " needs " +
                        std::to_string(b.desired) + " healthy pods and has " +
                        std::to_string(b.healthy) + " currently";
      return too_many_requests("Cannot evict pod as it would violate the pod's disruption budget.",
                               Json::array({{{"reason", "DisruptionBudget"}, {"message", why}}}));
    }
  }
  auto removed = delete_object(store, ref, Propagation::Background, now_ms);
  if (const auto* e = error_of(removed)) return *e;
  return success_status(201);
}

}  // namespace skippy::sim
