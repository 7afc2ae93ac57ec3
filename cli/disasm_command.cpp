// skippy disasm FILE.skpc: verify a bytecode file and list it with its source lines.
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <sstream>

#include "cli/commands.hpp"
#include "runtime/bytecode/disasm.hpp"
#include "runtime/bytecode/file.hpp"
#include "stdlib/builtins/functions.hpp"

namespace skippy::cli {

void add_disasm_command(CLI::App& app, DisasmOptions& options) {
  auto* cmd = app.add_subcommand("disasm", "Verify a bytecode file and print it readably");
  cmd->add_option("file", options.path, "A .skpc file")->required();
}

int run_disasm(const DisasmOptions& options) {
  std::ifstream in(options.path, std::ios::binary);
  if (!in) {
    std::cerr << "skippy disasm: cannot read `" << options.path << "`\n";
    return kExitUsage;
  }
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), {});
  auto loaded = bytecode::load_program(bytes, stdlib::load_limits());
  if (!loaded.ok()) {
    for (const auto& e : loaded.errors) {
      std::cerr << options.path << ": error: " << e.message << "\n";
    }
    return kExitFindings;
  }
  auto names = stdlib::disasm_names();
  // Source lines, read lazily from the paths the bytecode records.
  auto cache = std::make_shared<std::map<std::string, std::vector<std::string>>>();
  names.source_line = [cache](std::string_view path,
                              std::uint32_t line) -> std::optional<std::string> {
    auto [it, inserted] = cache->try_emplace(std::string(path));
    if (inserted) {
      std::ifstream f{std::string(path)};
      std::string text;
      while (std::getline(f, text)) it->second.push_back(text);
    }
    if (line == 0 || line > it->second.size()) return std::nullopt;
    std::string text = it->second[line - 1];
    auto start = text.find_first_not_of(" \t");
    return start == std::string::npos ? "" : text.substr(start);
  };
  std::cout << bytecode::disassemble(loaded.program, names);
  return kExitOk;
}

}  // namespace skippy::cli
