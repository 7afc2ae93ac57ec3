// base/: literals (numbers, durations, quantities, percentages).
#define BOOST_TEST_MODULE base
#include <boost/test/unit_test.hpp>

#include "base/literals.hpp"

using namespace skippy::base;

BOOST_AUTO_TEST_SUITE(literals)

BOOST_AUTO_TEST_CASE(plain_numbers) {
  auto a = classify_literal("85");
  BOOST_TEST((a.kind == LiteralKind::Number));
  BOOST_TEST(a.value == 85.0);
  auto b = classify_literal("0.8");
  BOOST_TEST((b.kind == LiteralKind::Number));
  BOOST_TEST(b.value == 0.8);
  BOOST_TEST((classify_literal("1.").kind == LiteralKind::Invalid));
  BOOST_TEST((classify_literal("1.2.3").kind == LiteralKind::Invalid));
}

BOOST_AUTO_TEST_CASE(durations_follow_prometheus) {
  BOOST_TEST(parse_duration("90s").value() == 90'000);
  BOOST_TEST(parse_duration("1h30m").value() == 5'400'000);
  BOOST_TEST(parse_duration("500ms").value() == 500);
  BOOST_TEST(parse_duration("1y").value() == 365LL * 24 * 3600 * 1000);
  BOOST_TEST(parse_duration("2w3d").value() == 17LL * 24 * 3600 * 1000);
  // Largest unit first, each once.
  BOOST_TEST(!parse_duration("30m1h").has_value());
  BOOST_TEST(!parse_duration("1h1h").has_value());
  BOOST_TEST(!parse_duration("1.5h").has_value());
  BOOST_TEST(!parse_duration("h").has_value());
  BOOST_TEST(!parse_duration("").has_value());
  BOOST_TEST(!parse_duration("5mins").has_value());
  // Overflow is refused, not wrapped.
  BOOST_TEST(!parse_duration("999999999999y").has_value());
}

BOOST_AUTO_TEST_CASE(duration_classification) {
  auto d = classify_literal("1h30m");
  BOOST_TEST((d.kind == LiteralKind::Duration));
  BOOST_TEST(d.millis == 5'400'000);
  BOOST_TEST(d.value == 5400.0);
  BOOST_TEST(!d.minutes_or_milli);
  auto m = classify_literal("250m");
  BOOST_TEST((m.kind == LiteralKind::Duration));
  BOOST_TEST(m.minutes_or_milli);
}

BOOST_AUTO_TEST_CASE(quantities) {
  auto mi = classify_literal("512Mi");
  BOOST_TEST((mi.kind == LiteralKind::Quantity));
  BOOST_TEST(mi.value == 512.0 * 1024 * 1024);
  auto g = classify_literal("2G");
  BOOST_TEST(g.value == 2e9);
  auto milli = classify_literal("1.5m");
  BOOST_TEST((milli.kind == LiteralKind::Quantity));
  BOOST_TEST(milli.value == 0.0015);
  BOOST_TEST((classify_literal("5Xi").kind == LiteralKind::Invalid));
}

BOOST_AUTO_TEST_CASE(percentages) {
  auto p = classify_literal("25%");
  BOOST_TEST((p.kind == LiteralKind::Percent));
  BOOST_TEST(p.value == 25.0);
  BOOST_TEST((classify_literal("25%%").kind == LiteralKind::Invalid));
  BOOST_TEST((classify_literal("2%5").kind == LiteralKind::Invalid));
}

BOOST_AUTO_TEST_CASE(invalid_literals_say_why) {
  auto bad = classify_literal("5mins");
  BOOST_TEST((bad.kind == LiteralKind::Invalid));
  BOOST_TEST(bad.error.find("largest first") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(format_duration_is_shortest) {
  BOOST_TEST(format_duration(90'000) == "1m30s");
  BOOST_TEST(format_duration(0) == "0s");
  BOOST_TEST(format_duration(3'600'500) == "1h500ms");
}

BOOST_AUTO_TEST_SUITE_END()
