// One tick of the runtime without I/O: 100 policies over 10,000 pods, 20 distinct PromQL
// signals of 10,000 series each (the target: under 50 ms of CPU beyond waiting for
// Prometheus), and the memory the trigger states take per (policy, trigger, target).
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <map>
#include <string>
#include <vector>

#include "bench/rng.hpp"
#include "runtime/cluster/snapshot.hpp"
#include "runtime/engine/tick.hpp"
#include "stdlib/builtins/functions.hpp"
#include "stdlib/engine_support.hpp"
#include "tests/support/compile_text.hpp"

using namespace skippy;

namespace {

constexpr int kPolicies = 100;
constexpr int kTargets = 10'000;
constexpr int kSignals = 20;
constexpr int kTriggers = 3;

// A query's vector: one series per pod, values from a seeded generator.
class Vector final : public engine::VectorView {
 public:
  std::vector<std::string> pods;
  std::vector<double> values;
  std::size_t size() const override { return pods.size(); }
  std::string_view label(std::size_t i, std::string_view name) const override {
    if (name == "namespace") return "apps";
    if (name == "pod") return pods[i];
    return {};
  }
  double value(std::size_t i) const override { return values[i]; }
};

struct World {
  std::unique_ptr<testing::Compiled> compiled;
  cluster::SnapshotClusterView view;
  std::vector<Vector> vectors;
  std::vector<engine::QueryResult> results;
};

World& world() {
  static World w = [] {
    World out;
    std::string text;
    bench::Rng rng(7);
    for (int p = 0; p < kPolicies; ++p) {
      int a = static_cast<int>(rng.below(kSignals)), b = static_cast<int>(rng.below(kSignals));
      text += "policy p" + std::to_string(p) +
              " {\n  select pods in namespace \"apps\"\n  every 15s\n" +
              "  signal a = promql(`metric_" + std::to_string(a) +
              "`) by (namespace, pod) max on missing hold 1m\n" + "  signal b = promql(`metric_" +
              std::to_string(b) + "`) by (namespace, pod) max on missing zero\n" +
              "  trigger t1 when a > 90 for 1m\n  trigger t2 when b > 95 and a > 50 for 30s\n" +
              "  trigger t3 when a + b > 180 and pod.restarts > 2\n" +
              "  on t1 do annotate(key: \"k\", value: \"1\")\n  on t2 do annotate(key: \"k\", "
              "value: \"2\")\n" +
              "  on t3 do annotate(key: \"k\", value: \"3\")\n}\n";
    }
    out.compiled = testing::compile_text(text);
    for (int i = 0; i < kTargets; ++i) {
      cluster::Pod pod;
      pod.meta.namespace_name = "apps";
      pod.meta.name = "pod-" + std::to_string(i);
      pod.restarts = static_cast<std::int64_t>(rng.below(5));
      out.view.mutable_pods().push_back(std::move(pod));
    }
    out.vectors.resize(kSignals);
    for (auto& v : out.vectors) {
      for (int i = 0; i < kTargets; ++i) {
        v.pods.push_back("pod-" + std::to_string(i));
        v.values.push_back(100.0 * rng.unit());
      }
    }
    return out;
  }();
  return w;
}

void BM_Tick100Policies10000Targets(benchmark::State& state) {
  World& w = world();
  if (!w.compiled->program) {
    state.SkipWithError(w.compiled->messages().c_str());
    return;
  }
  engine::Engine e(*w.compiled->program, stdlib::function_table(), stdlib::engine_builtins());
  const auto& queries = e.plan().queries;
  // The argument scales the signals' values (percent): at 100 they spread over 0-100 and
  // about one trigger in seven is pending or firing every tick (a storm); at 85 none is.
  std::vector<Vector> scaled = w.vectors;
  for (auto& v : scaled) {
    for (auto& x : v.values) x *= static_cast<double>(state.range(0)) / 100.0;
  }
  std::vector<engine::QueryResult> results(queries.size());
  for (std::size_t q = 0; q < queries.size(); ++q) {
    results[q].vector = &scaled[static_cast<std::size_t>(std::stoi(queries[q].substr(7)))];
  }
  std::int64_t now = 0;
  auto before = mallinfo2().uordblks;
  e.tick(now, w.view, results);  // the first tick creates the per-target state
  auto after = mallinfo2().uordblks;
  std::size_t proposals = 0;
  double active = 0;
  for (auto _ : state) {
    now += 15'000;
    const auto& r = e.tick(now, w.view, results);
    proposals += r.proposals.size();
    active = 0;
    for (const auto& h : r.health) {
      for (const auto& phases : h.phases)
        active += static_cast<double>(phases[1] + phases[2] + phases[3]);
    }
    benchmark::DoNotOptimize(r);
  }
  state.counters["active_trigger_share"] = active / (kPolicies * kTriggers * kTargets);
  state.counters["queries"] = static_cast<double>(queries.size());
  state.counters["state_bytes_per_policy_trigger_target"] =
      static_cast<double>(after - before) / (kPolicies * kTriggers * kTargets);
  state.counters["proposals_per_tick"] =
      static_cast<double>(proposals) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_Tick100Policies10000Targets)
    ->Arg(100)
    ->Arg(85)
    ->Unit(benchmark::kMillisecond)
    ->MinTime(3);

}  // namespace

BENCHMARK_MAIN();
