// Reading one HealingPolicy document into the upstream schema (healing_policy.hpp). Every
// field is read with its line; a value of the wrong shape and every field the schema does
// not define is a located warning, and reading goes on.
#pragma once

#include <yaml-cpp/yaml.h>

#include "translate/healing_policy.hpp"
#include "translate/yaml_reader.hpp"

namespace skippy::translate {

HealingPolicy read_policy(const YAML::Node& document, YamlReader& reader);

}  // namespace skippy::translate
