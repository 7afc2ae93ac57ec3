#include "translate/yaml_reader.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "base/literals.hpp"

namespace skippy::translate {

std::string join_field(const std::string& parent, std::string_view key) {
  return parent.empty() ? std::string(key) : parent + "." + std::string(key);
}

std::string index_field(const std::string& parent, std::size_t i) {
  return parent + "[" + std::to_string(i) + "]";
}

Where YamlReader::at(const YAML::Node& node, std::string field) {
  Where w;
  w.field = std::move(field);
  if (node.IsDefined()) w.line = static_cast<std::uint32_t>(node.Mark().line + 1);
  return w;
}

YAML::Node YamlReader::child(const YAML::Node& map, std::string_view key, Where& where,
                             const std::string& parent) {
  where.field = join_field(parent, key);
  if (!map.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
  for (auto it = map.begin(); it != map.end(); ++it) {
    if (!it->first.IsScalar() || it->first.Scalar() != key) continue;
    where.line = static_cast<std::uint32_t>(it->first.Mark().line + 1);
    return it->second;
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

void YamlReader::unknown_keys(const YAML::Node& map, const std::string& field,
                              std::initializer_list<std::string_view> known,
                              std::vector<std::string>& unknown) {
  if (!map.IsMap()) return;
  for (auto it = map.begin(); it != map.end(); ++it) {
    std::string key = it->first.IsScalar() ? it->first.Scalar() : std::string("?");
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    Where w = at(it->first, join_field(field, key));
    findings_.warning(w,
                      "not a field of the HealingPolicy schema; upstream ignored it, and "
                      "so does the translation");
    unknown.push_back(w.field + " (line " + std::to_string(w.line) + ")");
  }
}

bool YamlReader::expect_map(const YAML::Node& node, const Where& where) {
  if (!node.IsDefined() || node.IsNull()) return false;
  if (node.IsMap()) return true;
  findings_.warning(where, "expected a mapping; ignored");
  return false;
}

bool YamlReader::expect_sequence(const YAML::Node& node, const Where& where) {
  if (!node.IsDefined() || node.IsNull()) return false;
  if (node.IsSequence()) return true;
  findings_.warning(where, "expected a list; ignored");
  return false;
}

namespace {

// Reads a scalar field with `decode`, which turns its YAML node into a value or fails; a
// failure is a warning naming `expected`.
template <class T, class Decode>
void read_scalar(YamlReader& reader, const YAML::Node& map, std::string_view key,
                 const std::string& parent, Field<T>& out, const char* expected, Decode decode) {
  Where w = out.where;
  YAML::Node v = YamlReader::child(map, key, w, parent);
  out.where = w;
  if (!v.IsDefined() || v.IsNull()) return;
  T value{};
  if (!v.IsScalar() || !decode(v, value)) {
    reader.findings().warning(w, std::string("expected ") + expected + "; ignored");
    return;
  }
  out.value = std::move(value);
  out.present = true;
}

}  // namespace

void YamlReader::read(const YAML::Node& map, std::string_view key, const std::string& parent,
                      Field<std::string>& out) {
  read_scalar(*this, map, key, parent, out, "a string", [](const YAML::Node& v, std::string& s) {
    s = v.Scalar();
    return true;
  });
}

void YamlReader::read(const YAML::Node& map, std::string_view key, const std::string& parent,
                      Field<double>& out) {
  read_scalar(*this, map, key, parent, out, "a number", [](const YAML::Node& v, double& d) {
    return YAML::convert<double>::decode(v, d) && std::isfinite(d);
  });
}

void YamlReader::read(const YAML::Node& map, std::string_view key, const std::string& parent,
                      Field<std::int64_t>& out) {
  Field<double> number;
  number.where = out.where;
  read(map, key, parent, number);
  out.where = number.where;
  if (!number.present) return;
  // The schema's integers are int32.
  if (number.value != std::floor(number.value) || std::fabs(number.value) > 2147483647.0) {
    findings_.warning(out.where, "expected a whole number; ignored");
    return;
  }
  out.value = static_cast<std::int64_t>(number.value);
  out.present = true;
}

void YamlReader::read(const YAML::Node& map, std::string_view key, const std::string& parent,
                      Field<bool>& out) {
  read_scalar(*this, map, key, parent, out, "true or false",
              [](const YAML::Node& v, bool& b) { return YAML::convert<bool>::decode(v, b); });
}

void YamlReader::read(const YAML::Node& map, std::string_view key, const std::string& parent,
                      Field<std::vector<std::string>>& out) {
  Where w = out.where;
  YAML::Node v = child(map, key, w, parent);
  out.where = w;
  if (!expect_sequence(v, w)) return;
  out.present = true;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (!v[i].IsScalar()) {
      findings_.warning(at(v[i], index_field(w.field, i)), "expected a string; ignored");
      continue;
    }
    out.value.push_back(v[i].Scalar());
  }
}

void YamlReader::read_duration(const YAML::Node& map, std::string_view key,
                               const std::string& parent, Field<std::int64_t>& out) {
  Field<std::string> text;
  text.where = out.where;
  read(map, key, parent, text);
  out.where = text.where;
  if (!text.present) return;
  auto ms = base::parse_duration(text.value);
  if (!ms) {
    findings_.warning(out.where, "`" + text.value +
                                     "` is not a duration such as 90s, 5m or 1h30m; the "
                                     "default " +
                                     base::format_duration(out.value) + " is used");
    return;
  }
  out.value = *ms;
  out.present = true;
}

}  // namespace skippy::translate
