// Label values as Prometheus's text format and OpenMetrics write them.
#pragma once

#include <string>
#include <string_view>

namespace skippy::base {

// Escapes a label value (without the quotes): backslash, double quote and newline.
std::string label_value_escape(std::string_view text);

}  // namespace skippy::base
