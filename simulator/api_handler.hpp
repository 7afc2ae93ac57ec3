// The simulated API server's requests and answers, without HTTP: a method, a path, a query
// string and a body in; a status, a content type and a JSON body out, or a watch to stream.
// Routes discovery, the collections and objects of every served resource and their
// subresources (status, scale, eviction) to the store's verbs (rest.hpp), GET /metrics to the
// per-pod metrics (metrics.hpp), and answers every mistake with a Status object and its HTTP
// code. Never throws on any input.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <variant>

#include "simulator/object_store.hpp"
#include "simulator/watch.hpp"

namespace skippy::sim {

struct ApiRequest {
  std::string method;        // "GET", "POST", ...
  std::string path;          // decoded: "/api/v1/namespaces/default/pods"
  std::string query;         // raw, without '?': "labelSelector=app%3Dweb&watch=1"
  std::string accept;        // the Accept header
  std::string content_type;  // the Content-Type header
  std::string body;
};

struct ApiResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

// A response, or a watch to stream (its first lines come from WatchStream::poll).
using ApiResult = std::variant<ApiResponse, WatchSpec>;

ApiResult handle_request(ObjectStore& store, const ApiRequest& request, std::int64_t now_ms);

// The decoded parameters of a query string ("a=1&b=x%20y"); a later duplicate wins.
std::map<std::string, std::string> parse_query(std::string_view query);

}  // namespace skippy::sim
