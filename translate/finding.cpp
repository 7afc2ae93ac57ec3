#include "translate/finding.hpp"

#include <algorithm>

namespace skippy::translate {

std::string render_finding(const Finding& f) {
  std::string out = f.file + ":" + std::to_string(f.where.line) + ": ";
  if (!f.where.field.empty()) out += f.where.field + ": ";
  if (f.severity == Severity::Error) out += "error: ";
  if (f.severity == Severity::Note) out += "note: ";
  return out + f.message;
}

void Findings::error(const Where& where, std::string message) {
  add(Severity::Error, where, std::move(message));
}
void Findings::warning(const Where& where, std::string message) {
  add(Severity::Warning, where, std::move(message));
}
void Findings::note(const Where& where, std::string message) {
  add(Severity::Note, where, std::move(message));
}

void Findings::add(Severity severity, const Where& where, std::string message) {
  if (capture_) capture_->push_back(message);
  Finding f{severity, file_, where, std::move(message)};
  // A policy written once per kind meets the same field several times; say it once.
  if (std::find(items_.begin(), items_.end(), f) == items_.end()) items_.push_back(std::move(f));
}

}  // namespace skippy::translate
