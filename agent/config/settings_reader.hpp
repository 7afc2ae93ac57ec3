// Reading settings out of a YAML file with every mistake located: the reader behind
// `skippy run --config.file`, `--web.config.file` and `skippy approve --http.config.file`.
// Each value is checked before it is converted, so nothing throws for a user's mistake; each
// problem carries its line, column and dotted key.
#pragma once

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/config/config_problem.hpp"
#include "base/literals.hpp"
#include "dsl/validate.hpp"

namespace skippy::agent::settings {

using Keys = std::initializer_list<std::string_view>;

// One setting of the file: its value, where it is, and its dotted name.
struct Entry {
  YAML::Node value;
  YAML::Mark mark;  // the value's position, or its key's when the value is empty
  std::string key;
  YAML::Mark key_mark;  // the key's position (the document's start for the document)
};

inline std::string one_of(Keys keys) {
  std::string out;
  for (auto k : keys) out += (out.empty() ? "`" : ", `") + std::string(k) + "`";
  return out;
}

// Reads settings out of a YAML document, reporting each mistake where it is.
class Reader {
 public:
  explicit Reader(std::vector<ConfigProblem>& problems) : problems_(problems) {}

  void problem(const Entry& at, std::string message) {
    problems_.push_back({at.mark.line + 1, at.mark.column + 1, at.key, std::move(message)});
  }

  // Calls read(name, entry) for each entry of the map `e`, once the name is known to be one
  // of `known` and not given before.
  template <typename Read>
  void entries(const Entry& e, Keys known, Read read) {
    each(e, &known, read);
  }
  // The same for a map whose names are free (headers).
  template <typename Read>
  void any_entries(const Entry& e, Read read) {
    each(e, nullptr, read);
  }

  std::optional<std::string> text(const Entry& e) {
    if (e.value.IsScalar()) return e.value.Scalar();
    problem(e, "expected a string");
    return std::nullopt;
  }

  std::optional<std::string> path(const Entry& e) {
    auto s = text(e);
    if (s && s->empty()) {
      problem(e, "expected a path, not an empty string");
      return std::nullopt;
    }
    return s;
  }

  // One path, or a list of them.
  std::optional<std::vector<std::string>> paths(const Entry& e) {
    if (!e.value.IsSequence()) {
      auto one = path(e);
      return one ? std::optional(std::vector<std::string>{*one}) : std::nullopt;
    }
    if (e.value.size() == 0) {
      problem(e, "expected at least one path");
      return std::nullopt;
    }
    std::vector<std::string> out;
    for (std::size_t i = 0; i < e.value.size(); ++i) {
      auto p = path(at(e.value[i], e.mark, e.key + "[" + std::to_string(i) + "]"));
      if (!p) return std::nullopt;
      out.push_back(*p);
    }
    return out;
  }

  std::optional<std::int64_t> whole(const Entry& e, std::int64_t min, std::int64_t max) {
    std::int64_t v = 0;
    if (!e.value.IsScalar() || !YAML::convert<std::int64_t>::decode(e.value, v)) {
      problem(e, "expected a whole number");
      return std::nullopt;
    }
    if (v < min || v > max) {
      problem(e, "expected a whole number from " + std::to_string(min) + " to " +
                     std::to_string(max) + ", not " + std::to_string(v));
      return std::nullopt;
    }
    return v;
  }

  // A Prometheus duration ("10s", "500ms"), in milliseconds, at least `min_ms`.
  std::optional<std::int64_t> duration(const Entry& e, std::int64_t min_ms) {
    auto ms = e.value.IsScalar() ? base::parse_duration(e.value.Scalar()) : std::nullopt;
    if (!ms) {
      problem(e, "expected a duration such as `10s` or `500ms`");
      return std::nullopt;
    }
    if (*ms < min_ms) {
      problem(e, "expected a duration of at least " + base::format_duration(min_ms));
      return std::nullopt;
    }
    return ms;
  }

  // A size in bytes: a whole number, or a quantity such as 64Mi or 1G.
  std::optional<std::size_t> size(const Entry& e) {
    auto s = e.value.IsScalar() ? e.value.Scalar() : std::string();
    if (!s.empty() && s[0] >= '0' && s[0] <= '9') {
      auto literal = base::classify_literal(s);
      bool bytes = literal.kind == base::LiteralKind::Number ||
                   (literal.kind == base::LiteralKind::Quantity && !literal.minutes_or_milli);
      if (bytes && literal.value >= 1 && literal.value <= 0x1p53 &&
          literal.value == std::floor(literal.value)) {
        return static_cast<std::size_t>(literal.value);
      }
    }
    problem(e, "expected a size in bytes such as `1048576`, `64Mi` or `1Gi`");
    return std::nullopt;
  }

  // A share from 0 to 1 (0.4), or a percentage ("40%").
  std::optional<double> share(const Entry& e) {
    std::string text = e.value.IsScalar() ? e.value.Scalar() : std::string();
    bool percent = text.ends_with("%");
    if (percent) text.pop_back();
    char* end = nullptr;
    double v = text.empty() ? -1 : std::strtod(text.c_str(), &end);
    if (end == text.c_str() || (end && *end != '\0')) v = -1;
    if (percent) v /= 100;
    if (!(v >= 0 && v <= 1)) {
      problem(e, "expected a share from 0 to 1, or a percentage such as `40%`");
      return std::nullopt;
    }
    return v;
  }

  std::optional<bool> boolean(const Entry& e) {
    bool v = false;
    if (e.value.IsScalar() && YAML::convert<bool>::decode(e.value, v)) return v;
    problem(e, "expected true or false");
    return std::nullopt;
  }

  // A string that `why_not` has no objection to (it returns the objection, or "").
  std::optional<std::string> checked(const Entry& e, std::string (*why_not)(const std::string&)) {
    auto s = text(e);
    if (!s) return std::nullopt;
    if (auto objection = why_not(*s); !objection.empty()) {
      problem(e, objection);
      return std::nullopt;
    }
    return s;
  }

  static Entry at(const YAML::Node& value, const YAML::Mark& key_mark, std::string key) {
    bool empty = value.IsNull() || value.Mark().is_null();
    return Entry{value, empty ? key_mark : value.Mark(), std::move(key), key_mark};
  }

 private:
  template <typename Read>
  void each(const Entry& e, const Keys* known, Read& read) {
    if (!e.value.IsMap()) {
      problem(e, e.key.empty() ? "expected a map of settings (`key: value` lines)"
                               : "expected a map (`key: value` lines, indented below `" +
                                     e.key.substr(e.key.rfind('.') + 1) + ":`)");
      return;
    }
    std::map<std::string, int> seen;  // name -> line
    for (const auto& kv : e.value) {
      const YAML::Node& key = kv.first;
      std::string name = key.IsScalar() ? key.Scalar() : std::string();
      Entry key_entry{key, key.Mark(), e.key.empty() ? name : e.key + "." + name, key.Mark()};
      if (name.empty()) {
        key_entry.key = e.key;
        problem(key_entry, "expected a name before `:`");
        continue;
      }
      if (known && std::find(known->begin(), known->end(), name) == known->end()) {
        problem(key_entry, unknown_key(name, *known));
        continue;
      }
      auto [first, inserted] = seen.emplace(name, key.Mark().line + 1);
      if (!inserted) {
        problem(key_entry, "given twice (first on line " + std::to_string(first->second) + ")");
        continue;
      }
      read(std::string_view(name), at(kv.second, key.Mark(), key_entry.key));
    }
  }

  static std::string unknown_key(const std::string& name, Keys known) {
    std::string best;
    std::size_t best_distance = std::max<std::size_t>(2, name.size() / 3) + 1;
    for (auto k : known) {
      auto d = dsl::edit_distance(name, k);
      if (d < best_distance) {
        best = k;
        best_distance = d;
      }
    }
    if (!best.empty()) return "unknown setting; did you mean `" + best + "`?";
    return "unknown setting; expected one of " + one_of(known);
  }

  std::vector<ConfigProblem>& problems_;
};

// Parses `yaml` as a document of settings; a syntax error is a problem where the parser
// stopped, and the result is then null.
inline YAML::Node load(std::string_view yaml, std::vector<ConfigProblem>& problems) {
  try {
    return YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    problems.push_back({e.mark.line + 1, e.mark.column + 1, "", "invalid YAML: " + e.msg});
    return YAML::Node();
  }
}

// The relative path `p`, as seen from `base` (a settings file's folder); absolute paths and
// "-" stay as they are.
inline void rebase(std::string& p, const std::filesystem::path& base) {
  if (p == "-" || base.empty() || std::filesystem::path(p).is_absolute()) return;
  p = (base / p).lexically_normal().string();
}

// A whole file's text; false when it cannot be read.
inline bool read_text(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out.assign(std::istreambuf_iterator<char>(in), {});
  return true;
}

// A path setting naming a file that must be readable: relative to `base` (the settings
// file's folder); a problem where it is written when it cannot be read.
inline std::optional<std::string> readable(Reader& r, const Entry& e,
                                           const std::filesystem::path& base) {
  auto p = r.path(e);
  if (!p) return std::nullopt;
  rebase(*p, base);
  std::string ignored;
  if (!read_text(*p, ignored)) {
    r.problem(e, "cannot read `" + *p + "`");
    return std::nullopt;
  }
  return p;
}

// The first line of a secret file (a token, a password), without its line end.
inline bool first_line(const std::string& path, const char* what, std::string& out,
                       std::string& error) {
  std::ifstream in(path);
  if (!in) {
    error = "cannot read the " + std::string(what) + " `" + path + "`";
    return false;
  }
  std::getline(in, out);
  while (!out.empty() && (out.back() == '\r' || out.back() == ' ')) out.pop_back();
  return true;
}

// Reads the settings file at `path` (a `what`) into `out` with `parse(text, folder, problems)`,
// the folder being the file's, which its relative paths are relative to. False, with one
// `path:line:col: key: message` line per problem, when it cannot be read or has problems.
template <typename T, typename Parse>
bool read_file(const std::string& path, const char* what, Parse parse, T& out,
               std::string& errors) {
  std::string text;
  if (!read_text(path, text)) {
    errors = path + ": cannot read the " + what + "\n";
    return false;
  }
  std::vector<ConfigProblem> problems;
  out = parse(text, std::filesystem::path(path).parent_path(), problems);
  errors = render_problems(path, problems);
  return problems.empty();
}

// Problems in the order of the text.
inline void sort_problems(std::vector<ConfigProblem>& problems) {
  std::stable_sort(problems.begin(), problems.end(), [](const auto& a, const auto& b) {
    return std::pair(a.line, a.column) < std::pair(b.line, b.column);
  });
}

}  // namespace skippy::agent::settings
