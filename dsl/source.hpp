// Source files and spans: every AST node and diagnostic points back into a SourceFile.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace skippy::dsl {

using FileId = std::uint32_t;

// A half-open byte range [begin, end) in one source file.
struct Span {
  FileId file = 0;
  std::uint32_t begin = 0;
  std::uint32_t end = 0;

  friend bool operator==(const Span&, const Span&) = default;
};

// Joins two spans of the same file into the smallest span covering both.
Span span_cover(Span a, Span b);

// 1-based line and column; the column counts Unicode code points, as editors and SARIF do.
struct LineColumn {
  std::uint32_t line = 1;
  std::uint32_t column = 1;
};

class SourceFile {
 public:
  SourceFile(FileId id, std::string path, std::string text);

  FileId id() const { return id_; }
  const std::string& path() const { return path_; }
  const std::string& text() const { return text_; }

  LineColumn line_column(std::uint32_t offset) const;
  // The text of a 1-based line, without its line terminator.
  std::string_view line_text(std::uint32_t line) const;
  std::uint32_t line_count() const { return static_cast<std::uint32_t>(line_starts_.size()); }

 private:
  FileId id_;
  std::string path_;
  std::string text_;
  std::vector<std::uint32_t> line_starts_;
};

// Owns every file read in one run; FileIds index into it.
class SourceManager {
 public:
  const SourceFile& add(std::string path, std::string text);
  const SourceFile& file(FileId id) const { return *files_.at(id); }
  // The file already added under this path, or nullptr.
  const SourceFile* find(std::string_view path) const;
  std::size_t size() const { return files_.size(); }

 private:
  std::vector<std::unique_ptr<SourceFile>> files_;
};

// Largest file the front end accepts; larger ones get a located error, not an attempt.
inline constexpr std::size_t kMaxSourceBytes = 64u * 1024u * 1024u;

}  // namespace skippy::dsl
