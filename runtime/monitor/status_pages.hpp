// The status page, as Prometheus's own /alerts and /rules: plain HTML rendered on the server
// from a StatusBoard snapshot, without external assets or JavaScript, and the same data as
// JSON. Every string from the snapshot is HTML-escaped (or JSON-escaped).
//
//   /                              policies: health, last evaluation, source, triggers with
//                                  the targets they are pending, firing or clearing for;
//                                  ?policy=NAME, ?namespace=NS, ?state=PHASE filter them
//   /decisions                     the newest decisions first (?policy=NAME filters)
//   /decisions/ID                  one decision as `skippy explain ID` tells it
//   /safety                        the circuit breaker, actions in flight, actions waiting
//                                  for approval, cooldowns still running
//   /api/v1/status/policies        the policies as JSON (the same filters)
//   /api/v1/status/decisions       the decisions as JSON, newest first
//   /api/v1/status/decisions/ID    one decision: its records and its explanation
//   /api/v1/status/safety          the safety state as JSON
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "runtime/monitor/status_board.hpp"

namespace skippy::monitor {

struct StatusPage {
  int status = 200;
  std::string content_type;
  std::string body;
};

// A decision in words (explain/decision_explanation.hpp's explain_decision, which the runtime
// hands in): the decision page's text.
using DecisionExplainer = std::function<std::string(const DecisionStatus&)>;

// The page at `path` (without the query) for the query string `query` ("a=b&c=d", as sent);
// 404 for a path that is not one of the status pages, or a decision that is not kept.
StatusPage render_status(const StatusSnapshot& snapshot, std::string_view path,
                         std::string_view query, const DecisionExplainer& explain);

// The value of `name` in a query string, percent-decoded ('+' is a space); empty if absent.
std::string query_value(std::string_view query, std::string_view name);

}  // namespace skippy::monitor
