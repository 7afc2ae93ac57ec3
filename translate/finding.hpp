// What the translator says about its input: a warning (the meaning could not be kept as it
// was, or the input was broken), a note (a decision worth knowing), or an error (the
// document could not be translated). Each points at a file, a line and a field path.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace skippy::translate {

enum class Severity : std::uint8_t { Error, Warning, Note };

// Where a field of the manifest stands: `spec.triggers[1].eventTrigger.reason` at line 17.
struct Where {
  std::uint32_t line = 0;  // 1-based; 0 when unknown
  std::string field;

  friend bool operator==(const Where&, const Where&) = default;
};

struct Finding {
  Severity severity = Severity::Warning;
  std::string file;
  Where where;
  std::string message;

  friend bool operator==(const Finding&, const Finding&) = default;
};

// `file:17: spec.triggers[1].eventTrigger.reason: message` for a warning; notes and errors
// say so after the field: `file:3: spec.selector.resources: note: ...`.
std::string render_finding(const Finding& finding);

// Collects findings for one file, in the order they were found, each once.
class Findings {
 public:
  explicit Findings(std::string file) : file_(std::move(file)) {}

  void error(const Where& where, std::string message);
  void warning(const Where& where, std::string message);
  void note(const Where& where, std::string message);

  // While set, the message of every finding reported is also appended to `into` (even one
  // already reported): the writer turns them into comments beside what they concern.
  void capture(std::vector<std::string>* into) { capture_ = into; }

  const std::string& file() const { return file_; }
  const std::vector<Finding>& all() const { return items_; }

 private:
  void add(Severity severity, const Where& where, std::string message);

  std::string file_;
  std::vector<Finding> items_;
  std::vector<std::string>* capture_ = nullptr;
};

}  // namespace skippy::translate
