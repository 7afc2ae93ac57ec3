// Loading a program: reading files, checking their encoding and size, parsing them, and
// following their imports. The only part of the front end that touches the file system.
#pragma once

#include <string>
#include <vector>

#include "dsl/ast.hpp"
#include "dsl/diagnostics.hpp"
#include "dsl/source.hpp"

namespace skippy::grammar {

struct LoadOptions {
  std::size_t max_file_bytes = dsl::kMaxSourceBytes;
};

struct LoadResult {
  dsl::Program program;
  bool io_error = false;  // a named file could not be read (exit code 2 for the CLI)
};

// Parses each named file and, once each, every file they import (paths relative to the
// importing file). Missing files, bad encodings, import cycles and syntax errors become
// diagnostics.
LoadResult load_program(const std::vector<std::string>& paths, dsl::SourceManager& sources,
                        dsl::Diagnostics& diagnostics, const LoadOptions& options = {});

// Parses text that did not come from a file (tests, fuzzing, `skippy fmt -`).
dsl::Module load_text(std::string path, std::string text, dsl::SourceManager& sources,
                      dsl::Diagnostics& diagnostics, const LoadOptions& options = {});

// The byte offset of the first invalid UTF-8 sequence in text, or npos when it is valid.
std::size_t find_invalid_utf8(std::string_view text);

}  // namespace skippy::grammar
