// `skippy run --healing-policies`: the cluster's HealingPolicy objects run beside the .skippy
// files. Each object is translated as `skippy translate` does (docs/translate.md), formatted
// and compiled alone, in memory; an object that does not translate, does not compile, or
// defines a policy name already taken is left out, and its status says why (a Ready condition
// False with a reason and the diagnostics); the others run. Objects are read from the live
// cluster view, so a change to one's spec recompiles the set at the next tick.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "k8s-adapter/api_client.hpp"
#include "k8s-adapter/objects.hpp"

namespace skippy::agent {

// One policy source made from an object: "healingpolicy/NAMESPACE/NAME.skippy" and its text.
struct PolicyText {
  std::string name;
  std::string text;
};

// What became of one object: Ready True (it runs) or False with the reason.
struct PolicyVerdict {
  std::string namespace_name;
  std::string name;
  bool ready = false;
  std::string reason;   // Compiled, TranslationFailed, CompileFailed, NameClash
  std::string message;  // for people: the warnings' count, or the diagnostics
};

struct HealingPolicyTexts {
  std::vector<PolicyText> texts;  // the objects that run
  std::vector<PolicyVerdict> verdicts;
};

// Changes whenever an object is added, removed, or its spec changed (not its status).
std::string healing_policies_signature(std::span<const k8s::RawObject> objects);

// Translates and checks every object; `taken` holds the policy names of the .skippy files.
HealingPolicyTexts translate_healing_policies(std::span<const k8s::RawObject> objects,
                                              const std::set<std::string>& taken);

// Writes each object's Ready condition to its status subresource, when it changed since the
// last report (so an unchanged set costs no request).
class PolicyStatusReporter {
 public:
  explicit PolicyStatusReporter(const k8s::ApiClient& client) : client_(client) {}
  // Returns the problems met writing statuses.
  std::vector<std::string> report(const std::vector<PolicyVerdict>& verdicts, std::int64_t now_ms);

 private:
  const k8s::ApiClient& client_;
  std::map<std::string, std::string> reported_;  // namespace/name -> reason and message
};

}  // namespace skippy::agent
