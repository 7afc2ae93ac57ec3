// What the parsed source of policies tells that their bytecode does not keep, for `skippy
// explain-policy`: each policy's description, and where each setting it does not write comes
// from (the `defaults` it sees, or Skippy's own default).
#pragma once

#include <map>
#include <string>

#include "dsl/ast.hpp"
#include "dsl/source.hpp"

namespace skippy::toolchain {

// The `description` of every policy of the parsed files, by policy name.
std::map<std::string, std::string> policy_descriptions(const dsl::Program& program);

// By policy name, then by setting ("mode", "every", "cooldown per target", ...): "the
// defaults at FILE:LINE" or "Skippy's default" (docs/language.md, defaults resolution).
std::map<std::string, std::map<std::string, std::string>> policy_settings_from(
    const dsl::Program& program, const dsl::SourceManager& sources);

}  // namespace skippy::toolchain
