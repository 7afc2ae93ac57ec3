// The policy files a command is given, read and compiled: directories expanded to the files
// below them, "-" for standard input, sources held in memory compiled beside them. What
// `skippy check`, `compile`, `test`, `replay` and `run` have in common before bytecode.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dsl/ast.hpp"
#include "dsl/diagnostics.hpp"
#include "dsl/source.hpp"
#include "runtime/bytecode/program.hpp"

namespace skippy::toolchain {

// Loads, validates and compiles policy files (directories expanded, "-" for standard
// input), reporting into `diagnostics`. Returns the bytecode when there were no errors;
// `io_error` is set when a named file could not be read.
struct Compiled {
  std::optional<skippy::bytecode::Program> program;
  dsl::Program source;  // the parsed files, spans into the caller's SourceManager
  bool io_error = false;
  std::size_t files = 0;
};
// `texts` are sources held in memory (name, text), compiled with the files.
Compiled compile_inputs(const std::vector<std::string>& paths, std::uint32_t max_cost,
                        dsl::SourceManager& sources, dsl::Diagnostics& diagnostics,
                        std::string& usage_error,
                        const std::vector<std::pair<std::string, std::string>>& texts = {});

// Expands directories to the files below them whose names end in `suffix`, sorted; files
// pass through. Hidden entries are skipped. "-" stands for standard input and passes through.
std::vector<std::string> expand_inputs(const std::vector<std::string>& paths, std::string& error,
                                       std::string_view suffix = ".skippy");

}  // namespace skippy::toolchain
