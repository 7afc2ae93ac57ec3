// The subcommands of `skippy`. Each registers its options on the CLI11 app and returns the
// process exit code when run: 0 clean, 1 findings, 2 usage or I/O error (as promtool does).
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace skippy::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFindings = 1;
inline constexpr int kExitUsage = 2;

struct CheckOptions {
  std::vector<std::string> paths;
  std::string format = "text";
  bool color = false;
};
void add_check_command(CLI::App& app, CheckOptions& options);
int run_check(const CheckOptions& options);

struct FmtOptions {
  std::vector<std::string> paths;
  bool check = false;
  bool to_stdout = false;
};
void add_fmt_command(CLI::App& app, FmtOptions& options);
int run_fmt(const FmtOptions& options);

// Expands directories to the .skippy files below them, sorted; files pass through.
// "-" stands for standard input and passes through.
std::vector<std::string> expand_inputs(const std::vector<std::string>& paths, std::string& error);

}  // namespace skippy::cli
