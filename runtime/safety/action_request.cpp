#include "runtime/safety/action_request.hpp"

#include <string>

namespace skippy::safety {
namespace {

__extension__ using Hash128 = unsigned __int128;

constexpr Hash128 fnv128(std::uint64_t high, std::uint64_t low) {
  return (static_cast<Hash128>(high) << 64) | low;
}
constexpr Hash128 kOffsetBasis = fnv128(0x6c62272e07bb0142ull, 0x62b821756295c58dull);
constexpr Hash128 kPrime = fnv128(0x0000000001000000ull, 0x000000000000013bull);

void mix(Hash128& h, std::string_view part) {
  for (unsigned char c : part) {
    h ^= c;
    h *= kPrime;
  }
  h ^= 0xff;  // not a UTF-8 byte: ends the part
  h *= kPrime;
}

}  // namespace

void assign_object_key(std::string& out, std::string_view kind, std::string_view namespace_name,
                       std::string_view name) {
  out.clear();
  out.reserve(kind.size() + namespace_name.size() + name.size() + 2);
  out.append(kind).append("/").append(namespace_name).append("/").append(name);
}

std::string object_key(std::string_view kind, std::string_view namespace_name,
                       std::string_view name) {
  std::string out;
  assign_object_key(out, kind, namespace_name, name);
  return out;
}

std::string target_key(const Target& target) {
  return object_key(target.kind, target.namespace_name, target.name);
}

void assign_workload_key(std::string& out, const Target& target) {
  if (!target.workload_name.empty())
    assign_object_key(out, target.workload_kind, target.namespace_name, target.workload_name);
  else if (target.kind == "Pod")
    out.clear();
  else
    assign_object_key(out, target.kind, target.namespace_name, target.name);
}

std::string workload_key(const Target& target) {
  std::string out;
  assign_workload_key(out, target);
  return out;
}

PolicyLimits policy_limits(const bytecode::SafetyConfig& safety) {
  PolicyLimits out;
  out.cooldown_target_ms = safety.cooldown_target_ms;
  out.cooldown_policy_ms = safety.cooldown_policy_ms;
  out.max_actions = safety.max_actions;
  out.max_actions_window_ms = safety.max_actions_window_ms;
  out.max_unavailable = safety.max_unavailable;
  out.max_unavailable_percent = safety.max_unavailable_percent;
  out.max_concurrent = safety.max_concurrent;
  out.allow_system_namespaces = safety.allow_system_namespaces;
  return out;
}

bool approval_required(const bytecode::SafetyConfig& safety, std::uint16_t action) {
  return action < 32 && (safety.approve_mask & (1u << action)) != 0;
}

std::string action_id(std::string_view policy, std::string_view trigger, std::string_view action,
                      std::string_view target_key, std::int64_t fired_at_ms) {
  Hash128 h = kOffsetBasis;
  mix(h, policy);
  mix(h, trigger);
  mix(h, action);
  mix(h, target_key);
  mix(h, std::to_string(fired_at_ms));
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(32, '0');
  for (int i = 31; i >= 0; --i) {
    out[static_cast<std::size_t>(i)] = kHex[static_cast<unsigned>(h & 0xf)];
    h >>= 4;
  }
  return out;
}

std::string action_id(const ActionRequest& r) {
  return action_id(r.policy, r.trigger, r.action, target_key(r.target), r.fired_at_ms);
}

std::string string_argument(const ActionRequest& r, std::string_view name) {
  for (const auto& a : r.arguments) {
    if (a.name != name || a.json.size() < 2 || a.json.front() != '"') continue;
    std::string out;
    for (std::size_t i = 1; i + 1 < a.json.size(); ++i) {
      if (a.json[i] == '\\' && i + 2 < a.json.size()) ++i;
      out += a.json[i];
    }
    return out;
  }
  return "";
}

}  // namespace skippy::safety
