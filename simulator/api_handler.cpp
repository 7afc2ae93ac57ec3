#include "simulator/api_handler.hpp"

#include <vector>

#include "base/markup_escape.hpp"
#include "simulator/discovery.hpp"
#include "simulator/disruption.hpp"
#include "simulator/metrics.hpp"
#include "simulator/object_meta.hpp"
#include "simulator/rest.hpp"
#include "simulator/tables.hpp"

namespace skippy::sim {
namespace {

ApiResponse json_response(int status, const Json& body) {
  return {status, "application/json", body.dump()};
}

ApiResponse error_response(const ApiError& e) {
  return {e.code, "application/json", e.status_text()};
}

ApiResponse page_not_found() {
  return error_response(
      {404, "NotFound", "the server could not find the requested resource", nullptr});
}

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (end > start) out.emplace_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// What the path names below a group version: a collection, an object, or a subresource.
struct Target {
  ObjectRef ref;
  std::string subresource;
};

// The target of the path segments after /api/v1 or /apis/G/V, or nullopt for no such path.
std::optional<Target> target_of(std::string_view group, std::string_view version,
                                std::vector<std::string> rest) {
  Target t;
  if (rest.size() >= 3 && rest[0] == "namespaces" && find_resource(group, version, rest[2])) {
    t.ref.namespace_name = rest[1];
    rest.erase(rest.begin(), rest.begin() + 2);
  }
  if (rest.empty() || rest.size() > 3) return std::nullopt;
  t.ref.type = find_resource(group, version, rest[0]);
  if (!t.ref.type) return std::nullopt;
  if (t.ref.type->namespaced && t.ref.namespace_name.empty() && rest.size() > 1)
    return std::nullopt;
  if (!t.ref.type->namespaced && !t.ref.namespace_name.empty()) return std::nullopt;
  if (rest.size() > 1) t.ref.name = rest[1];
  if (rest.size() > 2) {
    t.subresource = rest[2];
    if (!t.ref.type->has_subresource(t.subresource)) return std::nullopt;
  }
  return t;
}

std::optional<std::int64_t> number(const std::string& text) {
  if (text.empty() || text.size() > 18) return std::nullopt;
  std::int64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

std::string param(const std::map<std::string, std::string>& query, const char* name) {
  auto it = query.find(name);
  return it == query.end() ? "" : it->second;
}

ApiResult list_or_watch(ObjectStore& store, const Target& t, const ApiRequest& request,
                        const std::map<std::string, std::string>& query, std::int64_t now_ms) {
  auto labels = parse_label_selector(param(query, "labelSelector"));
  if (auto* why = std::get_if<std::string>(&labels)) return error_response(bad_request(*why));
  auto fields = parse_field_selector(param(query, "fieldSelector"));
  if (auto* why = std::get_if<std::string>(&fields)) return error_response(bad_request(*why));
  std::string watch = param(query, "watch");
  if (watch == "1" || watch == "true") {
    WatchSpec spec;
    spec.type = t.ref.type;
    spec.namespace_name = t.ref.namespace_name;
    spec.labels = std::get<LabelSelector>(std::move(labels));
    spec.fields = std::get<FieldSelector>(std::move(fields));
    std::string rv = param(query, "resourceVersion");
    if (!rv.empty() && rv != "0") {
      spec.since = number(rv);
      if (!spec.since) return error_response(bad_request("invalid resourceVersion \"" + rv + "\""));
    }
    spec.bookmarks = param(query, "allowWatchBookmarks") == "true";
    spec.timeout_seconds = number(param(query, "timeoutSeconds")).value_or(0);
    spec.table = wants_table(request.accept);
    spec.include_object = param(query, "includeObject");
    return spec;
  }
  std::vector<const Json*> items;
  for (const Json* o : store.list(*t.ref.type, t.ref.namespace_name)) {
    if (std::get<LabelSelector>(labels).matches(labels_of(*o)) &&
        std::get<FieldSelector>(fields).matches(*o))
      items.push_back(o);
  }
  std::string rv = std::to_string(store.revision());
  if (wants_table(request.accept))
    return json_response(200,
                         to_table(*t.ref.type, items, rv, now_ms, param(query, "includeObject")));
  Json list = {{"kind", t.ref.type->list_kind()},
               {"apiVersion", t.ref.type->api_version()},
               {"metadata", {{"resourceVersion", rv}}},
               {"items", Json::array()}};
  for (const Json* o : items) list["items"].push_back(*o);
  return json_response(200, list);
}

// The DeleteOptions of a request: the body's, then the query's.
Propagation propagation_of(const ApiRequest& request,
                           const std::map<std::string, std::string>& query) {
  std::string policy = param(query, "propagationPolicy");
  Json options = Json::parse(request.body, nullptr, false);
  if (options.is_object()) {
    if (options.contains("propagationPolicy") && options["propagationPolicy"].is_string())
      policy = options["propagationPolicy"].get<std::string>();
    if (options.value("orphanDependents", false)) policy = "Orphan";
  }
  if (policy == "Foreground") return Propagation::Foreground;
  if (policy == "Orphan") return Propagation::Orphan;
  return Propagation::Background;
}

ApiResponse answer(const Outcome<Json>& outcome, int success_code = 200) {
  if (const auto* e = error_of(outcome)) return error_response(*e);
  return json_response(success_code, std::get<Json>(outcome));
}

ApiResult object_request(ObjectStore& store, const Target& t, const ApiRequest& request,
                         const std::map<std::string, std::string>& query, std::int64_t now_ms) {
  const std::string& m = request.method;
  const std::string& sub = t.subresource;
  if (m == "GET") {
    if (sub == "scale") return answer(get_scale(store, t.ref));
    if (sub == "eviction") return error_response(method_not_allowed("eviction is POST only"));
    auto got = get_object(store, t.ref);
    if (!error_of(got) && wants_table(request.accept)) {
      const Json& o = std::get<Json>(got);
      return json_response(
          200, to_table(*t.ref.type, {&o}, string_at(o, "/metadata/resourceVersion"), now_ms,
                        param(query, "includeObject")));
    }
    return answer(got);
  }
  if (m == "POST") {
    if (sub != "eviction")
      return error_response(method_not_allowed("POST is for collections and pods/eviction"));
    Json body = Json::parse(request.body, nullptr, false);
    if (body.is_discarded()) return error_response(bad_request("the body is not valid JSON"));
    return answer(evict_pod(store, t.ref, body, now_ms), 201);
  }
  if (m == "PUT") {
    Json body = Json::parse(request.body, nullptr, false);
    if (body.is_discarded()) return error_response(bad_request("the body is not valid JSON"));
    if (sub == "scale") return answer(update_scale(store, t.ref, body));
    if (sub == "eviction") return error_response(method_not_allowed("eviction is POST only"));
    return answer(update_object(store, t.ref, sub, std::move(body)));
  }
  if (m == "PATCH") {
    if (sub == "scale")
      return answer(patch_scale(store, t.ref, request.content_type, request.body));
    if (sub == "eviction") return error_response(method_not_allowed("eviction is POST only"));
    return answer(patch_object(store, t.ref, sub, request.content_type, request.body));
  }
  if (m == "DELETE" && sub.empty())
    return answer(delete_object(store, t.ref, propagation_of(request, query), now_ms));
  return error_response(method_not_allowed(m + " is not supported on this path"));
}

ApiResult resource_request(ObjectStore& store, const Target& t, const ApiRequest& request,
                           std::int64_t now_ms) {
  auto query = parse_query(request.query);
  if (!t.ref.name.empty()) return object_request(store, t, request, query, now_ms);
  if (request.method == "GET") return list_or_watch(store, t, request, query, now_ms);
  if (request.method == "POST") {
    Json body = Json::parse(request.body, nullptr, false);
    if (body.is_discarded()) return error_response(bad_request("the body is not valid JSON"));
    return answer(create_object(store, *t.ref.type, t.ref.namespace_name, std::move(body), now_ms),
                  201);
  }
  return error_response(method_not_allowed(request.method +
                                           " is not supported on a collection (deletecollection "
                                           "is not simulated)"));
}

ApiResult route(ObjectStore& store, const ApiRequest& request, std::int64_t now_ms) {
  auto segments = split_path(request.path);
  if (segments.empty()) return page_not_found();
  const std::string& root = segments[0];
  if (segments.size() == 1 && (root == "healthz" || root == "readyz" || root == "livez"))
    return ApiResponse{200, "text/plain", "ok"};
  if (segments.size() == 1 && root == "version") return json_response(200, version_info());
  if (segments.size() == 2 && root == "openapi" && segments[1] == "v2" && request.method == "GET")
    return ApiResponse{200, "application/com.github.proto-openapi.spec.v2.v1.0+protobuf",
                       openapi_v2_protobuf()};
  if (segments.size() == 1 && root == "metrics" && request.method == "GET")
    return ApiResponse{200, "text/plain; version=0.0.4; charset=utf-8",
                       metrics_text(store, now_ms)};
  std::string group, version;
  std::size_t rest_at = 0;
  if (root == "api") {
    if (segments.size() == 1) return json_response(200, api_versions());
    version = segments[1];
    rest_at = 2;
  } else if (root == "apis") {
    if (segments.size() == 1) return json_response(200, api_group_list());
    group = segments[1];
    if (segments.size() == 2) {
      auto g = api_group(group);
      return g ? ApiResult(json_response(200, *g)) : page_not_found();
    }
    version = segments[2];
    rest_at = 3;
  } else {
    return page_not_found();
  }
  if (segments.size() == rest_at) {
    if (request.method != "GET") return error_response(method_not_allowed("discovery is GET only"));
    auto list = api_resource_list(group, version);
    return list ? ApiResult(json_response(200, *list)) : page_not_found();
  }
  auto target =
      target_of(group, version, {segments.begin() + static_cast<long>(rest_at), segments.end()});
  if (!target) return page_not_found();
  return resource_request(store, *target, request, now_ms);
}

}  // namespace

std::map<std::string, std::string> parse_query(std::string_view query) {
  std::map<std::string, std::string> out;
  std::size_t start = 0;
  while (start < query.size()) {
    std::size_t end = query.find('&', start);
    if (end == std::string_view::npos) end = query.size();
    std::string_view pair = query.substr(start, end - start);
    std::size_t eq = pair.find('=');
    if (!pair.empty()) {
      if (eq == std::string_view::npos)
        out[base::url_decode(pair)] = "";
      else
        out[base::url_decode(pair.substr(0, eq))] = base::url_decode(pair.substr(eq + 1));
    }
    start = end + 1;
  }
  return out;
}

ApiResult handle_request(ObjectStore& store, const ApiRequest& request, std::int64_t now_ms) {
  // Every check above is meant to answer bad input with a Status; this catches the ones that
  // were missed (a field of an unexpected JSON type deep in an object), as a 422, not a crash.
  try {
    return route(store, request, now_ms);
  } catch (const Json::exception& e) {
    return error_response(
        {422, "Invalid", std::string("the object is invalid: ") + e.what(), nullptr});
  }
}

}  // namespace skippy::sim
