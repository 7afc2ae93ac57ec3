#include <algorithm>
#include <filesystem>
#include <iostream>
#include <iterator>

#include "compiler/compile.hpp"
#include "dsl/render.hpp"
#include "dsl/validate.hpp"
#include "grammar/load.hpp"
#include "toolchain/inputs.hpp"

namespace skippy::toolchain {

std::vector<std::string> expand_inputs(const std::vector<std::string>& paths, std::string& error,
                                       std::string_view suffix) {
  namespace fs = std::filesystem;
  std::vector<std::string> out;
  for (const auto& path : paths) {
    std::error_code ec;
    if (path != "-" && fs::is_directory(path, ec)) {
      std::vector<std::string> found;
      for (auto it = fs::recursive_directory_iterator(path, ec);
           !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        // Hidden entries are skipped, directories with all below them: a ConfigMap volume
        // holds each file twice, as NAME and in its hidden `..TIMESTAMP/` folder.
        if (it->path().filename().string().starts_with(".")) {
          if (it->is_directory()) it.disable_recursion_pending();
          continue;
        }
        if (it->is_regular_file() && it->path().string().ends_with(suffix)) {
          found.push_back(it->path().string());
        }
      }
      if (ec) {
        error = "cannot list `" + path + "`: " + ec.message();
        return {};
      }
      std::sort(found.begin(), found.end());
      out.insert(out.end(), found.begin(), found.end());
    } else {
      out.push_back(path);
    }
  }
  return out;
}

Compiled compile_inputs(const std::vector<std::string>& paths, std::uint32_t max_cost,
                        dsl::SourceManager& sources, dsl::Diagnostics& diagnostics,
                        std::string& usage_error,
                        const std::vector<std::pair<std::string, std::string>>& texts) {
  Compiled out;
  auto expanded = expand_inputs(paths, usage_error);
  if (!usage_error.empty()) return out;
  dsl::Program program;
  std::vector<std::string> files;
  for (const auto& p : expanded) {
    if (p == "-") {
      std::string text(std::istreambuf_iterator<char>(std::cin), {});
      program.modules.push_back(
          grammar::load_text("<stdin>", std::move(text), sources, diagnostics));
    } else {
      files.push_back(p);
    }
  }
  auto loaded = grammar::load_program(files, sources, diagnostics);
  for (auto& m : loaded.program.modules) program.modules.push_back(std::move(m));
  for (const auto& [name, text] : texts)
    program.modules.push_back(grammar::load_text(name, text, sources, diagnostics));
  out.io_error = loaded.io_error;
  out.files = program.modules.size();
  dsl::validate_program(program, diagnostics);
  compiler::CompileOptions options;
  options.max_cost = max_cost;
  out.program = compiler::compile_program(program, sources, diagnostics, options);
  out.source = std::move(program);
  diagnostics.sort();
  return out;
}

}  // namespace skippy::toolchain
