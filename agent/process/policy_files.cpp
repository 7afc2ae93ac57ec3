#include "agent/process/policy_files.hpp"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <set>

#include "agent/config/log.hpp"
#include "agent/process/healing_policies.hpp"
#include "dsl/render.hpp"
#include "k8s-adapter/live_cluster.hpp"
#include "runtime/bytecode/file.hpp"
#include "stdlib/builtins/functions.hpp"
#include "toolchain/inputs.hpp"

namespace skippy::agent {

std::string files_signature(const std::vector<std::string>& paths) {
  namespace fs = std::filesystem;
  std::string out;
  auto add = [&](const fs::path& p) {
    std::error_code ec;
    auto size = fs::file_size(p, ec);
    auto time = fs::last_write_time(p, ec);
    out += p.string() + ":" + std::to_string(size) + ":" +
           std::to_string(time.time_since_epoch().count()) + "\n";
  };
  for (const auto& path : paths) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
      for (auto it = fs::recursive_directory_iterator(path, ec);
           !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it->path().extension() == ".skippy") add(it->path());
      }
    } else {
      add(path);
    }
  }
  return out;
}

std::optional<bytecode::Program> load_policy_files(
    const std::vector<std::string>& paths, std::string& error,
    const std::vector<std::pair<std::string, std::string>>& texts) {
  if (paths.size() == 1 && paths[0].ends_with(".skpc")) {
    std::ifstream in(paths[0], std::ios::binary);
    if (!in) {
      error = "cannot read `" + paths[0] + "`";
      return std::nullopt;
    }
    std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), {});
    auto loaded = bytecode::load_program(bytes, stdlib::load_limits());
    if (!loaded.ok()) {
      error = paths[0] + ": " + loaded.errors.front().message;
      return std::nullopt;
    }
    return std::move(loaded.program);
  }
  dsl::SourceManager sources;
  dsl::Diagnostics diagnostics;
  std::string usage;
  auto compiled = toolchain::compile_inputs(paths, 10'000, sources, diagnostics, usage, texts);
  if (!usage.empty()) error = usage;
  std::cerr << dsl::render_text(diagnostics, sources);
  if (!compiled.program && error.empty()) error = "the policies have errors";
  return std::move(compiled.program);
}

std::optional<bytecode::Program> load_policies_and_objects(const std::vector<std::string>& paths,
                                                           const k8s::LiveCluster* live,
                                                           PolicyStatusReporter* reporter,
                                                           std::int64_t now_ms,
                                                           std::string& error) {
  auto files = load_policy_files(paths, error);
  if (!files || !live) return files;
  std::set<std::string> taken;
  for (const auto& p : files->policies) taken.insert(std::string(files->string(p.name)));
  auto objects = translate_healing_policies(live->healing_policies(), taken);
  for (const auto& v : objects.verdicts) {
    if (!v.ready)
      log_warn("HealingPolicy " + v.namespace_name + "/" + v.name + " does not run: " + v.reason +
               ": " + v.message);
  }
  if (reporter) {
    for (const auto& problem : reporter->report(objects.verdicts, now_ms)) log_warn(problem);
  }
  if (objects.texts.empty()) return files;
  std::vector<std::pair<std::string, std::string>> texts;
  for (auto& t : objects.texts) texts.emplace_back(std::move(t.name), std::move(t.text));
  std::string combined_error;
  auto all = load_policy_files(paths, combined_error, texts);
  if (!all) {
    log_error("the HealingPolicies and the policy files do not compile together (" +
              combined_error + "): the files run alone");
    return files;
  }
  return all;
}

}  // namespace skippy::agent
