// Names in the Skippy language made from Kubernetes names: `ai-driven-healing` becomes
// `ai_driven_healing`. A name is a letter or `_` followed by letters, digits and `_`, and
// is not a reserved word (docs/language.md, section 6).
#pragma once

#include <set>
#include <string>
#include <string_view>

namespace skippy::translate {

// Every character outside [A-Za-z0-9_] becomes `_` (runs of them one `_`); a name that would
// start with a digit gets `n_` in front, an empty one is `fallback`, a reserved word gets `_`
// after it.
std::string identifier(std::string_view text, std::string_view fallback);

// Hands out identifiers unique within one scope: the second `restart` is `restart_2`.
class NameScope {
 public:
  std::string take(std::string_view text, std::string_view fallback);

 private:
  std::set<std::string> taken_;
};

}  // namespace skippy::translate
