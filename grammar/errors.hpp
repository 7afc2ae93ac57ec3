// What each grammar rule's failure means to the user, and the control that raises it.
// Every rule used inside must<> needs an entry: a missing one fails to compile.
#pragma once

#include "grammar/grammar.hpp"
#include "grammar/recovery.hpp"

namespace skippy::grammar {

using dsl::DiagCode;

template <typename Rule>
inline constexpr ErrorText error_of{DiagCode::ExpectedExpression, nullptr};

#define SKIPPY_ERROR(rule, code, text) \
  template <>                          \
  inline constexpr ErrorText error_of<rules::rule>{DiagCode::code, text};

// Literals
SKIPPY_ERROR(escaped_char, InvalidEscape,
             "invalid escape sequence: use \\\", \\\\, \\n, \\t or \\r")
SKIPPY_ERROR(string_body, UnterminatedString,
             "unterminated string: a string ends with `\"` on the line it starts")
SKIPPY_ERROR(raw_body, UnterminatedRawString,
             "unterminated raw string: no closing backtick before the end of the file")
SKIPPY_ERROR(string_literal, ExpectedString, "expected a string in double quotes")
SKIPPY_ERROR(string_list, ExpectedString, "expected a list of strings such as [\"a\", \"b\"]")
SKIPPY_ERROR(string_list_close, ExpectedCloseBracket, "expected a string, `,` or `]`")
SKIPPY_ERROR(list_close, ExpectedCloseBracket, "expected `,` or `]`")
SKIPPY_ERROR(paren_close, ExpectedCloseParen, "expected `)`")
SKIPPY_ERROR(brace_open, ExpectedOpenBrace, "expected `{`")
SKIPPY_ERROR(brace_close, ExpectedCloseBrace, "expected `}`")
SKIPPY_ERROR(reserved_word, ReservedWord, "a reserved word cannot be used as a name")
SKIPPY_ERROR(declared_name, ExpectedName,
             "expected a name (letters, digits and `_`, not starting with a digit)")

// Expressions
SKIPPY_ERROR(expected_expression, ExpectedExpression, "expected an expression")
SKIPPY_ERROR(expected_operand, ExpectedExpression, "expected an operand after the sign")
SKIPPY_ERROR(expected_mul_operand, ExpectedExpression, "expected an operand after the operator")
SKIPPY_ERROR(expected_add_operand, ExpectedExpression, "expected an operand after the operator")
SKIPPY_ERROR(expected_comparison_operand, ExpectedExpression, "expected a value to compare with")
SKIPPY_ERROR(expected_not_operand, ExpectedExpression, "expected an expression after `not`")
SKIPPY_ERROR(expected_and_operand, ExpectedExpression, "expected an expression after `and`")
SKIPPY_ERROR(expected_or_operand, ExpectedExpression, "expected an expression after `or`")
SKIPPY_ERROR(member_name, ExpectedMemberName, "expected a name after `.`")
SKIPPY_ERROR(chained_comparison, ChainedComparison,
             "comparisons do not chain: write `a < b and b < c`")

// Values that clauses need
SKIPPY_ERROR(duration_value, ExpectedDuration, "expected a duration such as `30s`, `5m` or `1h30m`")
SKIPPY_ERROR(count_value, ExpectedInteger, "expected a whole number")
SKIPPY_ERROR(priority_value, ExpectedInteger,
             "expected a priority: a whole number, lower runs first")
SKIPPY_ERROR(amount_value, ExpectedNumber,
             "expected a number of replicas or a percentage such as `25%`")

// Target selection
SKIPPY_ERROR(kind_name, ExpectedKind, "expected a resource kind such as `pods` or `deployments`")
SKIPPY_ERROR(namespace_spec, ExpectedNamespaces,
             "expected `namespace \"name\"`, `namespaces [\"a\", \"b\"]` or `all namespaces`")
SKIPPY_ERROR(kw_namespaces, ExpectedNamespaces, "expected `namespaces` after `all`")
SKIPPY_ERROR(selector, ExpectedRequirement,
             "expected a label requirement such as `label(\"app\") == \"web\"`")
SKIPPY_ERROR(requirement, ExpectedRequirement,
             "expected a label requirement such as `label(\"app\") == \"web\"`")
SKIPPY_ERROR(label_ref, ExpectedRequirement, "expected `label(\"name\")`")
SKIPPY_ERROR(label_open, ExpectedRequirement, "expected `(` after `label`")
SKIPPY_ERROR(label_key, ExpectedString, "expected the label's name as a string")
SKIPPY_ERROR(kw_has, ExpectedRequirement, "expected `has` after `not`")
SKIPPY_ERROR(kw_in, ExpectedRequirement, "expected `in` after `not`")
SKIPPY_ERROR(selector_or, SelectorOr,
             "label selectors combine requirements with `and` only, as Kubernetes does")
SKIPPY_ERROR(excluded_names, ExpectedString, "expected a list of names such as [\"a\", \"b\"]")

// Clauses
SKIPPY_ERROR(description_text, ExpectedString, "expected the description as a string")
SKIPPY_ERROR(mode_name, ExpectedMode, "expected a mode: monitor, dryrun, manual or automatic")
SKIPPY_ERROR(signal_equals, ExpectedEquals, "expected `=` after the signal's name")
SKIPPY_ERROR(by_open, ExpectedLabelName, "expected `(` and label names after `by`")
SKIPPY_ERROR(by_label, ExpectedLabelName, "expected a label name")
SKIPPY_ERROR(missing_rule, ExpectedMissingRule,
             "expected `hold DURATION`, `unknown` or `zero` after `on missing`")
SKIPPY_ERROR(when_keyword, ExpectedWhen, "expected `when` and a condition")
SKIPPY_ERROR(cooldown_scope, ExpectedCooldownScope, "expected `target` or `policy` after `per`")
SKIPPY_ERROR(per_keyword, ExpectedPer, "expected `per` and a window, as in `max_actions 3 per 1h`")
SKIPPY_ERROR(approve_name, ExpectedName, "expected the name of an action")
SKIPPY_ERROR(system_namespaces, ExpectedSafetyRule, "expected `system_namespaces` after `allow`")
SKIPPY_ERROR(safety_rule, ExpectedSafetyRule,
             "expected a safety rule (cooldown, max_actions, max_unavailable, max_concurrent, "
             "approve, allow) or `}`")

// Actions
SKIPPY_ERROR(action_args, ExpectedAction, "expected `(` and the action's arguments")
SKIPPY_ERROR(action_body, ExpectedAction,
             "expected an action such as `restart()` or a block `{ ... }`")
SKIPPY_ERROR(else_body, ExpectedAction, "expected an action, a block or `if` after `else`")
SKIPPY_ERROR(nested_statement, ExpectedStatement,
             "expected `let`, `if`, an action such as `restart()`, or `}`")
SKIPPY_ERROR(let_equals, ExpectedEquals, "expected `=` after the name")
SKIPPY_ERROR(then_keyword, ExpectedThen, "expected `then` after the condition")
SKIPPY_ERROR(trigger_ref, ExpectedName, "expected the name of a trigger")
SKIPPY_ERROR(do_keyword, ExpectedDo, "expected `do` and an action")

// Declarations
SKIPPY_ERROR(
    clause, ExpectedClause,
    "expected a clause (description, select, mode, every, signal, trigger, safety, on) or `}`")
SKIPPY_ERROR(policy_name, ExpectedPolicyName, "expected the policy's name")
SKIPPY_ERROR(import_path, ExpectedString, "expected the imported file's path as a string")
SKIPPY_ERROR(defaults_item, ExpectedDefaultsItem,
             "expected `mode`, `every`, `safety` or `}` in defaults")
SKIPPY_ERROR(declaration, ExpectedDeclaration, "expected `policy`, `defaults` or `import`")

#undef SKIPPY_ERROR

// The parser's control: normal PEGTL behaviour, with raise() throwing a SyntaxError that
// carries the rule's diagnostic code and message. recover<> catches it.
template <typename Rule>
struct control : tao::pegtl::normal<Rule> {
  static constexpr ErrorText error_text() {
    static_assert(error_of<Rule>.message != nullptr,
                  "a rule used in must<>, raise<> or expect<> needs an entry in errors.hpp");
    return error_of<Rule>;
  }

  template <typename ParseInput, typename... States>
  [[noreturn]] static void raise(const ParseInput& in, States&&... st) {
    throw SyntaxError{error_text(), find_parse_state(st...).offset_of(in.current())};
  }
};

}  // namespace skippy::grammar
