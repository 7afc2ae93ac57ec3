#include "runtime/http/exchange.hpp"

#include <algorithm>
#include <cctype>
#include <string_view>

#include "runtime/http/easy.hpp"

namespace skippy::http {
using detail::Easy;
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
  if (line.starts_with("HTTP/")) {
    t->response->retry_after.clear();
    t->response->retry_after_ms.clear();
  }
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  std::string name(line.substr(0, colon));
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (name == "retry-after") t->response->retry_after = trim(line.substr(colon + 1));
  if (name == "retry-after-ms") t->response->retry_after_ms = trim(line.substr(colon + 1));
  return n;
}

// Stops the transfer once the caller's cancel flag is set (curl calls it about once a second,
// and whenever data moves).
int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<const std::atomic<bool>*>(user)->load() ? 1 : 0;
}

}  // namespace

Response exchange(const Request& request, const Credentials& credentials) {
  Response response;
  if (!request.url.starts_with("http://") && !request.url.starts_with("https://")) {
    response.error = "not an http:// or https:// URL";
    return response;
  }
  Easy easy(request, credentials);
  if (!easy.valid()) {
    response.error = "cannot start a transfer";
    return response;
  }
  CURL* e = easy.get();
  Transfer transfer{&response, request.max_response_bytes};
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(std::max<std::int64_t>(1, request.timeout_ms)));
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &on_write);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &on_header);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, &transfer);
  if (request.cancel) {
    curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, &on_progress);
    curl_easy_setopt(e, CURLOPT_XFERINFODATA, request.cancel);
  }
  CURLcode code = curl_easy_perform(e);
  long status = 0;
  curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
  if (code != CURLE_OK) {
    if (transfer.too_large) {
      response.error =
          "response larger than " + std::to_string(request.max_response_bytes) + " bytes";
    } else if (code == CURLE_ABORTED_BY_CALLBACK) {
      response.error = "cancelled";
    } else if (code == CURLE_OPERATION_TIMEDOUT) {
      response.error = "timed out after " + std::to_string(request.timeout_ms) + " ms";
    } else {
      response.error = easy.error(code);
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
