// skippy check FILE...: parse, validate and type-check policies; report every problem.
#include <iostream>

#include "cli/commands.hpp"
#include "dsl/render.hpp"
#include "toolchain/inputs.hpp"

namespace skippy::cli {

void add_check_command(CLI::App& app, CheckOptions& options) {
  auto* cmd = app.add_subcommand("check", "Check policy files and report every problem");
  cmd->add_option("files", options.paths, "Policy files or directories (.skippy files below)")
      ->required();
  cmd->add_option("--format", options.format, "Output format")
      ->check(CLI::IsMember({"text", "json", "sarif"}))
      ->capture_default_str();
  cmd->add_flag("--color", options.color, "Color text output");
  cmd->add_option("--max-cost", options.max_cost,
                  "Most steps one policy may take per target per tick")
      ->capture_default_str();
}

int run_check(const CheckOptions& options) {
  dsl::SourceManager sources;
  dsl::Diagnostics diagnostics;
  std::string usage_error;
  auto compiled =
      toolchain::compile_inputs(options.paths, options.max_cost, sources, diagnostics, usage_error);
  if (!usage_error.empty()) {
    std::cerr << "skippy check: " << usage_error << "\n";
    return kExitUsage;
  }
  if (options.format == "json") {
    std::cout << dsl::render_json(diagnostics, sources);
  } else if (options.format == "sarif") {
    std::cout << dsl::render_sarif(diagnostics, sources, SKIPPY_VERSION);
  } else {
    std::cerr << dsl::render_text(diagnostics, sources, dsl::TextStyle{options.color});
    if (!diagnostics.has_errors() && !compiled.io_error) {
      std::cout << "checked " << compiled.files << " file(s): no errors\n";
    }
  }
  if (compiled.io_error) return kExitUsage;
  return diagnostics.has_errors() ? kExitFindings : kExitOk;
}

}  // namespace skippy::cli
