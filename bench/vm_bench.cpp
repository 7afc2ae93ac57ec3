// The VM's benchmark (see bench/README.md):
//
//  * one representative policy (samples/memory-leak.skippy: three triggers, five comparisons
//    in their conditions plus one in a clear) evaluated for one target, with the number of
//    heap allocations per evaluation counted (it must be 0), and the same with the handler
//    of a firing trigger run into a reused ProposalBuffer;
//  * 1,000 generated policies (bench/generate_policies.cpp) evaluated for 10,000 targets
//    each, 10 million evaluations per iteration, in CPU time.
//
// The binary replaces the global operator new and delete with counting versions
// (count_allocations.cpp), so every allocation in the process, the benchmark library's and
// the standard library's included, is counted. A benchmark whose timed loop allocates fails
// with SkipWithError.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bench/count_allocations.hpp"
#include "bench/generate_policies.hpp"
#include "bench/rng.hpp"
#include "compiler/compile.hpp"
#include "dsl/diagnostics.hpp"
#include "dsl/render.hpp"
#include "dsl/source.hpp"
#include "dsl/validate.hpp"
#include "grammar/load.hpp"
#include "runtime/bytecode/program.hpp"
#include "runtime/bytecode/value.hpp"
#include "runtime/vm/vm.hpp"
#include "stdlib/builtins/catalog.hpp"
#include "stdlib/builtins/functions.hpp"

namespace {

using namespace skippy;
using bytecode::Truth;
using bytecode::Value;

constexpr std::size_t kPolicies = 1000;
constexpr std::size_t kTargets = 10000;
constexpr std::size_t kMaxTriggers = 64;

// Reports the allocations made during a timed loop, and fails the benchmark if there were any.
void report_allocations(benchmark::State& state, std::uint64_t before, std::uint64_t after) {
  auto made = after - before;
  double iterations =
      static_cast<double>(std::max<benchmark::IterationCount>(state.iterations(), 1));
  state.counters["allocs_per_iter"] = static_cast<double>(made) / iterations;
  if (made != 0) {
    std::string message = "the timed loop allocated " + std::to_string(made) + " times in " +
                          std::to_string(state.iterations()) +
                          " iterations; evaluating must not allocate";
    state.SkipWithError(message.c_str());
  }
}

// ---- Compiling policy text ------------------------------------------------------------------

struct Compiled {
  std::optional<bytecode::Program> program;
  std::vector<vm::PreparedPolicy> prepared;
  std::string problems;  // rendered diagnostics, errors and warnings
};

std::unique_ptr<Compiled> compile(const std::vector<std::pair<std::string, std::string>>& files) {
  auto out = std::make_unique<Compiled>();
  dsl::SourceManager sources;
  dsl::Diagnostics diagnostics;
  dsl::Program program;
  for (const auto& [name, text] : files) {
    program.modules.push_back(grammar::load_text(name, text, sources, diagnostics));
  }
  dsl::validate_program(program, diagnostics);
  out->program = compiler::compile_program(program, sources, diagnostics);
  // Any diagnostic means the policies are not the ones measured.
  if (!diagnostics.all().empty()) {
    diagnostics.sort();
    out->problems = dsl::render_text(diagnostics, sources).substr(0, 2000);
  }
  if (out->program) out->prepared = vm::prepare(*out->program);
  return out;
}

// ---- The representative policy -------------------------------------------------------------

// samples/memory-leak.skippy's policy: three triggers with five comparisons in their
// conditions (and a sixth in high_memory's clear), one signal, two Kubernetes fields, two
// windowed functions; three handlers, one of them asking the advisor.
constexpr std::string_view kRepresentative = R"(policy memory_leak {
  description "Restart pods that leak memory, before the OOM killer does"
  select pods in namespace "demo-apps" where label("issue") == "memory-leak"
  mode automatic
  every 15s

  signal mem_pct = promql(`100 * container_memory_working_set_bytes{container!=""}
                            / on(namespace, pod, container) container_spec_memory_limit_bytes > 0`)
      by (namespace, pod) max on missing hold 2m

  trigger high_memory when mem_pct > 85 for 1m clear when mem_pct < 70 for 2m
  trigger leak_forecast when forecast(mem_pct, horizon: 30m) > 100 and mem_pct > 30
  trigger crash_looping when pod.waiting_reason == "CrashLoopBackOff" and increase(pod.restarts, 10m) >= 3

  safety {
    cooldown 10m per target
    max_actions 2 per 1h
    max_unavailable 25%
    approve delete
  }

  on high_memory do restart(strategy: rolling) priority 10
  on crash_looping do delete(grace: 30s) priority 5
  on leak_forecast do {
    let verdict = ai.analyze(signals: [mem_pct], events: events(within: 15m))
    if verdict.action == scale and verdict.confidence >= 0.8 then scale(of: owner, by: +1, max: 5) priority 8
    else restart() priority 10
  }
}
)";

struct Representative {
  std::unique_ptr<Compiled> compiled;
  vm::Vm machine{stdlib::function_table()};

  Representative() : compiled(compile({{"memory-leak.skippy", std::string(kRepresentative)}})) {}
  bool ok() const { return compiled->program && compiled->problems.empty(); }
  const vm::PreparedPolicy& prepared() const { return compiled->prepared.at(0); }
  const bytecode::Policy& policy() const { return *prepared().policy; }

  // A slot's name built from what it reads, not from the name the compiler stored (a
  // description that may change): "mem_pct" (a PromQL signal), "pod.restarts" (a field),
  // "increase(pod.restarts)" (a windowed function of another slot), "verdict.action" (a
  // field of the advisor's verdict), "events".
  std::string slot_key(std::size_t i) const {
    const auto& slot = policy().inputs.at(i);
    switch (slot.kind) {
      case bytecode::InputKind::Promql:
        return std::string(compiled->program->string(slot.name));
      case bytecode::InputKind::Field: {
        const auto& f = stdlib::fields()[slot.id];
        return (f.owner == stdlib::FieldOwner::Pod ? "pod." : "workload.") + std::string(f.name);
      }
      case bytecode::InputKind::Window:
        return std::string(stdlib::window_functions()[slot.id].name) + "(" + slot_key(slot.source) +
               ")";
      case bytecode::InputKind::Advice:
        return "verdict." + std::string(stdlib::verdict_fields()[slot.id].name);
      case bytecode::InputKind::Events:
        return "events";
      case bytecode::InputKind::Outcome:
        return "outcomes." + std::string(stdlib::outcome_fields()[slot.id].name);
    }
    return "?";
  }

  // Inputs by slot key (above); the rest Unknown. A key that is no slot's goes to `unmatched`.
  std::vector<Value> inputs(const std::vector<std::pair<std::string_view, Value>>& by_name,
                            std::string& unmatched) const {
    std::vector<Value> out(policy().inputs.size(), Value::unknown());
    for (const auto& [n, v] : by_name) {
      bool found = false;
      for (std::size_t i = 0; i < out.size(); ++i) {
        if (slot_key(i) == n) {
          out[i] = v;
          found = true;
        }
      }
      if (!found) unmatched += (unmatched.empty() ? "" : ", ") + std::string(n);
    }
    return out;
  }
  std::string slot_names() const {
    std::string out;
    for (std::size_t i = 0; i < policy().inputs.size(); ++i) out += (i ? ", " : "") + slot_key(i);
    return out;
  }

  std::size_t trigger(std::string_view name) const {
    for (std::size_t i = 0; i < policy().triggers.size(); ++i) {
      if (compiled->program->string(policy().triggers[i].name) == name) return i;
    }
    return policy().triggers.size();
  }
  std::size_t handler_of(std::size_t trigger_index) const {
    for (std::size_t h = 0; h < policy().handlers.size(); ++h) {
      if (policy().handlers[h].trigger == trigger_index) return h;
    }
    return policy().handlers.size();
  }
};

Representative& representative() {
  static Representative r;
  return r;
}

// The inputs of the representative benchmarks. Each case names the trigger expected to fire
// ("" for none) so that a change in the policy or the VM cannot go unnoticed.
struct InputCase {
  const char* label;
  const char* fires;
  std::vector<std::pair<std::string_view, Value>> values;
};

const std::vector<InputCase>& input_cases() {
  static const std::vector<InputCase> cases = {
      {"healthy",
       "",
       {{"mem_pct", Value::of_number(42)},
        {"forecast(mem_pct)", Value::of_number(55)},
        {"pod.waiting_reason", Value::of_string("")},
        {"increase(pod.restarts)", Value::of_number(0)}}},
      {"high_memory",
       "high_memory",
       {{"mem_pct", Value::of_number(91.5)},
        {"forecast(mem_pct)", Value::of_number(97)},
        {"pod.waiting_reason", Value::of_string("")},
        {"increase(pod.restarts)", Value::of_number(0)}}},
      {"leak_forecast",
       "leak_forecast",
       {{"mem_pct", Value::of_number(64)},
        {"forecast(mem_pct)", Value::of_number(130)},
        {"pod.waiting_reason", Value::of_string("")},
        {"increase(pod.restarts)", Value::of_number(1)},
        {"verdict.action", Value::of_string("scale")},
        {"verdict.confidence", Value::of_number(0.92)}}},
      {"crash_looping",
       "crash_looping",
       {{"mem_pct", Value::unknown()},
        {"forecast(mem_pct)", Value::unknown()},
        {"pod.waiting_reason", Value::of_string("CrashLoopBackOff")},
        {"increase(pod.restarts)", Value::of_number(4)}}},
      {"no_data", "", {}},
  };
  return cases;
}

// Checks once, before timing, that the case evaluates as it says.
bool check_case(benchmark::State& state, const Representative& r, const InputCase& c,
                const std::vector<Value>& inputs, const std::string& unmatched) {
  if (!unmatched.empty()) {
    state.SkipWithError((std::string("case ") + c.label + ": no input slot named " + unmatched +
                         "; the slots are " + r.slot_names())
                            .c_str());
    return false;
  }
  std::array<Truth, kMaxTriggers> conds{}, clears{};
  std::size_t n = r.policy().triggers.size();
  r.machine.conditions(r.prepared(), inputs, std::span(conds.data(), n),
                       std::span(clears.data(), n));
  std::size_t expected = std::string_view(c.fires).empty() ? n : r.trigger(c.fires);
  for (std::size_t i = 0; i < n; ++i) {
    if ((conds[i] == Truth::True) != (i == expected)) {
      state.SkipWithError((std::string("case ") + c.label + ": trigger " +
                           std::string(r.compiled->program->string(r.policy().triggers[i].name)) +
                           " is " + bytecode::truth_name(conds[i]))
                              .c_str());
      return false;
    }
  }
  return true;
}

// The policy's cost bound (what the compiler and loader compute: every instruction of the
// policy, conditions and handlers, calls and list tests weighted), its code size, the length
// of its conditions code (from the entry to the first RETURN), and its input slots.
void set_policy_counters(benchmark::State& state, const bytecode::Policy& policy) {
  std::size_t conditions = 0;
  for (std::size_t pc = policy.conditions_entry; pc < policy.code.size(); ++pc) {
    ++conditions;
    if (policy.code[pc].op == bytecode::Op::RETURN) break;
  }
  state.counters["cost_bound"] = static_cast<double>(policy.cost_bound);
  state.counters["code"] = static_cast<double>(policy.code.size());
  state.counters["conditions_code"] = static_cast<double>(conditions);
  state.counters["inputs"] = static_cast<double>(policy.inputs.size());
}

// What both representative benchmarks set up, untimed: the policy, one input case, and
// the condition arrays. Empty (with the benchmark skipped) when the case does not check.
struct RepresentativeSetup {
  Representative* r = nullptr;
  const InputCase* c = nullptr;
  std::vector<Value> inputs;
  std::array<Truth, kMaxTriggers> conds{}, clears{};
  std::size_t n = 0;
  std::span<const Value> in() const { return inputs; }
  std::span<Truth> cs() { return {conds.data(), n}; }
  std::span<Truth> cl() { return {clears.data(), n}; }
};

std::optional<RepresentativeSetup> set_up(benchmark::State& state) {
  RepresentativeSetup out;
  out.r = &representative();
  if (!out.r->ok()) {
    state.SkipWithError(
        ("the representative policy does not compile clean:\n" + out.r->compiled->problems)
            .c_str());
    return std::nullopt;
  }
  out.c = &input_cases().at(static_cast<std::size_t>(state.range(0)));
  state.SetLabel(out.c->label);
  std::string unmatched;
  out.inputs = out.r->inputs(out.c->values, unmatched);
  if (!check_case(state, *out.r, *out.c, out.inputs, unmatched)) return std::nullopt;
  out.n = out.r->policy().triggers.size();
  return out;
}

// Vm::conditions for one target: every trigger's condition and clear.
void BM_RepresentativeConditions(benchmark::State& state) {
  auto setup = set_up(state);
  if (!setup) return;
  auto& r = *setup->r;
  const std::span<const Value> in = setup->in();
  const std::span<Truth> cs = setup->cs(), cl = setup->cl();
  auto& conds = setup->conds;
  const auto& prepared = r.prepared();

  std::uint64_t before = bench::allocations();
  for (auto _ : state) {
    r.machine.conditions(prepared, in, cs, cl);
    benchmark::DoNotOptimize(conds.data());
    benchmark::ClobberMemory();
  }
  std::uint64_t after = bench::allocations();
  report_allocations(state, before, after);
  set_policy_counters(state, r.policy());
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_RepresentativeConditions)->DenseRange(0, 4);

// Vm::conditions, then the handler of every trigger that is true, into one reused buffer:
// what the runtime does for a target whose trigger fires (the `for` bookkeeping aside).
void BM_RepresentativeConditionsAndHandler(benchmark::State& state) {
  auto setup = set_up(state);
  if (!setup) return;
  auto& r = *setup->r;
  const auto& c = *setup->c;
  const std::span<const Value> in = setup->in();
  const std::span<Truth> cs = setup->cs(), cl = setup->cl();
  auto& conds = setup->conds;
  const auto& prepared = r.prepared();
  const auto& policy = r.policy();
  auto buffer = std::make_unique<vm::ProposalBuffer>();  // ~9 KiB: allocated once, untimed

  // Once, untimed: the firing trigger's handler proposes something.
  std::size_t fired = r.trigger(c.fires);
  buffer->clear();
  r.machine.handler(prepared, r.handler_of(fired), in, *buffer);
  if (buffer->proposals().empty()) {
    state.SkipWithError(
        (std::string("case ") + c.label + ": the handler proposed nothing").c_str());
    return;
  }

  std::size_t proposals = 0;
  std::uint64_t before = bench::allocations();
  for (auto _ : state) {
    r.machine.conditions(prepared, in, cs, cl);
    buffer->clear();
    for (std::size_t h = 0; h < policy.handlers.size(); ++h) {
      if (conds[policy.handlers[h].trigger] == Truth::True)
        r.machine.handler(prepared, h, in, *buffer);
    }
    proposals += buffer->proposals().size();
    benchmark::DoNotOptimize(proposals);
  }
  std::uint64_t after = bench::allocations();
  report_allocations(state, before, after);
  set_policy_counters(state, policy);
  state.counters["proposals_per_iter"] =
      benchmark::Counter(static_cast<double>(proposals), benchmark::Counter::kAvgIterations);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_RepresentativeConditionsAndHandler)->Arg(1)->Arg(2)->Arg(3);

// ---- Generated inputs ----------------------------------------------------------------------

using bench::Rng;  // bench/rng.hpp: the same inputs everywhere

constexpr std::array<std::string_view, 4> kWaitingReasons = {"", "", "CrashLoopBackOff",
                                                             "ImagePullBackOff"};
constexpr std::array<std::string_view, 4> kPhases = {"Running", "Running", "Pending", "Failed"};
constexpr std::array<std::string_view, 3> kTerminated = {"", "OOMKilled", "Error"};
constexpr std::array<std::string_view, 3> kReasons = {"memory keeps growing", "bad rollout",
                                                      "noisy neighbour"};

// One value for a slot of `policy`: Unknown 5% of the time; numbers near one of the policy's
// own numeric constants (0.5x to 1.5x a threshold, a count, a bound), so that comparisons go
// both ways; strings from small vocabularies; verdicts naming real actions.
Value random_value(const bytecode::InputSlot& slot, const std::vector<double>& numbers, Rng& rng) {
  if (rng.below(100) < 5) return Value::unknown();
  auto number = [&] {
    double base = numbers.empty() ? 1.0 : numbers[rng.below(numbers.size())];
    return Value::of_number(base * (0.5 + rng.unit()));
  };
  switch (slot.kind) {
    case bytecode::InputKind::Promql:
    case bytecode::InputKind::Window:
      return number();
    case bytecode::InputKind::Events:
      return Value::of_number(static_cast<double>(rng.below(5)));
    case bytecode::InputKind::Field: {
      const auto& field = stdlib::fields()[slot.id];
      switch (field.type) {
        case stdlib::Type::Bool:
          return Value::of_bool(rng.below(4) != 0);
        case stdlib::Type::String:
          if (field.name == "waiting_reason")
            return Value::of_string(kWaitingReasons[rng.below(kWaitingReasons.size())]);
          if (field.name == "phase") return Value::of_string(kPhases[rng.below(kPhases.size())]);
          if (field.name == "terminated_reason")
            return Value::of_string(kTerminated[rng.below(kTerminated.size())]);
          return Value::of_string("x");
        case stdlib::Type::Number:
          if (field.owner == stdlib::FieldOwner::Workload)
            return Value::of_number(static_cast<double>(1 + rng.below(6)));
          return number();
        default:
          return number();  // durations, quantities: canonical units
      }
    }
    case bytecode::InputKind::Advice: {
      const auto& field = stdlib::verdict_fields()[slot.id];
      if (field.type == stdlib::Type::ActionName) {
        auto actions = stdlib::actions();
        return Value::of_string(actions[rng.below(actions.size())].name);
      }
      if (field.type == stdlib::Type::Number) return Value::of_number(rng.unit());
      if (field.type == stdlib::Type::Duration) return Value::of_number(rng.unit() * 1800);
      return Value::of_string(kReasons[rng.below(kReasons.size())]);
    }
    case bytecode::InputKind::Outcome:
      return Value::of_number(rng.unit());
  }
  return Value::unknown();
}

// 1,000 generated policies, compiled into one program, and inputs for 10,000 targets per
// policy: one contiguous [target][slot] matrix per policy, as a runtime would lay out what it
// joined from Prometheus and the Kubernetes API before evaluating a policy.
struct Fleet {
  std::unique_ptr<Compiled> compiled;
  std::size_t targets = 0;
  std::vector<std::vector<Value>> inputs;  // per policy: targets x slots
  std::size_t slots = 0;                   // summed over the policies
  std::uint32_t max_cost = 0;
  double mean_cost = 0;

  Fleet(std::size_t policy_count, std::size_t target_count) : targets(target_count) {
    auto corpus = bench::generate_corpus(policy_count);
    std::vector<std::pair<std::string, std::string>> files;
    files.reserve(corpus.policies.size());
    for (auto& p : corpus.policies) files.emplace_back(p.file_name, std::move(p.text));
    compiled = compile(files);
    if (!ok()) return;
    Rng rng(0x5EED0F1EE7ull);
    inputs.resize(compiled->prepared.size());
    for (std::size_t p = 0; p < compiled->prepared.size(); ++p) {
      const auto& policy = *compiled->prepared[p].policy;
      std::vector<double> numbers;
      for (const auto& c : policy.constants) {
        if (c.kind == bytecode::ConstantKind::Number && c.number != 0) numbers.push_back(c.number);
      }
      std::size_t n = policy.inputs.size();
      slots += n;
      max_cost = std::max(max_cost, policy.cost_bound);
      mean_cost += policy.cost_bound;
      auto& matrix = inputs[p];
      matrix.resize(targets * n);
      for (std::size_t t = 0; t < targets; ++t) {
        for (std::size_t s = 0; s < n; ++s)
          matrix[t * n + s] = random_value(policy.inputs[s], numbers, rng);
      }
    }
    mean_cost /= static_cast<double>(std::max<std::size_t>(compiled->prepared.size(), 1));
  }
  bool ok() const { return compiled->program && compiled->problems.empty(); }
};

Fleet& fleet() {
  static Fleet f(kPolicies, kTargets);
  return f;
}

// Every policy's conditions for every target: 10 million evaluations per iteration, policy
// by policy (each policy's targets in turn, as a runtime evaluates a policy per tick).
void BM_Policies1000xTargets10000(benchmark::State& state) {
  auto& f = fleet();
  if (!f.ok()) {
    state.SkipWithError(
        ("the generated policies do not compile clean:\n" + f.compiled->problems).c_str());
    return;
  }
  vm::Vm machine{stdlib::function_table()};
  std::array<Truth, kMaxTriggers> conds{}, clears{};
  std::size_t fired = 0, unknown = 0;
  std::uint64_t before = bench::allocations();
  for (auto _ : state) {
    fired = unknown = 0;
    for (std::size_t p = 0; p < f.compiled->prepared.size(); ++p) {
      const auto& prepared = f.compiled->prepared[p];
      const std::size_t n = prepared.policy->inputs.size();
      const std::size_t triggers = prepared.policy->triggers.size();
      const std::span<Truth> cs(conds.data(), triggers), cl(clears.data(), triggers);
      const Value* matrix = f.inputs[p].data();
      for (std::size_t t = 0; t < f.targets; ++t) {
        machine.conditions(prepared, std::span<const Value>(matrix + t * n, n), cs, cl);
        for (std::size_t i = 0; i < triggers; ++i) {
          fired += conds[i] == Truth::True;
          unknown += conds[i] == Truth::Unknown;
        }
      }
    }
    benchmark::DoNotOptimize(fired);
  }
  std::uint64_t after = bench::allocations();
  report_allocations(state, before, after);
  double evaluations = static_cast<double>(f.compiled->prepared.size() * f.targets);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(evaluations));
  state.counters["evaluations"] = evaluations;
  // CPU time per evaluation (printed with its unit, as in "40.3ns").
  state.counters["time_per_eval"] =
      benchmark::Counter(evaluations * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  double trigger_evaluations = 0;
  for (const auto& p : f.compiled->prepared)
    trigger_evaluations += static_cast<double>(p.policy->triggers.size());
  trigger_evaluations *= static_cast<double>(f.targets);
  state.counters["true_pct"] = 100.0 * static_cast<double>(fired) / trigger_evaluations;
  state.counters["unknown_pct"] = 100.0 * static_cast<double>(unknown) / trigger_evaluations;
  state.counters["input_MiB"] =
      static_cast<double>(f.slots * f.targets * sizeof(Value)) / (1024.0 * 1024.0);
  state.counters["max_cost_bound"] = f.max_cost;
  state.counters["mean_cost_bound"] = f.mean_cost;
}
BENCHMARK(BM_Policies1000xTargets10000)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace

int main(int argc, char** argv) {
  // The counter must see allocations, or "0 allocations" would prove nothing: make sure the
  // replacement operator new is the one in use (through the standard library, as the VM
  // would reach it).
  std::uint64_t before = skippy::bench::allocations();
  auto probe = std::make_unique<std::vector<int>>(1000, 1);
  benchmark::DoNotOptimize(probe.get());
  probe.reset();
  if (skippy::bench::allocations() - before < 2) {
    std::fprintf(
        stderr,
        "vm_bench: the counting operator new is not in use; allocations cannot be counted\n");
    return 2;
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
