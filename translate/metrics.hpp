// metricTrigger.query into the PromQL of a Skippy signal. The upstream operator's built-in
// names (memory_usage_percent, cpu_usage_percent, ...) become PromQL over cAdvisor and
// kube-state-metrics series, one value per target; any other query is PromQL and passes
// through. docs/translate.md lists every name and its query.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "translate/finding.hpp"
#include "translate/kinds.hpp"

namespace skippy::translate {

struct MetricQuery {
  bool supported = false;  // false: no query for this kind; the trigger is left out
  std::string promql;
  std::string builtin;      // the built-in name it stands for; "" for PromQL passed through
  std::string join_labels;  // `by (...)` of the signal: "namespace, pod"
  std::string comment;      // one line on what the value is, for the output
  // What the reader must know, with its severity; the caller adds the location.
  std::vector<std::pair<Severity, std::string>> findings;
};

MetricQuery translate_metric(std::string_view query, Kind kind);

// The built-in names, in the order upstream tries them.
const std::vector<std::string_view>& builtin_metric_names();

}  // namespace skippy::translate
