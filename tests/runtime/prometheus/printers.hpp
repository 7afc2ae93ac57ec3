// Boost.Test printers for the Prometheus client's enums.
#pragma once

#include <ostream>
#include <string>

#include "runtime/prometheus/client.hpp"

namespace skippy::prometheus {
inline std::ostream& operator<<(std::ostream& out, ResultType t) {
  return out << to_string(t);
}
inline std::ostream& operator<<(std::ostream& out, Error::Kind k) {
  return out << to_string(k);
}

// The error's message, for BOOST_*_MESSAGE (which evaluates it whether or not the check holds).
inline std::string why(const Outcome& o) {
  return o.ok() ? std::string() : o.error().message;
}
}  // namespace skippy::prometheus
