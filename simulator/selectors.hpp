// Label selectors and field selectors as list and watch requests give them in their query
// (`labelSelector=app=web,tier in (front,back),!canary`, `fieldSelector=metadata.name=web-0`),
// and the structured selectors of workloads (`matchLabels` and `matchExpressions`).
#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

namespace skippy::sim {

using Json = nlohmann::json;

// One requirement: `key` op values.
struct Requirement {
  enum class Op { Equals, NotEquals, In, NotIn, Exists, DoesNotExist };
  std::string key;
  Op op = Op::Exists;
  std::vector<std::string> values;
};

// Every requirement must hold; an empty selector selects everything.
struct LabelSelector {
  std::vector<Requirement> requirements;
  bool matches(const Json& labels) const;
};

// The selector of a query string, or why it is not one ("unable to parse requirement: ...").
std::variant<LabelSelector, std::string> parse_label_selector(std::string_view text);
// The selector of a workload's `spec.selector` ({matchLabels, matchExpressions}), or why it is
// not one. A null or empty selector selects everything.
std::variant<LabelSelector, std::string> label_selector_of(const Json& selector);

// A field selector: `path=value`, `path==value` or `path!=value`, comma-separated; a path is
// dotted into the object (metadata.name, involvedObject.uid, status.phase, spec.nodeName).
struct FieldSelector {
  struct Term {
    std::string path;  // as a JSON pointer: "/metadata/name"
    std::string value;
    bool equal = true;
  };
  std::vector<Term> terms;
  bool matches(const Json& object) const;
};
std::variant<FieldSelector, std::string> parse_field_selector(std::string_view text);

}  // namespace skippy::sim
