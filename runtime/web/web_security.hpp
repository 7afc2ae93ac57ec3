// What locks the runtime's web server: TLS (with or without client certificates), basic auth
// users with bcrypt hashes, and headers added to every response. It is what a
// `--web.config.file` in exporter-toolkit's web configuration format holds (read by
// agent/config/web_config.cpp); runtime/monitor's WebServer applies it to every endpoint.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace skippy::web {

// tls_server_config.client_auth_type, as Go's crypto/tls names the policies.
enum class ClientAuth {
  NoClientCert,                // no certificate asked for
  RequestClientCert,           // asked for, not required, not verified
  RequireAnyClientCert,        // required, not verified
  VerifyClientCertIfGiven,     // not required; verified against client_ca_file when given
  RequireAndVerifyClientCert,  // required and verified against client_ca_file
};

// TLS protocol versions, numbered as OpenSSL and the TLS wire format number them.
inline constexpr int kTls10 = 0x0301, kTls11 = 0x0302, kTls12 = 0x0303, kTls13 = 0x0304;

struct TlsSettings {
  std::string cert_file;  // the server's certificate (PEM), its chain after it
  std::string key_file;   // its private key (PEM)
  ClientAuth client_auth = ClientAuth::NoClientCert;
  std::string client_ca_file;  // the CAs client certificates are verified against
  int min_version = kTls12;    // exporter-toolkit's default
  int max_version = 0;         // 0: the newest OpenSSL speaks
};

struct WebSecurity {
  std::optional<TlsSettings> tls;            // none: plain HTTP
  std::map<std::string, std::string> users;  // basic_auth_users: name to bcrypt hash
  std::vector<std::pair<std::string, std::string>> headers;  // http_server_config.headers

  // Whether a request must prove who sends it: a password, or a verified client certificate.
  bool authenticates() const {
    return !users.empty() || (tls && tls->client_auth == ClientAuth::RequireAndVerifyClientCert);
  }
};

}  // namespace skippy::web
