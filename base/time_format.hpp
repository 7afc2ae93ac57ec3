// Times as every record and log line of Skippy writes them.
#pragma once

#include <cstdint>
#include <string>

namespace skippy::base {

// RFC 3339 UTC with milliseconds: 2026-11-26T09:40:48.123Z
std::string format_time(std::int64_t ms);

}  // namespace skippy::base
