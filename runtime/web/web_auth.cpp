#include "runtime/web/web_auth.hpp"

#include <crypt.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <cctype>
#include <cstring>
#include <memory>
#include <optional>

namespace skippy::web {
namespace {

// A request's `Basic` credentials, base64 (RFC 4648, padded or not); nullopt when malformed.
std::optional<std::string> from_base64(std::string_view in) {
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  bool padding = false;
  for (char c : in) {
    int v = -1;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    if (c >= '0' && c <= '9') v = c - '0' + 52;
    if (c == '+') v = 62;
    if (c == '/') v = 63;
    if (c == '=') {
      padding = true;
      continue;
    }
    if (v < 0 || padding) return std::nullopt;
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xFFu));
    }
  }
  return out;
}

// The cache's key: a digest, so that no password is kept in memory past its check.
std::string digest(const std::string& user, const std::string& password, const std::string& hash) {
  std::string data = user + '\0' + password + '\0' + hash;
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), md, &size, EVP_sha256(), nullptr);
  OPENSSL_cleanse(data.data(), data.size());
  return std::string(reinterpret_cast<const char*>(md), size);
}

// Checked for a user that does not exist, so that an unknown name takes as long as a wrong
// password (exporter-toolkit does the same); it matches no password.
constexpr const char* kNobodyHash = "$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi";
constexpr std::size_t kMaxCached = 1024;

}  // namespace

bool is_bcrypt_hash(std::string_view hash) {
  if (hash.size() != 60 ||
      !(hash.starts_with("$2a$") || hash.starts_with("$2b$") || hash.starts_with("$2y$")))
    return false;
  if (!std::isdigit(static_cast<unsigned char>(hash[4])) ||
      !std::isdigit(static_cast<unsigned char>(hash[5])) || hash[6] != '$')
    return false;
  int cost = (hash[4] - '0') * 10 + (hash[5] - '0');
  if (cost < 4 || cost > 31) return false;
  for (char c : hash.substr(7)) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '/') return false;
  }
  return true;
}

// bcrypt is verified by libxcrypt's crypt_rn (Debian's libcrypt1, which every Debian system
// has): a vetted implementation of $2a$/$2b$/$2y$ that also handles the variants' differences
// (the $2a$ sign-extension bug, 72-byte truncation). A hand-written bcrypt would be one more
// place for those subtleties to go wrong, in code that guards destructive actions.
bool bcrypt_matches(const std::string& password, const std::string& hash) {
  auto data = std::make_unique<crypt_data>();  // about 32 KiB: not on a server thread's stack
  std::memset(data.get(), 0, sizeof(crypt_data));
  const char* computed = crypt_rn(password.c_str(), hash.c_str(), data.get(), sizeof(crypt_data));
  bool ok = computed != nullptr && computed[0] != '*' && std::strlen(computed) == hash.size() &&
            CRYPTO_memcmp(computed, hash.data(), hash.size()) == 0;
  OPENSSL_cleanse(data.get(), sizeof(crypt_data));
  return ok;
}

bool BasicAuth::allows(std::string_view authorization) {
  if (authorization.size() < 6) return false;
  std::string scheme(authorization.substr(0, 6));
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (scheme != "basic ") return false;
  auto decoded = from_base64(authorization.substr(6));
  if (!decoded) return false;
  auto colon = decoded->find(':');
  if (colon == std::string::npos) return false;
  std::string user = decoded->substr(0, colon);
  std::string password = decoded->substr(colon + 1);
  OPENSSL_cleanse(decoded->data(), decoded->size());
  auto found = users_.find(user);
  const std::string& hash = found == users_.end() ? std::string(kNobodyHash) : found->second;
  std::string key = digest(user, password, hash);
  std::lock_guard lock(mutex_);
  if (found != users_.end() && verified_.count(key)) return true;
  bool ok = bcrypt_matches(password, hash) && found != users_.end();
  OPENSSL_cleanse(password.data(), password.size());
  if (ok) {
    if (verified_.size() >= kMaxCached) verified_.clear();
    verified_.insert(key);
  }
  return ok;
}

}  // namespace skippy::web
