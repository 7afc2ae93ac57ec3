// What a model costs a tick: one tick asks eight questions (distinct evidence, so no cache),
// answered by the deterministic analyzer alone, by a model that answers at once (the
// loopback stand-in), by a model that hangs, and by one that answers only after a second;
// --ai.timeout is 200 ms. The figure is the tick's wall time spent in ai.analyze(). A tick
// with a hanging or slow model must cost no more than the timeout (plus 200 ms of slack), or
// the case fails with an error line (its ctest, bench.model_smoke, fails on that line).
#include <benchmark/benchmark.h>

#include <chrono>
#include <memory>

#include "runtime/model/model_advisor.hpp"
#include "simulator/model_stand_in.hpp"
#include "stdlib/analyzer.hpp"
#include "tests/runtime/model/question_fixture.hpp"

using namespace skippy;

namespace {

constexpr int kQuestions = 8;
constexpr std::int64_t kTimeoutMs = 200;

// One tick's questions at `tick` (every question differs, and so does every tick).
std::vector<std::unique_ptr<test::QuestionFixture>> tick_questions(std::int64_t tick) {
  std::vector<std::unique_ptr<test::QuestionFixture>> out;
  for (int i = 0; i < kQuestions; ++i) {
    auto f = std::make_unique<test::QuestionFixture>();
    f->q.now_ms = test::kNow + tick * 15'000;
    f->pod.restarts = i;
    out.push_back(std::move(f));
  }
  return out;
}

void run(benchmark::State& state, engine::Advisor& advisor, bool bounded) {
  std::int64_t tick = 0;
  double worst = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto questions = tick_questions(tick++);
    state.ResumeTiming();
    const auto started = std::chrono::steady_clock::now();
    for (auto& f : questions) benchmark::DoNotOptimize(advisor.analyze(f->q));
    worst = std::max(
        worst, std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  }
  state.counters["worst_tick_ms"] = worst * 1000;
  if (bounded && worst > (kTimeoutMs + 200) / 1000.0)
    state.SkipWithError("a tick waited longer than --ai.timeout for the model");
}

void with_model(benchmark::State& state, sim::ModelMode mode) {
  sim::ModelOptions options;
  options.mode = mode;
  options.delay_ms = 1'000;
  sim::ModelStandIn standin(options);
  if (auto error = standin.start()) {
    state.SkipWithError(error->c_str());
    return;
  }
  stdlib::DeterministicAnalyzer deterministic;
  model::ModelSettings settings;
  settings.url = standin.url();
  settings.generation.model = "m";
  settings.timeout_ms = kTimeoutMs;
  settings.budget = {0, 0};
  settings.max_queue = 64;
  {
    model::ModelAdvisor advisor(settings, deterministic);
    run(state, advisor, true);
    standin.shutdown();
  }
}

void BM_TickDeterministicOnly(benchmark::State& state) {
  stdlib::DeterministicAnalyzer deterministic;
  run(state, deterministic, false);
}
BENCHMARK(BM_TickDeterministicOnly)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_TickModelAnswering(benchmark::State& state) {
  with_model(state, sim::ModelMode::sensible);
}
BENCHMARK(BM_TickModelAnswering)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_TickModelHanging(benchmark::State& state) {
  with_model(state, sim::ModelMode::hang);
}
BENCHMARK(BM_TickModelHanging)->UseRealTime()->Unit(benchmark::kMillisecond)->Iterations(10);

void BM_TickModelSlow(benchmark::State& state) {
  with_model(state, sim::ModelMode::slow);
}
BENCHMARK(BM_TickModelSlow)->UseRealTime()->Unit(benchmark::kMillisecond)->Iterations(10);

}  // namespace

BENCHMARK_MAIN();
