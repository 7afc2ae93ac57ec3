// A curl easy handle set up for one request: URL, method, body, headers and the credentials'
// TLS settings, as exchange() and stream_lines() both send them. The caller adds timeouts and
// where the response goes. Internal to runtime/http.
#pragma once

#include <curl/curl.h>

#include <memory>

#include "runtime/http/exchange.hpp"

namespace skippy::http::detail {

class Easy {
 public:
  // A handle for `request`; valid() is false when curl could not start one.
  Easy(const Request& request, const Credentials& credentials);
  ~Easy();
  Easy(const Easy&) = delete;
  Easy& operator=(const Easy&) = delete;

  bool valid() const { return handle_ != nullptr; }
  CURL* get() const { return handle_.get(); }
  // What curl said went wrong, or its generic text for `code`.
  std::string error(CURLcode code) const;

 private:
  void use_server_name(const std::string& url, const std::string& name);

  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> handle_;
  curl_slist* headers_ = nullptr;
  curl_slist* connect_to_ = nullptr;  // the URL's address, when a server_name stands in for it
  char error_buffer_[CURL_ERROR_SIZE] = {};
};

}  // namespace skippy::http::detail
