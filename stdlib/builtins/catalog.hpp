// The built-ins of the language, declared once: pure functions the VM calls by index,
// windowed functions and Kubernetes fields the runtime supplies as inputs, the AI advisor,
// and the remediation actions with their parameters. The compiler's checker reads the
// declarations; the VM reads only the function table (functions.hpp), by index.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace skippy::stdlib {

// The types the checker works with. Durations are seconds, quantities base units (bytes,
// cores), percentages 0..100, all numbers at run time.
enum class Type : std::uint8_t {
  Bool,
  Number,
  Duration,
  Quantity,
  Percent,
  String,
  Symbol,
  ActionName,
  Numeric,  // parameter only: any of Number, Duration, Quantity, Percent (all the same kind)
};
std::string_view type_name(Type t);

// ---- pure functions ------------------------------------------------------------------------

struct FunctionDecl {
  std::string_view name;
  std::uint8_t arity;
  Type params[3];
  Type result;  // Numeric: the kind of the first argument
  std::uint16_t cost;
  std::string_view doc;
};
std::span<const FunctionDecl> functions();
std::optional<std::uint16_t> find_function(std::string_view name);

// ---- windowed functions: evaluated by the runtime over a signal's history -----------------

struct WindowFunctionDecl {
  std::string_view name;
  Type result;              // Numeric: the signal's own kind
  bool needs_horizon;       // forecast(x, horizon: D)
  std::string_view promql;  // how a PromQL signal is lowered: predict_linear, increase, ...
  std::string_view doc;
};
std::span<const WindowFunctionDecl> window_functions();
std::optional<std::uint16_t> find_window_function(std::string_view name);

// ---- Kubernetes fields: pod.restarts, workload.replicas, ... -------------------------------

enum class FieldOwner : std::uint8_t { Pod, Workload };
struct FieldDecl {
  FieldOwner owner;
  std::string_view name;
  Type type;
  std::string_view doc;
};
std::span<const FieldDecl> fields();
std::optional<std::uint16_t> find_field(FieldOwner owner, std::string_view name);

// ---- the AI advisor: ai.analyze(...) returns a verdict -------------------------------------

struct VerdictFieldDecl {
  std::string_view name;
  Type type;
  std::string_view doc;
};
std::span<const VerdictFieldDecl> verdict_fields();
std::optional<std::uint16_t> find_verdict_field(std::string_view name);

// ---- the outcome ledger: outcomes(ACTION, within: D).FIELD ---------------------------------

// What earlier actions of the policy achieved on the target's workload (the target itself
// when it has none), counted over the window: declared as the verdict's fields are.
using OutcomeFieldDecl = VerdictFieldDecl;
std::span<const OutcomeFieldDecl> outcome_fields();
std::optional<std::uint16_t> find_outcome_field(std::string_view name);

// ---- actions -----------------------------------------------------------------------------------

// Which selected kinds an action applies to (bit per bytecode::TargetKind).
enum KindMask : std::uint8_t {
  kPods = 1,
  kDeployments = 2,
  kStatefulSets = 4,
  kDaemonSets = 8,
  kReplicaSets = 16,
  kWorkloads = kDeployments | kStatefulSets | kDaemonSets | kReplicaSets,
  kAllKinds = kPods | kWorkloads,
};

struct ParamDecl {
  std::string_view name;
  Type type;
  bool required;
  std::span<const std::string_view> symbols;  // Symbol: the allowed words
  std::string_view doc;
};

struct ActionDecl {
  std::string_view name;
  std::uint8_t kinds;  // KindMask
  bool destructive;    // needs a cooldown and a rate cap (scale: only when it can go down)
  std::int32_t default_priority;  // lower runs first: 1 emergency deletes ... 15 patches
  std::span<const ParamDecl> params;
  std::string_view doc;
};
std::span<const ActionDecl> actions();
std::optional<std::uint16_t> find_action(std::string_view name);

}  // namespace skippy::stdlib
