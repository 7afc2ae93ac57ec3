#include "dsl/source.hpp"

#include <algorithm>

namespace skippy::dsl {

Span span_cover(Span a, Span b) {
  return Span{a.file, std::min(a.begin, b.begin), std::max(a.end, b.end)};
}

SourceFile::SourceFile(FileId id, std::string path, std::string text)
    : id_(id), path_(std::move(path)), text_(std::move(text)) {
  line_starts_.push_back(0);
  for (std::size_t i = 0; i < text_.size(); ++i) {
    if (text_[i] == '\n') line_starts_.push_back(static_cast<std::uint32_t>(i + 1));
  }
}

LineColumn SourceFile::line_column(std::uint32_t offset) const {
  offset = std::min<std::uint32_t>(offset, static_cast<std::uint32_t>(text_.size()));
  auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  auto line_index = static_cast<std::uint32_t>(it - line_starts_.begin() - 1);
  std::uint32_t column = 1;
  for (std::uint32_t i = line_starts_[line_index]; i < offset; ++i) {
    // Count code points: continuation bytes (10xxxxxx) do not start a new column.
    if ((static_cast<unsigned char>(text_[i]) & 0xC0u) != 0x80u) ++column;
  }
  return LineColumn{line_index + 1, column};
}

std::string_view SourceFile::line_text(std::uint32_t line) const {
  if (line == 0 || line > line_starts_.size()) return {};
  std::uint32_t begin = line_starts_[line - 1];
  std::uint32_t end = line < line_starts_.size() ? line_starts_[line] - 1
                                                 : static_cast<std::uint32_t>(text_.size());
  std::string_view view(text_.data() + begin, end - begin);
  if (!view.empty() && view.back() == '\r') view.remove_suffix(1);
  return view;
}

const SourceFile& SourceManager::add(std::string path, std::string text) {
  auto id = static_cast<FileId>(files_.size());
  files_.push_back(std::make_unique<SourceFile>(id, std::move(path), std::move(text)));
  return *files_.back();
}

const SourceFile* SourceManager::find(std::string_view path) const {
  for (const auto& f : files_) {
    if (f->path() == path) return f.get();
  }
  return nullptr;
}

}  // namespace skippy::dsl
