#include "agent/config/log.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "base/json_escape.hpp"

namespace skippy::agent {
namespace {

bool json_format = false;

std::shared_ptr<spdlog::logger>& logger() {
  static std::shared_ptr<spdlog::logger> l = spdlog::stderr_logger_mt("skippy");
  return l;
}

// The message as a quoted string: JSON escapes serve logfmt as well.
std::string quoted(std::string_view text) {
  return "\"" + base::json_escape(text) + "\"";
}

void log(spdlog::level::level_enum level, std::string_view message) {
  logger()->log(level, "{}", quoted(message));
}

}  // namespace

std::string log_level_problem(const std::string& level) {
  if (spdlog::level::from_str(level) != spdlog::level::off || level == "off") return "";
  return "unknown log level `" + level + "`: debug, info, warn or error";
}

std::string log_format_problem(const std::string& format) {
  if (format == "logfmt" || format == "json") return "";
  return "unknown log format `" + format + "`: logfmt or json";
}

bool configure_log(const std::string& level, const std::string& format, std::string& error) {
  error = log_level_problem(level);
  if (error.empty()) error = log_format_problem(format);
  if (!error.empty()) return false;
  json_format = format == "json";
  logger()->set_level(spdlog::level::from_str(level));
  logger()->set_pattern(json_format ? R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","msg":%v})"
                                    : "time=%Y-%m-%dT%H:%M:%S.%eZ level=%l msg=%v",
                        spdlog::pattern_time_type::utc);
  logger()->flush_on(spdlog::level::trace);
  return true;
}

void log_info(std::string_view message) {
  log(spdlog::level::info, message);
}
void log_warn(std::string_view message) {
  log(spdlog::level::warn, message);
}
void log_error(std::string_view message) {
  log(spdlog::level::err, message);
}
void log_debug(std::string_view message) {
  log(spdlog::level::debug, message);
}

}  // namespace skippy::agent
