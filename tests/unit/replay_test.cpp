// Replay's pure parts: a range query's matrix cut into per-step vectors, and the window a
// restart replays.
#define BOOST_TEST_MODULE replay
#include <boost/test/unit_test.hpp>

#include "runtime/replay/prometheus_vectors.hpp"
#include "runtime/replay/replay.hpp"
#include "stdlib/engine_support.hpp"
#include "stdlib/functions.hpp"
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

BOOST_AUTO_TEST_CASE(nothing_to_restore_without_for_or_hold) {
  auto compiled = testing::compile_text(
      "policy p {\n  select pods in namespace \"apps\"\n  every 15s\n"
      "  signal m = promql(`m`)\n  trigger t when m > 5\n"
      "  on t do annotate(key: \"k\", value: \"v\")\n}\n");
  BOOST_REQUIRE_MESSAGE(compiled->program, compiled->messages());
  engine::Engine e(*compiled->program, stdlib::function_table(), stdlib::engine_builtins());
  BOOST_TEST(!replay::restore_window(e, *compiled->program, 1'000'005'000, 3'600'000).has_value());
}
