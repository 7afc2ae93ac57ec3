// The exit codes of `skippy run`, as of every skippy command (and promtool's): 0 clean, 1
// findings (the policies or the snapshot have errors, or with --once a policy was unhealthy),
// 2 usage or I/O error.
#pragma once

namespace skippy::agent {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFindings = 1;
inline constexpr int kExitUsage = 2;

}  // namespace skippy::agent
