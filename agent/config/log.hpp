// The runtime's log: spdlog on standard error, as logfmt (default) or JSON lines, with a
// level filter (--log.level, --log.format). Messages are escaped for the chosen format.
#pragma once

#include <string>
#include <string_view>

namespace skippy::agent {

// Returns false (and says why in `error`) for an unknown level or format.
bool configure_log(const std::string& level, const std::string& format, std::string& error);

// Why `level` or `format` is not one the log knows ("unknown log level `x`: ..."); empty
// when it is.
std::string log_level_problem(const std::string& level);
std::string log_format_problem(const std::string& format);

void log_info(std::string_view message);
void log_warn(std::string_view message);
void log_error(std::string_view message);
void log_debug(std::string_view message);

}  // namespace skippy::agent
