#include "simulator/api_error.hpp"

#include <algorithm>

namespace skippy::sim {
namespace {

// A bad value as Go's %q / %v print it in a field error: strings quoted, numbers and booleans
// bare, a map of strings as `map[string]string{"k":"v"}`.
std::string go_value(const Json& v) {
  if (v.is_string() || v.is_number() || v.is_boolean()) return v.dump();
  if (v.is_null()) return "null";
  if (v.is_object()) {
    std::string out = "map[string]string{";
    bool first = true;
    for (const auto& [k, item] : v.items()) {
      out += (first ? "" : ", ") + Json(k).dump() + ":" +
             (item.is_string() ? item.dump() : Json(item.dump()).dump());
      first = false;
    }
    return out + "}";
  }
  return v.dump();
}

// "pods" or "deployments.apps", as the real server names a resource in its messages; the same
// for a kind ("Deployment.apps").
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

std::string ApiError::status_text() const {
  nlohmann::ordered_json s = {{"kind", "Status"},           {"apiVersion", "v1"},
                              {"metadata", Json::object()}, {"status", "Failure"},
                              {"message", message},         {"reason", reason}};
  if (!details.is_null()) {
    nlohmann::ordered_json d;
    for (const char* k : {"name", "group", "kind", "causes"}) {
      if (!details.contains(k)) continue;
      if (std::string_view(k) != "causes") {
        d[k] = details[k];
        continue;
      }
      d[k] = nlohmann::ordered_json::array();
      for (const auto& c : details[k]) {
        nlohmann::ordered_json cause;
        for (const char* f : {"reason", "message", "field"})
          if (c.contains(f)) cause[f] = c[f];
        d[k].push_back(cause);
      }
    }
    s["details"] = d;
  }
  s["code"] = code;
  return s.dump();
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

std::string FieldError::body() const {
  static constexpr std::string_view kNames[] = {"Required value",    "Invalid value",
                                                "Forbidden",         "Too long",
                                                "Unsupported value", "Duplicate value"};
  std::string out(kNames[static_cast<int>(type)]);
  // Required, Forbidden and Too long never show the value (ErrorBody()).
  bool shows = type != Type::Required && type != Type::Forbidden && type != Type::TooLong;
  if (shows && !value.is_discarded()) out += ": " + go_value(value);
  if (!detail.empty()) out += ": " + detail;
  return out;
}

std::string_view FieldError::cause() const {
  static constexpr std::string_view kCauses[] = {"FieldValueRequired",     "FieldValueInvalid",
                                                 "FieldValueForbidden",    "FieldValueTooLong",
                                                 "FieldValueNotSupported", "FieldValueDuplicate"};
  return kCauses[static_cast<int>(type)];
}

FieldError required(std::string field, std::string detail) {
  return {FieldError::Type::Required, std::move(field), FieldError::no_value(), std::move(detail)};
}
FieldError forbidden(std::string field, std::string detail) {
  return {FieldError::Type::Forbidden, std::move(field), FieldError::no_value(), std::move(detail)};
}
FieldError invalid_value(std::string field, Json value, std::string detail) {
  return {FieldError::Type::Invalid, std::move(field), std::move(value), std::move(detail)};
}
FieldError too_long(std::string field, std::int64_t max_bytes) {
  return {FieldError::Type::TooLong, std::move(field), FieldError::no_value(),
          "must have at most " + std::to_string(max_bytes) + " bytes"};
}

ApiError invalid(std::string_view kind, std::string_view group, std::string_view name,
                 const std::vector<FieldError>& errors) {
  // ToAggregate(): one error as itself, several in brackets, repeats once.
  std::vector<std::string> texts;
  Json causes = Json::array();
  for (const auto& e : errors) {
    std::string text = e.field.empty() ? e.body() : e.field + ": " + e.body();
    if (std::find(texts.begin(), texts.end(), text) == texts.end()) texts.push_back(text);
    causes.push_back({{"reason", e.cause()}, {"message", e.body()}, {"field", e.field}});
  }
  std::string all = texts.size() == 1 ? texts[0] : "[";
  for (std::size_t i = 0; texts.size() != 1 && i < texts.size(); ++i)
    all += (i ? ", " : "") + texts[i];
  if (texts.size() != 1) all += "]";
  std::string message = qualified(kind, group) + " \"" + std::string(name) + "\" is invalid";
  if (!texts.empty()) message += ": " + all;
  Json details = {{"name", name}, {"kind", kind}, {"causes", causes}};
  if (!group.empty()) details["group"] = group;
  return {422, "Invalid", std::move(message), std::move(details)};
}

ApiError invalid(std::string_view kind, std::string_view group, std::string_view name,
                 std::string_view field, std::string_view why) {
  return invalid(kind, group, name,
                 {invalid_value(std::string(field), FieldError::no_value(), std::string(why))});
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
