// The rules that become parse tree nodes; build_ast.cpp reads exactly these.
#pragma once

#include <tao/pegtl/contrib/parse_tree.hpp>

#include "grammar/grammar.hpp"

namespace skippy::grammar {

namespace pt = tao::pegtl::parse_tree;

template <typename Rule>
using selector = pt::selector<
    Rule,
    pt::store_content::on<
        // literals and names
        rules::number, rules::string_literal, rules::raw_string, rules::bool_true,
        rules::bool_false, rules::name, rules::member_name, rules::kind_name, rules::mode_name,
        rules::by_label, rules::approve_name, rules::duration_value, rules::count_value,
        rules::priority_value, rules::amount_value, rules::brace_close,
        // expressions
        rules::paren_expr, rules::list_literal, rules::named_argument, rules::positional_argument,
        rules::call_args, rules::member, rules::unary_op, rules::mul_op, rules::add_op,
        rules::cmp_op, rules::not_prefix,
        // selection
        rules::select_clause, rules::namespace_one, rules::namespace_list, rules::namespace_all,
        rules::string_list, rules::req_exists, rules::req_not_exists, rules::req_equals,
        rules::req_not_equals, rules::req_in, rules::req_not_in, rules::excluded_names,
        // clauses
        rules::description_clause, rules::mode_clause, rules::every_clause, rules::signal_clause,
        rules::by_clause, rules::aggregation, rules::missing_hold, rules::missing_unknown,
        rules::missing_zero, rules::trigger_clause, rules::for_clause, rules::clear_clause,
        rules::clear_for_clause, rules::keep_firing_clause, rules::safety_block,
        rules::rule_cooldown, rules::scope_target, rules::scope_policy, rules::rule_max_actions,
        rules::rule_max_unavailable, rules::rule_max_concurrent, rules::rule_approve,
        rules::rule_allow, rules::on_clause, rules::action_call, rules::block, rules::let_statement,
        rules::if_statement,
        // declarations
        rules::policy_decl, rules::import_decl, rules::defaults_decl>,
    pt::fold_one::on<rules::postfix, rules::unary, rules::mul_expr, rules::add_expr,
                     rules::cmp_expr, rules::not_expr, rules::and_expr, rules::or_expr>>;

}  // namespace skippy::grammar
