#include "runtime/http/retry_after.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <string>

namespace skippy::http {
namespace {

constexpr std::int64_t kAbsurd = std::int64_t{1} << 40;

// A non-negative whole number of at most nine digits, -1 otherwise (kAbsurd when longer).
std::int64_t whole(std::string_view v) {
  if (v.empty() || !std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return -1;
  if (v.size() > 9) return kAbsurd;
  std::int64_t n = 0;
  for (char c : v) n = n * 10 + (c - '0');
  return n;
}

}  // namespace

std::int64_t retry_after_ms(std::string_view retry_after, std::string_view date,
                            std::string_view retry_after_ms_header) {
  if (auto ms = whole(retry_after_ms_header); ms >= 0) return ms;
  if (auto seconds = whole(retry_after); seconds >= 0)
    return seconds == kAbsurd ? kAbsurd : seconds * 1000;
  if (retry_after.empty() || date.empty()) return -1;
  time_t when = curl_getdate(std::string(retry_after).c_str(), nullptr);
  time_t now = curl_getdate(std::string(date).c_str(), nullptr);
  if (when == -1 || now == -1) return -1;
  return std::max<std::int64_t>(0, static_cast<std::int64_t>(when - now) * 1000);
}

}  // namespace skippy::http
