#include "runtime/http/exchange.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <mutex>
#include <string_view>

namespace skippy::http {
namespace {

struct Transfer {
  Response* response = nullptr;
  std::size_t max_bytes = 0;
  bool too_large = false;
};

std::size_t on_write(char* data, std::size_t size, std::size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::size_t n = size * count;
  if (t->response->body.size() + n > t->max_bytes) {
    t->too_large = true;
    return 0;  // aborts the transfer
  }
  t->response->body.append(data, n);
  return n;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::size_t n = size * count;
  std::string_view line(data, n);
  if (line.starts_with("HTTP/")) t->response->retry_after.clear();
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  std::string name(line.substr(0, colon));
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (name == "retry-after") t->response->retry_after = trim(line.substr(colon + 1));
  return n;
}

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// A PEM text as a curl blob: curl copies it.
void set_blob(CURL* e, CURLoption option, const std::string& pem) {
  curl_blob blob{};
  blob.data = const_cast<char*>(pem.data());
  blob.len = pem.size();
  blob.flags = CURL_BLOB_COPY;
  curl_easy_setopt(e, option, &blob);
}

}  // namespace

Response exchange(const Request& request, const Credentials& credentials) {
  Response response;
  if (!request.url.starts_with("http://") && !request.url.starts_with("https://")) {
    response.error = "not an http:// or https:// URL";
    return response;
  }
  global_init();
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> easy(curl_easy_init(), curl_easy_cleanup);
  if (!easy) {
    response.error = "cannot start a transfer";
    return response;
  }
  CURL* e = easy.get();
  Transfer transfer{&response, request.max_response_bytes};
  char error_buffer[CURL_ERROR_SIZE] = {};
  curl_slist* headers = nullptr;
  auto add_header = [&](const std::string& h) { headers = curl_slist_append(headers, h.c_str()); };
  curl_easy_setopt(e, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  if (request.method == "GET") curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
  if (!request.body.empty() || request.method == "POST" || request.method == "PATCH" ||
      request.method == "PUT") {
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(std::max<std::int64_t>(1, request.timeout_ms)));
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::max<std::int64_t>(1, request.timeout_ms)));
  curl_easy_setopt(e, CURLOPT_USERAGENT, request.user_agent.c_str());
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &on_write);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &on_header);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, &transfer);
  add_header("Accept: application/json");
  add_header("Expect:");  // no 100-continue round trip
  if (!request.content_type.empty()) add_header("Content-Type: " + request.content_type);
  if (!credentials.bearer_token.empty())
    add_header("Authorization: Bearer " + credentials.bearer_token);
  for (const auto& h : request.headers) add_header(h);
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
  if (!credentials.ca_file.empty())
    curl_easy_setopt(e, CURLOPT_CAINFO, credentials.ca_file.c_str());
  if (!credentials.ca_pem.empty()) set_blob(e, CURLOPT_CAINFO_BLOB, credentials.ca_pem);
  if (!credentials.client_cert_file.empty())
    curl_easy_setopt(e, CURLOPT_SSLCERT, credentials.client_cert_file.c_str());
  if (!credentials.client_cert_pem.empty())
    set_blob(e, CURLOPT_SSLCERT_BLOB, credentials.client_cert_pem);
  if (!credentials.client_key_file.empty())
    curl_easy_setopt(e, CURLOPT_SSLKEY, credentials.client_key_file.c_str());
  if (!credentials.client_key_pem.empty())
    set_blob(e, CURLOPT_SSLKEY_BLOB, credentials.client_key_pem);
  if (credentials.insecure_skip_verify) {
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  CURLcode code = curl_easy_perform(e);
  curl_slist_free_all(headers);
  long status = 0;
  curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
  if (code != CURLE_OK) {
    if (transfer.too_large) {
      response.error =
          "response larger than " + std::to_string(request.max_response_bytes) + " bytes";
    } else if (code == CURLE_OPERATION_TIMEDOUT) {
      response.error = "timed out after " + std::to_string(request.timeout_ms) + " ms";
    } else {
      response.error = error_buffer[0] ? error_buffer : curl_easy_strerror(code);
    }
    response.status = 0;  // an incomplete response is no response
    return response;
  }
  response.status = static_cast<int>(status);
  return response;
}

std::string describe(const Request& request, const Response& response) {
  std::string out = request.method + " " + request.url + ": ";
  if (!response.error.empty()) return out + response.error;
  out += std::to_string(response.status);
  std::string_view body = trim(response.body);
  if (!body.empty() && (response.status < 200 || response.status >= 300)) {
    constexpr std::size_t kMax = 300;
    std::string cut(body.substr(0, kMax));
    for (char& c : cut) {
      if (c == '\n' || c == '\r') c = ' ';
    }
    out += ": " + cut + (body.size() > kMax ? "..." : "");
  }
  return out;
}

}  // namespace skippy::http
