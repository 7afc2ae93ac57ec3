#include "policytest/report.hpp"

#include <cstdio>

namespace skippy::policytest {
namespace {

std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", s);
  return buf;
}

std::string where_text(const std::string& path, const Location& at) {
  return path + ":" + std::to_string(at.line) + ":" + std::to_string(at.column);
}

}  // namespace

void write_text(std::ostream& out, const FileResult& file) {
  const std::size_t failed = file.failures();
  out << file.path << ": " << file.tests.size() << " test(s), " << file.tests.size() - failed
      << " passed, " << failed << " failed (" << seconds_text(file.seconds) << " s)\n";
  for (const auto& t : file.tests) {
    out << (t.passed ? "  PASS " : "  FAIL ") << t.name;
    if (!t.passed) out << " (" << where_text(file.path, t.where) << ")";
    out << "\n";
    for (const auto& line : t.diff) out << "      " << line << "\n";
  }
}

}  // namespace skippy::policytest
