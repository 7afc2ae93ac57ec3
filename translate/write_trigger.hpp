// One upstream trigger into a Skippy trigger: its condition, its `for`, and the PromQL
// signal a metric trigger reads. A trigger that cannot be written for the policy's kind is
// left out with a located warning.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "translate/finding.hpp"
#include "translate/healing_policy.hpp"
#include "translate/kinds.hpp"
#include "translate/metrics.hpp"
#include "translate/names.hpp"

namespace skippy::translate {

struct WrittenSignal {
  std::string name;
  std::string promql;
  std::string join_labels;  // inside `by (...)`
  std::string comment;
};

struct WrittenTrigger {
  bool written = false;  // false: left out (a warning says why)
  std::string name;
  std::string condition;
  std::int64_t for_ms = -1;  // < 0: no `for`
};

class TriggerWriter {
 public:
  TriggerWriter(Kind kind, Findings& findings) : kind_(kind), findings_(findings) {}

  WrittenTrigger write(const Trigger& trigger, std::size_t index);
  // The PromQL signals the metric triggers read, each query once.
  const std::vector<WrittenSignal>& signals() const { return signals_; }

 private:
  bool metric(const Trigger& t, const MetricTrigger& m, WrittenTrigger& out);
  bool event(const EventTrigger& e, WrittenTrigger& out);
  bool condition(const ConditionTrigger& c, WrittenTrigger& out);
  // The upstream `duration` as the trigger's `for`, with the warning that upstream never
  // waited for it.
  void duration(const Field<std::int64_t>& d, WrittenTrigger& out);
  std::string signal_for(const std::string& suggested, const MetricQuery& query);

  Kind kind_;
  Findings& findings_;
  NameScope trigger_names_;
  NameScope signal_names_;
  std::vector<WrittenSignal> signals_;
};

// A threshold as the language writes numbers: `80`, `0.95`, `-3`; no exponent.
std::string number_text(double value);

}  // namespace skippy::translate
