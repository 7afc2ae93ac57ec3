#include <simdjson.h>
#include <boost/test/unit_test.hpp>

#include "base/json_escape.hpp"
#include "dsl/render.hpp"

using namespace skippy::dsl;

namespace {

struct Fixture {
  SourceManager sources;
  Diagnostics diagnostics;
  Fixture() {
    const auto& f = sources.add("p.skippy", "policy a {\n  mode automatc\n}\n");
    diagnostics.report(DiagCode::UnknownMode, Span{f.id(), 18, 26}, "unknown mode `automatc`")
        .notes.push_back({std::nullopt, "did you mean `automatic`?"});
    diagnostics.report(DiagCode::EmptyDescription, Span{f.id(), 7, 8}, "a \"quoted\"\tmessage");
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(render)

BOOST_FIXTURE_TEST_CASE(text_has_location_code_source_and_caret, Fixture) {
  std::string text = render_text(diagnostics, sources);
  BOOST_TEST(text.find("p.skippy:2:8: error[E0212]: unknown mode `automatc`\n"
                       "  |\n"
                       "2 |   mode automatc\n"
                       "  |        ^^^^^^^^\n"
                       "  = note: did you mean `automatic`?\n") == 0u);
  BOOST_TEST(text.find("p.skippy:1:8: warning[W0001]") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(json_is_valid_and_complete, Fixture) {
  std::string json = render_json(diagnostics, sources);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  BOOST_REQUIRE(!parser.parse(json).get(doc));
  BOOST_TEST(int64_t(doc["errors"]) == 1);
  BOOST_TEST(int64_t(doc["warnings"]) == 1);
  auto first = doc["diagnostics"].at(0);
  BOOST_TEST(std::string_view(first["code"]) == "E0212");
  BOOST_TEST(int64_t(first["line"]) == 2);
  BOOST_TEST(int64_t(first["column"]) == 8);
  BOOST_TEST(std::string_view(doc["diagnostics"].at(1)["message"]) == "a \"quoted\"\tmessage");
}

BOOST_FIXTURE_TEST_CASE(sarif_has_the_2_1_0_shape, Fixture) {
  std::string sarif = render_sarif(diagnostics, sources, "0.1.0");
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  BOOST_REQUIRE(!parser.parse(sarif).get(doc));
  BOOST_TEST(std::string_view(doc["version"]) == "2.1.0");
  auto run = doc["runs"].at(0);
  BOOST_TEST(std::string_view(run["tool"]["driver"]["name"]) == "skippy");
  BOOST_TEST(simdjson::dom::array(run["tool"]["driver"]["rules"]).size() == 2u);
  auto result = run["results"].at(0);
  BOOST_TEST(std::string_view(result["ruleId"]) == "E0212");
  BOOST_TEST(std::string_view(result["level"]) == "error");
  auto region = result["locations"].at(0)["physicalLocation"]["region"];
  BOOST_TEST(int64_t(region["startLine"]) == 2);
  BOOST_TEST(int64_t(region["startColumn"]) == 8);
  BOOST_TEST(std::string_view(run["results"].at(1)["level"]) == "warning");
}

BOOST_AUTO_TEST_CASE(json_escape_controls) {
  BOOST_TEST(skippy::base::json_escape(std::string("a\x01"
                                                   "b",
                                                   3)) == "a\\u0001b");
  BOOST_TEST(skippy::base::json_escape("\\\"") == "\\\\\\\"");
}

BOOST_AUTO_TEST_SUITE_END()
