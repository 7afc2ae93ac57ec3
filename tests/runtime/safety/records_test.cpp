// Decision records (one JSON line with every gate) and actions adopted from another instance.
#include <simdjson.h>
#include <boost/test/unit_test.hpp>

#include "base/time_format.hpp"

#include <map>
#include <vector>

#include "runtime/safety/decision_record.hpp"
#include "runtime/safety/executor.hpp"
#include "runtime/safety/gatekeeper.hpp"
#include "runtime/safety/health_check.hpp"
#include "runtime/safety/journal.hpp"
#include "tests/runtime/safety/gate_helpers.hpp"
#include "tests/support/safety_support.hpp"

using namespace skippy;
using namespace skippy::testing;
using safety::ActionRequest;
using safety::ActionState;
using safety::Decision;
using safety::ExecutionStatus;
using safety::Gate;
using safety::Gatekeeper;
using safety::Outcome;
using safety::Verdict;

// ---- decision records -------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(a_decision_record_is_one_json_line_with_every_gate) {
  Gatekeeper g(open_config());
  auto r = pod_action("p\"q", "web-1");
  r.limits.cooldown_target_ms = kMinute;
  r = with_id(r);
  g.decide(std::span(&r, 1), web_facts(), 0);
  auto again = with_id(pod_action("p\"q", "web-1", "restart", 1));
  again.limits.cooldown_target_ms = kMinute;
  again = with_id(again);
  auto ds = g.decide(std::span(&again, 1), web_facts(), 30 * kSecond);
  std::string line = safety::decision_record(ds[0]);
  BOOST_TEST(line.find('\n') == std::string::npos);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  BOOST_REQUIRE(parser.parse(line).get(doc) == simdjson::SUCCESS);
  BOOST_TEST(std::string_view(doc["id"]) == again.id);
  BOOST_TEST(std::string_view(doc["time"]) == base::format_time(30 * kSecond));
  BOOST_TEST(std::string_view(doc["policy"]) == "p\"q");
  BOOST_TEST(std::string_view(doc["trigger"]) == "crashing");
  BOOST_TEST(std::string_view(doc["target"]) == "Pod/apps/web-1");
  BOOST_TEST(std::string_view(doc["action"]) == "restart");
  BOOST_TEST(std::string_view(doc["arguments"]["strategy"]) == "rolling");
  BOOST_TEST(std::string_view(doc["mode"]) == "automatic");
  BOOST_TEST(std::string_view(doc["outcome"]) == "blocked:cooldown");
  simdjson::dom::array gates = doc["gates"];
  BOOST_TEST(gates.size() == safety::kGateCount);
  BOOST_TEST(std::string_view(gates.at(4)["gate"]) == "cooldown");
  BOOST_TEST(std::string_view(gates.at(4)["verdict"]) == "blocked");
  BOOST_TEST(std::string_view(gates.at(4)["reason"]) == "cooldown 1m per target: 30s left");
  BOOST_TEST(std::string_view(gates.at(5)["verdict"]) == "not-reached");

  auto dry = pod_action("p", "web-9");
  dry.mode = bytecode::Mode::DryRun;
  dry.unknown_arguments = true;
  dry = with_id(dry);
  ds = g.decide(std::span(&dry, 1), web_facts(), 0);
  line = safety::decision_record(ds[0]);
  BOOST_REQUIRE(parser.parse(line).get(doc) == simdjson::SUCCESS);
  BOOST_TEST(std::string_view(doc["outcome"]) == "dry-run");
  BOOST_TEST(std::string_view(doc["would"]) == "blocked:arguments");
}

// ---- adopting what another instance did ---------------------------------------------------------

BOOST_AUTO_TEST_CASE(an_adopted_action_holds_its_cooldowns_and_rate_window_from_its_decision) {
  auto config = open_config();
  Gatekeeper g(config);
  auto done = pod_action("p", "web-1");
  done.limits.cooldown_target_ms = 10 * kMinute;
  done.limits.max_actions = 1;
  done.limits.max_actions_window_ms = kHour;
  done = with_id(done);
  BOOST_TEST(g.adopt(done, ActionState::Succeeded, 2 * kMinute, 5 * kMinute));
  BOOST_TEST(!g.adopt(done, ActionState::Succeeded, 2 * kMinute, 5 * kMinute));  // known now
  BOOST_TEST(g.find(done.id)->state == ActionState::Succeeded);
  BOOST_TEST(!g.awaiting_approval());
  BOOST_TEST(once(g, done, 5 * kMinute) == "duplicate");
  // Another firing on the same target: held by the cooldown until 12m, then by the rate window.
  auto again = with_id(pod_action("p", "web-1", "restart", 4 * kMinute));
  again.limits = done.limits;
  BOOST_TEST(once(g, again, 11 * kMinute) == "blocked:cooldown");
  auto other = with_id(pod_action("p", "web-2", "restart", 4 * kMinute));
  other.limits = done.limits;
  BOOST_TEST(once(g, other, 13 * kMinute) == "blocked:rate-limit");
  // It ran elsewhere and has ended: it holds no in-flight budget here.
  auto free_policy = with_id(pod_action("q", "web-3"));
  BOOST_TEST(once(g, free_policy, 13 * kMinute) == "execute");
}
