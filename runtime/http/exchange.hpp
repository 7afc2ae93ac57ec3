// One HTTP request and its response over libcurl, for the calls that are not Prometheus
// queries: the executors' Kubernetes API requests, `notify`'s webhooks and `skippy approve`.
// Blocking, bounded by a timeout, never throws; TLS settings come with the request's
// credentials (bearer token or basic auth, client certificate, CA) as files or as PEM text.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

namespace skippy::http {

struct Credentials {
  std::string bearer_token;           // "Authorization: Bearer ..." when set
  std::string ca_file;                // a PEM bundle to verify the server with ...
  std::string ca_pem;                 // ... or the PEM text itself
  std::string client_cert_file;       // a client certificate (PEM) ...
  std::string client_cert_pem;        // ... or its text
  std::string client_key_file;        // its key (PEM) ...
  std::string client_key_pem;         // ... or its text
  bool insecure_skip_verify = false;  // do not verify the server's certificate or name
  std::string server_name;            // the name to verify (and send as SNI) instead of the URL's
  std::string basic_user;             // HTTP basic auth when set ...
  std::string basic_password;         // ... with this password
};

struct Request {
  std::string method = "GET";  // GET, POST, PATCH, DELETE, PUT
  std::string url;             // http:// or https:// only
  std::string content_type;    // of the body; none without a body
  std::string body;
  std::vector<std::string> headers;                        // more "Name: value" headers
  std::int64_t timeout_ms = 10'000;                        // connect, send and receive, in all
  std::size_t max_response_bytes = std::size_t{16} << 20;  // larger responses fail
  std::string user_agent = "skippy";
  const std::atomic<bool>* cancel = nullptr;  // when set and true, the transfer stops at once
};

struct Response {
  int status = 0;           // the HTTP status; 0 when no response came
  std::string body;         // the response's body (what arrived of it)
  std::string error;        // why no usable response came: "connection refused", "timed out", ...
  std::string retry_after;  // the Retry-After header, as sent
  std::string retry_after_ms;  // the retry-after-ms header (OpenAI's), as sent
  bool ok() const { return error.empty() && status >= 200 && status < 300; }
};

Response exchange(const Request& request, const Credentials& credentials = {});

// "POST http://host/path: 503 Service Unavailable: body..." or "...: timed out": one line
// for logs and audit records, the body cut to a few hundred bytes.
std::string describe(const Request& request, const Response& response);

}  // namespace skippy::http
