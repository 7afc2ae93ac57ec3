// YAML documents as JSON trees, with Kubernetes' reading of plain scalars: true/false, null
// and ~, integers and floats become JSON values; quoted scalars stay strings.
#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

namespace skippy::sim {

using Json = nlohmann::json;

// One document and the line it starts on (1-based).
struct YamlDocument {
  Json value;
  int line = 1;
};

// The documents of a multi-document text (empty documents skipped), or "NAME:LINE:COL: why".
std::variant<std::vector<YamlDocument>, std::string> yaml_documents(std::string_view text,
                                                                    const std::string& name);

}  // namespace skippy::sim
