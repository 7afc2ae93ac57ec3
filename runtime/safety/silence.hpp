// Alertmanager's silences as the `silence` gate sees them: the labels of the alert about an
// action, the silences the Alertmanagers hold at a tick, and whether one of them silences an
// action, with Alertmanager's matching rules. Pure: time is an argument; runtime/alerting
// fetches the silences and sends the alerts.
#pragma once

#include <cstdint>
#include <memory>
#include <regex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/safety/action_request.hpp"

namespace skippy::safety {

inline constexpr std::string_view kAlertName = "SkippyAction";
inline constexpr std::string_view kDefaultSeverity = "info";

// An alert's labels, (name, value) in a fixed order.
using AlertLabels = std::vector<std::pair<std::string, std::string>>;

// The labels of the alert about `request`: alertname (SkippyAction), policy, trigger, action,
// kind, namespace, target (the object's name) and severity (notify's `severity:` argument,
// else `info`). Without `outcome`, which the gates are deciding: alerts add it.
AlertLabels alert_labels(const ActionRequest& request);

// A label's value, "" when the labels do not have it (as Alertmanager treats a missing label).
std::string_view label_value(const AlertLabels& labels, std::string_view name);

// One matcher of a silence: `name=value`, `name!=value`, `name=~regex`, `name!~regex`.
struct SilenceMatcher {
  std::string name;
  std::string value;
  bool is_regex = false;
  bool is_equal = true;                     // false: != or !~
  std::shared_ptr<const std::regex> regex;  // is_regex: value, anchored; null when invalid
};

// A matcher, its regex compiled (anchored at both ends, as Alertmanager's are).
SilenceMatcher make_matcher(std::string name, std::string value, bool is_regex, bool is_equal);

// Whether the matcher matches a label's value; an invalid regex matches nothing.
bool matches(const SilenceMatcher& matcher, std::string_view value);

struct Silence {
  std::string id;
  std::vector<SilenceMatcher> matchers;
  std::int64_t starts_ms = 0;
  std::int64_t ends_ms = 0;
  std::string created_by;
  std::string comment;
};

// Whether the silence is in force at now (startsAt <= now < endsAt) and every one of its
// matchers matches the labels. A silence without matchers silences nothing.
bool silences(const Silence& silence, const AlertLabels& labels, std::int64_t now_ms);

// What the Alertmanagers said about their silences at one tick.
struct SilenceView {
  std::size_t asked = 0;        // Alertmanagers asked; 0: none configured, the gate passes
  std::size_t answered = 0;     // of them, those that answered
  std::vector<Silence> active;  // every answer's active silences
  std::string problem;          // why one did not answer, when one did not
  bool required = false;        // no answer at all blocks every action
};

// The first active silence that silences the labels at now; null when none does.
const Silence* find_silence(const SilenceView& view, const AlertLabels& labels,
                            std::int64_t now_ms);

}  // namespace skippy::safety
