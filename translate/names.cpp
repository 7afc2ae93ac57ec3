#include "translate/names.hpp"

#include <algorithm>
#include <array>

namespace skippy::translate {
namespace {

constexpr std::array<std::string_view, 28> kReserved = {
    "and", "clear",  "defaults", "description",     "do",     "else",    "every", "false",   "for",
    "if",  "import", "in",       "keep_firing_for", "let",    "missing", "mode",  "not",     "on",
    "or",  "policy", "priority", "safety",          "select", "signal",  "then",  "trigger", "true",
    "when"};

bool word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

}  // namespace

std::string identifier(std::string_view text, std::string_view fallback) {
  std::string out;
  for (char c : text) {
    if (word_char(c)) {
      out.push_back(c);
    } else if (!out.empty() && out.back() != '_') {
      out.push_back('_');
    }
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  if (out.empty()) return std::string(fallback);
  if (out[0] >= '0' && out[0] <= '9') out = "n_" + out;
  if (std::find(kReserved.begin(), kReserved.end(), out) != kReserved.end()) out += "_";
  return out;
}

std::string NameScope::take(std::string_view text, std::string_view fallback) {
  std::string base = identifier(text, fallback);
  std::string name = base;
  for (int n = 2; !taken_.insert(name).second; ++n) name = base + "_" + std::to_string(n);
  return name;
}

}  // namespace skippy::translate
