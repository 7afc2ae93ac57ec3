// skippy: check, format, compile and run healing policies. See docs/cli.md.
#include <iostream>

#include "cli/commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{"skippy: a Prometheus-native rule engine that heals Kubernetes workloads"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("skippy ") + SKIPPY_VERSION);

  skippy::cli::CheckOptions check;
  skippy::cli::FmtOptions fmt;
  skippy::cli::add_check_command(app, check);
  skippy::cli::add_fmt_command(app, fmt);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : skippy::cli::kExitUsage;
  }
  if (app.got_subcommand("check")) return skippy::cli::run_check(check);
  if (app.got_subcommand("fmt")) return skippy::cli::run_fmt(fmt);
  return skippy::cli::kExitUsage;
}
