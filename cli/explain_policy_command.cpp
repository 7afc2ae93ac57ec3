// skippy explain-policy NAME [--policies PATH...] [-o text|json]: what a compiled policy does,
// in plain words, so that a reviewer can compare it with what was meant (a HealingPolicy
// manifest, a pull request). Policies come from .skippy sources (compiled as `skippy compile`
// does), .skpc bytecode (verified as `skippy disasm` does) or HealingPolicy manifests
// (translated and compiled in memory as `skippy translate` does).
#include <deque>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <memory>
#include <set>

#include "cli/commands.hpp"
#include "compiler/compile.hpp"
#include "dsl/render.hpp"
#include "dsl/validate.hpp"
#include "explain/policy_explanation.hpp"
#include "grammar/load.hpp"
#include "runtime/bytecode/file.hpp"
#include "stdlib/builtins/functions.hpp"
#include "toolchain/inputs.hpp"
#include "toolchain/policy_sources.hpp"
#include "toolchain/translation_output.hpp"
#include "translate/translate.hpp"

namespace skippy::cli {
namespace {

// One policy found in the inputs.
struct Candidate {
  const bytecode::Program* program = nullptr;
  std::size_t index = 0;
  explain::ExplainSources sources;
  std::string healing_policy;  // the manifest's metadata.name, for a translated policy
};

std::string name_of(const Candidate& c) {
  return std::string(c.program->string(c.program->policies[c.index].name));
}

bool has_extension(const std::string& path, std::initializer_list<std::string_view> extensions) {
  for (auto e : extensions)
    if (path.size() > e.size() && path.ends_with(e)) return true;
  return false;
}

bool read_file(const std::string& path, std::string& text, int& exit_code) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "skippy explain-policy: cannot read `" << path << "`\n";
    exit_code = kExitUsage;
    return false;
  }
  text.assign(std::istreambuf_iterator<char>(in), {});
  return true;
}

class Inputs {
 public:
  // Reads every path; false with the exit code when one could not be used.
  bool read(const std::vector<std::string>& paths, int& exit_code) {
    std::vector<std::string> sources;
    std::string error;
    for (const auto& path : toolchain::expand_inputs(paths, error)) {
      if (has_extension(path, {".skpc"})) {
        if (!bytecode_file(path, exit_code)) return false;
      } else if (has_extension(path, {".yaml", ".yml"})) {
        if (!manifest(path, exit_code)) return false;
      } else {
        sources.push_back(path);
      }
    }
    if (!error.empty()) {
      std::cerr << "skippy explain-policy: " << error << "\n";
      exit_code = kExitUsage;
      return false;
    }
    return sources.empty() || source_files(sources, exit_code);
  }

  const std::vector<Candidate>& candidates() const { return candidates_; }

 private:
  // A source line: from the files compiled here, else from the disk.
  std::optional<std::string> line(std::string_view path, std::uint32_t number) {
    if (const auto* f = sources_.find(path)) {
      if (number == 0 || number > f->line_count()) return std::nullopt;
      return std::string(f->line_text(number));
    }
    auto [it, inserted] = disk_.try_emplace(std::string(path));
    if (inserted) {
      std::ifstream in{std::string(path)};
      for (std::string text; std::getline(in, text);) it->second.push_back(text);
    }
    if (number == 0 || number > it->second.size()) return std::nullopt;
    return it->second[number - 1];
  }

  void add(const bytecode::Program& program, const std::map<std::string, std::string>& described,
           const std::string& origin, const std::string& healing_policy) {
    for (std::size_t i = 0; i < program.policies.size(); ++i) {
      Candidate c;
      c.program = &program;
      c.index = i;
      c.healing_policy = healing_policy;
      c.sources.origin = origin;
      auto it = described.find(std::string(program.string(program.policies[i].name)));
      if (it != described.end()) c.sources.description = it->second;
      c.sources.line = [this](std::string_view path, std::uint32_t number) {
        return line(path, number);
      };
      candidates_.push_back(std::move(c));
    }
  }

  bool source_files(const std::vector<std::string>& paths, int& exit_code) {
    dsl::Diagnostics diagnostics;
    std::string usage_error;
    auto compiled = toolchain::compile_inputs(paths, 10'000, sources_, diagnostics, usage_error);
    if (!usage_error.empty()) {
      std::cerr << "skippy explain-policy: " << usage_error << "\n";
      exit_code = kExitUsage;
      return false;
    }
    if (compiled.io_error || !compiled.program) {
      std::cerr << dsl::render_text(diagnostics, sources_);
      exit_code = compiled.io_error ? kExitUsage : kExitFindings;
      return false;
    }
    programs_.push_back(std::move(*compiled.program));
    sources_ast_.push_back(std::move(compiled.source));
    add(programs_.back(), toolchain::policy_descriptions(sources_ast_.back()), "", "");
    auto from = toolchain::policy_settings_from(sources_ast_.back(), sources_);
    for (std::size_t i = candidates_.size() - programs_.back().policies.size();
         i < candidates_.size(); ++i)
      candidates_[i].sources.settings_from = from[name_of(candidates_[i])];
    return true;
  }

  bool bytecode_file(const std::string& path, int& exit_code) {
    std::string text;
    if (!read_file(path, text, exit_code)) return false;
    std::vector<std::uint8_t> bytes(text.begin(), text.end());
    auto loaded = bytecode::load_program(bytes, stdlib::load_limits());
    if (!loaded.ok()) {
      for (const auto& e : loaded.errors) std::cerr << path << ": error: " << e.message << "\n";
      exit_code = kExitFindings;
      return false;
    }
    programs_.push_back(std::move(loaded.program));
    add(programs_.back(), {}, "", "");
    return true;
  }

  // Each HealingPolicy of the manifest, translated and compiled on its own.
  bool manifest(const std::string& path, int& exit_code) {
    std::string text;
    if (!read_file(path, text, exit_code)) return false;
    auto translation = translate::translate_manifests(path, text);
    for (const auto& f : translation.findings)
      if (f.severity == translate::Severity::Error)
        std::cerr << translate::render_finding(f) << "\n";
    if (translation.unreadable) {
      exit_code = kExitUsage;
      return false;
    }
    for (const auto& policy : translation.policies) {
      auto output = toolchain::translation_output(policy);
      if (!output.problem.empty()) {
        std::cerr << toolchain::translation_problem(path, policy, output);
        exit_code = kExitFindings;
        return false;
      }
      dsl::Diagnostics diagnostics;
      dsl::Program program;
      program.modules.push_back(
          grammar::load_text(output.file_name, output.text, sources_, diagnostics));
      dsl::validate_program(program, diagnostics);
      auto compiled = compiler::compile_program(program, sources_, diagnostics);
      if (!compiled) {  // translation_output compiled the same text clean: a bug
        std::cerr << dsl::render_text(diagnostics, sources_);
        exit_code = kExitFindings;
        return false;
      }
      programs_.push_back(std::move(*compiled));
      add(programs_.back(), toolchain::policy_descriptions(program),
          path + ":" + std::to_string(policy.line) + ", HealingPolicy " + policy.name +
              ", translated",
          policy.name);
    }
    return true;
  }

  dsl::SourceManager sources_;
  std::deque<bytecode::Program> programs_;  // stable addresses for the candidates
  std::deque<dsl::Program> sources_ast_;
  std::map<std::string, std::vector<std::string>> disk_;
  std::vector<Candidate> candidates_;
};

}  // namespace

void add_explain_policy_command(CLI::App& app, ExplainPolicyOptions& options) {
  auto* cmd = app.add_subcommand("explain-policy",
                                 "Say in plain words what a compiled policy selects, reads, "
                                 "triggers on, proposes and is limited by");
  cmd->add_option("name", options.name,
                  "The policy's name, or a HealingPolicy's metadata.name (every policy it "
                  "became)")
      ->required();
  cmd->add_option("--policies", options.policies,
                  ".skippy files or folders, .skpc files, HealingPolicy manifests (.yaml)")
      ->capture_default_str();
  cmd->add_option("-o,--output", options.output, "text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
}

int run_explain_policy(const ExplainPolicyOptions& options) {
  auto inputs = std::make_unique<Inputs>();
  int exit_code = kExitOk;
  if (!inputs->read(options.policies, exit_code)) return exit_code;
  std::vector<const Candidate*> chosen;
  for (const auto& c : inputs->candidates())
    if (name_of(c) == options.name) chosen.push_back(&c);
  if (chosen.size() > 1) {
    std::cerr << "skippy explain-policy: `" << options.name << "` is defined " << chosen.size()
              << " times:";
    for (const auto* c : chosen) {
      const auto& p = *c->program;
      const auto& pos = p.policies[c->index].pos;
      std::cerr << " "
                << (c->sources.origin.empty()
                        ? std::string(p.string(p.files[pos.file])) + ":" + std::to_string(pos.line)
                        : c->sources.origin)
                << ";";
    }
    std::cerr << " name one input with --policies\n";
    return kExitFindings;
  }
  if (chosen.empty()) {
    for (const auto& c : inputs->candidates())
      if (c.healing_policy == options.name) chosen.push_back(&c);
  }
  if (chosen.empty()) {
    std::cerr << "skippy explain-policy: no policy `" << options.name << "`";
    std::string names;
    for (const auto& c : inputs->candidates()) names += (names.empty() ? "" : ", ") + name_of(c);
    std::cerr << (names.empty() ? "; no policy found" : "; the policies found: " + names) << "\n";
    return kExitFindings;
  }
  std::string text = options.output == "json" ? "{\"policies\":[" : "";
  for (std::size_t i = 0; i < chosen.size(); ++i) {
    std::string error;
    auto e =
        explain::explain_policy(*chosen[i]->program, chosen[i]->index, chosen[i]->sources, error);
    if (!e) {
      std::cerr << "skippy explain-policy: `" << name_of(*chosen[i])
                << "`: the code cannot be read back: " << error << "\n";
      return kExitFindings;
    }
    if (options.output == "json") {
      auto json = explain::render_explanation_json(*e);
      json.pop_back();  // the line feed
      text += (i ? "," : "") + json;
    } else {
      text += (i ? "\n" : "") + explain::render_explanation_text(*e);
    }
  }
  std::cout << text << (options.output == "json" ? "]}\n" : "");
  return kExitOk;
}

}  // namespace skippy::cli
