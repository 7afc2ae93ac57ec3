// Which defaults apply to a file's policies: the file's own `defaults` block, over those of
// the files it imports (directly or not). Two imported files that set the same thing
// conflict; the importing file's own block settles nothing but its own fields.
#pragma once

#include <map>
#include <string>

#include "dsl/ast.hpp"
#include "dsl/diagnostics.hpp"

namespace skippy::compiler {

struct VisibleDefaults {
  const dsl::ModeClause* mode = nullptr;
  const dsl::EveryClause* every = nullptr;
  std::map<std::string, const dsl::SafetyRule*> safety;  // by safety_rule_key()
};

// "cooldown per target", "cooldown per policy", "max_actions", "max_unavailable",
// "max_concurrent", "approve", "allow system_namespaces".
std::string safety_rule_key(const dsl::SafetyRule& rule);

std::map<dsl::FileId, VisibleDefaults> resolve_defaults(const dsl::Program& program,
                                                        dsl::Diagnostics& diagnostics);

}  // namespace skippy::compiler
