// skippy fmt [--check] FILE...: rewrite policies in the canonical layout.
#include <fstream>
#include <iostream>
#include <iterator>

#include "cli/commands.hpp"
#include "dsl/render.hpp"
#include "grammar/format_text.hpp"
#include "toolchain/inputs.hpp"

namespace skippy::cli {
namespace {

enum class Outcome { Unchanged, Changed, Failed };

// Formats one file's text. Refuses (Failed) when the text has syntax errors, or when the
// formatted text would parse to a different program: formatting never changes meaning.
Outcome format_file(const std::string& path, const std::string& text, std::string& formatted) {
  dsl::SourceManager sources;
  dsl::Diagnostics diagnostics;
  switch (grammar::format_text(path, text, sources, diagnostics, formatted)) {
    case grammar::FormatOutcome::SyntaxErrors:
      diagnostics.sort();
      std::cerr << dsl::render_text(diagnostics, sources);
      return Outcome::Failed;
    case grammar::FormatOutcome::MeaningChanged:
      std::cerr << "skippy fmt: " << path
                << ": internal error: the formatted text would change the program's meaning; "
                   "the file was left as it is\n";
      return Outcome::Failed;
    case grammar::FormatOutcome::Formatted:
      break;
  }
  return formatted == text ? Outcome::Unchanged : Outcome::Changed;
}

}  // namespace

void add_fmt_command(CLI::App& app, FmtOptions& options) {
  auto* cmd = app.add_subcommand("fmt", "Rewrite policy files in the canonical layout");
  cmd->add_option("files", options.paths, "Policy files or directories; - reads standard input")
      ->required();
  cmd->add_flag("--check", options.check,
                "Change nothing; list files that are not formatted and exit 1 if any");
  cmd->add_flag("--stdout", options.to_stdout, "Print the formatted text instead of rewriting");
}

int run_fmt(const FmtOptions& options) {
  std::string error;
  auto paths = toolchain::expand_inputs(options.paths, error);
  if (!error.empty()) {
    std::cerr << "skippy fmt: " << error << "\n";
    return kExitUsage;
  }
  int exit_code = kExitOk;
  for (const auto& path : paths) {
    std::string text;
    if (path == "-") {
      text.assign(std::istreambuf_iterator<char>(std::cin), {});
    } else {
      std::ifstream in(path, std::ios::binary);
      if (!in) {
        std::cerr << "skippy fmt: cannot read `" << path << "`\n";
        exit_code = kExitUsage;
        continue;
      }
      text.assign(std::istreambuf_iterator<char>(in), {});
    }
    std::string formatted;
    Outcome outcome = format_file(path == "-" ? "<stdin>" : path, text, formatted);
    if (outcome == Outcome::Failed) {
      if (exit_code == kExitOk) exit_code = kExitFindings;
      continue;
    }
    if (options.to_stdout || path == "-") {
      std::cout << formatted;
      continue;
    }
    if (outcome == Outcome::Unchanged) continue;
    if (options.check) {
      std::cout << path << "\n";
      if (exit_code == kExitOk) exit_code = kExitFindings;
      continue;
    }
    std::string temporary = path + ".skippy-fmt.tmp";
    {
      std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
      out << formatted;
      if (!out.flush()) {
        std::cerr << "skippy fmt: cannot write `" << temporary << "`\n";
        exit_code = kExitUsage;
        continue;
      }
    }
    if (std::rename(temporary.c_str(), path.c_str()) != 0) {
      std::cerr << "skippy fmt: cannot replace `" << path << "`\n";
      std::remove(temporary.c_str());
      exit_code = kExitUsage;
      continue;
    }
    std::cout << path << "\n";
  }
  return exit_code;
}

}  // namespace skippy::cli
