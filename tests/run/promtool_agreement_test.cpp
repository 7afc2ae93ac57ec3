// The runtime's `for`, `keep_firing_for` and missing-data semantics agree with Prometheus's
// alerting rules, with `promtool test rules` as the judge. For each series shape, the tick
// engine evaluates `trigger t when m > 5 for F keep_firing_for K` at every 15 s step; its
// firing timeline becomes the expected alerts of a promtool unit test of the equivalent
// alerting rule over the same input series; promtool must pass it. The shapes, the timeline
// and the equivalent rule are in promtool_agreement.hpp.
#define BOOST_TEST_MODULE promtool_agreement
#include <boost/test/unit_test.hpp>

#include "tests/run/promtool_agreement.hpp"
#include "tests/runtime/prometheus/support.hpp"

using namespace skippy::test::agreement;
namespace promtool_judge = skippy::test::promtool_judge;
using skippy::test::TempDir;

BOOST_AUTO_TEST_CASE(skippy_and_promtool_agree_on_every_shape) {
  BOOST_TEST(std::size(kShapes) >= 20u);
  TempDir dir("skippy-promtool-agreement");
  for (const Shape& shape : kShapes) {
    BOOST_TEST_CONTEXT(shape.name << ": " << shape.values << " for " << shape.for_duration) {
      std::size_t steps = expand(shape.values).size() + 4;
      auto firing = skippy_timeline(shape, steps);
      if (std::getenv("SKIPPY_SHOW_TIMELINES"))
        BOOST_TEST_MESSAGE(shape.name << ": " << promtool_judge::timeline_text(firing));
      std::string log;
      int rc = promtool_judge::run_promtool(dir.path(), rule_file(shape),
                                            promtool_test(shape, firing), log);
      BOOST_TEST(rc == 0, log);
    }
  }
}

BOOST_AUTO_TEST_CASE(the_judge_can_disagree) {
  // A wrong expectation must fail promtool, or the agreement above would prove nothing.
  TempDir dir("skippy-promtool-agreement");
  Shape shape{"step up", "0 0 0 10 10 10 10 10", "30s", ""};
  auto firing = skippy_timeline(shape, 8);
  firing[4] = !firing[4];
  std::string log;
  BOOST_TEST(promtool_judge::run_promtool(dir.path(), rule_file(shape),
                                          promtool_test(shape, firing), log) != 0);
}
