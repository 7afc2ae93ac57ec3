// One Skippy policy, as source text, for one selected kind of an upstream HealingPolicy:
// description, select, mode, interval, signals, triggers, safety and one `on` clause per
// trigger. What the translation decided stands in comments beside the clause it concerns.
// The text is not yet in canonical layout: the caller formats it (dsl/format.hpp).
#pragma once

#include <string>

#include "translate/finding.hpp"
#include "translate/healing_policy.hpp"
#include "translate/kinds.hpp"

namespace skippy::translate {

// `name` is the policy's identifier; false in `ok` when the policy cannot be written (an
// error says why).
struct WrittenPolicy {
  bool ok = false;
  std::string text;
};

WrittenPolicy write_policy(const HealingPolicy& policy, Kind kind, const std::string& name,
                           Findings& findings);

// `text` as comment lines of at most ~96 columns, each `indent`, `# `, `lead`, then words.
std::string comment_lines(const std::string& text, const std::string& indent,
                          const std::string& lead = "");

}  // namespace skippy::translate
