// Test support: compile policy text held in memory through the whole front end and the
// compiler, as `skippy compile` would.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "compiler/compile.hpp"
#include "dsl/diagnostics.hpp"
#include "dsl/source.hpp"
#include "dsl/validate.hpp"
#include "grammar/load.hpp"
#include "runtime/bytecode/program.hpp"

namespace skippy::testing {

struct Compiled {
  dsl::SourceManager sources;
  dsl::Diagnostics diagnostics;
  std::optional<bytecode::Program> program;

  std::vector<std::string> codes() const {
    std::vector<std::string> out;
    for (const auto& d : diagnostics.all()) out.emplace_back(dsl::diag_info(d.code).code);
    return out;
  }
  std::string messages() const {
    std::string out;
    for (const auto& d : diagnostics.all())
      out += std::string(dsl::diag_info(d.code).code) + " " + d.message + "\n";
    return out;
  }
};

inline std::unique_ptr<Compiled> compile_text(const std::string& text,
                                              compiler::CompileOptions options = {}) {
  auto c = std::make_unique<Compiled>();
  dsl::Program program;
  program.modules.push_back(grammar::load_text("t.skippy", text, c->sources, c->diagnostics));
  dsl::validate_program(program, c->diagnostics);
  c->program = compiler::compile_program(program, c->sources, c->diagnostics, options);
  c->diagnostics.sort();
  return c;
}

// A policy with a safety block that allows destructive actions, around `body`.
inline std::string policy_text(const std::string& body, const std::string& select = "select pods") {
  return "policy p {\n  " + select +
         "\n  every 15s\n  safety { cooldown 5m max_actions 3 per 1h }\n" + body + "\n}\n";
}

}  // namespace skippy::testing
