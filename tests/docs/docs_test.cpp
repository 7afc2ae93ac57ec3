// Documentation that users rely on stays in step with the code: every diagnostic code,
// every opcode and every built-in is documented.
#define BOOST_TEST_MODULE docs
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <sstream>

#include "dsl/diagnostics.hpp"
#include "runtime/bytecode/opcodes.hpp"
#include "stdlib/builtins/catalog.hpp"

namespace {

std::string doc(const char* name) {
  std::ifstream in(std::string(SKIPPY_SOURCE_DIR) + "/docs/" + name);
  BOOST_REQUIRE_MESSAGE(in, std::string("docs/") + name + " is missing");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

bool has_code(const std::string& text, std::string_view name) {
  return text.find("`" + std::string(name) + "`") != std::string::npos ||
         text.find("`" + std::string(name) + "(") != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_diagnostic_code_is_documented) {
  auto text = doc("diagnostics.md");
  for (const auto& info : skippy::dsl::all_diag_codes()) {
    BOOST_TEST_CONTEXT(info.code) {
      BOOST_TEST(text.find("<a id=\"" + std::string(info.code) + "\"></a>") != std::string::npos);
    }
  }
}

BOOST_AUTO_TEST_CASE(every_opcode_is_documented) {
  auto text = doc("bytecode.md");
  for (const auto& op : skippy::bytecode::kOpInfo) {
    BOOST_TEST_CONTEXT(op.name) {
      BOOST_TEST(has_code(text, op.name));
    }
  }
}

BOOST_AUTO_TEST_CASE(every_builtin_is_documented) {
  auto text = doc("builtins.md");
  for (const auto& f : skippy::stdlib::functions()) {
    BOOST_TEST_CONTEXT(f.name) {
      BOOST_TEST(has_code(text, f.name));
    }
  }
  for (const auto& f : skippy::stdlib::window_functions()) {
    BOOST_TEST_CONTEXT(f.name) {
      BOOST_TEST(has_code(text, f.name));
    }
  }
  for (const auto& f : skippy::stdlib::fields()) {
    std::string full =
        std::string(f.owner == skippy::stdlib::FieldOwner::Pod ? "pod." : "workload.") +
        std::string(f.name);
    BOOST_TEST_CONTEXT(full) {
      BOOST_TEST(has_code(text, full));
    }
  }
  for (const auto& a : skippy::stdlib::actions()) {
    BOOST_TEST_CONTEXT(a.name) {
      BOOST_TEST(has_code(text, a.name));
    }
  }
}
