#include "dsl/diagnostics.hpp"

#include <algorithm>
#include <array>

namespace skippy::dsl {
namespace {

constexpr std::array kCodes = {
#define X(name, code, severity, summary) DiagCodeInfo{code, Severity::severity, summary},
#include "dsl/diagnostic_codes.def"
#undef X
};

}  // namespace

const DiagCodeInfo& diag_info(DiagCode code) {
  return kCodes[static_cast<std::size_t>(code)];
}

std::span<const DiagCodeInfo> all_diag_codes() {
  return kCodes;
}

std::string_view severity_name(Severity s) {
  switch (s) {
    case Severity::Error:
      return "error";
    case Severity::Warning:
      return "warning";
    case Severity::Note:
      return "note";
  }
  return "error";
}

Diagnostic& Diagnostics::report(DiagCode code, Span span, std::string message) {
  return report(code, diag_info(code).severity, span, std::move(message));
}

Diagnostic& Diagnostics::report(DiagCode code, Severity severity, Span span, std::string message) {
  items_.push_back(Diagnostic{code, severity, span, std::move(message), {}});
  return items_.back();
}

std::size_t Diagnostics::error_count() const {
  return static_cast<std::size_t>(
      std::count_if(items_.begin(), items_.end(),
                    [](const Diagnostic& d) { return d.severity == Severity::Error; }));
}

void Diagnostics::sort() {
  std::stable_sort(items_.begin(), items_.end(), [](const Diagnostic& a, const Diagnostic& b) {
    if (a.span.file != b.span.file) return a.span.file < b.span.file;
    if (a.span.begin != b.span.begin) return a.span.begin < b.span.begin;
    return a.code < b.code;
  });
}

}  // namespace skippy::dsl
