// A compiled program: what the compiler emits, the .skpc file holds, the loader verifies and
// the VM runs. docs/bytecode.md describes the file layout field by field.
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/bytecode/opcodes.hpp"
#include "runtime/bytecode/value.hpp"

namespace skippy::bytecode {

inline constexpr std::array<char, 4> kMagic = {'S', 'K', 'P', 'C'};
inline constexpr std::uint16_t kFormatVersion = 3;
inline constexpr std::uint32_t kNoString = std::numeric_limits<std::uint32_t>::max();
// Limits the verifier enforces; the compiler reports a policy that would exceed them.
inline constexpr std::size_t kMaxStack = 64;
inline constexpr std::size_t kMaxLocals = 64;
inline constexpr std::size_t kMaxCode = 65535;
inline constexpr std::size_t kMaxTemplates = 64;  // action calls in one policy
inline constexpr std::size_t kMaxActionArguments = 8;

enum class Mode : std::uint8_t { Monitor, DryRun, Manual, Automatic };
enum class TargetKind : std::uint8_t { Pods, Deployments, StatefulSets, DaemonSets, ReplicaSets };
enum class Aggregation : std::uint8_t { None, Max, Min, Avg, Sum, Count };
enum class MissingKind : std::uint8_t { Unknown, Hold, Zero };
enum class InputKind : std::uint8_t { Promql, Field, Events, Window, Advice, Outcome };
enum class LabelOp : std::uint8_t { Equals, NotEquals, In, NotIn, Exists, NotExists };

const char* mode_name(Mode m);
const char* target_kind_name(TargetKind k);
const char* aggregation_name(Aggregation a);
const char* missing_kind_name(MissingKind m);
const char* input_kind_name(InputKind k);
const char* label_op_name(LabelOp op);

// Where an instruction or declaration came from: files index Program::files.
struct SourcePos {
  std::uint32_t file = 0;
  std::uint32_t line = 0;
  std::uint32_t column = 0;
  friend bool operator==(const SourcePos&, const SourcePos&) = default;
};

struct LabelRequirement {
  LabelOp op = LabelOp::Equals;
  std::uint32_t key = kNoString;
  std::vector<std::uint32_t> values;
  friend bool operator==(const LabelRequirement&, const LabelRequirement&) = default;
};

struct Selection {
  TargetKind kind = TargetKind::Pods;
  bool all_namespaces = false;
  std::vector<std::uint32_t> namespaces;  // empty and !all_namespaces: the runtime's own
  std::vector<LabelRequirement> labels;
  std::vector<std::uint32_t> excluded_names;
  friend bool operator==(const Selection&, const Selection&) = default;
};

// The safety rules in force for a policy (its own, else its file's defaults). Zero means
// "not set" for every limit.
struct SafetyConfig {
  std::int64_t cooldown_target_ms = 0;
  std::int64_t cooldown_policy_ms = 0;
  std::uint32_t max_actions = 0;
  std::int64_t max_actions_window_ms = 0;
  std::uint32_t max_unavailable = 0;
  bool max_unavailable_percent = false;
  std::uint32_t max_concurrent = 0;
  std::uint32_t approve_mask = 0;  // bit i: action kind i needs approval
  bool allow_system_namespaces = false;
  friend bool operator==(const SafetyConfig&, const SafetyConfig&) = default;
};

// One value the runtime supplies per target before the VM runs: a PromQL signal joined to
// the target, a Kubernetes field, an event count, a windowed function of another slot, or
// a field of an AI verdict, or a figure of the outcome ledger.
struct InputSlot {
  InputKind kind = InputKind::Field;
  std::uint32_t name = kNoString;  // the signal's name, or a description
  // Promql
  std::uint32_t query = kNoString;
  std::vector<std::uint32_t> by_labels;
  Aggregation aggregation = Aggregation::None;
  MissingKind missing = MissingKind::Unknown;
  std::int64_t hold_ms = 0;
  // Field (stdlib field id), Window (stdlib window function id), Advice (verdict field id),
  // Outcome (outcome field id)
  std::uint16_t id = 0;
  // Events: reason and type filters (kNoString: any)
  std::uint32_t reason = kNoString;
  std::uint32_t event_type = kNoString;
  // Events, Window and Outcome: the window; Window: the source slot and a parameter (forecast
  // horizon in seconds); Advice: the request index; Outcome: the action (stdlib action id)
  std::int64_t window_ms = 0;
  std::uint16_t source = 0;
  double parameter = 0;
  friend bool operator==(const InputSlot&, const InputSlot&) = default;
};

// An ai.analyze(...) call (a site): what the analyzer is shown, and the closed set it chooses
// from. `allowed_actions` are the actions the handler can reach after the call (stdlib action
// ids, ascending, distinct): a verdict names one of them or "none".
struct AdviceRequest {
  std::vector<std::uint16_t> signal_slots;
  std::int64_t events_window_ms = 0;
  std::uint32_t question = kNoString;
  std::vector<std::uint16_t> allowed_actions;
  std::uint16_t handler = 0;    // the handler the call is in
  bool has_threshold = false;   // `threshold:` given
  double threshold = 0;         // the level the first signal must not reach
  std::int64_t horizon_ms = 0;  // a forecast crossing within this counts
  std::int64_t history_ms = 0;  // how much of each signal's history is analysed
  SourcePos pos;
  friend bool operator==(const AdviceRequest&, const AdviceRequest&) = default;
};

enum class ConstantKind : std::uint8_t { Number, Bool, String, List };

struct Constant {
  ConstantKind kind = ConstantKind::Number;
  double number = 0;
  bool boolean = false;
  std::uint32_t string = kNoString;
  std::vector<std::uint16_t> items;  // List: indexes of other constants (numbers or strings)
  friend bool operator==(const Constant&, const Constant&) = default;
};

struct Trigger {
  std::uint32_t name = kNoString;
  std::int64_t for_ms = 0;
  bool has_clear = false;
  std::int64_t clear_for_ms = 0;
  std::int64_t keep_firing_for_ms = 0;
  SourcePos pos;
  friend bool operator==(const Trigger&, const Trigger&) = default;
};

// What PROPOSE emits: the action, its named arguments (in stack order), its priority.
struct ProposalTemplate {
  std::uint16_t action = 0;  // stdlib action id
  std::uint16_t trigger = 0;
  std::int32_t priority = 0;
  std::vector<std::uint32_t> argument_names;
  SourcePos pos;
  friend bool operator==(const ProposalTemplate&, const ProposalTemplate&) = default;
};

// `on TRIGGER do ...`: the code at `entry` proposes actions when the trigger fires.
struct Handler {
  std::uint16_t trigger = 0;
  std::uint32_t entry = 0;
  friend bool operator==(const Handler&, const Handler&) = default;
};

struct Policy {
  std::uint32_t name = kNoString;
  SourcePos pos;
  Mode mode = Mode::Monitor;
  std::int64_t interval_ms = 0;
  Selection selection;
  SafetyConfig safety;
  std::vector<InputSlot> inputs;
  std::vector<AdviceRequest> advice;
  std::vector<Constant> constants;
  std::vector<Trigger> triggers;
  std::vector<Handler> handlers;
  std::vector<ProposalTemplate> templates;
  std::uint32_t conditions_entry = 0;  // sets every trigger's condition (and clear)
  std::uint16_t locals = 0;
  std::uint16_t max_stack = 0;
  std::uint32_t cost_bound = 0;  // instructions executed at most per target per tick
  std::vector<Instruction> code;
  std::vector<SourcePos> code_pos;  // one per instruction
  friend bool operator==(const Policy&, const Policy&) = default;
};

struct Program {
  std::array<std::uint8_t, 32> source_hash{};  // SHA-256 of the sources, in file order
  std::vector<std::string> strings;
  std::vector<std::uint32_t> files;  // string ids of source paths
  std::vector<Policy> policies;
  friend bool operator==(const Program&, const Program&) = default;

  std::string_view string(std::uint32_t id) const {
    return id < strings.size() ? std::string_view(strings[id]) : std::string_view();
  }
};

// The program's source_hash in lower-case hex (64 digits).
std::string source_hash_hex(const Program& program);

// Values ready for the VM: constants as Values (strings viewing Program::strings) and
// constant lists expanded. Built once after loading or compiling; the Program must outlive
// it and not change.
struct PolicyConstants {
  std::vector<Value> values;
  std::vector<std::vector<Value>> lists;  // indexed like values; empty unless a List
};

PolicyConstants materialize_constants(const Program& program, const Policy& policy);

}  // namespace skippy::bytecode
