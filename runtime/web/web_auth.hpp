// HTTP basic authentication against bcrypt hashes, as exporter-toolkit checks its
// basic_auth_users: the password of an `Authorization: Basic` header is verified with the
// system's crypt(3) (libxcrypt), compared in constant time, and a verified (user, password)
// pair is remembered, since bcrypt is slow on purpose.
#pragma once

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>

namespace skippy::web {

// Whether `hash` is a bcrypt hash crypt(3) verifies: `$2a$`, `$2b$` or `$2y$`, a cost from 04
// to 31, then 53 characters of bcrypt's base64 (salt and digest).
bool is_bcrypt_hash(std::string_view hash);

// True when `password` hashes to `hash` (a bcrypt hash), compared in constant time.
bool bcrypt_matches(const std::string& password, const std::string& hash);

class BasicAuth {
 public:
  explicit BasicAuth(std::map<std::string, std::string> users) : users_(std::move(users)) {}

  bool enabled() const { return !users_.empty(); }
  // True when the value of an Authorization header names a user and that user's password.
  // Safe to call from several threads.
  bool allows(std::string_view authorization);

 private:
  std::map<std::string, std::string> users_;
  std::mutex mutex_;                // one bcrypt at a time, as exporter-toolkit does
  std::set<std::string> verified_;  // SHA-256 of (user, password, hash) that matched
};

}  // namespace skippy::web
