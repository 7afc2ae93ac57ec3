// The silence gate: Alertmanager's matcher semantics (equal, not equal, anchored regex, negated
// regex, a missing label as ""), a silence's time bounds, the labels of an action's alert, and
// the gate itself: a matching active silence blocks, an unreachable Alertmanager passes with a
// note unless silences are required.
#include <boost/test/unit_test.hpp>

#include <span>

#include "runtime/safety/gatekeeper.hpp"
#include "runtime/safety/silence.hpp"
#include "tests/runtime/safety/gate_helpers.hpp"
#include "tests/support/safety_support.hpp"

using namespace skippy;
using namespace skippy::testing;
using safety::Gate;
using safety::make_matcher;

namespace {

safety::Silence silence_of(std::vector<safety::SilenceMatcher> matchers, std::int64_t starts = 0,
                           std::int64_t ends = 3'600'000) {
  safety::Silence s;
  s.id = "s-1";
  s.matchers = std::move(matchers);
  s.starts_ms = starts;
  s.ends_ms = ends;
  s.created_by = "ops";
  s.comment = "maintenance";
  return s;
}

safety::SilenceView view_of(std::vector<safety::Silence> active) {
  safety::SilenceView v;
  v.asked = v.answered = 1;
  v.active = std::move(active);
  return v;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(silence)

BOOST_AUTO_TEST_CASE(matchers_follow_alertmanager) {
  BOOST_TEST(matches(make_matcher("policy", "web", false, true), "web"));
  BOOST_TEST(!matches(make_matcher("policy", "web", false, true), "webs"));
  BOOST_TEST(matches(make_matcher("policy", "web", false, false), "api"));   // !=
  BOOST_TEST(!matches(make_matcher("policy", "web", false, false), "web"));  // !=
  // A regex is anchored at both ends.
  BOOST_TEST(matches(make_matcher("target", "web-.*", true, true), "web-1"));
  BOOST_TEST(!matches(make_matcher("target", "web", true, true), "web-1"));
  BOOST_TEST(!matches(make_matcher("target", "eb-1", true, true), "web-1"));
  BOOST_TEST(matches(make_matcher("target", "a|b", true, true), "b"));
  BOOST_TEST(!matches(make_matcher("target", "a|b", true, true), "ab"));
  BOOST_TEST(matches(make_matcher("target", "web-.*", true, false), "api-1"));  // !~
  BOOST_TEST(!matches(make_matcher("target", "web-.*", true, false), "web-1"));
  // An invalid regex matches nothing, whichever way.
  BOOST_TEST(!matches(make_matcher("target", "(", true, true), "("));
  BOOST_TEST(!matches(make_matcher("target", "(", true, false), "x"));
}

BOOST_AUTO_TEST_CASE(alert_labels_describe_the_action) {
  auto r = pod_action("mem", "web-1");
  auto labels = safety::alert_labels(r);
  BOOST_TEST(safety::label_value(labels, "alertname") == "SkippyAction");
  BOOST_TEST(safety::label_value(labels, "policy") == "mem");
  BOOST_TEST(safety::label_value(labels, "trigger") == "crashing");
  BOOST_TEST(safety::label_value(labels, "action") == "restart");
  BOOST_TEST(safety::label_value(labels, "kind") == "Pod");
  BOOST_TEST(safety::label_value(labels, "namespace") == "apps");
  BOOST_TEST(safety::label_value(labels, "target") == "web-1");
  BOOST_TEST(safety::label_value(labels, "severity") == "info");
  BOOST_TEST(safety::label_value(labels, "outcome") == "");  // not the gates' to say
  r.arguments.push_back({"severity", "\"critical\""});
  BOOST_TEST(safety::label_value(safety::alert_labels(r), "severity") == "critical");
}

BOOST_AUTO_TEST_CASE(a_silence_needs_every_matcher_and_its_time) {
  auto labels = safety::alert_labels(pod_action("mem", "web-1"));
  auto s = silence_of(
      {make_matcher("policy", "mem", false, true), make_matcher("target", "web-.*", true, true)},
      1000, 2000);
  BOOST_TEST(!safety::silences(s, labels, 999));  // not started
  BOOST_TEST(safety::silences(s, labels, 1000));
  BOOST_TEST(safety::silences(s, labels, 1999));
  BOOST_TEST(!safety::silences(s, labels, 2000));  // ended
  s.matchers.push_back(make_matcher("namespace", "apps", false, false));
  BOOST_TEST(!safety::silences(s, labels, 1500));  // one matcher fails: not silenced
  // A matcher on a label the alert does not have sees "".
  s.matchers.back() = make_matcher("team", "", false, true);
  BOOST_TEST(safety::silences(s, labels, 1500));
  s.matchers.back() = make_matcher("team", "db", false, false);
  BOOST_TEST(safety::silences(s, labels, 1500));
  s.matchers.clear();
  BOOST_TEST(!safety::silences(s, labels, 1500));  // no matchers: nothing
}

BOOST_AUTO_TEST_CASE(the_gate_blocks_a_silenced_action) {
  safety::Gatekeeper g(open_config());
  auto view = view_of({silence_of({make_matcher("policy", "mem", false, true)})});
  auto r = pod_action("mem", "web-1");
  auto ds = g.decide(std::span(&r, 1), web_facts(), 60'000, view);
  BOOST_TEST(safety::outcome_text(ds[0]) == "blocked:silence");
  BOOST_TEST(ds[0].gate(Gate::Silence).reason == "silenced by s-1 for 59m (ops: maintenance)");
  BOOST_TEST(verdicts(ds[0]) ==
             "mode:passed arguments:passed protected:passed silence:blocked cooldown:not-reached "
             "rate-limit:not-reached blast-radius:not-reached circuit-breaker:not-reached "
             "concurrency:not-reached approval:not-reached");
  // Another policy's action is not silenced; nor is this one once the silence has ended.
  auto other = pod_action("cpu", "web-1");
  BOOST_TEST(once(g, other, 60'000) == "execute");
  ds = g.decide(std::span(&r, 1), web_facts(2, 0), 3'600'000, view);
  BOOST_TEST(safety::outcome_text(ds[0]) == "execute");
  BOOST_TEST(std::string(safety::verdict_name(ds[0].gate(Gate::Silence).verdict)) == "passed");
}

BOOST_AUTO_TEST_CASE(an_unreachable_alertmanager_blocks_only_when_required) {
  safety::Gatekeeper g(open_config());
  safety::SilenceView view;
  view.asked = 2;
  view.problem = "connection refused";
  auto r = pod_action("mem", "web-1");
  auto ds = g.decide(std::span(&r, 1), web_facts(), 0, view);
  BOOST_TEST(safety::outcome_text(ds[0]) == "execute");
  BOOST_TEST(ds[0].gate(Gate::Silence).reason ==
             "alertmanager unreachable: connection refused; acting without its silences");
  view.required = true;
  auto r2 = pod_action("mem", "web-2");
  ds = g.decide(std::span(&r2, 1), web_facts(), 0, view);
  BOOST_TEST(safety::outcome_text(ds[0]) == "blocked:silence");
  BOOST_TEST(ds[0].gate(Gate::Silence).reason ==
             "alertmanager unreachable: connection refused; silences are required");
  // No Alertmanager configured: the gate passes silently, required or not.
  view = {};
  view.required = true;
  auto r3 = pod_action("mem", "web-3");
  ds = g.decide(std::span(&r3, 1), web_facts(), 0, view);
  BOOST_TEST(safety::outcome_text(ds[0]) == "execute");
  BOOST_TEST(ds[0].gate(Gate::Silence).reason == "");
}

BOOST_AUTO_TEST_SUITE_END()
