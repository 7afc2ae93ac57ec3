#include "runtime/web/web_tls.hpp"

#include <civetweb.h>
#include <dlfcn.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <filesystem>
#include <mutex>

namespace skippy::web {
namespace {

// What OpenSSL said last, and the queue emptied.
std::string openssl_error() {
  std::string out;
  while (unsigned long code = ERR_get_error()) {
    char text[256];
    ERR_error_string_n(code, text, sizeof text);
    out = text;  // the last is the closest to the cause
  }
  return out.empty() ? "unknown OpenSSL error" : out;
}

// RequestClientCert and RequireAnyClientCert take any certificate, as Go's do.
int accept_any(int, X509_STORE_CTX*) {
  return 1;
}

}  // namespace

std::unique_ptr<TlsContext> TlsContext::create(const TlsSettings& s, TlsProblem& problem) {
  ERR_clear_error();
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (!ctx) {
    problem = {"", "cannot create a TLS context: " + openssl_error()};
    return nullptr;
  }
  std::unique_ptr<TlsContext> out(new TlsContext(ctx));
  SSL_CTX_set_min_proto_version(ctx, s.min_version);
  if (s.max_version) SSL_CTX_set_max_proto_version(ctx, s.max_version);
  if (SSL_CTX_use_certificate_chain_file(ctx, s.cert_file.c_str()) != 1) {
    problem = {"cert_file",
               "`" + s.cert_file + "` holds no usable PEM certificate: " + openssl_error()};
    return nullptr;
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, s.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    problem = {"key_file",
               "`" + s.key_file + "` holds no usable PEM private key: " + openssl_error()};
    return nullptr;
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    problem = {"key_file",
               "`" + s.key_file + "` is not the key of cert_file `" + s.cert_file + "`"};
    return nullptr;
  }
  if (!s.client_ca_file.empty()) {
    if (SSL_CTX_load_verify_locations(ctx, s.client_ca_file.c_str(), nullptr) != 1) {
      problem = {"client_ca_file",
                 "`" + s.client_ca_file + "` holds no usable PEM certificate: " + openssl_error()};
      return nullptr;
    }
    // Tell clients which CAs are accepted, as Go's server does with ClientCAs.
    SSL_CTX_set_client_CA_list(ctx, SSL_load_client_CA_file(s.client_ca_file.c_str()));
  }
  switch (s.client_auth) {
    case ClientAuth::NoClientCert:
      SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
      break;
    case ClientAuth::RequestClientCert:
      SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, accept_any);
      break;
    case ClientAuth::RequireAnyClientCert:
      SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, accept_any);
      break;
    case ClientAuth::VerifyClientCertIfGiven:
      SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
      break;
    case ClientAuth::RequireAndVerifyClientCert:
      SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
      break;
  }
  // Sessions resumed with a verified peer need a context id (OpenSSL refuses them without).
  static const unsigned char kSessionContext[] = "skippy-web";
  SSL_CTX_set_session_id_context(ctx, kSessionContext, sizeof kSessionContext - 1);
  return out;
}

TlsContext::~TlsContext() {
  SSL_CTX_free(static_cast<SSL_CTX*>(ctx_));
}

bool load_civetweb_openssl(std::string& error) {
  static std::once_flag once;
  static std::string why;
  std::call_once(once, [] {
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    fs::path dir = exe.parent_path().parent_path() / "lib" / "skippy";
    for (const char* name : {"libskippy-civetweb-crypto.so", "libskippy-civetweb-ssl.so"}) {
      if (!dlopen((dir / name).c_str(), RTLD_NOW | RTLD_GLOBAL)) {
        why = "cannot load " + (dir / name).string() + " (" + dlerror() + ")";
        return;
      }
    }
    if ((mg_init_library(MG_FEATURES_TLS) & MG_FEATURES_TLS) == 0)
      why = "civetweb cannot load OpenSSL";
  });
  error = why;
  return why.empty();
}

}  // namespace skippy::web
