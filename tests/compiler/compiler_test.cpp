// The compiler: what snippets compile to (exact opcodes), folding, defaults, safety rules,
// determinism.
#define BOOST_TEST_MODULE compiler
#include <boost/test/unit_test.hpp>

#include <algorithm>

#include "runtime/bytecode/file.hpp"
#include "stdlib/builtins/catalog.hpp"
#include "tests/support/compile_text.hpp"
#include "tests/support/yaml_laughs.hpp"

using namespace skippy;
using testing::compile_text;
using testing::policy_text;

namespace {

// The opcodes from an entry point up to its RETURN.
std::string ops_from(const bytecode::Policy& p, std::size_t entry) {
  std::string out;
  for (std::size_t pc = entry; pc < p.code.size(); ++pc) {
    out += std::string(bytecode::op_info(p.code[pc].op).name);
    if (p.code[pc].op == bytecode::Op::RETURN) break;
    out += " ";
  }
  return out;
}

std::string condition_ops(const bytecode::Policy& p) {
  return ops_from(p, p.conditions_entry);
}
std::string handler_ops(const bytecode::Policy& p, std::size_t h) {
  return ops_from(p, p.handlers.at(h).entry);
}

const bytecode::Policy& only_policy(const testing::Compiled& c) {
  BOOST_REQUIRE_MESSAGE(c.program.has_value(), c.messages());
  BOOST_REQUIRE_EQUAL(c.program->policies.size(), 1u);
  return c.program->policies[0];
}

}  // namespace

BOOST_AUTO_TEST_CASE(comparisons_compile_to_typed_opcodes) {
  auto c =
      compile_text(policy_text("  signal m = promql(`up`) by (pod) max\n"
                               "  trigger a when m > 85 and pod.phase == \"Running\" for 1m\n"
                               "  on a do restart()"));
  const auto& p = only_policy(*c);
  // A number compared with a number constant is one fused instruction.
  BOOST_TEST(condition_ops(p) == "GT_INPUT_K PUSH_INPUT PUSH_CONST EQ_STR AND SET_TRIGGER RETURN");
  BOOST_TEST(handler_ops(p, 0) == "PROPOSE RETURN");
}

BOOST_AUTO_TEST_CASE(comparisons_with_a_constant_fuse_whichever_side_it_is_on) {
  auto c =
      compile_text(policy_text("  signal m = promql(`up`)\n"
                               "  trigger a when 85 < m and m + 1 >= 5 and m > m\n"
                               "  on a do restart()"));
  const auto& p = only_policy(*c);
  BOOST_TEST(condition_ops(p) ==
             "GT_INPUT_K PUSH_INPUT PUSH_CONST ADD GE_NUM_K AND PUSH_INPUT PUSH_INPUT GT_NUM AND "
             "SET_TRIGGER RETURN");
  BOOST_TEST(p.constants[p.code[0].b].number == 85.0);
  BOOST_TEST(p.code[0].a == 0);  // the input slot
}

BOOST_AUTO_TEST_CASE(clear_conditions_and_membership) {
  auto c =
      compile_text(policy_text("  trigger a when pod.waiting_reason in [\"CrashLoopBackOff\", "
                               "\"Error\"] clear when pod.ready for 1m\n"
                               "  on a do restart()"));
  const auto& p = only_policy(*c);
  BOOST_TEST(condition_ops(p) == "PUSH_INPUT IN_LIST SET_TRIGGER PUSH_INPUT SET_CLEAR RETURN");
  BOOST_TEST(p.triggers[0].has_clear);
  BOOST_TEST(p.triggers[0].clear_for_ms == 60'000);
}

BOOST_AUTO_TEST_CASE(if_else_lowers_to_three_way_branch) {
  auto c =
      compile_text(policy_text("  signal m = promql(`up`)\n"
                               "  trigger a when m > 1\n"
                               "  on a do {\n    if m > 5 then delete() else restart()\n  }"));
  const auto& p = only_policy(*c);
  BOOST_TEST(handler_ops(p, 0) ==
             "GT_INPUT_K DUP JUMP_UNKNOWN JUMP_FALSE PROPOSE JUMP PROPOSE JUMP POP RETURN");
}

BOOST_AUTO_TEST_CASE(folding_keeps_meaning) {
  auto c =
      compile_text(policy_text("  signal m = promql(`up`)\n"
                               "  trigger a when m > 60 * 1.5 + 2 and m < 10m / 2s\n"
                               "  trigger b when m > min(3, 4) and not (1 > 2)\n"
                               "  on a do restart()\n  on b do restart()"));
  const auto& p = only_policy(*c);
  BOOST_TEST(condition_ops(p) ==
             "GT_INPUT_K LT_INPUT_K AND SET_TRIGGER GT_INPUT_K SET_TRIGGER RETURN");
  BOOST_TEST(p.constants[p.code[0].b].number == 92.0);
  BOOST_TEST(p.constants[p.code[1].b].number == 300.0);
  BOOST_TEST(p.constants[p.code[4].b].number == 3.0);
}

BOOST_AUTO_TEST_CASE(division_by_a_constant_zero_is_an_error_not_a_fold) {
  auto c = compile_text(
      policy_text("  signal m = promql(`up`)\n  trigger a when m / 0 > 1\n  on a do restart()"));
  BOOST_TEST(c->codes() == std::vector<std::string>{"E0344"}, boost::test_tools::per_element());
  BOOST_TEST(!c->program.has_value());
}

BOOST_AUTO_TEST_CASE(division_by_a_signal_may_be_unknown_and_is_not_folded) {
  auto c =
      compile_text(policy_text("  signal m = promql(`up`)\n  signal z = promql(`zero`)\n  trigger "
                               "a when 1 / z > m\n  on a do restart()"));
  const auto& p = only_policy(*c);
  BOOST_TEST(condition_ops(p) == "PUSH_CONST PUSH_INPUT DIV PUSH_INPUT GT_NUM SET_TRIGGER RETURN");
}

BOOST_AUTO_TEST_CASE(constant_conditions_warn_and_if_true_drops_the_else_branch) {
  auto c = compile_text(
      policy_text("  trigger a when 2 > 1\n  on a do { if 1 < 2 then restart() else delete() }"));
  BOOST_TEST(c->codes() == std::vector<std::string>{"W0302"}, boost::test_tools::per_element());
  const auto& p = only_policy(*c);
  BOOST_TEST(handler_ops(p, 0) == "PROPOSE RETURN");
}

BOOST_AUTO_TEST_CASE(prometheus_numbers_take_the_units_they_meet) {
  auto c = compile_text(
      policy_text("  signal bytes = promql(`container_memory_working_set_bytes`)\n"
                  "  signal latency = promql(`p99`)\n"
                  "  trigger a when bytes > 512Mi and latency > 250ms and pod.cpu_limit > 250m\n"
                  "  on a do restart()"));
  const auto& p = only_policy(*c);
  std::vector<double> numbers;
  for (const auto& k : p.constants) {
    if (k.kind == bytecode::ConstantKind::Number) numbers.push_back(k.number);
  }
  // 250ms and 250m (millicores beside a quantity) are the same constant, 0.25, stored once.
  BOOST_TEST(numbers == (std::vector<double>{512.0 * 1024 * 1024, 0.25}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(defaults_apply_and_policy_clauses_override) {
  dsl::SourceManager sources;
  dsl::Diagnostics diagnostics;
  dsl::Program program;
  auto defaults = grammar::load_text("d.skippy",
                                     "defaults {\n  mode dryrun\n  every 1m\n  safety {\n    "
                                     "cooldown 10m\n    max_actions 2 per 1h\n  }\n}\n",
                                     sources, diagnostics);
  auto policies = grammar::load_text(
      "p.skippy",
      "policy p {\n  select pods\n  mode automatic\n  safety {\n    max_actions 5 per 1h\n  }\n"
      "  trigger t when pod.restarts > 3\n  on t do delete()\n}\n",
      sources, diagnostics);
  policies.imports.push_back(defaults.file);
  program.modules.push_back(std::move(defaults));
  program.modules.push_back(std::move(policies));
  auto compiled = compiler::compile_program(program, sources, diagnostics);
  BOOST_REQUIRE(compiled.has_value());
  const auto& p = compiled->policies.at(0);
  BOOST_TEST((p.mode == bytecode::Mode::Automatic));
  BOOST_TEST(p.interval_ms == 60'000);
  BOOST_TEST(p.safety.cooldown_target_ms == 600'000);  // from defaults
  BOOST_TEST(p.safety.max_actions == 5u);              // the policy's own
}

BOOST_AUTO_TEST_CASE(destructive_actions_need_a_cooldown_and_a_rate_cap) {
  auto bare = compile_text(
      "policy p {\n  select pods\n  trigger t when pod.restarts > 3\n  on t do delete()\n}\n");
  BOOST_TEST(bare->codes() == (std::vector<std::string>{"E0324", "E0325"}),
             boost::test_tools::per_element());
  auto scale_up = compile_text(
      "policy p {\n  select deployments\n  trigger t when workload.ready_replicas < 2\n  on t do "
      "scale(by: +1, max: 5)\n}\n");
  BOOST_TEST(scale_up->codes().empty(), scale_up->messages());
  auto scale_down = compile_text(
      "policy p {\n  select deployments\n  trigger t when workload.ready_replicas > 2\n  on t do "
      "scale(by: -1, max: 5)\n}\n");
  BOOST_TEST(scale_down->codes() == (std::vector<std::string>{"E0324", "E0325"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(system_namespaces_need_an_opt_in) {
  auto denied = compile_text(
      "policy p {\n  select pods in namespace \"kube-system\"\n  trigger t when pod.restarts > 3\n "
      " on t do restart()\n}\n");
  BOOST_TEST(denied->codes() == std::vector<std::string>{"E0326"},
             boost::test_tools::per_element());
  auto allowed = compile_text(
      "policy p {\n  select pods in namespace \"kube-system\"\n  safety { allow system_namespaces "
      "}\n  trigger t when pod.restarts > 3\n  on t do restart()\n}\n");
  BOOST_TEST(allowed->codes().empty(), allowed->messages());
}

BOOST_AUTO_TEST_CASE(cost_limit_rejects_expensive_policies) {
  compiler::CompileOptions tight;
  tight.max_cost = 5;
  auto c = compile_text(
      policy_text("  trigger a when pod.restarts > 1 and pod.restarts < 9\n  on a do restart()"),
      tight);
  BOOST_TEST(c->codes() == std::vector<std::string>{"E0328"}, boost::test_tools::per_element());
  auto fine = compile_text(
      policy_text("  trigger a when pod.restarts > 1 and pod.restarts < 9\n  on a do restart()"));
  // Conditions: two fused comparisons, AND, SET_TRIGGER and RETURN; the handler: PROPOSE
  // and RETURN.
  BOOST_TEST(only_policy(*fine).cost_bound == 7u);
}

BOOST_AUTO_TEST_CASE(compiling_twice_gives_identical_bytes) {
  std::string text = policy_text(
      "  signal m = promql(`up`) by (pod) max on missing hold 2m\n"
      "  signal r = increase(pod.restarts, 10m)\n"
      "  trigger a when m > 85 and r >= 3 for 1m clear when m < 70 for 2m\n"
      "  on a do {\n    let v = ai.analyze(signals: [m], events: events(within: 15m))\n"
      "    if v.action == restart and v.confidence >= 0.8 then restart() else delete(grace: 30s)\n "
      " "
      "}");
  auto a = compile_text(text);
  auto b = compile_text(text);
  BOOST_REQUIRE(a->program && b->program);
  BOOST_TEST(bytecode::write_program(*a->program) == bytecode::write_program(*b->program));
  BOOST_TEST((*a->program == *b->program));
}

BOOST_AUTO_TEST_CASE(three_valued_types_are_tracked) {
  // ai verdicts, PromQL signals and windows may be Unknown; this compiles and the handler
  // guards its branch with JUMP_UNKNOWN.
  auto c =
      compile_text(policy_text("  signal m = promql(`up`)\n  trigger a when m > 1\n"
                               "  on a do {\n    let v = ai.analyze(signals: [m])\n    if v.action "
                               "== delete then delete()\n  }"));
  const auto& p = only_policy(*c);
  BOOST_TEST(
      handler_ops(p, 0) ==
      "PUSH_INPUT PUSH_CONST EQ_STR DUP JUMP_UNKNOWN JUMP_FALSE PROPOSE JUMP JUMP POP RETURN");
  BOOST_TEST((p.inputs.back().kind == bytecode::InputKind::Advice));
}

BOOST_AUTO_TEST_CASE(an_advisor_site_stores_the_actions_its_handler_can_reach_after_it) {
  auto c = compile_text(policy_text(
      "  signal m = promql(`up`)\n  trigger a when m > 1\n  trigger b when m > 2\n"
      "  on b do delete()\n"
      "  on a do {\n    restart()\n    let v = ai.analyze(signals: [m], threshold: 90, horizon: "
      "10m)\n    if v.action == delete then { delete() }\n    else if v.action == none then "
      "notify(webhook: \"https://x.example\", message: v.reason)\n    delete()\n  }"));
  BOOST_TEST_REQUIRE(c->program.has_value(), c->messages());
  const auto& p = only_policy(*c);
  BOOST_TEST_REQUIRE(p.advice.size() == 1u);
  const auto& site = p.advice[0];
  // restart() comes before the call: not reachable from it; delete and notify are.
  std::vector<std::uint16_t> expected = {*stdlib::find_action("delete"),
                                         *stdlib::find_action("notify")};
  std::sort(expected.begin(), expected.end());
  BOOST_TEST(site.allowed_actions == expected, boost::test_tools::per_element());
  BOOST_TEST(site.handler == 1u);  // the second `on` clause
  BOOST_TEST(site.has_threshold);
  BOOST_TEST(site.threshold == 90);
  BOOST_TEST(site.horizon_ms == 600'000);
  BOOST_TEST(site.history_ms == 1'800'000);  // the default
  BOOST_TEST(site.pos.line == 11u);
}

BOOST_AUTO_TEST_CASE(a_verdict_compared_with_an_action_it_cannot_choose_is_an_error) {
  auto c = compile_text(
      policy_text("  signal m = promql(`up`)\n  trigger a when m > 1\n"
                  "  on a do {\n    let v = ai.analyze(signals: [m])\n    if scale == v.action "
                  "then restart()\n  }"));
  BOOST_TEST(c->codes() == std::vector<std::string>{"E0355"}, boost::test_tools::per_element());
  BOOST_TEST(c->messages().find("the verdict can never choose `scale`") != std::string::npos,
             c->messages());
  auto listed = compile_text(policy_text(
      "  signal m = promql(`up`)\n  trigger a when m > 1\n"
      "  on a do {\n    let v = ai.analyze(signals: [m])\n    if v.action in [restart, delete] "
      "then restart()\n  }"));
  BOOST_TEST(listed->codes() == std::vector<std::string>{"E0355"},
             boost::test_tools::per_element());
  BOOST_TEST(listed->messages().find("never choose `delete`") != std::string::npos,
             listed->messages());
  // `none` is always a possible answer; an action after the call is reachable.
  auto fine = compile_text(
      policy_text("  signal m = promql(`up`)\n  trigger a when m > 1\n"
                  "  on a do {\n    let v = ai.analyze(signals: [m])\n    if v.action != none "
                  "then restart()\n  }"));
  BOOST_TEST(fine->codes().empty(), fine->messages());
}

BOOST_AUTO_TEST_CASE(outcomes_read_the_ledger_as_inputs) {
  auto c = compile_text(policy_text(
      "  trigger a when pod.restarts > 3 and outcomes(restart, within: 24h).success_rate < 0.5 "
      "and outcomes(restart, within: 24h).attempts >= 2\n  on a do restart()"));
  BOOST_TEST_REQUIRE(c->program.has_value(), c->messages());
  const auto& p = only_policy(*c);
  std::vector<std::string> kinds;
  for (const auto& s : p.inputs) {
    if (s.kind != bytecode::InputKind::Outcome) continue;
    BOOST_TEST(s.source == *stdlib::find_action("restart"));
    BOOST_TEST(s.window_ms == 86'400'000);
    kinds.emplace_back(stdlib::outcome_fields()[s.id].name);
  }
  BOOST_TEST(kinds == (std::vector<std::string>{"success_rate", "attempts"}),
             boost::test_tools::per_element());
  for (const char* wrong :
       {"outcomes(restart).healed > 1", "outcomes(reboot, within: 1h).healed > 1",
        "outcomes(restart, within: 1h, x: 1).healed > 1"}) {
    auto bad = compile_text(
        policy_text(std::string("  trigger a when ") + wrong + "\n  on a do restart()"));
    BOOST_TEST(bad->codes() == std::vector<std::string>{"E0356"}, wrong);
  }
  auto field = compile_text(policy_text(
      "  trigger a when outcomes(restart, within: 1h).healthy > 1\n  on a do restart()"));
  BOOST_TEST(field->codes() == std::vector<std::string>{"E0304"}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(negative_literals_in_lists_and_units_in_function_arguments) {
  auto c =
      compile_text(policy_text("  signal cpu = promql(`cpu`)\n"
                               "  trigger a when pod.last_exit_code in [-1, 137] and min(cpu, 1h) "
                               "> 30m and max(pod.cpu_limit, 250m) > 0.5m\n"
                               "  on a do restart()"));
  const auto& p = only_policy(*c);
  std::vector<double> numbers;
  for (const auto& k : p.constants) {
    if (k.kind == bytecode::ConstantKind::Number) numbers.push_back(k.number);
  }
  BOOST_TEST(numbers == (std::vector<double>{-1, 137, 3600, 1800, 0.25, 0.0005}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_files_own_defaults_settle_what_its_imports_disagree_on) {
  dsl::SourceManager sources;
  dsl::Diagnostics diagnostics;
  dsl::Program program;
  auto a = grammar::load_text("a.skippy", "defaults {\n  mode dryrun\n}\n", sources, diagnostics);
  auto b =
      grammar::load_text("b.skippy", "defaults {\n  mode automatic\n}\n", sources, diagnostics);
  auto settled = grammar::load_text("settled.skippy",
                                    "defaults {\n  mode manual\n}\npolicy p {\n  select pods\n  "
                                    "trigger t when pod.restarts > 3\n  on t do restart()\n}\n",
                                    sources, diagnostics);
  auto unsettled = grammar::load_text(
      "unsettled.skippy",
      "policy q {\n  select pods\n  trigger t when pod.restarts > 3\n  on t do restart()\n}\n",
      sources, diagnostics);
  settled.imports = {a.file, b.file};
  unsettled.imports = {a.file, b.file};
  program.modules.push_back(std::move(a));
  program.modules.push_back(std::move(b));
  program.modules.push_back(std::move(settled));
  auto unsettled_copy = unsettled.file;
  program.modules.push_back(std::move(unsettled));
  (void)unsettled_copy;
  auto compiled = compiler::compile_program(program, sources, diagnostics);
  // Only the file without its own `mode` has a conflict, reported once.
  std::vector<std::string> codes;
  for (const auto& d : diagnostics.all()) codes.emplace_back(dsl::diag_info(d.code).code);
  BOOST_TEST(codes == std::vector<std::string>{"E0337"}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_yaml_patch_is_sent_as_json) {
  auto c = compile_text(policy_text(
      "  trigger a when pod.restarts > 3\n"
      "  on a do patch(type: merge, patch: `\n"
      "    metadata:\n      labels: {tier: \"1\", on: yes, count: 3, ratio: 1.5e3, flag: true,"
      " none: ~}\n"
      "      finalizers: [-v, \"2\"]\n  `)"));
  BOOST_REQUIRE_MESSAGE(c->program, c->messages());
  const auto& p = only_policy(*c);
  std::vector<std::string> strings;
  for (const auto& k : p.constants) {
    if (k.kind == bytecode::ConstantKind::String)
      strings.emplace_back(c->program->string(k.string));
  }
  // Quoted scalars stay strings; plain ones are numbers, booleans and null where YAML 1.2's
  // core schema says so (`yes` is a string there).
  const std::string expected =
      R"({"metadata":{"labels":{"tier":"1","on":"yes","count":3,"ratio":1.5e3,)"
      R"("flag":true,"none":null},"finalizers":["-v","2"]}})";
  bool found = std::find(strings.begin(), strings.end(), expected) != strings.end();
  BOOST_TEST(found, strings.back());
}

namespace {

// The diagnostics of one patch action in a policy that selects `select`.
std::unique_ptr<testing::Compiled> patching(const std::string& call,
                                            const std::string& select = "select pods") {
  return compile_text(
      policy_text("  trigger a when workload.replicas > 3\n  on a do " + call, select));
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_patch_must_fit_the_kind_it_goes_to) {
  const std::vector<std::string> e0354{"E0354"};
  // A Pod takes its containers' images, tolerations, deadlines and metadata...
  for (
      const char* ok :
      {R"(patch(type: strategic, patch: `{"spec": {"containers": [{"name": "app", "image": "nginx:1.28"}]}}`))",
       R"(patch(type: merge, patch: `{"metadata": {"labels": {"tier": "a"}}}`))",
       R"(patch(type: json, patch: `[{"op": "replace", "path": "/spec/activeDeadlineSeconds", "value": 30}]`))",
       R"(patch(type: json, patch: `[{"op": "test", "path": "/spec/nodeName", "value": "x"}]`))"}) {
    auto c = patching(ok);
    BOOST_TEST(c->codes().empty(), ok << ": " << c->messages());
  }
  // ...but no template, no replicas, no resources and no other field of its spec.
  for (
      const char* bad :
      {R"(patch(type: strategic, patch: `{"spec": {"template": {"metadata": {"labels": {"a": "b"}}}}}`))",
       R"(patch(type: json, patch: `[{"op": "replace", "path": "/spec/replicas", "value": 3}]`))",
       R"(patch(type: strategic, patch: `{"spec": {"containers": [{"name": "app", "resources": {"limits": {"cpu": "1"}}}]}}`))",
       R"(patch(type: merge, patch: `{"spec": {"nodeName": "n2"}}`))",
       R"(patch(type: json, patch: `[{"op": "remove", "path": "/spec/containers/0"}]`))",
       R"(patch(type: merge, patch: `{"status": {"phase": "Failed"}}`))",
       R"(patch(type: merge, patch: `{"metadata": {"name": "other"}}`))"}) {
    auto c = patching(bad);
    BOOST_TEST(c->codes() == e0354, bad << ": " << c->messages());
  }
  // Aimed at the owner, a pod template is what the patch should change.
  auto owner = patching(
      R"(patch(of: owner, type: strategic, patch: `{"spec": {"template": {"spec": {"containers": [{"name": "app", "resources": {"limits": {"memory": "1Gi"}}}]}}}}`))");
  BOOST_TEST(owner->codes().empty(), owner->messages());
  auto owner_containers =
      patching(R"(patch(of: owner, type: merge, patch: `{"spec": {"containers": []}}`))");
  BOOST_TEST(owner_containers->codes() == e0354, owner_containers->messages());
  // A workload's pods live in its template; a DaemonSet has no replicas; none has a negative count.
  auto flat =
      patching(R"(patch(type: merge, patch: `{"spec": {"containers": [{"name": "app"}]}}`))",
               "select deployments");
  BOOST_TEST(flat->codes() == e0354, flat->messages());
  BOOST_TEST(flat->messages().find("spec.template.spec.containers") == std::string::npos);
  BOOST_REQUIRE(!flat->diagnostics.all().empty());
  BOOST_TEST(flat->diagnostics.all()[0].notes.at(0).message ==
             "write `spec.template.spec.containers`");
  auto daemons =
      patching(R"(patch(type: merge, patch: `{"spec": {"replicas": 2}}`))", "select daemonsets");
  BOOST_TEST(daemons->codes() == e0354, daemons->messages());
  auto negative = patching(
      R"(patch(type: json, patch: `[{"op": "replace", "path": "/spec/replicas", "value": -1}]`))",
      "select deployments");
  BOOST_TEST(negative->codes() == e0354, negative->messages());
  auto scaled = patching(
      R"(patch(type: merge, patch: `{"spec": {"replicas": 2, "template": {"spec": {"containers": [{"name": "app", "image": "x"}]}}}}`))",
      "select statefulsets");
  BOOST_TEST(scaled->codes().empty(), scaled->messages());
  // `of: owner` is for policies that select pods, as for scale.
  auto not_pods = patching(R"(patch(of: owner, type: merge, patch: `{}`))", "select deployments");
  BOOST_TEST(not_pods->codes() == std::vector<std::string>{"E0320"},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_refused_patch_field_is_located_in_a_raw_string) {
  auto c = patching("patch(type: strategic, patch: `\n    spec:\n      template: {}\n  `)");
  BOOST_REQUIRE_EQUAL(c->diagnostics.all().size(), 1u);
  const auto& d = c->diagnostics.all()[0];
  auto at = c->sources.file(d.span.file).line_column(d.span.begin);
  BOOST_TEST(at.line == 8u);
  BOOST_TEST(at.column == 7u);
  BOOST_TEST(d.span.end - d.span.begin == 8u);  // `template`
  BOOST_TEST(d.message ==
             "the patch changes `spec.template`, which a Pod cannot take: a Pod has no pod "
             "template; `spec.template` belongs to the workload that owns the pod");
}

BOOST_AUTO_TEST_CASE(a_patch_whose_aliases_expand_past_any_real_patch_is_refused) {
  // Nine levels of ten YAML aliases: a billion values once followed, in a few hundred bytes.
  // Listing its fields (E0354) or sending it as JSON would expand every one; it is refused
  // before either walks it.
  auto c = patching("patch(type: merge, patch: `\n" + testing::yaml_laughs("    ") + "  `)");
  BOOST_TEST(c->codes() == std::vector<std::string>{"E0322"}, boost::test_tools::per_element());
  BOOST_REQUIRE_EQUAL(c->diagnostics.all().size(), 1u);
  BOOST_TEST(c->diagnostics.all()[0].message ==
             "the patch is larger than 64 KiB once its YAML aliases are followed, or nested more "
             "than 64 deep");
}
