// Test support: a "billion laughs" YAML mapping, nine levels of ten aliases each, which stands
// for a billion values once its aliases are followed, in a few hundred bytes.
#pragma once

#include <string>

namespace skippy::testing {

// The mapping's ten lines (`a0: &a0 [x, ...]`, `a1: &a1 [*a0, ...]`, ...), each after `indent`.
inline std::string yaml_laughs(const std::string& indent) {
  std::string out = indent + "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i <= 9; ++i) {
    out += indent + "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int k = 0; k < 10; ++k) out += std::string(k ? ", " : "") + "*a" + std::to_string(i - 1);
    out += "]\n";
  }
  return out;
}

}  // namespace skippy::testing
