#include "runtime/http/easy.hpp"

#include <algorithm>
#include <mutex>

namespace skippy::http::detail {
namespace {

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

Easy::Easy(const Request& request, const Credentials& credentials)
    : handle_((global_init(), curl_easy_init()), curl_easy_cleanup) {
  if (!handle_) return;
  CURL* e = handle_.get();
  auto add_header = [&](const std::string& h) {
    headers_ = curl_slist_append(headers_, h.c_str());
  };
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
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::max<std::int64_t>(1, request.timeout_ms)));
  curl_easy_setopt(e, CURLOPT_USERAGENT, request.user_agent.c_str());
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, error_buffer_);
  add_header("Accept: application/json");
  add_header("Expect:");  // no 100-continue round trip
  if (!request.content_type.empty()) add_header("Content-Type: " + request.content_type);
  if (!credentials.bearer_token.empty())
    add_header("Authorization: Bearer " + credentials.bearer_token);
  for (const auto& h : request.headers) add_header(h);
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers_);
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
  if (!credentials.basic_user.empty()) {
    curl_easy_setopt(e, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(e, CURLOPT_USERNAME, credentials.basic_user.c_str());
    curl_easy_setopt(e, CURLOPT_PASSWORD, credentials.basic_password.c_str());
  }
  if (!credentials.server_name.empty()) use_server_name(request.url, credentials.server_name);
  if (credentials.insecure_skip_verify) {
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
  }
}

Easy::~Easy() {
  handle_.reset();  // curl reads the header list until the handle is gone
  curl_slist_free_all(headers_);
  curl_slist_free_all(connect_to_);
}

// TLS's server_name: the request goes to the URL's host and port, and the certificate is
// verified (and SNI sent) for `name`, as Go's tls.Config.ServerName does. curl verifies the
// URL's host, so the URL names `name` and CONNECT_TO sends the connection where it was going.
void Easy::use_server_name(const std::string& url, const std::string& name) {
  CURLU* u = curl_url();
  char* host = nullptr;
  char* port = nullptr;
  char* rewritten = nullptr;
  if (curl_url_set(u, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK &&
      curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
      curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK &&
      curl_url_set(u, CURLUPART_HOST, name.c_str(), 0) == CURLUE_OK &&
      curl_url_get(u, CURLUPART_URL, &rewritten, 0) == CURLUE_OK) {
    connect_to_ =
        curl_slist_append(connect_to_, (name + ":" + port + ":" + host + ":" + port).c_str());
    curl_easy_setopt(handle_.get(), CURLOPT_URL, rewritten);  // curl copies it
    curl_easy_setopt(handle_.get(), CURLOPT_CONNECT_TO, connect_to_);
  }
  curl_free(host);
  curl_free(port);
  curl_free(rewritten);
  curl_url_cleanup(u);
}

std::string Easy::error(CURLcode code) const {
  return error_buffer_[0] ? error_buffer_ : curl_easy_strerror(code);
}

}  // namespace skippy::http::detail
