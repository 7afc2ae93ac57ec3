#include <boost/test/unit_test.hpp>

#include "dsl/source.hpp"

using namespace skippy::dsl;

BOOST_AUTO_TEST_SUITE(source)

BOOST_AUTO_TEST_CASE(line_and_column_are_one_based) {
  SourceFile f(0, "a.skippy", "ab\ncd\n\nef");
  BOOST_TEST(f.line_column(0).line == 1u);
  BOOST_TEST(f.line_column(0).column == 1u);
  BOOST_TEST(f.line_column(4).line == 2u);
  BOOST_TEST(f.line_column(4).column == 2u);
  BOOST_TEST(f.line_column(7).line == 4u);
  BOOST_TEST(f.line_text(2) == "cd");
  BOOST_TEST(f.line_text(3) == "");
  BOOST_TEST(f.line_text(4) == "ef");
  BOOST_TEST(f.line_text(5) == "");
}

BOOST_AUTO_TEST_CASE(columns_count_code_points) {
  // "é" is two bytes; the column after it is 2, not 3.
  SourceFile f(0, "u.skippy", "\xC3\xA9x");
  BOOST_TEST(f.line_column(2).column == 2u);
}

BOOST_AUTO_TEST_CASE(offsets_past_the_end_clamp) {
  SourceFile f(0, "e.skippy", "abc");
  BOOST_TEST(f.line_column(100).column == 4u);
  SourceFile empty(1, "empty.skippy", "");
  BOOST_TEST(empty.line_column(0).line == 1u);
}

BOOST_AUTO_TEST_CASE(crlf_lines_drop_the_carriage_return) {
  SourceFile f(0, "w.skippy", "a\r\nb");
  BOOST_TEST(f.line_text(1) == "a");
}

BOOST_AUTO_TEST_SUITE_END()
