// Documentation that users rely on stays in step with the code.
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <sstream>

#include "dsl/diagnostics.hpp"

BOOST_AUTO_TEST_CASE(every_diagnostic_code_is_documented) {
  std::ifstream in(std::string(SKIPPY_SOURCE_DIR) + "/docs/diagnostics.md");
  BOOST_REQUIRE(in);
  std::stringstream s;
  s << in.rdbuf();
  std::string doc = s.str();
  for (const auto& info : skippy::dsl::all_diag_codes()) {
    BOOST_TEST_CONTEXT(info.code) {
      BOOST_TEST(doc.find("<a id=\"" + std::string(info.code) + "\"></a>") != std::string::npos);
    }
  }
}
