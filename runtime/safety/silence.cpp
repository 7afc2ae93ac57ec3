#include "runtime/safety/silence.hpp"

namespace skippy::safety {
AlertLabels alert_labels(const ActionRequest& r) {
  std::string severity = string_argument(r, "severity");
  if (severity.empty()) severity = kDefaultSeverity;
  return {{"alertname", std::string(kAlertName)},
          {"policy", r.policy},
          {"trigger", r.trigger},
          {"action", r.action},
          {"kind", r.target.kind},
          {"namespace", r.target.namespace_name},
          {"target", r.target.name},
          {"severity", std::move(severity)}};
}

std::string_view label_value(const AlertLabels& labels, std::string_view name) {
  for (const auto& [n, v] : labels)
    if (n == name) return v;
  return {};
}

SilenceMatcher make_matcher(std::string name, std::string value, bool is_regex, bool is_equal) {
  SilenceMatcher m{std::move(name), std::move(value), is_regex, is_equal, nullptr};
  if (is_regex) {
    try {
      m.regex = std::make_shared<const std::regex>("^(?:" + m.value + ")$");
    } catch (const std::regex_error&) {
      m.regex = nullptr;
    }
  }
  return m;
}

bool matches(const SilenceMatcher& m, std::string_view value) {
  bool equal = false;
  if (!m.is_regex) {
    equal = value == m.value;
  } else {
    if (!m.regex) return false;
    equal = std::regex_match(value.begin(), value.end(), *m.regex);
  }
  return equal == m.is_equal;
}

bool silences(const Silence& s, const AlertLabels& labels, std::int64_t now_ms) {
  if (s.matchers.empty() || now_ms < s.starts_ms || now_ms >= s.ends_ms) return false;
  for (const auto& m : s.matchers)
    if (!matches(m, label_value(labels, m.name))) return false;
  return true;
}

const Silence* find_silence(const SilenceView& view, const AlertLabels& labels,
                            std::int64_t now_ms) {
  for (const auto& s : view.active)
    if (silences(s, labels, now_ms)) return &s;
  return nullptr;
}

}  // namespace skippy::safety
