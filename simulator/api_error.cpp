#include "simulator/api_error.hpp"

namespace skippy::sim {
namespace {

// "pods" or "deployments.apps", as the real server names a resource in its messages.
std::string qualified(std::string_view plural, std::string_view group) {
  std::string out(plural);
  if (!group.empty()) out += "." + std::string(group);
  return out;
}

ApiError with_details(int code, std::string reason, std::string message, std::string_view plural,
                      std::string_view group, std::string_view name) {
  Json details = {{"name", name}, {"kind", plural}};
  if (!group.empty()) details["group"] = group;
  return {code, std::move(reason), std::move(message), std::move(details)};
}

}  // namespace

Json ApiError::status() const {
  Json s = {{"kind", "Status"},    {"apiVersion", "v1"}, {"metadata", Json::object()},
            {"status", "Failure"}, {"message", message}, {"reason", reason},
            {"code", code}};
  if (!details.is_null()) s["details"] = details;
  return s;
}

ApiError not_found(std::string_view plural, std::string_view group, std::string_view name) {
  return with_details(404, "NotFound",
                      qualified(plural, group) + " \"" + std::string(name) + "\" not found", plural,
                      group, name);
}

ApiError already_exists(std::string_view plural, std::string_view group, std::string_view name) {
  return with_details(409, "AlreadyExists",
                      qualified(plural, group) + " \"" + std::string(name) + "\" already exists",
                      plural, group, name);
}

ApiError conflict(std::string_view plural, std::string_view group, std::string_view name) {
  return with_details(409, "Conflict",
                      "Operation cannot be fulfilled on " + qualified(plural, group) + " \"" +
                          std::string(name) +
                          "\": the object has been modified; please apply your changes to the "
                          "latest version and try again",
                      plural, group, name);
}

ApiError invalid(std::string_view kind, std::string_view name, std::string_view field,
                 std::string_view why) {
  std::string message = std::string(kind) + " \"" + std::string(name) +
                        "\" is invalid: " + std::string(field) + ": " + std::string(why);
  Json details = {
      {"name", name},
      {"kind", kind},
      {"causes",
       Json::array({{{"reason", "FieldValueInvalid"}, {"message", why}, {"field", field}}})}};
  return {422, "Invalid", std::move(message), std::move(details)};
}

ApiError bad_request(std::string_view message) {
  return {400, "BadRequest", std::string(message), nullptr};
}

ApiError method_not_allowed(std::string_view message) {
  return {405, "MethodNotAllowed", std::string(message), nullptr};
}

ApiError unsupported_media_type(std::string_view content_type) {
  return {415, "UnsupportedMediaType",
          "the body of the request was in an unknown format - accepted media types include: "
          "application/json-patch+json, application/merge-patch+json, "
          "application/strategic-merge-patch+json (got \"" +
              std::string(content_type) + "\")",
          nullptr};
}

ApiError too_many_requests(std::string_view message, Json causes) {
  return {429, "TooManyRequests", std::string(message), {{"causes", std::move(causes)}}};
}

ApiError expired(std::string_view message) {
  return {410, "Expired", std::string(message), nullptr};
}

Json success_status(int code) {
  return {{"kind", "Status"},
          {"apiVersion", "v1"},
          {"metadata", Json::object()},
          {"status", "Success"},
          {"code", code}};
}

}  // namespace skippy::sim
