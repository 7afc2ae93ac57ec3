// Reading YAML nodes of one manifest with their lines: typed fields that report a located
// warning instead of throwing when a value has the wrong shape, and the keys a mapping has
// that its schema does not define.
#pragma once

#include <yaml-cpp/yaml.h>

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "translate/finding.hpp"
#include "translate/healing_policy.hpp"

namespace skippy::translate {

class YamlReader {
 public:
  explicit YamlReader(Findings& findings) : findings_(findings) {}

  Findings& findings() { return findings_; }

  // The location of a node under the field path `field`.
  static Where at(const YAML::Node& node, std::string field);

  // The value of `key` in `map` (an undefined node when absent or when `map` is no mapping),
  // and in `where` the line of the key itself.
  static YAML::Node child(const YAML::Node& map, std::string_view key, Where& where,
                          const std::string& parent);

  // Warns about every key of `map` not in `known`, and records it in `unknown` as
  // `field (line N)`.
  void unknown_keys(const YAML::Node& map, const std::string& field,
                    std::initializer_list<std::string_view> known,
                    std::vector<std::string>& unknown);

  // True when `node` is a mapping; a warning otherwise (absent nodes are no warning).
  bool expect_map(const YAML::Node& node, const Where& where);
  bool expect_sequence(const YAML::Node& node, const Where& where);

  // Typed fields: when the key is absent the field keeps its default and `present` false;
  // when the value has the wrong shape, a warning and the default.
  void read(const YAML::Node& map, std::string_view key, const std::string& parent,
            Field<std::string>& out);
  void read(const YAML::Node& map, std::string_view key, const std::string& parent,
            Field<double>& out);
  void read(const YAML::Node& map, std::string_view key, const std::string& parent,
            Field<std::int64_t>& out);
  void read(const YAML::Node& map, std::string_view key, const std::string& parent,
            Field<bool>& out);
  void read(const YAML::Node& map, std::string_view key, const std::string& parent,
            Field<std::vector<std::string>>& out);
  // A Kubernetes duration ("5m", "90s", "1h30m") into milliseconds.
  void read_duration(const YAML::Node& map, std::string_view key, const std::string& parent,
                     Field<std::int64_t>& out);

 private:
  Findings& findings_;
};

// `parent.key`, or `key` at the top.
std::string join_field(const std::string& parent, std::string_view key);
// `parent[i]`.
std::string index_field(const std::string& parent, std::size_t i);

}  // namespace skippy::translate
