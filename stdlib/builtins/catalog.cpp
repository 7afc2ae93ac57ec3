#include "stdlib/builtins/catalog.hpp"

#include <array>

namespace skippy::stdlib {
namespace {

using T = Type;

// The arity is the number of parameter types given.
template <std::size_t N>
constexpr FunctionDecl function_decl(std::string_view name, Type result, std::uint16_t cost,
                                     std::string_view doc, const Type (&params)[N]) {
  static_assert(N <= std::size(FunctionDecl{}.params), "at most three parameters");
  FunctionDecl d{name, static_cast<std::uint8_t>(N), {}, result, cost, doc};
  for (std::size_t i = 0; i < N; ++i) d.params[i] = params[i];
  return d;
}

constexpr std::array kFunctions = {
#define SKIPPY_FUNCTION(name, impl, result, cost, doc, ...) \
  function_decl(#name, result, cost, doc, {__VA_ARGS__}),
#include "stdlib/builtins/functions.def"
#undef SKIPPY_FUNCTION
};

constexpr std::array kWindowFunctions = {
    WindowFunctionDecl{"forecast", T::Numeric, true, "predict_linear",
                       "forecast(s, horizon: D [, window: W]): the value s is heading for D from "
                       "now, by linear regression over the last W (default 1h)"},
    WindowFunctionDecl{"increase", T::Number, false, "increase",
                       "increase(s, W): how much a counter grew over the last W"},
    WindowFunctionDecl{"rate", T::Number, false, "rate",
                       "rate(s, W): per-second growth of a counter over the last W"},
    WindowFunctionDecl{"avg_over", T::Numeric, false, "avg_over_time",
                       "avg_over(s, W): the average of s over the last W"},
    WindowFunctionDecl{"max_over", T::Numeric, false, "max_over_time",
                       "max_over(s, W): the largest value of s over the last W"},
    WindowFunctionDecl{"min_over", T::Numeric, false, "min_over_time",
                       "min_over(s, W): the smallest value of s over the last W"},
    WindowFunctionDecl{"changes", T::Number, false, "changes",
                       "changes(s, W): how many times s changed over the last W"},
};

constexpr std::array kFields = {
    FieldDecl{FieldOwner::Pod, "phase", T::String,
              "Pending, Running, Succeeded, Failed or Unknown"},
    FieldDecl{FieldOwner::Pod, "ready", T::Bool, "the Ready condition is True"},
    FieldDecl{FieldOwner::Pod, "restarts", T::Number, "restarts summed over the pod's containers"},
    FieldDecl{FieldOwner::Pod, "waiting_reason", T::String,
              "a waiting container's reason (CrashLoopBackOff, ImagePullBackOff, ...), \"\" if "
              "none waits"},
    FieldDecl{FieldOwner::Pod, "terminated_reason", T::String,
              "the last termination's reason (OOMKilled, Error, ...), \"\" if none"},
    FieldDecl{FieldOwner::Pod, "last_exit_code", T::Number,
              "the last terminated container's exit code"},
    FieldDecl{FieldOwner::Pod, "age", T::Duration, "time since the pod was created"},
    FieldDecl{FieldOwner::Pod, "name", T::String, "the pod's name"},
    FieldDecl{FieldOwner::Pod, "namespace", T::String, "the pod's namespace"},
    FieldDecl{FieldOwner::Pod, "node", T::String, "the node the pod runs on, \"\" if unscheduled"},
    FieldDecl{
        FieldOwner::Pod, "owner_kind", T::String,
        "the kind of the pod's controller (ReplicaSet, StatefulSet, ...), \"\" for a bare pod"},
    FieldDecl{FieldOwner::Pod, "owner_name", T::String, "the name of the pod's controller"},
    FieldDecl{FieldOwner::Pod, "memory_limit", T::Quantity,
              "the sum of the containers' memory limits, in bytes"},
    FieldDecl{FieldOwner::Pod, "cpu_limit", T::Quantity,
              "the sum of the containers' CPU limits, in cores"},
    FieldDecl{FieldOwner::Workload, "kind", T::String,
              "Deployment, StatefulSet, DaemonSet or ReplicaSet"},
    FieldDecl{FieldOwner::Workload, "name", T::String, "the workload's name"},
    FieldDecl{FieldOwner::Workload, "replicas", T::Number, "desired replicas (spec)"},
    FieldDecl{FieldOwner::Workload, "ready_replicas", T::Number, "ready replicas (status)"},
    FieldDecl{FieldOwner::Workload, "available_replicas", T::Number, "available replicas (status)"},
    FieldDecl{FieldOwner::Workload, "updated_replicas", T::Number,
              "replicas at the current template (status)"},
    FieldDecl{FieldOwner::Workload, "age", T::Duration, "time since the workload was created"},
};

constexpr std::array kVerdictFields = {
    VerdictFieldDecl{"action", T::ActionName,
                     "the action the analyzer chose among those the handler can reach after the "
                     "call, or `none`"},
    VerdictFieldDecl{"confidence", T::Number, "the analyzer's confidence in its choice, 0 to 1"},
    VerdictFieldDecl{"reason", T::String, "one sentence with the numbers the choice rests on"},
    VerdictFieldDecl{"analyzer", T::String,
                     "which analyzer answered (`deterministic`), and why when it fell back"},
    VerdictFieldDecl{"trend", T::String,
                     "the first signal's shape: rising, falling, flat, noisy, step, reset, "
                     "sawtooth or insufficient"},
    VerdictFieldDecl{"time_to_threshold", T::Duration,
                     "when the first signal's forecast reaches `threshold:` (0: already there); "
                     "unknown without such a forecast within `horizon:`"},
    VerdictFieldDecl{"scope", T::String,
                     "`target` (this one degrades alone), `workload` (most of its workload "
                     "degrades) or `node` (many pods on its node degrade)"},
};

constexpr std::array kOutcomeFields = {
    OutcomeFieldDecl{"attempts", T::Number, "actions that ended in the window"},
    OutcomeFieldDecl{"healed", T::Number,
                     "of them, those whose health check passed and whose trigger did not fire "
                     "again within the recurrence window"},
    OutcomeFieldDecl{"failed", T::Number,
                     "of them, those that failed or whose target never got "
                     "ready"},
    OutcomeFieldDecl{"recurred", T::Number,
                     "of them, those that succeeded but whose trigger fired again"},
    OutcomeFieldDecl{"success_rate", T::Number,
                     "healed / attempts, 0 to 1; unknown when nothing ended in the window"},
    OutcomeFieldDecl{"recovery_time", T::Duration,
                     "mean time from the decision to a passed health check, over the healed "
                     "ones; unknown when none healed"},
};

constexpr std::array<std::string_view, 3> kRestartStrategies = {"rolling", "recreate", "graceful"};
constexpr std::array<std::string_view, 3> kPatchTypes = {"strategic", "merge", "json"};
constexpr std::array<std::string_view, 3> kPropagation = {"background", "foreground", "orphan"};
constexpr std::array<std::string_view, 1> kOwnerOf = {"owner"};

constexpr std::array kRestartParams = {
    ParamDecl{"strategy", T::Symbol, false, kRestartStrategies,
              "rolling (default): a rollout restart, or a delete for a pod; recreate; graceful: "
              "honour the grace period"},
};
constexpr std::array kScaleParams = {
    ParamDecl{"to", T::Number, false, {}, "the replica count to set"},
    ParamDecl{"by", T::Number, false, {}, "replicas to add (negative: remove)"},
    ParamDecl{"min", T::Number, false, {}, "never below this many replicas"},
    ParamDecl{"max", T::Number, true, {}, "never above this many replicas"},
    ParamDecl{"of", T::Symbol, false, kOwnerOf, "for pods: scale the pod's owning workload"},
};
constexpr std::array kPatchParams = {
    ParamDecl{"type", T::Symbol, true, kPatchTypes, "strategic, merge or json"},
    ParamDecl{"patch", T::String, true, {}, "the patch document, JSON or YAML"},
    ParamDecl{"of", T::Symbol, false, kOwnerOf, "for pods: patch the pod's owning workload"},
};
constexpr std::array kDeleteParams = {
    ParamDecl{"grace", T::Duration, false, {}, "the grace period (default: the object's own)"},
    ParamDecl{"propagation", T::Symbol, false, kPropagation,
              "background (default), foreground or orphan"},
    ParamDecl{"force", T::Bool, false, {}, "delete at once, without waiting for the grace period"},
};
constexpr std::array kEvictParams = {
    ParamDecl{"grace", T::Duration, false, {}, "the grace period (default: the pod's own)"},
};
constexpr std::array kMarkParams = {
    ParamDecl{"key", T::String, true, {}, "the key"},
    ParamDecl{"value", T::String, true, {}, "the value"},
};
constexpr std::array kNotifyParams = {
    ParamDecl{"webhook",
              T::String,
              false,
              {},
              "the URL to POST a JSON event to (optional with --alertmanager.url)"},
    ParamDecl{"message", T::String, false, {}, "a message to include"},
    ParamDecl{"severity", T::String, false, {}, "the alert's severity label (default info)"},
};

constexpr std::array kActions = {
    ActionDecl{"restart", kPods | kDeployments | kStatefulSets | kDaemonSets, false, 10,
               kRestartParams,
               "restart the target: delete a pod, or a rollout restart of a workload"},
    ActionDecl{
        "scale", kAllKinds & ~kDaemonSets, true, 8, kScaleParams,
        "set or change a workload's replicas through the scale subresource, within min and max"},
    ActionDecl{"patch", kAllKinds, true, 15, kPatchParams, "apply a patch written in the policy"},
    ActionDecl{"delete", kPods, true, 5, kDeleteParams, "delete the pod"},
    ActionDecl{"evict", kPods, true, 5, kEvictParams,
               "evict the pod through the Eviction API, which respects PodDisruptionBudgets"},
    ActionDecl{"annotate", kAllKinds, false, 20, kMarkParams, "set an annotation on the target"},
    ActionDecl{"label", kAllKinds, false, 20, kMarkParams, "set a label on the target"},
    ActionDecl{"notify", kAllKinds, false, 20, kNotifyParams,
               "POST a JSON event describing the decision to a webhook, and an alert to the "
               "Alertmanagers"},
};

template <typename Array>
std::optional<std::uint16_t> find_by_name(const Array& items, std::string_view name) {
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (items[i].name == name) return static_cast<std::uint16_t>(i);
  }
  return std::nullopt;
}

}  // namespace

std::string_view type_name(Type t) {
  switch (t) {
    case T::Bool:
      return "bool";
    case T::Number:
      return "number";
    case T::Duration:
      return "duration";
    case T::Quantity:
      return "quantity";
    case T::Percent:
      return "percentage";
    case T::String:
      return "string";
    case T::Symbol:
      return "word";
    case T::ActionName:
      return "action name";
    case T::Numeric:
      return "number, duration, quantity or percentage";
  }
  return "?";
}

std::span<const FunctionDecl> functions() {
  return kFunctions;
}
std::optional<std::uint16_t> find_function(std::string_view name) {
  return find_by_name(kFunctions, name);
}

std::span<const WindowFunctionDecl> window_functions() {
  return kWindowFunctions;
}
std::optional<std::uint16_t> find_window_function(std::string_view name) {
  return find_by_name(kWindowFunctions, name);
}

std::span<const FieldDecl> fields() {
  return kFields;
}
std::optional<std::uint16_t> find_field(FieldOwner owner, std::string_view name) {
  for (std::size_t i = 0; i < kFields.size(); ++i) {
    if (kFields[i].owner == owner && kFields[i].name == name) return static_cast<std::uint16_t>(i);
  }
  return std::nullopt;
}

std::span<const VerdictFieldDecl> verdict_fields() {
  return kVerdictFields;
}
std::optional<std::uint16_t> find_verdict_field(std::string_view name) {
  return find_by_name(kVerdictFields, name);
}
std::span<const OutcomeFieldDecl> outcome_fields() {
  return kOutcomeFields;
}
std::optional<std::uint16_t> find_outcome_field(std::string_view name) {
  return find_by_name(kOutcomeFields, name);
}

std::span<const ActionDecl> actions() {
  return kActions;
}
std::optional<std::uint16_t> find_action(std::string_view name) {
  return find_by_name(kActions, name);
}

}  // namespace skippy::stdlib
