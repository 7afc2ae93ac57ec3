#include "grammar/load.hpp"

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "grammar/parse.hpp"

namespace skippy::grammar {
namespace {

namespace fs = std::filesystem;

// Checks encoding and size; parses when both are fine.
dsl::Module parse_checked(const dsl::SourceFile& file, dsl::Diagnostics& diagnostics) {
  std::size_t bad = find_invalid_utf8(file.text());
  if (bad != std::string_view::npos) {
    auto offset = static_cast<std::uint32_t>(bad);
    diagnostics.report(dsl::DiagCode::InvalidUtf8, dsl::Span{file.id(), offset, offset + 1},
                       "the file is not valid UTF-8 (byte " + std::to_string(bad) +
                           "); .skippy files are UTF-8 text");
    dsl::Module empty;
    empty.file = file.id();
    return empty;
  }
  return parse_module(file, diagnostics);
}

class Loader {
 public:
  Loader(dsl::SourceManager& sources, dsl::Diagnostics& diagnostics, const LoadOptions& options)
      : sources_(sources), diagnostics_(diagnostics), options_(options) {}

  LoadResult run(const std::vector<std::string>& paths) {
    for (const auto& path : paths) (void)load(path, std::nullopt);
    return std::move(result_);
  }

 private:
  enum class State { Loading, Done };

  // Loads `path` unless loaded already. `imported_at` is the import that named it. Returns
  // the file's id when it was read (now or before).
  std::optional<dsl::FileId> load(const std::string& path, std::optional<dsl::Span> imported_at) {
    std::error_code ec;
    std::string key = fs::weakly_canonical(fs::path(path), ec).string();
    if (ec || key.empty()) key = fs::path(path).lexically_normal().string();
    auto found = state_.find(key);
    if (found != state_.end()) {
      if (found->second == State::Loading && imported_at) {
        auto& d = diagnostics_.report(dsl::DiagCode::ImportCycle, *imported_at,
                                      "importing `" + path + "` makes a cycle");
        for (const auto& step : stack_)
          d.notes.push_back({std::nullopt, "imports go through " + step});
        return std::nullopt;
      }
      auto id = loaded_id_.find(key);
      return id == loaded_id_.end() ? std::nullopt : std::optional<dsl::FileId>(id->second);
    }

    std::string text;
    std::string error;
    if (!read(path, text, error)) {
      if (error.empty()) {
        // Reported by read() already (too large).
      } else if (imported_at) {
        diagnostics_.report(dsl::DiagCode::ImportNotFound, *imported_at,
                            "cannot read imported file `" + path + "`: " + error);
      } else {
        const auto& file = sources_.add(path, "");
        diagnostics_.report(dsl::DiagCode::CannotRead, dsl::Span{file.id(), 0, 0},
                            "cannot read `" + path + "`: " + error);
        result_.io_error = true;
      }
      state_[key] = State::Done;
      return std::nullopt;
    }

    state_[key] = State::Loading;
    stack_.push_back(path);
    const auto& file = sources_.add(path, std::move(text));
    loaded_id_[key] = file.id();
    dsl::Module module = parse_checked(file, diagnostics_);

    std::map<std::string, dsl::Span> imported;
    for (const auto& decl : module.declarations) {
      const auto* import = std::get_if<dsl::ImportDecl>(&decl);
      if (!import) continue;
      fs::path target = fs::path(path).parent_path() / import->path.value;
      std::string target_key = target.lexically_normal().string();
      auto [it, inserted] = imported.emplace(target_key, import->span);
      if (!inserted) {
        diagnostics_
            .report(dsl::DiagCode::DuplicateImport, import->span,
                    "`" + import->path.value + "` is already imported by this file")
            .notes.push_back({it->second, "first imported here"});
        continue;
      }
      if (auto id = load(target_key, import->path.span)) module.imports.push_back(*id);
    }
    result_.program.modules.push_back(std::move(module));
    stack_.pop_back();
    state_[key] = State::Done;
    return file.id();
  }

  bool read(const std::string& path, std::string& text, std::string& error) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
      error = "it is a directory";
      return false;
    }
    auto size = fs::file_size(path, ec);
    if (ec) {
      error = ec.message();
      return false;
    }
    if (size > options_.max_file_bytes) {
      // Report against an empty stand-in so the message has a location.
      const auto& file = sources_.add(path, "");
      diagnostics_.report(dsl::DiagCode::FileTooLarge, dsl::Span{file.id(), 0, 0},
                          "`" + path + "` is " + std::to_string(size) + " bytes; the limit is " +
                              std::to_string(options_.max_file_bytes));
      error.clear();
      result_.io_error = true;
      return false;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      error = "cannot open it";
      return false;
    }
    std::ostringstream buffer;
    buffer << in.rdbuf();
    text = std::move(buffer).str();
    return true;
  }

  dsl::SourceManager& sources_;
  dsl::Diagnostics& diagnostics_;
  const LoadOptions& options_;
  LoadResult result_;
  std::map<std::string, State> state_;
  std::map<std::string, dsl::FileId> loaded_id_;
  std::vector<std::string> stack_;
};

}  // namespace

std::size_t find_invalid_utf8(std::string_view text) {
  std::size_t i = 0;
  const auto n = text.size();
  while (i < n) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t length = 0;
    std::uint32_t min = 0;
    std::uint32_t cp = 0;
    if ((c & 0xE0u) == 0xC0u) {
      length = 2;
      min = 0x80;
      cp = c & 0x1Fu;
    } else if ((c & 0xF0u) == 0xE0u) {
      length = 3;
      min = 0x800;
      cp = c & 0x0Fu;
    } else if ((c & 0xF8u) == 0xF0u) {
      length = 4;
      min = 0x10000;
      cp = c & 0x07u;
    } else
      return i;
    if (i + length > n) return i;
    for (std::size_t k = 1; k < length; ++k) {
      auto cc = static_cast<unsigned char>(text[i + k]);
      if ((cc & 0xC0u) != 0x80u) return i;
      cp = (cp << 6) | (cc & 0x3Fu);
    }
    // Overlong forms, UTF-16 surrogates and code points past U+10FFFF are invalid.
    if (cp < min || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) return i;
    i += length;
  }
  return std::string_view::npos;
}

LoadResult load_program(const std::vector<std::string>& paths, dsl::SourceManager& sources,
                        dsl::Diagnostics& diagnostics, const LoadOptions& options) {
  return Loader(sources, diagnostics, options).run(paths);
}

dsl::Module load_text(std::string path, std::string text, dsl::SourceManager& sources,
                      dsl::Diagnostics& diagnostics, const LoadOptions& options) {
  if (text.size() > options.max_file_bytes) {
    const auto& file = sources.add(std::move(path), "");
    diagnostics.report(dsl::DiagCode::FileTooLarge, dsl::Span{file.id(), 0, 0},
                       "the input is " + std::to_string(text.size()) + " bytes; the limit is " +
                           std::to_string(options.max_file_bytes));
    dsl::Module empty;
    empty.file = file.id();
    return empty;
  }
  const auto& file = sources.add(std::move(path), std::move(text));
  return parse_checked(file, diagnostics);
}

}  // namespace skippy::grammar
