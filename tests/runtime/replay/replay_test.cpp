// Replay's pure parts: a range query's matrix cut into per-step vectors, and the window a
// restart replays.
#define BOOST_TEST_MODULE replay
#include <boost/test/unit_test.hpp>

#include "runtime/cluster/snapshot.hpp"
#include "runtime/replay/prometheus_vectors.hpp"
#include "runtime/replay/replay.hpp"
#include "stdlib/builtins/functions.hpp"
#include "stdlib/engine_support.hpp"
#include "tests/support/compile_text.hpp"

using namespace skippy;

namespace {

prometheus::QueryResult decoded(const char* body) {
  auto r = prometheus::decode_response(body);
  BOOST_REQUIRE(std::holds_alternative<prometheus::QueryResult>(r));
  return std::move(std::get<prometheus::QueryResult>(r));
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_matrix_becomes_one_vector_per_step) {
  // Steps at 100 s, 115 s, 130 s. Series a has all three; b misses the second; c has a
  // sample off the grid, which no tick would have seen.
  auto matrix = decoded(R"({"status":"success","data":{"resultType":"matrix","result":[
    {"metric":{"pod":"a"},"values":[[100,"1"],[115,"2"],[130,"3"]]},
    {"metric":{"pod":"b"},"values":[[100,"10"],[130,"NaN"]]},
    {"metric":{"pod":"c"},"values":[[107,"5"]]}]}})");
  replay::StepVectors steps(matrix, 100'000, 15'000, 3);
  BOOST_REQUIRE_EQUAL(steps.steps(), 3u);
  const auto& first = steps.at(0);
  BOOST_REQUIRE_EQUAL(first.size(), 2u);
  BOOST_TEST(first.label(0, "pod") == "a");
  BOOST_TEST(first.value(0) == 1.0);
  BOOST_TEST(first.label(1, "pod") == "b");
  BOOST_TEST(first.value(1) == 10.0);
  BOOST_TEST(first.label(1, "namespace") == "");
  const auto& second = steps.at(1);
  BOOST_REQUIRE_EQUAL(second.size(), 1u);
  BOOST_TEST(second.value(0) == 2.0);
  const auto& third = steps.at(2);
  BOOST_REQUIRE_EQUAL(third.size(), 2u);
  BOOST_TEST(std::isnan(third.value(1)));
}

BOOST_AUTO_TEST_CASE(a_restart_replays_the_longest_for_and_one_step_more) {
  auto compiled = testing::compile_text(
      "policy p {\n  select pods in namespace \"apps\"\n  every 15s\n"
      "  signal m = promql(`m`) on missing hold 2m\n"
      "  trigger t when m > 5 for 5m keep_firing_for 1m\n"
      "  on t do annotate(key: \"k\", value: \"v\")\n}\n");
  BOOST_REQUIRE_MESSAGE(compiled->program, compiled->messages());
  engine::Engine e(*compiled->program, stdlib::function_table(), stdlib::engine_builtins());
  BOOST_TEST(replay::restore_lookback_ms(*compiled->program) == 360'000);

  // Now is between two ticks: the window ends at the last tick before it.
  auto w = replay::restore_window(e, *compiled->program, 1'000'007'000, 3'600'000);
  BOOST_REQUIRE(w.has_value());
  BOOST_TEST(w->step_ms == 15'000);
  BOOST_TEST(w->end_ms == 1'000'005'000);
  BOOST_TEST(w->start_ms == 999'645'000);  // the first tick at or after now - 6m - 15s
  BOOST_TEST(w->ticks() == 25u);
  // Now on a tick: that tick is the live one, not replayed.
  w = replay::restore_window(e, *compiled->program, 1'000'005'000, 3'600'000);
  BOOST_REQUIRE(w.has_value());
  BOOST_TEST(w->end_ms == 999'990'000);
  // A cap shortens it; a zero cap turns it off.
  w = replay::restore_window(e, *compiled->program, 1'000'005'000, 60'000);
  BOOST_REQUIRE(w.has_value());
  BOOST_TEST(w->start_ms == 1'000'005'000 - 75'000);
  BOOST_TEST(!replay::restore_window(e, *compiled->program, 1'000'005'000, 0).has_value());
}

BOOST_AUTO_TEST_CASE(a_restart_replays_the_history_an_analyzer_reads) {
  auto compiled = testing::compile_text(
      "policy p {\n  select pods in namespace \"apps\"\n  every 15s\n"
      "  safety { cooldown 5m max_actions 3 per 1h }\n"
      "  signal m = promql(`m`)\n  trigger t when m > 5 for 1m\n"
      "  on t do {\n    let v = ai.analyze(signals: [m], history: 20m)\n"
      "    if v.action == restart then restart()\n  }\n}\n");
  BOOST_REQUIRE_MESSAGE(compiled->program, compiled->messages());
  BOOST_TEST(replay::restore_lookback_ms(*compiled->program) == 1'200'000);
}

BOOST_AUTO_TEST_CASE(nothing_to_restore_without_for_or_hold) {
  auto compiled = testing::compile_text(
      "policy p {\n  select pods in namespace \"apps\"\n  every 15s\n"
      "  signal m = promql(`m`)\n  trigger t when m > 5\n"
      "  on t do annotate(key: \"k\", value: \"v\")\n}\n");
  BOOST_REQUIRE_MESSAGE(compiled->program, compiled->messages());
  engine::Engine e(*compiled->program, stdlib::function_table(), stdlib::engine_builtins());
  BOOST_TEST(!replay::restore_window(e, *compiled->program, 1'000'005'000, 3'600'000).has_value());
}

BOOST_AUTO_TEST_CASE(conditions_on_kubernetes_state_alone_are_not_restored) {
  auto compiled = testing::compile_text(
      "policy p {\n  select pods in namespace \"apps\"\n  every 15s\n"
      "  signal m = promql(`m`) by (namespace, pod) on missing unknown\n"
      "  trigger from_prometheus when m > 5 for 1m\n"
      "  trigger from_field when pod.restarts > 3 for 1m\n"
      "  trigger from_events when events(reason: \"BackOff\", within: 10m) >= 1 for 1m\n"
      "  trigger mixed when m > 5 and pod.restarts > 3 for 1m\n"
      "  trigger window_of_field when increase(pod.restarts, 10m) >= 3 for 1m\n"
      "  trigger cleared_by_prometheus when pod.restarts > 3 for 1m clear when m < 1 for 1m\n"
      "  on from_prometheus do annotate(key: \"a\", value: \"v\")\n"
      "  on from_field do annotate(key: \"b\", value: \"v\")\n"
      "  on from_events do annotate(key: \"c\", value: \"v\")\n"
      "  on mixed do annotate(key: \"d\", value: \"v\")\n"
      "  on window_of_field do annotate(key: \"e\", value: \"v\")\n"
      "  on cleared_by_prometheus do annotate(key: \"f\", value: \"v\")\n}\n");
  BOOST_REQUIRE_MESSAGE(compiled->program, compiled->messages());
  const auto& program = *compiled->program;
  BOOST_TEST(replay::restorable_triggers(program.policies[0]) ==
                 (std::vector<bool>{true, false, false, true, false, false}),
             boost::test_tools::per_element());

  // Two minutes with m at 10 and 5 restarts: both kinds fire; after forgetting, only the
  // trigger read from Prometheus still does, and the other starts afresh.
  engine::Engine e(program, stdlib::function_table(), stdlib::engine_builtins());
  std::vector<cluster::SnapshotError> errors;
  auto view =
      cluster::parse_snapshot("pods:\n  - {namespace: apps, name: a, restarts: 5}\n", errors);
  BOOST_REQUIRE(errors.empty());
  for (std::int64_t t = 0; t <= 120'000; t += 15'000) {
    std::string body =
        R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{"namespace":"apps","pod":"a"},"value":[)" +
        std::to_string(t / 1000) + R"(,"10"]}]}})";
    auto result = decoded(body.c_str());  // the vector reads it: it must outlive the tick
    replay::InstantVector vector(result);
    std::vector<engine::QueryResult> results(e.plan().queries.size());
    results[0].vector = &vector;
    e.tick(t, view, results);
  }
  auto firing = [&](std::size_t trigger) {
    auto state = e.trigger_state(0, trigger, "apps/a");
    return state && engine::is_firing(*state);
  };
  BOOST_TEST(firing(0));
  BOOST_TEST(firing(1));
  BOOST_TEST(replay::forget_unrestorable(e, program) == 4u);
  BOOST_TEST(firing(0));
  BOOST_TEST(!firing(1));
  BOOST_TEST(firing(3));
}
