// Shims that let Debian 12's civetweb 1.15 (built for OpenSSL 1.1, loading OpenSSL with
// dlopen by the unversioned names) use OpenSSL 3; see load_civetweb_openssl in web_tls.hpp.
// Built twice: with SKIPPY_SHIM_LIBSSL as the `libssl.so` shim (soname libssl.so, linked to
// libssl.so.3), without it as the `libcrypto.so` shim (soname libcrypto.so, linked to
// libcrypto.so.3). Every other function civetweb asks for comes from the linked library.
#if defined(SKIPPY_SHIM_LIBSSL)
#include <openssl/ssl.h>

// OpenSSL 3 renamed it SSL_get1_peer_certificate (same meaning: a new reference) and keeps the
// old name only as a macro.
#undef SSL_get_peer_certificate
extern "C" X509* SSL_get_peer_certificate(const SSL* ssl);
extern "C" X509* SSL_get_peer_certificate(const SSL* ssl) {
  return SSL_get1_peer_certificate(ssl);
}
#else
// Nothing of its own: the soname and the dependency on libcrypto.so.3 are the point.
extern "C" int skippy_civetweb_crypto_shim;
int skippy_civetweb_crypto_shim = 1;
#endif
