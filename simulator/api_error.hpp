// The errors the simulated API server answers with, as the real one words them: an HTTP code,
// a reason (NotFound, AlreadyExists, Conflict, Invalid, ...) and a message, sent as a
// meta/v1 Status object so that kubectl prints them as it prints a real server's.
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include <nlohmann/json.hpp>

namespace skippy::sim {

using Json = nlohmann::json;

struct ApiError {
  int code = 500;
  std::string reason;   // "NotFound", "AlreadyExists", ...
  std::string message;  // `pods "web-0" not found`
  Json details;         // {name, kind, group, causes: [...]}, or null

  // The Status object: {"kind":"Status","apiVersion":"v1","status":"Failure",...}.
  Json status() const;
};

// A value, or the error that stands for it.
template <class T>
using Outcome = std::variant<T, ApiError>;

template <class T>
const ApiError* error_of(const Outcome<T>& outcome) {
  return std::get_if<ApiError>(&outcome);
}

// `plural` is the resource ("pods"), `group` its API group ("" for the core group).
ApiError not_found(std::string_view plural, std::string_view group, std::string_view name);
ApiError already_exists(std::string_view plural, std::string_view group, std::string_view name);
ApiError conflict(std::string_view plural, std::string_view group, std::string_view name);
// 422: the object (or the patched object) is not a valid `kind`; `field` and `why` locate it.
ApiError invalid(std::string_view kind, std::string_view name, std::string_view field,
                 std::string_view why);
ApiError bad_request(std::string_view message);
ApiError method_not_allowed(std::string_view message);
ApiError unsupported_media_type(std::string_view content_type);
ApiError too_many_requests(std::string_view message, Json causes);
ApiError expired(std::string_view message);  // 410: a resourceVersion older than the history

// A successful Status (what DELETE of some objects and an eviction answer).
Json success_status(int code);

}  // namespace skippy::sim
