// What a compiled policy does, in plain words, for `skippy explain-policy`: read from the
// bytecode (what will run: the settings in force after defaults, the conditions and `on`
// blocks as compiled), with the source only for what the bytecode keeps no text of (the
// description, the names of `let` bindings). Rendered as text for a reviewer or as JSON.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "runtime/bytecode/program.hpp"

namespace skippy::explain {

// A setting with its value as written in Skippy ("" when left out) and what it means.
struct Explained {
  std::string value;
  std::string words;
};

struct ExplainedSetting {
  std::string name;
  Explained explained;
};

struct ExplainedSignal {
  std::string name;    // as the policy's code reads it: mem_pct, pod.restarts, events(...)
  std::string source;  // promql, kubernetes, events, window, advisor
  std::string query;   // promql
  std::vector<std::string> by;
  std::string aggregation;  // promql: max, min, ... or "" (several series: unknown)
  std::string on_missing;   // promql: unknown, zero or hold D
  std::vector<std::string> words;
};

struct ExplainedTrigger {
  std::string name;
  std::string condition;  // in words, as compiled
  std::string for_duration;
  std::string clear_condition;  // "" without `clear when`
  std::string clear_for;
  std::string keep_firing_for;  // "" when none
  std::vector<std::string> words;
};

struct ExplainedArgument {
  std::string name;
  std::string value;  // written: the value; left out: what applies
};

struct ExplainedStatement {
  enum class Kind : std::uint8_t { Let, If, Action };
  Kind kind = Kind::Action;
  std::string name;   // Let: the binding; Action: the action
  std::string value;  // Let: the value; If: the condition
  std::vector<ExplainedStatement> then_branch, else_branch;
  // Action
  std::vector<ExplainedArgument> arguments;  // as written, in template order
  std::vector<ExplainedArgument> left_out;   // optional parameters left out, with their default
  std::int32_t priority = 0;
  bool default_priority = false;  // the action's default priority
  bool destructive = false;
  bool needs_approval = false;
  std::string does;  // what the action does
};

struct ExplainedHandler {
  std::string trigger;
  std::vector<ExplainedStatement> body;
};

struct PolicyExplanation {
  std::string name;
  std::string origin;       // file:line, or the manifest it was translated from
  std::string description;  // "" when the bytecode alone was read
  Explained mode;
  Explained every;
  std::string kind;
  Explained namespaces;  // value: the names, quoted; "all namespaces"; "" for the runtime's own
  std::vector<std::string> namespace_names;
  bool all_namespaces = false;
  std::vector<Explained> labels;  // one per requirement; value in kubectl -l form
  std::vector<std::string> excluded;
  std::vector<ExplainedSignal> signals;
  std::vector<ExplainedTrigger> triggers;
  std::vector<ExplainedHandler> handlers;
  std::vector<std::string> silent_triggers;  // triggers without an `on` block
  // The safety rules in force, each named as in the language: "cooldown per target",
  // "cooldown per policy", "max_actions", "max_unavailable", "max_concurrent", "approve",
  // "allow system_namespaces".
  std::vector<ExplainedSetting> safety;
};

// What the bytecode keeps no text of, where the policy's source is at hand.
struct ExplainSources {
  std::string origin;       // overrides "FILE:LINE" of the policy's position
  std::string description;  // the policy's `description`
  // Where each setting the policy does not write comes from, by setting ("mode", "every",
  // "cooldown per target", "max_actions", ...): "the defaults at FILE:LINE", or "Skippy's
  // default". Empty when only the bytecode was read.
  std::map<std::string, std::string> settings_from;
  // A line of a source file the program names, 1-based; nullopt when it cannot be read.
  std::function<std::optional<std::string>(std::string_view path, std::uint32_t line)> line;
};

// Explains policy `index` of `program`; nullopt with `error` when its code cannot be read.
std::optional<PolicyExplanation> explain_policy(const bytecode::Program& program, std::size_t index,
                                                const ExplainSources& sources, std::string& error);

std::string render_explanation_text(const PolicyExplanation& e);
std::string render_explanation_json(const PolicyExplanation& e);

}  // namespace skippy::explain
