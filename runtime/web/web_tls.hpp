// TLS for the runtime's web server: an OpenSSL context made from tls_server_config, which
// civetweb takes as it is (its external_ssl_ctx callback), and what civetweb needs to load
// OpenSSL at all on Debian 12 (below).
#pragma once

#include <memory>
#include <string>

#include "runtime/web/web_security.hpp"

namespace skippy::web {

// A setting of tls_server_config that could not be used, and why.
struct TlsProblem {
  std::string field;  // "cert_file", "key_file", "client_ca_file"
  std::string message;
};

class TlsContext {
 public:
  // The server's context: certificate chain and key (which must match), the protocol
  // versions, and the client certificate policy with its CAs. Null, with `problem` set, when
  // a file cannot be read or used.
  static std::unique_ptr<TlsContext> create(const TlsSettings& settings, TlsProblem& problem);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  void* ssl_ctx() const { return ctx_; }  // an SSL_CTX*

 private:
  explicit TlsContext(void* ctx) : ctx_(ctx) {}
  void* ctx_;
};

// Debian 12's civetweb 1.15 is built for OpenSSL 1.1's API and dlopen()s the unversioned
// `libssl.so` and `libcrypto.so` (which only libssl-dev installs); OpenSSL 3 no longer
// exports one function it looks up (SSL_get_peer_certificate), so its TLS fails to start
// and its requests crash. Two small shims, built with the runtime (runtime/web/
// civetweb_openssl3.c) and installed in ../lib/skippy beside the binary, carry those names
// and that function over OpenSSL 3; loading them first makes civetweb's lookups find them.
// False, with the reason, when they cannot be loaded or civetweb's TLS does not start.
bool load_civetweb_openssl(std::string& error);

}  // namespace skippy::web
