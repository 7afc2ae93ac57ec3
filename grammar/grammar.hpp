// The grammar of .skippy files as PEGTL rules: one small struct per concept.
// Actions are kept apart: the parse tree selector (parse.cpp) picks the rules that become
// nodes, and build_ast.cpp turns those nodes into the AST in dsl/. The EBNF in
// docs/language.md mirrors these rules.
#pragma once

#include <tao/pegtl.hpp>

#include "grammar/recovery.hpp"

namespace skippy::grammar::rules {

using namespace tao::pegtl;  // NOLINT: the rules read like the grammar

// ---- Whitespace and comments ---------------------------------------------------------------

// comment = "#" { any character but a line end }
struct comment : seq<one<'#'>, star<not_one<'\n'>>> {};
// sp = { white space | comment }   (line ends are white space: the language has no separators)
struct sp : star<sor<one<' ', '\t', '\n', '\r', '\f', '\v'>, comment>> {};

// ---- Keywords ------------------------------------------------------------------------------

struct kw_all : TAO_PEGTL_KEYWORD("all") {};
struct kw_allow : TAO_PEGTL_KEYWORD("allow") {};
struct kw_and : TAO_PEGTL_KEYWORD("and") {};
struct kw_approve : TAO_PEGTL_KEYWORD("approve") {};
struct kw_by : TAO_PEGTL_KEYWORD("by") {};
struct kw_clear : TAO_PEGTL_KEYWORD("clear") {};
struct kw_cooldown : TAO_PEGTL_KEYWORD("cooldown") {};
struct kw_defaults : TAO_PEGTL_KEYWORD("defaults") {};
struct kw_description : TAO_PEGTL_KEYWORD("description") {};
struct kw_do : TAO_PEGTL_KEYWORD("do") {};
struct kw_else : TAO_PEGTL_KEYWORD("else") {};
struct kw_every : TAO_PEGTL_KEYWORD("every") {};
struct kw_except : TAO_PEGTL_KEYWORD("except") {};
struct kw_false : TAO_PEGTL_KEYWORD("false") {};
struct kw_for : TAO_PEGTL_KEYWORD("for") {};
struct kw_has : TAO_PEGTL_KEYWORD("has") {};
struct kw_hold : TAO_PEGTL_KEYWORD("hold") {};
struct kw_if : TAO_PEGTL_KEYWORD("if") {};
struct kw_import : TAO_PEGTL_KEYWORD("import") {};
struct kw_in : TAO_PEGTL_KEYWORD("in") {};
struct kw_keep_firing_for : TAO_PEGTL_KEYWORD("keep_firing_for") {};
struct kw_label : TAO_PEGTL_KEYWORD("label") {};
struct kw_let : TAO_PEGTL_KEYWORD("let") {};
struct kw_max_actions : TAO_PEGTL_KEYWORD("max_actions") {};
struct kw_max_concurrent : TAO_PEGTL_KEYWORD("max_concurrent") {};
struct kw_max_unavailable : TAO_PEGTL_KEYWORD("max_unavailable") {};
struct kw_missing : TAO_PEGTL_KEYWORD("missing") {};
struct kw_mode : TAO_PEGTL_KEYWORD("mode") {};
struct kw_namespace : TAO_PEGTL_KEYWORD("namespace") {};
struct kw_namespaces : TAO_PEGTL_KEYWORD("namespaces") {};
struct kw_not : TAO_PEGTL_KEYWORD("not") {};
struct kw_on : TAO_PEGTL_KEYWORD("on") {};
struct kw_or : TAO_PEGTL_KEYWORD("or") {};
struct kw_per : TAO_PEGTL_KEYWORD("per") {};
struct kw_policy : TAO_PEGTL_KEYWORD("policy") {};
struct kw_priority : TAO_PEGTL_KEYWORD("priority") {};
struct kw_safety : TAO_PEGTL_KEYWORD("safety") {};
struct kw_select : TAO_PEGTL_KEYWORD("select") {};
struct kw_signal : TAO_PEGTL_KEYWORD("signal") {};
struct kw_system_namespaces : TAO_PEGTL_KEYWORD("system_namespaces") {};
struct kw_target : TAO_PEGTL_KEYWORD("target") {};
struct kw_then : TAO_PEGTL_KEYWORD("then") {};
struct kw_trigger : TAO_PEGTL_KEYWORD("trigger") {};
struct kw_true : TAO_PEGTL_KEYWORD("true") {};
struct kw_unknown : TAO_PEGTL_KEYWORD("unknown") {};
struct kw_when : TAO_PEGTL_KEYWORD("when") {};
struct kw_where : TAO_PEGTL_KEYWORD("where") {};
struct kw_zero : TAO_PEGTL_KEYWORD("zero") {};

// Words that start declarations, clauses or statements, or are operators: never names.
struct reserved : sor<kw_and, kw_clear, kw_defaults, kw_description, kw_do, kw_else, kw_every,
                      kw_false, kw_for, kw_if, kw_import, kw_in, kw_keep_firing_for, kw_let,
                      kw_missing, kw_mode, kw_not, kw_on, kw_or, kw_policy, kw_priority, kw_safety,
                      kw_select, kw_signal, kw_then, kw_trigger, kw_true, kw_when> {};

// Words at which error recovery stops skipping.
struct declaration_keyword : sor<kw_policy, kw_defaults, kw_import> {};
struct clause_keyword
    : sor<kw_description, kw_select, kw_mode, kw_every, kw_signal, kw_trigger, kw_safety, kw_on> {};

// ---- Names and literals --------------------------------------------------------------------

// name = identifier that is not a reserved word
struct name : seq<not_at<reserved>, identifier> {};
struct reserved_word : seq<reserved> {};
// A name being declared: a reserved word there gets its own error.
struct declared_name : sor<name, seq<at<reserved>, raise<reserved_word>>> {};

// number = digit { letter | digit | "." | "%" | "_" }
// One token for numbers, durations (1h30m), quantities (512Mi) and percentages (25%);
// build_ast.cpp classifies it and reports E0120 for anything else.
struct number : seq<digit, star<sor<alnum, one<'.', '%', '_'>>>> {};

struct escaped_char : one<'"', '\\', 'n', 't', 'r'> {};
struct escape : seq<one<'\\'>, must<escaped_char>> {};
struct string_char : sor<escape, not_one<'"', '\\', '\n', '\r'>> {};
struct string_body : until<one<'"'>, string_char> {};
// string = '"' { character | escape } '"'     (on one line)
struct string_literal : seq<one<'"'>, must<string_body>> {};
struct raw_body : until<one<'`'>> {};
// raw_string = "`" { any character but "`" } "`"     (may span lines; no escapes)
struct raw_string : seq<one<'`'>, must<raw_body>> {};

struct list_close : one<']'> {};
struct string_list_close : one<']'> {};
struct label_open : one<'('> {};
struct by_open : one<'('> {};
struct paren_close : one<')'> {};
struct brace_open : one<'{'> {};
struct brace_close : one<'}'> {};

struct optional_comma : opt<one<','>, sp> {};
// string_list = "[" [ string { "," string } [","] ] "]"
struct string_list
    : seq<one<'['>, sp,
          opt<string_literal, sp, star<one<','>, sp, string_literal, sp>, optional_comma>,
          must<string_list_close>> {};

// ---- Expressions ---------------------------------------------------------------------------

struct expression;
struct nested_expression : nested<expression> {};
struct expected_expression : seq<nested_expression> {};

// list = "[" [ expression { "," expression } [","] ] "]"
struct list_literal
    : seq<one<'['>, sp,
          opt<nested_expression, sp, star<one<','>, sp, nested_expression, sp>, optional_comma>,
          must<list_close>> {};
// paren = "(" expression ")"
struct paren_expr : seq<one<'('>, sp, must<expected_expression>, sp, must<paren_close>> {};

struct bool_true : seq<kw_true> {};
struct bool_false : seq<kw_false> {};
struct primary : sor<number, string_literal, raw_string, bool_true, bool_false, name, paren_expr,
                     list_literal> {};

// argument = name ":" expression | expression
struct named_argument : seq<name, sp, one<':'>, sp, must<expected_expression>> {};
struct positional_argument : seq<nested_expression> {};
struct argument : sor<named_argument, positional_argument> {};
struct call_args
    : seq<one<'('>, sp, opt<argument, sp, star<one<','>, sp, argument, sp>, optional_comma>,
          must<paren_close>> {};
struct member_name : seq<identifier> {};
struct member : seq<one<'.'>, sp, must<member_name>> {};
// postfix = primary { "." name | call_args }
struct postfix : seq<primary, star<sp, sor<member, call_args>>> {};

struct unary_op : one<'-', '+'> {};
struct expected_operand;
// unary = ("-" | "+") unary | postfix
struct unary : sor<seq<unary_op, sp, must<expected_operand>>, postfix> {};
struct expected_operand : nested<unary> {};

struct mul_op : one<'*', '/'> {};
struct expected_mul_operand : seq<unary> {};
struct mul_expr : seq<unary, star<sp, mul_op, sp, must<expected_mul_operand>>> {};

struct add_op : one<'+', '-'> {};
struct expected_add_operand : seq<mul_expr> {};
struct add_expr : seq<mul_expr, star<sp, add_op, sp, must<expected_add_operand>>> {};

struct op_not_in : seq<kw_not, sp, kw_in> {};
struct cmp_op : sor<string<'=', '='>, string<'!', '='>, string<'<', '='>, string<'>', '='>,
                    one<'<'>, one<'>'>, kw_in, op_not_in> {};
struct chained_comparison : seq<cmp_op> {};
struct expected_comparison_operand : seq<add_expr> {};
// comparison = sum [ cmp_op sum ]     (comparisons do not chain)
struct cmp_expr : seq<add_expr, opt<sp, cmp_op, sp, must<expected_comparison_operand>,
                                    opt<sp, at<cmp_op>, raise<chained_comparison>>>> {};

struct expected_not_operand;
struct not_prefix : seq<kw_not> {};
struct not_expr : sor<seq<not_prefix, sp, must<expected_not_operand>>, cmp_expr> {};
struct expected_not_operand : nested<not_expr> {};

struct expected_and_operand : seq<not_expr> {};
struct and_expr : seq<not_expr, star<sp, kw_and, sp, must<expected_and_operand>>> {};
struct expected_or_operand : seq<and_expr> {};
struct or_expr : seq<and_expr, star<sp, kw_or, sp, must<expected_or_operand>>> {};

// expression = or_expr     (or < and < not < comparison < + - < * / < unary < postfix)
struct expression : seq<or_expr> {};

// ---- Durations and counts where a clause needs them -----------------------------------------

struct duration_value : seq<number> {};
struct count_value : seq<number> {};
struct priority_value : seq<number> {};
struct amount_value : seq<number> {};

// ---- Target selection ----------------------------------------------------------------------

struct kind_name : seq<name> {};
struct namespace_one : seq<kw_namespace, sp, must<string_literal>> {};
struct namespace_list : seq<kw_namespaces, sp, must<string_list>> {};
struct namespace_all : seq<kw_all, sp, must<kw_namespaces>> {};
// namespaces = "namespace" string | "namespaces" string_list | "all" "namespaces"
struct namespace_spec : sor<namespace_one, namespace_list, namespace_all> {};

struct label_key : seq<string_literal> {};
struct label_ref : seq<kw_label, sp, must<label_open>, sp, must<label_key>, sp, must<paren_close>> {
};
struct req_exists : seq<kw_has, sp, must<label_ref>> {};
struct req_not_exists : seq<kw_not, sp, must<kw_has>, sp, must<label_ref>> {};
struct req_equals : seq<label_ref, sp, string<'=', '='>, sp, must<string_literal>> {};
struct req_not_equals : seq<label_ref, sp, string<'!', '='>, sp, must<string_literal>> {};
struct req_in : seq<label_ref, sp, kw_in, sp, must<string_list>> {};
struct req_not_in : seq<label_ref, sp, kw_not, sp, must<kw_in>, sp, must<string_list>> {};
// requirement = label(k) ("==" | "!=") string | label(k) ["not"] "in" string_list
//             | ["not"] "has" label(k)
struct requirement
    : sor<req_exists, req_not_exists, req_equals, req_not_equals, req_in, req_not_in> {};
struct selector_or : seq<kw_or> {};
// selector = requirement { "and" requirement }
struct selector : seq<requirement, star<sp, kw_and, sp, must<requirement>>,
                      opt<sp, at<kw_or>, raise<selector_or>>> {};
struct excluded_names : seq<string_list> {};

// select = "select" kind ["in" namespaces] ["where" selector] ["except" string_list]
struct select_clause
    : seq<kw_select, sp, must<kind_name>, opt<sp, kw_in, sp, must<namespace_spec>>,
          opt<sp, kw_where, sp, must<selector>>, opt<sp, kw_except, sp, must<excluded_names>>> {};

// ---- Policy clauses ------------------------------------------------------------------------

struct description_text : seq<string_literal> {};
// description = "description" string
struct description_clause : seq<kw_description, sp, must<description_text>> {};
struct mode_name : seq<name> {};
// mode = "mode" name
struct mode_clause : seq<kw_mode, sp, must<mode_name>> {};
// every = "every" duration
struct every_clause : seq<kw_every, sp, must<duration_value>> {};

struct signal_equals : one<'='> {};
struct by_label : seq<identifier> {};
// by = "by" "(" label { "," label } ")"
struct by_clause : seq<kw_by, sp, must<by_open>, sp, must<by_label>, sp,
                       star<one<','>, sp, must<by_label>, sp>, must<paren_close>> {};
struct aggregation : seq<name> {};
struct missing_hold : seq<kw_hold, sp, must<duration_value>> {};
struct missing_unknown : seq<kw_unknown> {};
struct missing_zero : seq<kw_zero> {};
struct missing_rule : sor<missing_hold, missing_unknown, missing_zero> {};
// missing = "on" "missing" ("hold" duration | "unknown" | "zero")
struct missing_clause : seq<kw_on, sp, kw_missing, sp, must<missing_rule>> {};
// signal = "signal" name "=" expression [by] [aggregation] [missing]
struct signal_clause : seq<kw_signal, sp, must<declared_name>, sp, must<signal_equals>, sp,
                           must<expected_expression>, opt<sp, by_clause>, opt<sp, aggregation>,
                           opt<sp, missing_clause>> {};

struct when_keyword : seq<kw_when> {};
struct for_clause : seq<kw_for, sp, must<duration_value>> {};
struct clear_for_clause : seq<kw_for, sp, must<duration_value>> {};
struct clear_clause : seq<kw_clear, sp, must<when_keyword>, sp, must<expected_expression>,
                          opt<sp, clear_for_clause>> {};
struct keep_firing_clause : seq<kw_keep_firing_for, sp, must<duration_value>> {};
// trigger = "trigger" name "when" expression ["for" duration]
//           ["clear" "when" expression ["for" duration]] ["keep_firing_for" duration]
struct trigger_clause : seq<kw_trigger, sp, must<declared_name>, sp, must<when_keyword>, sp,
                            must<expected_expression>, opt<sp, for_clause>, opt<sp, clear_clause>,
                            opt<sp, keep_firing_clause>> {};

// ---- Safety --------------------------------------------------------------------------------

struct scope_target : seq<kw_target> {};
struct scope_policy : seq<kw_policy> {};
struct cooldown_scope : sor<scope_target, scope_policy> {};
struct per_keyword : seq<kw_per> {};
struct approve_name : seq<identifier> {};
struct system_namespaces : seq<kw_system_namespaces> {};

struct rule_cooldown
    : seq<kw_cooldown, sp, must<duration_value>, opt<sp, kw_per, sp, must<cooldown_scope>>> {};
struct rule_max_actions
    : seq<kw_max_actions, sp, must<count_value>, sp, must<per_keyword>, sp, must<duration_value>> {
};
struct rule_max_unavailable : seq<kw_max_unavailable, sp, must<amount_value>> {};
struct rule_max_concurrent : seq<kw_max_concurrent, sp, must<count_value>> {};
struct rule_approve
    : seq<kw_approve, sp, must<approve_name>, star<sp, one<','>, sp, must<approve_name>>> {};
struct rule_allow : seq<kw_allow, sp, must<system_namespaces>> {};
// safety_rule = "cooldown" duration ["per" ("target"|"policy")] | "max_actions" n "per" duration
//             | "max_unavailable" (n | n%) | "max_concurrent" n | "approve" name {"," name}
//             | "allow" "system_namespaces"
struct safety_rule : sor<rule_cooldown, rule_max_actions, rule_max_unavailable, rule_max_concurrent,
                         rule_approve, rule_allow> {};
struct safety_body : star<not_at<brace_close>, not_at<clause_keyword>, not_at<declaration_keyword>,
                          not_at<eof>, recover<must<safety_rule>, skip_line>, sp> {};
// safety = "safety" "{" { safety_rule } "}"
struct safety_block : seq<kw_safety, sp, must<brace_open>, sp, safety_body, expect<brace_close>> {};

// ---- Actions -------------------------------------------------------------------------------

struct action_name : seq<name> {};
struct action_args : seq<call_args> {};
struct priority_clause : seq<kw_priority, sp, must<priority_value>> {};
// action = name "(" [arguments] ")" ["priority" n]
struct action_call : seq<action_name, sp, must<action_args>, opt<sp, priority_clause>> {};

struct statement;
struct nested_statement : nested<statement> {};
struct statement_body
    : star<not_at<brace_close>, not_at<clause_keyword>, not_at<declaration_keyword>, not_at<eof>,
           recover<must<nested_statement>, skip_line>, sp> {};
// block = "{" { statement } "}"
struct block : seq<brace_open, sp, statement_body, expect<brace_close>> {};
// action_body = block | action
struct action_body : sor<block, action_call> {};

struct let_equals : one<'='> {};
// let = "let" name "=" expression
struct let_statement
    : seq<kw_let, sp, must<declared_name>, sp, must<let_equals>, sp, must<expected_expression>> {};
struct then_keyword : seq<kw_then> {};
struct if_statement;
struct else_body : sor<nested<if_statement>, action_body> {};
// if = "if" expression "then" action_body ["else" (if | action_body)]
struct if_statement : seq<kw_if, sp, must<expected_expression>, sp, must<then_keyword>, sp,
                          must<action_body>, opt<sp, kw_else, sp, must<else_body>>> {};
// statement = let | if | action
struct statement : sor<let_statement, if_statement, action_call> {};

struct trigger_ref : seq<name> {};
struct do_keyword : seq<kw_do> {};
// on = "on" trigger "do" action_body
struct on_clause : seq<kw_on, sp, must<trigger_ref>, sp, must<do_keyword>, sp, must<action_body>> {
};

// ---- Policies and files --------------------------------------------------------------------

// clause = description | select | mode | every | signal | trigger | safety | on
struct clause : sor<description_clause, select_clause, mode_clause, every_clause, signal_clause,
                    trigger_clause, safety_block, on_clause> {};
struct policy_body : star<not_at<brace_close>, not_at<declaration_keyword>, not_at<eof>,
                          recover<must<clause>, skip_clause>, sp> {};
struct policy_name : seq<declared_name> {};
// policy = "policy" name "{" { clause } "}"
struct policy_decl : seq<kw_policy, sp, must<policy_name>, sp, must<brace_open>, sp, policy_body,
                         expect<brace_close>> {};

struct import_path : seq<string_literal> {};
// import = "import" string
struct import_decl : seq<kw_import, sp, must<import_path>> {};

// defaults_item = mode | every | safety
struct defaults_item : sor<mode_clause, every_clause, safety_block> {};
struct defaults_body : star<not_at<brace_close>, not_at<declaration_keyword>, not_at<eof>,
                            recover<must<defaults_item>, skip_clause>, sp> {};
// defaults = "defaults" "{" { defaults_item } "}"
struct defaults_decl
    : seq<kw_defaults, sp, must<brace_open>, sp, defaults_body, expect<brace_close>> {};

// declaration = import | defaults | policy
struct declaration : sor<import_decl, defaults_decl, policy_decl> {};
// file = { declaration }
struct file : seq<sp, star<not_at<eof>, recover<must<declaration>, skip_declaration>, sp>, eof> {};

}  // namespace skippy::grammar::rules
