#include "translate/write_trigger.hpp"

#include <array>
#include <charconv>

#include "base/literals.hpp"
#include "dsl/format.hpp"
#include "translate/metrics.hpp"

namespace skippy::translate {
namespace {

// What a conditionTrigger may name that is no pod condition but a pod field's value: the
// reason a container waits or ended with, or the pod's phase. Upstream never matched them
// (CrashLoopBackOff aside, below); the translation reads the field.
struct PodState {
  std::string_view value;
  std::string_view field;  // pod.waiting_reason, ...
  std::string_view what;   // how the message names it
};
constexpr std::array<PodState, 16> kPodStates = {{
    {"CrashLoopBackOff", "pod.waiting_reason", "the pod's waiting reason"},
    {"ImagePullBackOff", "pod.waiting_reason", "the pod's waiting reason"},
    {"ErrImagePull", "pod.waiting_reason", "the pod's waiting reason"},
    {"CreateContainerConfigError", "pod.waiting_reason", "the pod's waiting reason"},
    {"CreateContainerError", "pod.waiting_reason", "the pod's waiting reason"},
    {"InvalidImageName", "pod.waiting_reason", "the pod's waiting reason"},
    {"ContainerCreating", "pod.waiting_reason", "the pod's waiting reason"},
    {"OOMKilled", "pod.terminated_reason", "the reason the pod's last container ended with"},
    {"Error", "pod.terminated_reason", "the reason the pod's last container ended with"},
    {"Completed", "pod.terminated_reason", "the reason the pod's last container ended with"},
    {"ContainerCannotRun", "pod.terminated_reason",
     "the reason the pod's last container ended with"},
    {"Pending", "pod.phase", "the pod's phase"},
    {"Running", "pod.phase", "the pod's phase"},
    {"Succeeded", "pod.phase", "the pod's phase"},
    {"Failed", "pod.phase", "the pod's phase"},
    {"Unknown", "pod.phase", "the pod's phase"},
}};

const PodState* pod_state(std::string_view value) {
  for (const auto& s : kPodStates)
    if (s.value == value) return &s;
  return nullptr;
}

bool regex_like(std::string_view s) {
  return s.find_first_of("*+?[]()|^$\\") != s.npos;
}

}  // namespace

std::string number_text(double value) {
  std::array<char, 512> buffer{};
  // Shortest text that reads back as the same double, in plain notation.
  auto [end, ec] =
      std::to_chars(buffer.data(), buffer.data() + buffer.size(), value, std::chars_format::fixed);
  if (ec != std::errc()) return "0";
  return std::string(buffer.data(), end);
}

WrittenTrigger TriggerWriter::write(const Trigger& t, std::size_t index) {
  WrittenTrigger out;
  out.name = trigger_names_.take(t.name.value, "trigger_" + std::to_string(index + 1));
  if (!t.name.present)
    findings_.warning(t.name.where, "a trigger without a name; named `" + out.name + "`");
  std::string type = t.type.value;
  if (!t.type.present) {
    // The schema requires a type; take the one its settings give.
    type = t.metric ? "metric" : t.event ? "event" : t.condition ? "condition" : "";
  }
  if (type == "metric" && t.metric) {
    out.written = metric(t, *t.metric, out);
  } else if (type == "event" && t.event) {
    out.written = event(*t.event, out);
  } else if (type == "condition" && t.condition) {
    out.written = condition(*t.condition, out);
  } else if (type == "metric" || type == "event" || type == "condition") {
    findings_.warning(t.type.where, "a `" + type + "` trigger without its `" + type +
                                        "Trigger` settings; upstream reported an error for it "
                                        "and never fired it; left out");
  } else {
    findings_.warning(t.type.where,
                      "trigger type `" + type +
                          "` is not one of metric, event and condition; upstream never fired "
                          "it; left out");
  }
  return out;
}

bool TriggerWriter::metric(const Trigger& t, const MetricTrigger& m, WrittenTrigger& out) {
  if (!m.query.present || m.query.value.find_first_not_of(" \t\r\n") == std::string::npos) {
    findings_.warning(m.query.where, "a metric trigger without a query never fired; left out");
    return false;
  }
  static constexpr std::array<std::string_view, 6> kOperators = {">", "<", ">=", "<=", "==", "!="};
  std::string op = m.op.value;
  bool known = false;
  for (auto o : kOperators) known = known || o == op;
  if (!known) {
    findings_.warning(m.op.where,
                      (m.op.present ? "operator `" + op + "`" : std::string("no operator")) +
                          ": upstream compared with >, <, >=, <=, == or != only, and "
                          "never fired this trigger; left out");
    return false;
  }
  MetricQuery q = translate_metric(m.query.value, kind_);
  for (const auto& [severity, message] : q.findings) {
    if (severity == Severity::Warning) {
      findings_.warning(m.query.where, message);
    } else {
      findings_.note(m.query.where, message);
    }
  }
  if (!q.supported) return false;
  if (!m.threshold.present)
    findings_.warning(m.threshold.where,
                      "no threshold; upstream compared with 0, and so does the translation");
  std::string signal = signal_for(q.builtin.empty() ? t.name.value + "_value" : q.builtin, q);
  out.condition = signal + " " + op + " " + number_text(m.threshold.value);
  duration(m.duration_ms, out);
  return true;
}

std::string TriggerWriter::signal_for(const std::string& suggested, const MetricQuery& q) {
  for (const auto& s : signals_) {
    if (s.promql == q.promql && s.join_labels == q.join_labels) return s.name;
  }
  WrittenSignal s;
  s.name = signal_names_.take(suggested, "value");
  s.promql = q.promql;
  s.join_labels = q.join_labels;
  s.comment = q.comment;
  signals_.push_back(s);
  return s.name;
}

void TriggerWriter::duration(const Field<std::int64_t>& d, WrittenTrigger& out) {
  out.for_ms = d.value;
  std::string text = base::format_duration(d.value);
  std::string message =
      "upstream never honoured `duration`: it acted at the first evaluation "
      "that met the condition; translated as `for " +
      text + "`" + (d.present ? "" : " (the schema's default)") + ", as the field asks";
  findings_.warning(d.where, message);
}

bool TriggerWriter::event(const EventTrigger& e, WrittenTrigger& out) {
  std::string args;
  if (e.reason.present && !e.reason.value.empty()) {
    args += "reason: " + dsl::quote_string(e.reason.value) + ", ";
    if (regex_like(e.reason.value)) {
      std::string message = "reason `" + e.reason.value +
                            "` looks like a pattern, but upstream compared reasons exactly, so "
                            "this trigger never fired; kept as an exact reason, as upstream "
                            "had it (leave `reason` out to count events of every reason)";
      findings_.warning(e.reason.where, message);
    }
  }
  if (e.type.present && !e.type.value.empty()) {
    if (e.type.value == "Normal" || e.type.value == "Warning") {
      args += "type: " + dsl::quote_string(e.type.value) + ", ";
    } else {
      std::string message = "event type `" + e.type.value +
                            "` is neither Normal nor Warning, so upstream matched no event and "
                            "never fired this trigger; translated without a type filter";
      findings_.warning(e.type.where, message);
    }
  }
  std::int64_t count = e.count.value;
  if (count < 1) {
    std::string message =
        std::string(e.count.present ? "count " + std::to_string(count) : "no count") +
        ": upstream fired at every evaluation (at least 0 events); translated "
        "as at least 1 event";
    findings_.warning(e.count.where, message);
    count = 1;
  }
  std::int64_t window = e.window_ms.value > 0 ? e.window_ms.value : 300'000;
  args += "within: " + base::format_duration(window);
  out.condition = "events(" + args + ") >= " + std::to_string(count);
  return true;
}

bool TriggerWriter::condition(const ConditionTrigger& c, WrittenTrigger& out) {
  const std::string& type = c.type.value;
  std::string status = c.status.present ? c.status.value : "True";
  if (status != "True" && status != "False") {
    findings_.warning(c.status.where,
                      "status `" + status + "`: only True and False can be translated; left out");
    return false;
  }
  bool yes = status == "True";
  if (!yes) {
    std::string message =
        "upstream ignored `status` and fired while the condition was True; "
        "translated as written, for status False";
    findings_.warning(c.status.where, message);
  }
  std::string eq = yes ? " == " : " != ";
  bool pods = kind_ == Kind::Pods;
  if (const PodState* state = pods ? pod_state(type) : nullptr) {
    out.condition = std::string(state->field) + eq + dsl::quote_string(type);
    std::string what = state->field == "pod.phase" ? " is a pod phase" : " is a container state";
    findings_.warning(
        c.type.where,
        type == "CrashLoopBackOff"
            ? "CrashLoopBackOff is a container state, not a condition: upstream fired when any "
              "pod of the policy had more than 2 restarts; translated as " +
                  std::string(state->what)
            : type + what + ", not a condition: upstream never matched it; translated as " +
                  std::string(state->what));
  } else if (pods && (type == "Ready" || type == "ContainersReady")) {
    out.condition = yes ? "pod.ready" : "pod.ready == false";
    if (type == "ContainersReady")
      findings_.note(c.type.where, "ContainersReady is read as the pod's Ready condition");
  } else if (pods && type == "PodScheduled") {
    out.condition = std::string("pod.node") + (yes ? " != " : " == ") + "\"\"";
  } else if (!pods && type == "Available") {
    out.condition =
        std::string("workload.available_replicas") + (yes ? " >= " : " < ") + "workload.replicas";
  } else {
    findings_.warning(c.type.where, "condition `" + type + "` of " + std::string(kind_word(kind_)) +
                                        " has no Kubernetes field in Skippy; left out");
    return false;
  }
  duration(c.duration_ms, out);
  return true;
}

}  // namespace skippy::translate
