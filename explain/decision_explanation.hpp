// A decision of the audit file in words, as `skippy explain ID` prints it and the status
// page's decision page shows it: what was proposed, to whom, why (the trigger and the signal
// values), each safety gate's verdict, the outcome, what became of the action, and the
// policy's source line that wrote it (when its file can be read).
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace skippy::explain {

// `decision` is a decision record (one JSON object); `followups` are its execution and
// health-check records, in order. An empty string when `decision` is not a JSON object.
std::string explain_decision(std::string_view decision, std::span<const std::string> followups);

}  // namespace skippy::explain
