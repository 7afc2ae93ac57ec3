// skippy translate FILE.yaml... [-o DIR] [--check]: KubeSkippy HealingPolicy manifests into
// Skippy policies (docs/translate.md). Findings go to standard error as
// `file:line: field: message`; the policies to DIR, one file each, or to standard output.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>

#include "cli/commands.hpp"
#include "toolchain/translation_output.hpp"
#include "translate/translate.hpp"

namespace skippy::cli {
namespace {

bool write_file(const std::filesystem::path& path, const std::string& text) {
  auto temporary = path;
  temporary += ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) return false;
  }
  std::error_code ec;
  std::filesystem::rename(temporary, path, ec);
  return !ec;
}

}  // namespace

void add_translate_command(CLI::App& app, TranslateOptions& options) {
  auto* cmd = app.add_subcommand(
      "translate", "Translate KubeSkippy HealingPolicy manifests into Skippy policies");
  cmd->add_option("files", options.paths, "HealingPolicy manifests (YAML, several documents each)")
      ->required();
  cmd->add_option(
      "-o,--output", options.output_dir,
      "Write one STEM.skippy per policy into this directory (default: standard output)");
  cmd->add_flag("--check", options.check,
                "Write nothing; exit 1 when a file would not translate cleanly");
}

int run_translate(const TranslateOptions& options) {
  int exit_code = kExitOk;
  auto fail = [&](int code) { exit_code = std::max(exit_code, code); };
  std::map<std::string, std::string> written;  // file name -> the manifest it came from
  if (!options.check && !options.output_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(options.output_dir, ec);
    if (ec) {
      std::cerr << "skippy translate: cannot create `" << options.output_dir << "`\n";
      return kExitUsage;
    }
  }
  bool first_output = true;
  for (const auto& path : options.paths) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      std::cerr << "skippy translate: cannot read `" << path << "`\n";
      fail(kExitUsage);
      continue;
    }
    std::string text(std::istreambuf_iterator<char>(in), {});
    auto translation = translate::translate_manifests(path, text);
    for (const auto& f : translation.findings) std::cerr << translate::render_finding(f) << "\n";
    if (translation.unreadable) {
      fail(kExitUsage);
      continue;
    }
    // --check fails on any warning; a translation fails on documents it could not translate.
    bool failed = options.check && !translate::translates_cleanly(translation);
    for (const auto& f : translation.findings) failed |= f.severity == translate::Severity::Error;
    if (failed) fail(kExitFindings);
    for (const auto& policy : translation.policies) {
      auto output = toolchain::translation_output(policy);
      if (!output.problem.empty()) {
        std::cerr << toolchain::translation_problem(path, policy, output);
        fail(kExitFindings);
        continue;
      }
      if (options.check) continue;
      if (options.output_dir.empty()) {
        std::cout << (first_output ? "" : "\n") << output.text;
        first_output = false;
        continue;
      }
      auto [it, inserted] = written.emplace(output.file_name, path);
      if (!inserted) {
        std::cerr << path << ":" << policy.line << ": error: `" << output.file_name
                  << "` was already written from " << it->second << "; not written again\n";
        fail(kExitFindings);
        continue;
      }
      auto target = std::filesystem::path(options.output_dir) / output.file_name;
      if (!write_file(target, output.text)) {
        std::cerr << "skippy translate: cannot write `" << target.string() << "`\n";
        fail(kExitUsage);
        continue;
      }
      std::cout << target.string() << "\n";
    }
  }
  return exit_code;
}

}  // namespace skippy::cli
