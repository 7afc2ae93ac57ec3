// A mistake in a settings file, where it is, and how a list of them is shown: one line each,
// `path:line:col: key: message`, as compilers and promtool locate theirs.
#pragma once

#include <string>
#include <vector>

namespace skippy::agent {

struct ConfigProblem {
  int line = 0;     // 1-based
  int column = 0;   // 1-based
  std::string key;  // where in the document: "prometheus.timeout"
  std::string message;
};

inline std::string render_problems(const std::string& path,
                                   const std::vector<ConfigProblem>& problems) {
  std::string out;
  for (const auto& p : problems) {
    out += path + ":" + std::to_string(p.line) + ":" + std::to_string(p.column) + ": " +
           (p.key.empty() ? "" : p.key + ": ") + p.message + "\n";
  }
  return out;
}

}  // namespace skippy::agent
