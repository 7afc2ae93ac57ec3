// skippy compile FILE... -o policies.skpc: check, then write bytecode (atomically).
#include <cstdio>
#include <fstream>
#include <iostream>

#include "cli/commands.hpp"
#include "dsl/render.hpp"
#include "runtime/bytecode/file.hpp"
#include "toolchain/inputs.hpp"

namespace skippy::cli {

void add_compile_command(CLI::App& app, CompileOptions& options) {
  auto* cmd = app.add_subcommand("compile", "Compile policy files to bytecode (.skpc)");
  cmd->add_option("files", options.paths, "Policy files or directories")->required();
  cmd->add_option("-o,--output", options.output, "The bytecode file to write")->required();
  cmd->add_flag("--color", options.color, "Color diagnostics");
  cmd->add_option("--max-cost", options.max_cost,
                  "Most steps one policy may take per target per tick")
      ->capture_default_str();
}

int run_compile(const CompileOptions& options) {
  dsl::SourceManager sources;
  dsl::Diagnostics diagnostics;
  std::string usage_error;
  auto compiled =
      toolchain::compile_inputs(options.paths, options.max_cost, sources, diagnostics, usage_error);
  if (!usage_error.empty()) {
    std::cerr << "skippy compile: " << usage_error << "\n";
    return kExitUsage;
  }
  std::cerr << dsl::render_text(diagnostics, sources, dsl::TextStyle{options.color});
  if (compiled.io_error) return kExitUsage;
  if (!compiled.program) return kExitFindings;

  auto bytes = bytecode::write_program(*compiled.program);
  std::string temporary = options.output + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
    if (!out.flush()) {
      std::cerr << "skippy compile: cannot write `" << temporary << "`\n";
      return kExitUsage;
    }
  }
  if (std::rename(temporary.c_str(), options.output.c_str()) != 0) {
    std::cerr << "skippy compile: cannot replace `" << options.output << "`\n";
    std::remove(temporary.c_str());
    return kExitUsage;
  }
  std::cout << "compiled " << compiled.program->policies.size() << " policies from "
            << compiled.files << " file(s) into " << options.output << " (" << bytes.size()
            << " bytes)\n";
  return kExitOk;
}

}  // namespace skippy::cli
