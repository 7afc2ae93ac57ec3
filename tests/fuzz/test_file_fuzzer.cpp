// Fuzzes the `skippy test` file loader: whatever the YAML, it never crashes or throws, every
// mistake is located inside the text, and a file without mistakes holds only what the runner
// can run (named tests, intervals that are positive when given, cluster views, expected trigger
// states that are states, on targets of the cluster).
#include <cstdint>
#include <cstdlib>
#include <string>

#include "policytest/test_file.hpp"

using namespace skippy::policytest;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<FileError> errors;
  auto file = parse_test_file(text, "fuzz/t.yaml", errors);
  int lines = 1;
  for (char c : text) lines += c == '\n' ? 1 : 0;
  for (const auto& e : errors) {
    if (e.where.line < 0 || e.where.line > lines + 1 || e.message.empty()) std::abort();
  }
  if (!errors.empty()) return 0;
  for (const auto& t : file.tests) {
    if (t.name.empty() || t.interval_ms < 0 || t.cluster.empty() || !t.cluster.front().view)
      std::abort();
    if (t.expected.empty() && !t.no_actions_until_ms && t.expected_triggers.empty()) std::abort();
    for (const auto& e : t.expected_triggers) {
      const auto& s = e.line.state;
      if (e.line.target.empty() || (s != "inactive" && s != "pending" && s != "firing"))
        std::abort();
    }
  }
  return 0;
}
