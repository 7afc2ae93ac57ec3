#include "policytest/report.hpp"

#include <cstdio>

#include "base/json_escape.hpp"
#include "base/markup_escape.hpp"

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

void write_junit(std::ostream& out, const std::vector<FileResult>& files) {
  std::size_t tests = 0, failures = 0;
  double seconds = 0;
  for (const auto& f : files) {
    tests += f.tests.size();
    failures += f.failures();
    seconds += f.seconds;
  }
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << "<testsuites name=\"skippy test\" tests=\"" << tests << "\" failures=\"" << failures
      << "\" time=\"" << seconds_text(seconds) << "\">\n";
  for (const auto& f : files) {
    out << "  <testsuite name=\"" << base::markup_escape(f.path) << "\" tests=\"" << f.tests.size()
        << "\" failures=\"" << f.failures() << "\" errors=\"0\" time=\"" << seconds_text(f.seconds)
        << "\">\n";
    for (const auto& t : f.tests) {
      out << "    <testcase classname=\"" << base::markup_escape(f.path) << "\" name=\""
          << base::markup_escape(t.name) << "\" file=\"" << base::markup_escape(f.path)
          << "\" line=\"" << t.where.line << "\" time=\"" << seconds_text(t.seconds) << "\"";
      if (t.passed) {
        out << "/>\n";
        continue;
      }
      std::string body;
      for (const auto& line : t.diff) body += line + "\n";
      out << ">\n      <failure message=\""
          << base::markup_escape(t.diff.empty() ? "failed" : t.diff.front()) << "\">"
          << base::markup_escape(body) << "</failure>\n    </testcase>\n";
    }
    out << "  </testsuite>\n";
  }
  out << "</testsuites>\n";
}

void write_coverage_text(std::ostream& out, const Coverage& coverage) {
  out << "coverage:\n";
  for (const auto& p : coverage) {
    out << "  policy " << p.name << " (" << p.source << ")\n";
    for (const auto& t : p.triggers) {
      out << "    trigger " << t.name << ": ";
      if (t.fired == 0)
        out << "never fired\n";
      else
        out << "fired " << t.fired << " time(s)\n";
    }
    for (const auto& b : p.branches) {
      out << "    on " << b.trigger << " do " << b.action << " (" << b.source << "): ";
      if (b.ran == 0)
        out << "never ran\n";
      else
        out << "ran " << b.ran << " time(s)\n";
    }
    bool any = false;
    for (std::size_t g = 0; g < safety::kGateCount; ++g) {
      if (p.blocked[g] == 0) continue;
      out << "    gate " << safety::gate_name(static_cast<safety::Gate>(g)) << ": blocked "
          << p.blocked[g] << " time(s)\n";
      any = true;
    }
    if (!any) out << "    no gate blocked\n";
  }
}

void write_coverage_json(std::ostream& out, const Coverage& coverage) {
  using base::json_escape;
  out << "{\"policies\":[";
  for (std::size_t i = 0; i < coverage.size(); ++i) {
    const auto& p = coverage[i];
    out << (i ? "," : "") << "{\"name\":\"" << json_escape(p.name) << "\",\"source\":\""
        << json_escape(p.source) << "\",\"triggers\":[";
    for (std::size_t k = 0; k < p.triggers.size(); ++k) {
      out << (k ? "," : "") << "{\"name\":\"" << json_escape(p.triggers[k].name)
          << "\",\"fired\":" << p.triggers[k].fired << "}";
    }
    out << "],\"branches\":[";
    for (std::size_t k = 0; k < p.branches.size(); ++k) {
      const auto& b = p.branches[k];
      out << (k ? "," : "") << "{\"trigger\":\"" << json_escape(b.trigger) << "\",\"action\":\""
          << json_escape(b.action) << "\",\"source\":\"" << json_escape(b.source)
          << "\",\"ran\":" << b.ran << "}";
    }
    out << "],\"gates_blocked\":{";
    bool first = true;
    for (std::size_t g = 0; g < safety::kGateCount; ++g) {
      if (p.blocked[g] == 0) continue;
      out << (first ? "" : ",") << "\"" << safety::gate_name(static_cast<safety::Gate>(g))
          << "\":" << p.blocked[g];
      first = false;
    }
    out << "}}";
  }
  out << "]}\n";
}

}  // namespace skippy::policytest
