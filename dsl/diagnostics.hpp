// Diagnostics are values: a code, a severity, a span, a message and notes.
// Nothing in the front end throws for a user's mistake; it adds a Diagnostic here.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dsl/source.hpp"

namespace skippy::dsl {

enum class Severity : std::uint8_t { Error, Warning, Note };

enum class DiagCode : std::uint16_t {
#define X(name, code, severity, summary) name,
#include "dsl/diagnostic_codes.def"
#undef X
};

struct DiagCodeInfo {
  std::string_view code;  // "E0101"
  Severity severity;
  std::string_view summary;  // one line, used by SARIF rules and docs
};

const DiagCodeInfo& diag_info(DiagCode code);
std::span<const DiagCodeInfo> all_diag_codes();
std::string_view severity_name(Severity s);

struct DiagnosticNote {
  std::optional<Span> span;
  std::string message;
};

struct Diagnostic {
  DiagCode code;
  Severity severity;
  Span span;
  std::string message;
  std::vector<DiagnosticNote> notes;
};

// Collects the diagnostics of one run, across files.
class Diagnostics {
 public:
  // Returns the new diagnostic so callers can add notes.
  Diagnostic& report(DiagCode code, Span span, std::string message);
  Diagnostic& report(DiagCode code, Severity severity, Span span, std::string message);

  const std::vector<Diagnostic>& all() const { return items_; }
  std::size_t error_count() const;
  bool has_errors() const { return error_count() > 0; }
  // Orders by file, then position, then code: a stable order for output and golden files.
  void sort();

 private:
  std::vector<Diagnostic> items_;
};

}  // namespace skippy::dsl
