// The VM at fixed inputs: three-valued logic, branches that never run on Unknown,
// arithmetic errors as values, proposals with their arguments.
#define BOOST_TEST_MODULE vm
#include <boost/test/unit_test.hpp>

#include "runtime/vm/vm.hpp"
#include "stdlib/builtins/catalog.hpp"
#include "stdlib/builtins/functions.hpp"
#include "tests/support/compile_text.hpp"

using namespace skippy;
using bytecode::Truth;
using bytecode::Value;

namespace skippy::bytecode {
std::ostream& operator<<(std::ostream& out, Truth t) {
  return out << truth_name(t);
}
}  // namespace skippy::bytecode

namespace {

// One compiled policy, ready to evaluate with inputs given by slot name.
struct Harness {
  std::unique_ptr<testing::Compiled> compiled;
  std::vector<vm::PreparedPolicy> prepared;
  vm::Vm machine{stdlib::function_table()};

  explicit Harness(const std::string& text) : compiled(testing::compile_text(text)) {
    BOOST_REQUIRE_MESSAGE(compiled->program.has_value(), compiled->messages());
    prepared = vm::prepare(*compiled->program);
  }
  const bytecode::Policy& policy() const { return *prepared.at(0).policy; }

  std::vector<Value> inputs(const std::map<std::string, Value>& by_name) const {
    std::vector<Value> out(policy().inputs.size(), Value::unknown());
    for (std::size_t i = 0; i < out.size(); ++i) {
      auto name = compiled->program->string(policy().inputs[i].name);
      auto it = by_name.find(std::string(name));
      if (it != by_name.end()) out[i] = it->second;
    }
    return out;
  }

  std::vector<Truth> conditions(const std::map<std::string, Value>& by_name) const {
    auto in = inputs(by_name);
    std::vector<Truth> conds(policy().triggers.size()), clears(policy().triggers.size());
    machine.conditions(prepared[0], in, conds, clears);
    return conds;
  }

  // The actions handler h proposes, as "name(arg=value,...)".
  std::vector<std::string> proposals(std::size_t h,
                                     const std::map<std::string, Value>& by_name) const {
    auto in = inputs(by_name);
    vm::ProposalBuffer buffer;
    machine.handler(prepared[0], h, in, buffer);
    std::vector<std::string> out;
    for (const auto& p : buffer.proposals()) {
      const auto& t = policy().templates[p.template_index];
      std::string s(stdlib::actions()[t.action].name);
      s += "(";
      for (std::size_t i = 0; i < p.argument_count; ++i) {
        const Value& v = p.arguments[i];
        s += (i ? "," : "") + std::string(compiled->program->string(t.argument_names[i])) + "=";
        s += v.tag == bytecode::ValueTag::Number ? std::to_string(static_cast<long long>(v.number))
             : v.tag == bytecode::ValueTag::String ? std::string(v.string())
                                                   : std::string("?");
      }
      s += ")";
      if (p.unknown_arguments) s += "!unknown";
      out.push_back(s);
    }
    return out;
  }
};

Value num(double d) {
  return Value::of_number(d);
}
Value str(const char* s) {
  return Value::of_string(s);
}
Value unknown() {
  return Value::unknown();
}

const char* kPolicy =
    "policy p {\n  select pods\n  safety { cooldown 5m max_actions 3 per 1h }\n"
    "  signal m = promql(`m`)\n  signal n = promql(`n`)\n"
    "  trigger both when m > 1 and n > 1\n"
    "  trigger either when m > 1 or n > 1\n"
    "  trigger negated when not (m > 1)\n"
    "  trigger ratio when m / n > 2\n"
    "  on both do { if m > 5 then delete() else restart(strategy: recreate) }\n"
    "  on either do scale(of: owner, to: n + 1, max: 10)\n"
    "}\n";

}  // namespace

BOOST_AUTO_TEST_CASE(kleene_and_or_not) {
  Harness h(kPolicy);
  using T = Truth;
  struct Case {
    Value m, n;
    std::vector<Truth> expected;  // both, either, negated, ratio
  };
  std::vector<Case> cases = {
      {num(2), num(2), {T::True, T::True, T::False, T::False}},
      {num(0), num(2), {T::False, T::True, T::True, T::False}},
      {unknown(),
       num(0),
       {T::False, T::Unknown, T::Unknown, T::Unknown}},  // unknown and false = false
      {unknown(), num(2), {T::Unknown, T::True, T::Unknown, T::Unknown}},  // unknown or true = true
      {unknown(), unknown(), {T::Unknown, T::Unknown, T::Unknown, T::Unknown}},
      {num(5), num(0), {T::False, T::True, T::False, T::Unknown}},  // 5 / 0: unknown
  };
  for (const auto& c : cases) {
    auto got = h.conditions({{"m", c.m}, {"n", c.n}});
    BOOST_TEST(got == c.expected, boost::test_tools::per_element());
  }
}

BOOST_AUTO_TEST_CASE(nan_from_prometheus_is_unknown) {
  Harness h(kPolicy);
  auto got = h.conditions({{"m", num(std::nan(""))}, {"n", num(2)}});
  BOOST_TEST((got[0] == Truth::Unknown));
}

BOOST_AUTO_TEST_CASE(an_unknown_condition_runs_neither_branch) {
  Harness h(kPolicy);
  BOOST_TEST(h.proposals(0, {{"m", num(9)}}) == std::vector<std::string>{"delete()"},
             boost::test_tools::per_element());
  BOOST_TEST(
      h.proposals(0, {{"m", num(2)}}) == std::vector<std::string>{"restart(strategy=recreate)"},
      boost::test_tools::per_element());
  BOOST_TEST(h.proposals(0, {{"m", unknown()}}).empty());
}

BOOST_AUTO_TEST_CASE(arguments_are_computed_and_unknown_ones_flagged) {
  Harness h(kPolicy);
  BOOST_TEST(
      h.proposals(1, {{"n", num(3)}}) == std::vector<std::string>{"scale(to=4,max=10,of=owner)"},
      boost::test_tools::per_element());
  BOOST_TEST(h.proposals(1, {{"n", unknown()}}) ==
                 std::vector<std::string>{"scale(to=?,max=10,of=owner)!unknown"},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(strings_lists_and_builtins) {
  Harness h(
      "policy p {\n  select pods\n"
      "  trigger crash when pod.waiting_reason in [\"CrashLoopBackOff\", \"ImagePullBackOff\"]\n"
      "  trigger clamped when clamp(pod.restarts, 0, 5) == 5\n"
      "  trigger oom when pod.terminated_reason == \"OOMKilled\" and pod.age > 10m\n"
      "  on crash do restart()\n  on clamped do restart()\n  on oom do restart()\n}\n");
  auto got = h.conditions({{"pod.waiting_reason", str("ImagePullBackOff")},
                           {"pod.restarts", num(12)},
                           {"pod.terminated_reason", str("OOMKilled")},
                           {"pod.age", num(300)}});
  BOOST_TEST(got == (std::vector<Truth>{Truth::True, Truth::True, Truth::False}),
             boost::test_tools::per_element());
  got = h.conditions({{"pod.waiting_reason", str("")},
                      {"pod.restarts", num(2)},
                      {"pod.terminated_reason", str("OOMKilled")},
                      {"pod.age", num(3600)}});
  BOOST_TEST(got == (std::vector<Truth>{Truth::False, Truth::False, Truth::True}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(advisor_verdicts_choose_among_the_policy_actions) {
  Harness h(
      "policy p {\n  select pods\n  safety { cooldown 5m max_actions 3 per 1h }\n"
      "  signal m = promql(`m`)\n  trigger t when m > 1\n"
      "  on t do {\n    let v = ai.analyze(signals: [m])\n"
      "    if v.action == delete and v.confidence >= 0.8 then delete()\n    else restart()\n  "
      "}\n}\n");
  BOOST_TEST(h.proposals(0, {{"v.action", str("delete")}, {"v.confidence", num(1)}}) ==
                 std::vector<std::string>{"delete()"},
             boost::test_tools::per_element());
  BOOST_TEST(h.proposals(0, {{"v.action", str("delete")}, {"v.confidence", num(0.5)}}) ==
                 std::vector<std::string>{"restart()"},
             boost::test_tools::per_element());
  // No verdict (the advisor failed or timed out): neither branch.
  BOOST_TEST(h.proposals(0, {}).empty());
}
