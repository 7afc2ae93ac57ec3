// The deterministic analyzer's rules (docs/ai.md), each pinned with fixed evidence: nothing to
// do on a flat signal; restart for one target degrading alone, scale when its workload
// degrades with it; an action that did not help is passed over; the confidence formula; the
// evidence it cites.
#define BOOST_TEST_MODULE analyzer
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <deque>

#include "stdlib/analyzer.hpp"
#include "stdlib/builtins/catalog.hpp"

using namespace skippy;

namespace {

constexpr std::int64_t kNow = 1'700'000'000'000;
constexpr std::int64_t kStep = 15'000;

// `n` samples every 15 s ending at now: start + slope per step.
std::vector<engine::HistorySample> line(double start, double per_step, int n = 20) {
  std::vector<engine::HistorySample> out;
  for (int i = 0; i < n; ++i) out.push_back({kNow - (n - 1 - i) * kStep, start + per_step * i});
  return out;
}

std::uint16_t action_id(std::string_view name) {
  return *stdlib::find_action(name);
}

// A site allowing `actions`, with threshold 85 and a 30-minute horizon, for pod `web-1`.
struct Question {
  bytecode::AdviceRequest request;
  std::deque<std::vector<engine::HistorySample>> series;  // stable: the question views them
  engine::AdviceQuestion q;

  explicit Question(std::vector<std::string_view> actions, bool threshold = true) {
    for (auto a : actions) request.allowed_actions.push_back(action_id(a));
    request.has_threshold = threshold;
    request.threshold = 85;
    request.horizon_ms = 30 * 60'000;
    request.history_ms = 30 * 60'000;
    q.request = &request;
    q.target = "apps/web-1";
    q.now_ms = kNow;
    for (auto a : request.allowed_actions)
      q.outcomes.push_back({"o" + std::to_string(q.outcomes.size() + 1),
                            a,
                            std::string(stdlib::actions()[a].name),
                            86'400'000,
                            {}});
  }
  void signal(std::vector<engine::HistorySample> s) {
    q.signals.push_back({"s" + std::to_string(q.signals.size() + 1), "mem_pct", "",
                         series.emplace_back(std::move(s))});
  }
  void peer(std::vector<engine::HistorySample> s) {
    q.peers.push_back({"p" + std::to_string(q.peers.size() + 1),
                       "apps/web-" + std::to_string(q.peers.size() + 2), "node-a",
                       series.emplace_back(std::move(s))});
  }
  engine::Verdict ask() { return stdlib::DeterministicAnalyzer().analyze(q); }
};

}  // namespace

BOOST_AUTO_TEST_CASE(a_flat_signal_far_from_the_threshold_gets_none) {
  Question t({"restart", "scale"});
  t.signal(line(50, 0));
  auto v = t.ask();
  BOOST_TEST(v.action == "none");
  BOOST_TEST(v.confidence == 0);
  BOOST_TEST(v.analyzer == "deterministic");
  BOOST_TEST(v.trend == "flat");
  BOOST_TEST(!v.time_to_threshold_s.has_value());
  BOOST_TEST(v.reason.find("no crossing of 85 within 30m") != std::string::npos, v.reason);
}

BOOST_AUTO_TEST_CASE(one_target_leaking_alone_is_restarted_with_its_forecast) {
  Question t({"restart", "scale"});
  t.signal(line(75, 0.25));  // 79.75 now, +1 a minute: 85 in 5m15s
  t.peer(line(50, 0));
  t.peer(line(52, 0));
  auto v = t.ask();
  BOOST_TEST(v.action == "restart");
  BOOST_TEST(v.scope == "target");
  BOOST_TEST(v.trend == "rising");
  BOOST_TEST_REQUIRE(v.time_to_threshold_s.has_value());
  BOOST_TEST(std::abs(*v.time_to_threshold_s - 315) < 1);
  // fit 1 (a clean line) x data 1 (20 samples) x scope 1 (no peer degrades) x history 1.
  BOOST_TEST(v.confidence == 1.0);
  BOOST_TEST(v.reason.find("forecast to reach 85 in 5m15s") != std::string::npos, v.reason);
  BOOST_TEST(v.reason.find("0 of 2 other targets of the workload degrading") != std::string::npos,
             v.reason);
  // Cited: the signal's fit, the peers, and the chosen action's outcomes.
  std::vector<std::string> ids;
  for (const auto& e : v.evidence) ids.push_back(e.id);
  BOOST_TEST(ids == (std::vector<std::string>{"s1", "p*", "o1"}));  // no pod in this question
  BOOST_TEST(v.evidence[0].json.find("\"shape\":\"rising\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_workload_degrading_together_is_scaled) {
  Question t({"restart", "scale"});
  t.signal(line(75, 0.25));
  t.peer(line(70, 0.3));
  t.peer(line(50, 0));
  auto v = t.ask();
  BOOST_TEST(v.scope == "workload");
  BOOST_TEST(v.action == "scale");
  // scope = 2 of the 3 targets with data degrade.
  BOOST_TEST(v.confidence == std::round(2.0 / 3.0 * 100) / 100);
}

BOOST_AUTO_TEST_CASE(the_choice_stays_within_the_allowed_set) {
  Question t({"notify"});
  t.signal(line(75, 0.25));
  auto v = t.ask();
  BOOST_TEST(v.action == "notify");  // not in the target's preference list first, but allowed
  Question none({});
  none.signal(line(75, 0.25));
  BOOST_TEST(none.ask().action == "none");
}

BOOST_AUTO_TEST_CASE(an_action_that_did_not_help_is_passed_over) {
  Question t({"restart", "scale"});
  t.signal(line(75, 0.25));
  t.q.outcomes[0].stats = {2, 0, 1, 1, 0};  // restart: twice, never healed
  auto v = t.ask();
  BOOST_TEST(v.action == "scale");
  BOOST_TEST(
      v.reason.find("passed over restart (o1: 2 attempts, none healed)") != std::string::npos,
      v.reason);
  // History weighs the confidence: scale healed 1 of 3 -> (1 + 1) / (3 + 1).
  t.q.outcomes[1].stats = {3, 1, 2, 0, 60'000};
  BOOST_TEST(t.ask().confidence == 0.5);
  // Every allowed action failed to help: none.
  t.q.outcomes[1].stats = {2, 0, 2, 0, 0};
  BOOST_TEST(t.ask().action == "none");
}

BOOST_AUTO_TEST_CASE(a_step_is_not_a_trend_and_short_history_is_not_enough) {
  Question step({"restart"});
  std::vector<engine::HistorySample> s = line(50, 0);
  for (std::size_t i = 15; i < s.size(); ++i) s[i].value = 80;
  step.signal(s);
  auto v = step.ask();
  BOOST_TEST(v.trend == "step");
  BOOST_TEST(v.action == "none");
  Question short_history({"restart"});
  short_history.signal(line(75, 0.25, 4));
  v = short_history.ask();
  BOOST_TEST(v.trend == "insufficient");
  BOOST_TEST(v.action == "none");
}

BOOST_AUTO_TEST_CASE(at_the_threshold_now_counts_with_full_fit_and_data_weighs_in) {
  Question t({"restart"});
  t.signal(line(86, 0, 10));  // flat above 85: already there
  auto v = t.ask();
  BOOST_TEST(v.action == "restart");
  BOOST_TEST_REQUIRE(v.time_to_threshold_s.has_value());
  BOOST_TEST(*v.time_to_threshold_s == 0);
  BOOST_TEST(v.confidence == 0.5);  // fit 1 x data 10/20
}

BOOST_AUTO_TEST_CASE(without_a_threshold_a_rising_signal_is_degrading) {
  Question t({"restart"}, false);
  t.signal(line(10, 1));
  auto v = t.ask();
  BOOST_TEST(v.action == "restart");
  BOOST_TEST(!v.time_to_threshold_s.has_value());
}
