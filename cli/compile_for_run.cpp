#include <iostream>

#include "cli/commands.hpp"
#include "dsl/render.hpp"
#include "toolchain/inputs.hpp"

namespace skippy::cli {

using toolchain::compile_inputs;

std::optional<bytecode::Program> compile_for_run(const std::vector<std::string>& paths,
                                                 const std::string& who, int& exit_code) {
  dsl::SourceManager sources;
  dsl::Diagnostics diagnostics;
  std::string usage;
  auto compiled = compile_inputs(paths, 10'000, sources, diagnostics, usage);
  std::cerr << dsl::render_text(diagnostics, sources);
  if (!usage.empty() || compiled.io_error) {
    std::cerr << who << ": " << (usage.empty() ? "a policy file cannot be read" : usage) << "\n";
    exit_code = kExitUsage;
    return std::nullopt;
  }
  if (!compiled.program) {
    std::cerr << who << ": the policies have errors\n";
    exit_code = kExitFindings;
  }
  return std::move(compiled.program);
}

}  // namespace skippy::cli
