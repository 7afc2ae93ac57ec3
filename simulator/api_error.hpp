// The errors the simulated API server answers with, as the real one words them: an HTTP code,
// a reason (NotFound, AlreadyExists, Conflict, Invalid, ...) and a message, sent as a
// meta/v1 Status object so that kubectl prints them as it prints a real server's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

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
  // The same as the response body, its fields in kube-apiserver's order (kind, apiVersion,
  // metadata, status, message, reason, details, code), so that a client that shows the first
  // bytes of a body shows the message.
  std::string status_text() const;
};

// A value, or the error that stands for it.
template <class T>
using Outcome = std::variant<T, ApiError>;

template <class T>
const ApiError* error_of(const Outcome<T>& outcome) {
  return std::get_if<ApiError>(&outcome);
}

// One field's problem, as k8s.io/apimachinery's field.Error: a type, the field's path, the
// value found (shown for the types that show one) and a detail.
struct FieldError {
  enum class Type { Required, Invalid, Forbidden, TooLong, NotSupported, Duplicate };
  Type type = Type::Invalid;
  std::string field;        // "spec.replicas"
  Json value = no_value();  // shown after the type unless `discarded`: `Invalid value: -1`
  std::string detail;       // "must be greater than or equal to 0"

  // "Invalid value: -1: must be greater than or equal to 0", as ErrorBody() writes it: the
  // message of the Status cause.
  std::string body() const;
  // "FieldValueInvalid", the cause's reason.
  std::string_view cause() const;
  // A value that is not shown: Json's `discarded`.
  static Json no_value() { return Json(Json::value_t::discarded); }
};
FieldError required(std::string field, std::string detail = "");
FieldError forbidden(std::string field, std::string detail);
FieldError invalid_value(std::string field, Json value, std::string detail);
FieldError too_long(std::string field, std::int64_t max_bytes);

// `plural` is the resource ("pods"), `group` its API group ("" for the core group).
ApiError not_found(std::string_view plural, std::string_view group, std::string_view name);
ApiError already_exists(std::string_view plural, std::string_view group, std::string_view name);
ApiError conflict(std::string_view plural, std::string_view group, std::string_view name);
// 422 Invalid, as errors.NewInvalid makes it: the message `KIND[.GROUP] "NAME" is invalid: `
// then `FIELD: BODY` (several errors: `[FIELD: BODY, ...]`), details with the name, group,
// kind and one cause per error.
ApiError invalid(std::string_view kind, std::string_view group, std::string_view name,
                 const std::vector<FieldError>& errors);
// One error of an invalid object whose trouble has no field type: `why` as an Invalid value's
// detail (a patch that cannot apply, a malformed field).
ApiError invalid(std::string_view kind, std::string_view group, std::string_view name,
                 std::string_view field, std::string_view why);
ApiError bad_request(std::string_view message);
ApiError method_not_allowed(std::string_view message);
ApiError unsupported_media_type(std::string_view content_type);
ApiError too_many_requests(std::string_view message, Json causes);
ApiError expired(std::string_view message);  // 410: a resourceVersion older than the history

// A successful Status (what DELETE of some objects and an eviction answer).
Json success_status(int code);

}  // namespace skippy::sim
