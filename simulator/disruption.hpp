// PodDisruptionBudgets: how many of the pods a budget selects may be disrupted now, and the
// eviction subresource that asks a budget before it deletes a pod (POST
// pods/NAME/eviction with a policy/v1 Eviction), as `kubectl drain` and Skippy's evictions use
// it. A refusal is 429 TooManyRequests, as the real server answers it.
#pragma once

#include <cstdint>
#include <string>

#include "simulator/object_store.hpp"
#include "simulator/rest.hpp"

namespace skippy::sim {

// A budget's status over the pods of its namespace now.
struct BudgetStatus {
  std::int64_t expected = 0;  // pods the budget selects that are active
  std::int64_t healthy = 0;   // of them, ready
  std::int64_t desired = 0;   // how many must stay healthy
  std::int64_t allowed = 0;   // disruptions allowed: healthy - desired, at least 0
};
BudgetStatus budget_status(const ObjectStore& store, const Json& pdb);

// Evicts the pod of `ref` (a pods ref): 201 Success when deleted, 429 when a budget that
// selects it allows no disruption now, 500 when more than one budget selects it.
Outcome<Json> evict_pod(ObjectStore& store, const ObjectRef& ref, const Json& eviction,
                        std::int64_t now_ms);

}  // namespace skippy::sim
