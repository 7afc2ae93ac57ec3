// The .skpc format: round trips, and a loader that rejects every truncation and every
// single-byte corruption of real programs, and every hand-made broken program, cleanly.
#define BOOST_TEST_MODULE bytecode
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "runtime/bytecode/decompile.hpp"
#include "runtime/bytecode/file.hpp"
#include "stdlib/builtins/functions.hpp"
#include "tests/support/compile_text.hpp"

using namespace skippy;
namespace fs = std::filesystem;

namespace {

// Compiles all of samples/ as `skippy compile samples/` would.
bytecode::Program compile_samples() {
  std::vector<std::string> paths;
  for (const auto& e : fs::directory_iterator(fs::path(SKIPPY_SOURCE_DIR) / "samples")) {
    if (e.path().extension() == ".skippy") paths.push_back(e.path().string());
  }
  std::sort(paths.begin(), paths.end());
  dsl::SourceManager sources;
  dsl::Diagnostics diagnostics;
  auto loaded = grammar::load_program(paths, sources, diagnostics);
  dsl::validate_program(loaded.program, diagnostics);
  auto program = compiler::compile_program(loaded.program, sources, diagnostics);
  BOOST_REQUIRE(program.has_value());
  return *program;
}

const bytecode::Program& samples() {
  static const bytecode::Program program = compile_samples();
  return program;
}

std::vector<std::string> load_errors(const bytecode::Program& p) {
  std::vector<std::string> out;
  for (const auto& e : bytecode::verify_program(p, stdlib::load_limits())) out.push_back(e.message);
  return out;
}

bool mentions(const std::vector<std::string>& errors, const std::string& text) {
  for (const auto& e : errors) {
    if (e.find(text) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

BOOST_AUTO_TEST_CASE(round_trip_is_exact) {
  auto bytes = bytecode::write_program(samples());
  auto loaded = bytecode::load_program(bytes, stdlib::load_limits());
  BOOST_REQUIRE(loaded.ok());
  BOOST_TEST((loaded.program == samples()));
  BOOST_TEST(bytecode::write_program(loaded.program) == bytes);
  BOOST_TEST(samples().policies.size() >= 9u);
}

BOOST_AUTO_TEST_CASE(every_truncation_is_rejected) {
  auto bytes = bytecode::write_program(samples());
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    auto result = bytecode::load_program(std::span(bytes.data(), n), stdlib::load_limits());
    BOOST_TEST_REQUIRE(!result.ok(), "a file cut to " << n << " bytes was accepted");
  }
}

BOOST_AUTO_TEST_CASE(every_single_byte_corruption_is_rejected) {
  auto bytes = bytecode::write_program(samples());
  std::size_t rejected = 0;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    for (std::uint8_t flip : {std::uint8_t{0x01}, std::uint8_t{0x80}, std::uint8_t{0xFF}}) {
      auto corrupt = bytes;
      corrupt[i] ^= flip;
      auto result = bytecode::load_program(corrupt, stdlib::load_limits());
      BOOST_TEST_REQUIRE(!result.ok(), "byte " << i << " xor " << int(flip) << " was accepted");
      ++rejected;
    }
  }
  BOOST_TEST(rejected == bytes.size() * 3);
}

BOOST_AUTO_TEST_CASE(wrong_magic_version_and_padding_say_so) {
  auto bytes = bytecode::write_program(samples());
  auto bad_magic = bytes;
  bad_magic[0] = 'X';
  BOOST_TEST(
      bytecode::load_program(bad_magic, stdlib::load_limits()).errors.at(0).message.find("magic") !=
      std::string::npos);
  auto newer = bytes;
  newer[4] = bytecode::kFormatVersion + 1;
  BOOST_TEST(bytecode::load_program(newer, stdlib::load_limits())
                 .errors.at(0)
                 .message.find("version " + std::to_string(bytecode::kFormatVersion + 1)) !=
             std::string::npos);
  auto padded = bytes;
  padded.push_back(0);
  BOOST_TEST(!bytecode::load_program(padded, stdlib::load_limits()).ok());
}

BOOST_AUTO_TEST_CASE(verifier_rejects_broken_code) {
  using bytecode::Op;
  auto fresh = [] { return samples(); };
  {
    auto p = fresh();
    auto& code = p.policies[0].code;
    code.insert(code.begin(), bytecode::Instruction{Op::JUMP, 0, 0});  // jumps to itself
    p.policies[0].code_pos.insert(p.policies[0].code_pos.begin(), bytecode::SourcePos{});
    BOOST_TEST(mentions(load_errors(p), "forward"));
  }
  {
    auto p = fresh();
    p.policies[0].code[0] = bytecode::Instruction{Op::ADD, 0, 0};  // pops an empty stack
    BOOST_TEST(mentions(load_errors(p), "empty stack"));
  }
  {
    auto p = fresh();
    p.policies[0].code[0] = bytecode::Instruction{Op::PUSH_CONST, 0, 60000};
    BOOST_TEST(mentions(load_errors(p), "constant out of range"));
  }
  {
    auto p = fresh();
    p.policies[0].code[0] = bytecode::Instruction{Op::PUSH_INPUT, 0, 999};
    BOOST_TEST(mentions(load_errors(p), "input slot out of range"));
  }
  {
    auto p = fresh();
    p.policies[0].code.back() = bytecode::Instruction{Op::POP, 0, 0};  // no RETURN at the end
    BOOST_TEST(!load_errors(p).empty());
  }
  {
    auto p = fresh();
    p.policies[0].code[0] = bytecode::Instruction{static_cast<Op>(200), 0, 0};
    BOOST_TEST(mentions(load_errors(p), "unknown opcode"));
  }
  {
    auto p = fresh();
    p.policies[0].cost_bound += 1;
    BOOST_TEST(mentions(load_errors(p), "cost bound"));
  }
  {
    auto p = fresh();
    p.policies[0].inputs[0].name = 1u << 30;
    BOOST_TEST(mentions(load_errors(p), "string"));
  }
  {
    // A local read before it is stored: the VM would read an unset slot.
    auto c = testing::compile_text(
        testing::policy_text("  trigger t when pod.restarts > 1\n  on t do {\n    let n = "
                             "pod.restarts + 1\n    scale(of: owner, to: n, max: 9)\n  }"));
    BOOST_REQUIRE(c->program);
    auto p = *c->program;
    auto& code = p.policies[0].code;
    auto store = std::find_if(code.begin(), code.end(),
                              [](const auto& i) { return i.op == Op::STORE_LOCAL; });
    BOOST_REQUIRE(store != code.end());
    BOOST_TEST(load_errors(p).empty());
    *store = bytecode::Instruction{Op::POP, 0, 0};
    BOOST_TEST(mentions(load_errors(p), "before it is stored"));
  }
  {
    // A handler that sets a trigger, or conditions code that proposes an action.
    auto p = fresh();
    auto& pol = p.policies[0];
    pol.code[pol.handlers[0].entry] = bytecode::Instruction{Op::PUSH_CONST, 0, 0};
    pol.code[pol.handlers[0].entry + 1] = bytecode::Instruction{Op::SET_TRIGGER, 0, 0};
    BOOST_TEST(mentions(load_errors(p), "outside the conditions"));
  }
}

BOOST_AUTO_TEST_CASE(corruption_with_a_recomputed_checksum_never_crashes) {
  // Past the checksum, the verifier alone stands between bytes and the VM. Change each byte
  // of the body, recompute the checksum, and load: the loader returns (accepts a program
  // that still verifies, or rejects it), and never crashes or reads out of bounds (this
  // test also runs under ASan in CI).
  auto bytes = bytecode::write_program(samples());
  std::size_t accepted = 0, rejected = 0;
  for (std::size_t i = 44; i + 4 < bytes.size(); ++i) {
    auto corrupt = bytes;
    corrupt[i] ^= 0xA5;
    bytecode::reseal_checksum(corrupt);
    auto result = bytecode::load_program(corrupt, stdlib::load_limits());
    (result.ok() ? accepted : rejected) += 1;
    if (result.ok()) {
      // Whatever verifies must also run: prepare it for the VM.
      BOOST_TEST(bytecode::verify_program(result.program, stdlib::load_limits()).empty());
    }
  }
  // Text, numbers and line numbers take any value; counts, indexes, enums and code do not.
  BOOST_TEST(rejected > 1000u);
  BOOST_TEST(accepted + rejected == bytes.size() - 48);
}

// ---- reading the code back (skippy explain-policy) -------------------------------------------

BOOST_AUTO_TEST_CASE(decompiled_code_has_the_shape_it_was_written_in) {
  auto c = testing::compile_text(
      testing::policy_text("  signal m = promql(`x`) by (namespace, pod)\n"
                           "  trigger t when m > 5 and not pod.ready for 1m clear when 2 > m\n"
                           "  on t do {\n"
                           "    let d = m - 1\n"
                           "    if d > 3 then delete(grace: 10s) priority 2\n"
                           "    else if pod.phase in [\"Failed\", \"Unknown\"] then restart()\n"
                           "    annotate(key: \"k\", value: \"v\")\n"
                           "  }"));
  BOOST_REQUIRE_MESSAGE(c->program, c->messages());
  const auto& policy = c->program->policies[0];
  std::string error;
  auto code = bytecode::decompile(policy, error);
  BOOST_REQUIRE_MESSAGE(code, error);
  using K = bytecode::CodeExpr::Kind;
  using S = bytecode::CodeStatement::Kind;
  // `m > 5` is one fused instruction, read back as the comparison it stands for.
  const auto& when = *code->triggers[0].condition;
  BOOST_TEST((when.kind == K::Binary && when.op == bytecode::Op::AND));
  BOOST_TEST((when.children[0].op == bytecode::Op::GT_NUM));
  BOOST_TEST((when.children[0].children[0].kind == K::Input));
  BOOST_TEST((when.children[1].kind == K::Unary && when.children[1].op == bytecode::Op::NOT));
  // `2 > m` was emitted as `m < 2`.
  const auto& clear = *code->triggers[0].clear;
  BOOST_TEST((clear.op == bytecode::Op::LT_NUM && clear.children[1].kind == K::Constant));
  BOOST_TEST(policy.constants[clear.children[1].index].number == 2);

  BOOST_REQUIRE_EQUAL(code->handlers.size(), 1u);
  const auto& body = code->handlers[0];
  BOOST_REQUIRE_EQUAL(body.size(), 3u);
  BOOST_TEST((body[0].kind == S::Let && body[0].value.op == bytecode::Op::SUB));
  BOOST_TEST((body[1].kind == S::If && body[1].value.children[0].kind == K::Local));
  BOOST_REQUIRE_EQUAL(body[1].then_branch.size(), 1u);
  BOOST_TEST((body[1].then_branch[0].kind == S::Propose));
  BOOST_TEST(body[1].then_branch[0].arguments.size() == 1u);
  BOOST_REQUIRE_EQUAL(body[1].else_branch.size(), 1u);  // the `else if`
  const auto& inner = body[1].else_branch[0];
  BOOST_TEST((inner.kind == S::If && inner.value.kind == K::InList));
  BOOST_TEST(inner.then_branch.size() == 1u);
  BOOST_TEST(inner.else_branch.empty());
  BOOST_TEST((body[2].kind == S::Propose && body[2].arguments.size() == 2u));
}

BOOST_AUTO_TEST_CASE(decompiling_every_sample_succeeds) {
  for (const auto& policy : samples().policies) {
    std::string error;
    BOOST_TEST(bytecode::decompile(policy, error).has_value(), error);
  }
}

BOOST_AUTO_TEST_CASE(code_the_compiler_would_not_emit_is_refused_with_where) {
  auto c = testing::compile_text(
      testing::policy_text("  trigger t when pod.restarts > 3\n  on t do delete()"));
  BOOST_REQUIRE(c->program);
  auto policy = c->program->policies[0];
  // A value left on the stack before RETURN.
  policy.code.insert(policy.code.begin() + policy.conditions_entry,
                     bytecode::Instruction{bytecode::Op::PUSH_CONST, 0, 0});
  for (auto& h : policy.handlers) ++h.entry;
  std::string error;
  BOOST_TEST(!bytecode::decompile(policy, error).has_value());
  BOOST_TEST(error.find("instruction ") == 0u, error);
}
