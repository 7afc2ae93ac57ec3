#include "runtime/safety/safety_state.hpp"

#include <iterator>

namespace skippy::safety {

const char* action_state_name(ActionState state) {
  static const char* names[] = {"pending",   "approved",  "in-flight", "retrying",
                                "verifying", "succeeded", "failed",    "expired"};
  auto i = static_cast<std::size_t>(state);
  return i < std::size(names) ? names[i] : "?";
}

bool parse_action_state(std::string_view name, ActionState& out) {
  for (std::uint8_t i = 0; i <= static_cast<std::uint8_t>(ActionState::Expired); ++i) {
    if (name == action_state_name(static_cast<ActionState>(i))) {
      out = static_cast<ActionState>(i);
      return true;
    }
  }
  return false;
}

bool holds_budget(ActionState state) {
  return state == ActionState::InFlight || state == ActionState::Retrying ||
         state == ActionState::Verifying;
}

bool is_open(ActionState state) {
  return state == ActionState::Pending || state == ActionState::Approved || holds_budget(state);
}

void assign_target_cooldown_key(std::string& out, const ActionRequest& r) {
  out.clear();
  out.reserve(r.policy.size() + r.action.size() + r.target.kind.size() +
              r.target.namespace_name.size() + r.target.name.size() + 4);
  out.append(r.policy).append("/").append(r.action).append("/");
  out.append(r.target.kind).append("/").append(r.target.namespace_name).append("/");
  out.append(r.target.name);
}

}  // namespace skippy::safety
