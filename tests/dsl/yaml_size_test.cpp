#include <boost/test/unit_test.hpp>

#include "dsl/yaml_size.hpp"
#include "tests/support/yaml_laughs.hpp"

using namespace skippy::dsl;

BOOST_AUTO_TEST_SUITE(yaml_size)

BOOST_AUTO_TEST_CASE(a_value_counts_16_bytes_a_node_and_its_scalars_text) {
  // A mapping, two keys, a value, a list and its three items: 8 nodes, and 6 bytes of text.
  BOOST_TEST(yaml_expanded_size(YAML::Load("{a: x, b: [y, y, y]}"), 1000, 8) == 8 * 16 + 6);
  // An alias counts what it stands for, each time.
  BOOST_TEST(yaml_expanded_size(YAML::Load("{a: &s xx, b: *s, c: *s}"), 1000, 8) ==
             7 * 16 + 3 + 3 * 2);
}

BOOST_AUTO_TEST_CASE(counting_stops_at_the_budget_however_far_the_aliases_reach) {
  // A billion values once followed: the count stops just past the budget, having visited a few
  // thousand of them, and a patch this large is refused.
  YAML::Node laughs = YAML::Load(skippy::testing::yaml_laughs(""));
  std::size_t size = yaml_expanded_size(laughs, kMaxPatchBytes, kMaxPatchDepth);
  BOOST_TEST(size > kMaxPatchBytes);
  BOOST_TEST(size <= kMaxPatchBytes + 16 + 2);
  BOOST_TEST(patch_too_large(laughs));
  BOOST_TEST(!patch_too_large(YAML::Load("{spec: {replicas: 3}}")));
}

BOOST_AUTO_TEST_CASE(nesting_past_the_depth_counts_as_past_the_budget) {
  std::string deep = std::string(70, '[') + std::string(70, ']');
  BOOST_TEST(yaml_expanded_size(YAML::Load(deep), 1000, 64) > 1000u);
  BOOST_TEST(patch_too_large(YAML::Load(deep)));
}

BOOST_AUTO_TEST_SUITE_END()
