// skippy: check, format, compile and run healing policies. See docs/cli.md.
#include <iostream>

#include "cli/commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{"skippy: a Prometheus-native rule engine that heals Kubernetes workloads"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("skippy ") + SKIPPY_VERSION);

  skippy::cli::CheckOptions check;
  skippy::cli::FmtOptions fmt;
  skippy::cli::CompileOptions compile;
  skippy::cli::DisasmOptions disasm;
  skippy::agent::RunOptions run;
  skippy::cli::ExplainOptions explain;
  skippy::cli::ExplainPolicyOptions explain_policy;
  skippy::cli::ApproveOptions approve;
  skippy::cli::SimOptions sim;
  skippy::cli::TranslateOptions translate;
  skippy::cli::TestOptions test;
  skippy::cli::ReplayOptions replay;
  skippy::cli::add_check_command(app, check);
  skippy::cli::add_fmt_command(app, fmt);
  skippy::cli::add_compile_command(app, compile);
  skippy::cli::add_disasm_command(app, disasm);
  skippy::cli::add_run_command(app, run);
  skippy::cli::add_explain_command(app, explain);
  skippy::cli::add_explain_policy_command(app, explain_policy);
  skippy::cli::add_approve_command(app, approve);
  skippy::cli::add_sim_command(app, sim);
  skippy::cli::add_translate_command(app, translate);
  skippy::cli::add_test_command(app, test);
  skippy::cli::add_replay_command(app, replay);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : skippy::cli::kExitUsage;
  }
  if (app.got_subcommand("check")) return skippy::cli::run_check(check);
  if (app.got_subcommand("fmt")) return skippy::cli::run_fmt(fmt);
  if (app.got_subcommand("compile")) return skippy::cli::run_compile(compile);
  if (app.got_subcommand("disasm")) return skippy::cli::run_disasm(disasm);
  if (app.got_subcommand("run")) return skippy::cli::run_run(run);
  if (app.got_subcommand("explain")) return skippy::cli::run_explain(explain);
  if (app.got_subcommand("explain-policy")) return skippy::cli::run_explain_policy(explain_policy);
  if (app.got_subcommand("approve")) return skippy::cli::run_approve(approve);
  if (app.got_subcommand("sim")) return skippy::cli::run_sim(sim);
  if (app.got_subcommand("translate")) return skippy::cli::run_translate(translate);
  if (app.got_subcommand("test")) return skippy::cli::run_test(test);
  if (app.got_subcommand("replay")) return skippy::cli::run_replay(replay);
  return skippy::cli::kExitUsage;
}
