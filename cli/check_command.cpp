// skippy check FILE...: parse and validate policies; report every problem.
#include <iostream>
#include <iterator>

#include "cli/commands.hpp"
#include "dsl/render.hpp"
#include "dsl/validate.hpp"
#include "grammar/load.hpp"

namespace skippy::cli {

void add_check_command(CLI::App& app, CheckOptions& options) {
  auto* cmd = app.add_subcommand("check", "Check policy files and report every problem");
  cmd->add_option("files", options.paths, "Policy files or directories (.skippy files below)")
      ->required();
  cmd->add_option("--format", options.format, "Output format")
      ->check(CLI::IsMember({"text", "json", "sarif"}))
      ->capture_default_str();
  cmd->add_flag("--color", options.color, "Color text output");
}

int run_check(const CheckOptions& options) {
  std::string error;
  auto paths = expand_inputs(options.paths, error);
  if (!error.empty()) {
    std::cerr << "skippy check: " << error << "\n";
    return kExitUsage;
  }
  dsl::SourceManager sources;
  dsl::Diagnostics diagnostics;
  grammar::LoadResult loaded;
  std::vector<std::string> files;
  for (const auto& p : paths) {
    if (p == "-") {
      std::string text(std::istreambuf_iterator<char>(std::cin), {});
      loaded.program.modules.push_back(
          grammar::load_text("<stdin>", std::move(text), sources, diagnostics));
    } else {
      files.push_back(p);
    }
  }
  auto from_files = grammar::load_program(files, sources, diagnostics);
  for (auto& m : from_files.program.modules) loaded.program.modules.push_back(std::move(m));
  loaded.io_error = from_files.io_error;

  dsl::validate_program(loaded.program, diagnostics);
  diagnostics.sort();

  if (options.format == "json") {
    std::cout << dsl::render_json(diagnostics, sources);
  } else if (options.format == "sarif") {
    std::cout << dsl::render_sarif(diagnostics, sources, SKIPPY_VERSION);
  } else {
    std::cerr << dsl::render_text(diagnostics, sources, dsl::TextStyle{options.color});
    if (!diagnostics.has_errors() && !loaded.io_error) {
      std::cout << "checked " << loaded.program.modules.size() << " file(s): no errors\n";
    }
  }
  if (loaded.io_error) return kExitUsage;
  return diagnostics.has_errors() ? kExitFindings : kExitOk;
}

}  // namespace skippy::cli
