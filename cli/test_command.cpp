// skippy test: policies tested like code. Each test file names its policies and, per test,
// input series in promtool's notation, the cluster, and the actions expected when; the
// policies run against a real Prometheus in simulated time (policytest/).
#include <fstream>
#include <iostream>
#include <iterator>

#include "cli/commands.hpp"
#include "policytest/report.hpp"
#include "policytest/runner.hpp"
#include "toolchain/inputs.hpp"

namespace skippy::cli {

void add_test_command(CLI::App& app, TestOptions& options) {
  auto* cmd = app.add_subcommand("test", "Run policy unit tests (promtool-style YAML files)");
  cmd->add_option("files", options.paths, "Test files, or directories of them (*.yaml)")
      ->required();
  cmd->add_option("--junit", options.junit, "Also write the results as JUnit XML to this file");
  cmd->add_flag("--coverage", options.coverage,
                "Report per policy which triggers fired, which actions ran, which gates blocked");
  cmd->add_option("--coverage-format", options.coverage_format, "text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  cmd->add_option("--promtool", options.promtool, "The promtool to backfill series with")
      ->capture_default_str();
  cmd->add_option("--prometheus", options.prometheus, "The prometheus to evaluate PromQL with")
      ->capture_default_str();
}

int run_test(const TestOptions& options) {
  std::string error;
  auto paths = toolchain::expand_inputs(options.paths, error, ".yaml");
  if (!error.empty()) {
    std::cerr << "skippy test: " << error << "\n";
    return kExitUsage;
  }
  for (const auto* tool : {&options.promtool, &options.prometheus}) {
    if (!policytest::program_exists(*tool)) {
      std::cerr << "skippy test: `" << *tool
                << "` is not installed (or not on PATH): PromQL is evaluated by a real "
                   "Prometheus, backfilled with promtool (Debian: apt-get install prometheus)\n";
      return kExitUsage;
    }
  }
  policytest::RunSettings settings;
  settings.tools = {options.promtool, options.prometheus};
  int exit_code = kExitOk;
  std::vector<policytest::FileResult> results;
  // With JSON coverage, standard output holds the JSON alone; the results go to standard error.
  std::ostream& out = options.coverage && options.coverage_format == "json" ? std::cerr : std::cout;
  policytest::Coverage coverage;
  auto worsen = [&](int code) { exit_code = std::max(exit_code, code); };
  for (const auto& path : paths) {
    std::ifstream in(path);
    if (!in) {
      std::cerr << path << ": cannot read the test file\n";
      worsen(kExitUsage);
      continue;
    }
    std::string text((std::istreambuf_iterator<char>(in)), {});
    auto report = [&](const std::vector<policytest::FileError>& errors) {
      for (const auto& e : errors) {
        std::cerr << path << ":" << e.where.line << ":" << e.where.column << ": " << e.message
                  << "\n";
      }
      if (!errors.empty()) worsen(kExitUsage);
      return errors.empty();
    };
    std::vector<policytest::FileError> file_errors;
    auto file = policytest::parse_test_file(text, path, file_errors);
    if (!report(file_errors)) continue;
    int compile_exit = kExitOk;
    auto program = compile_for_run(file.policy_files, path, compile_exit);
    if (!program) {
      worsen(compile_exit);
      continue;
    }
    // The policies and triggers that expected_triggers name are known once compiled.
    policytest::check_expected_triggers(file, *program, file_errors);
    if (!report(file_errors)) continue;
    auto result = policytest::run_test_file(file, *program, settings);
    policytest::write_text(out, result);
    if (result.failures() > 0) worsen(kExitFindings);
    policytest::merge_coverage(coverage, result.coverage);
    results.push_back(std::move(result));
  }
  if (options.coverage && options.coverage_format == "json") {
    policytest::write_coverage_json(std::cout, coverage);
  } else if (options.coverage) {
    policytest::write_coverage_text(std::cout, coverage);
  }
  if (!options.junit.empty()) {
    std::ofstream junit(options.junit);
    policytest::write_junit(junit, results);
    if (!junit) {
      std::cerr << "skippy test: cannot write `" << options.junit << "`\n";
      worsen(kExitUsage);
    }
  }
  return exit_code;
}

}  // namespace skippy::cli
