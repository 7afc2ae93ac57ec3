// The web server's locks as settings: --web.config.file in exporter-toolkit's format (every
// mistake located, relative paths the file's, files used at once), the HTTP client config of
// `skippy approve`, and basic auth against bcrypt hashes (right, wrong, unknown, malformed).
#define BOOST_TEST_MODULE web_config
#include <crypt.h>

#include <boost/test/unit_test.hpp>

#include "agent/config/http_client_config.hpp"
#include "agent/config/web_config.hpp"
#include "runtime/web/web_auth.hpp"
#include "tests/runtime/prometheus/support.hpp"

namespace agent = skippy::agent;
namespace web = skippy::web;
using skippy::test::TempDir;

namespace {

// "line:col: key: message" for each problem, one per line.
template <typename Parse>
std::string problems_of(Parse parse) {
  std::vector<agent::ConfigProblem> problems;
  parse(problems);
  std::string out;
  for (const auto& p : problems) out += agent::render_problems("", {p}).substr(1);
  return out;
}

std::string web_problems(std::string_view yaml, const std::filesystem::path& base = "/nowhere") {
  return problems_of([&](auto& problems) { agent::parse_web_config(yaml, base, problems); });
}

std::string bcrypt(const std::string& password) {
  crypt_data data{};
  char* salt = crypt_gensalt_rn("$2b$", 4, nullptr, 0, data.setting, sizeof data.setting);
  return crypt_rn(password.c_str(), salt, &data, sizeof data);
}

std::string basic(const std::string& user_password) {
  static const char* digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (unsigned char c : user_password) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 6) out += digits[(buffer >> (bits -= 6)) & 63u];
  }
  if (bits > 0) out += digits[(buffer << (6 - bits)) & 63u];
  while (out.size() % 4) out += '=';
  return "Basic " + out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(an_empty_file_locks_nothing) {
  std::vector<agent::ConfigProblem> problems;
  auto s = agent::parse_web_config("", "/nowhere", problems);
  BOOST_TEST(problems.empty());
  BOOST_TEST(!s.tls);
  BOOST_TEST(s.users.empty());
  BOOST_TEST(!s.authenticates());
}

BOOST_AUTO_TEST_CASE(every_mistake_is_located_with_its_key) {
  BOOST_TEST(web_problems("tls_server_config: [\n") ==
             "2:1: invalid YAML: end of sequence flow not found\n");
  BOOST_TEST(web_problems("basic_auth_user:\n  a: b\n") ==
             "1:1: basic_auth_user: unknown setting; did you mean `basic_auth_users`?\n");
  BOOST_TEST(web_problems("basic_auth_users:\n  alice: hunter2\n") ==
             "2:10: basic_auth_users.alice: expected a bcrypt hash ($2a$, $2b$ or $2y$, as "
             "`htpasswd -nBC 10 USER` prints after the colon), not a password or another hash\n");
  BOOST_TEST(web_problems("basic_auth_users:\n  alice: $1$abc$0123456789abcdef012345\n")
                 .find("2:10: basic_auth_users.alice: expected a bcrypt hash") == 0u);
  BOOST_TEST(web_problems("tls_server_config:\n  client_auth_type: Maybe\n") ==
             "1:1: tls_server_config: needs cert_file and key_file\n"
             "2:21: tls_server_config.client_auth_type: expected NoClientCert, RequestClientCert, "
             "RequireAnyClientCert, VerifyClientCertIfGiven or RequireAndVerifyClientCert\n");
  BOOST_TEST(web_problems("http_server_config:\n  headers:\n    Server: skippy\n") ==
             "3:5: http_server_config.headers.Server: expected one of the headers "
             "exporter-toolkit allows: Content-Security-Policy, X-Frame-Options, "
             "X-Content-Type-Options, X-XSS-Protection, Strict-Transport-Security\n");
  BOOST_TEST(web_problems("rate_limit: {interval: 1s}\n")
                 .find("1:13: rate_limit: rate_limit is "
                       "not supported") == 0u);
}

BOOST_AUTO_TEST_CASE(files_are_relative_to_the_file_and_must_be_usable) {
  TempDir dir("skippy-web-config-test");
  skippy::test::write_file(dir.path() / "server.crt", "not a certificate\n");
  skippy::test::write_file(dir.path() / "server.key", "not a key\n");
  std::string yaml =
      "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"
      "  client_auth_type: RequireAndVerifyClientCert\n";
  auto out = web_problems(yaml, dir.path());
  BOOST_TEST(out.find("4:21: tls_server_config.client_auth_type: verifying client certificates "
                      "needs client_ca_file") != std::string::npos,
             out);
  BOOST_TEST(
      out.find("2:14: tls_server_config.cert_file: `" + (dir.path() / "server.crt").string() +
               "` holds no usable PEM certificate") != std::string::npos,
      out);
  BOOST_TEST(web_problems("tls_server_config:\n  cert_file: a.crt\n  key_file: a.key\n"
                          "  client_ca_file: ca.crt\n",
                          dir.path())
                 .find("2:14: tls_server_config.cert_file: cannot read `" +
                       (dir.path() / "a.crt").string() + "`") == 0u);
}

BOOST_AUTO_TEST_CASE(users_and_headers_are_read) {
  std::string hash = bcrypt("s3cret");
  std::vector<agent::ConfigProblem> problems;
  auto s = agent::parse_web_config("basic_auth_users:\n  alice: " + hash +
                                       "\nhttp_server_config:\n  http2: false\n  headers:\n"
                                       "    X-Frame-Options: deny\n",
                                   "/nowhere", problems);
  BOOST_TEST(problems.empty());
  BOOST_TEST(s.users.at("alice") == hash);
  BOOST_REQUIRE_EQUAL(s.headers.size(), 1u);
  BOOST_TEST(s.headers[0].second == "deny");
  BOOST_TEST(s.authenticates());
}

BOOST_AUTO_TEST_CASE(basic_auth_accepts_only_a_user_with_their_password) {
  web::BasicAuth auth({{"alice", bcrypt("s3cret")}, {"bob", bcrypt("other")}});
  BOOST_TEST(auth.enabled());
  BOOST_TEST(auth.allows(basic("alice:s3cret")));
  BOOST_TEST(auth.allows(basic("alice:s3cret")));  // the second time from the cache
  BOOST_TEST(auth.allows("basic " + basic("alice:s3cret").substr(6)));  // the scheme's case
  BOOST_TEST(!auth.allows(basic("alice:S3cret")));
  BOOST_TEST(!auth.allows(basic("bob:s3cret")));  // another user's password
  BOOST_TEST(!auth.allows(basic("mallory:s3cret")));
  BOOST_TEST(!auth.allows(basic("alice")));  // no colon
  BOOST_TEST(!auth.allows("Bearer s3cret"));
  BOOST_TEST(!auth.allows("Basic !!!"));
  BOOST_TEST(!auth.allows(""));
  BOOST_TEST(!web::BasicAuth({}).enabled());
}

BOOST_AUTO_TEST_CASE(bcrypt_hashes_are_recognised_and_verified) {
  std::string hash = bcrypt("s3cret");
  BOOST_TEST(web::is_bcrypt_hash(hash));
  // htpasswd -nbBC 10 (the $2y$ variant Apache writes).
  BOOST_TEST(web::is_bcrypt_hash("$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi"));
  BOOST_TEST(!web::is_bcrypt_hash("$2y$03$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi"));
  BOOST_TEST(!web::is_bcrypt_hash("$2x$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi"));
  BOOST_TEST(!web::is_bcrypt_hash("s3cret"));
  BOOST_TEST(web::bcrypt_matches("s3cret", hash));
  BOOST_TEST(!web::bcrypt_matches("s3cret!", hash));
}

BOOST_AUTO_TEST_CASE(the_client_config_takes_basic_auth_and_tls_relative_to_the_file) {
  TempDir dir("skippy-http-config-test");
  skippy::test::write_file(dir.path() / "password", "s3cret\n");
  skippy::test::write_file(dir.path() / "ca.crt", "-");
  std::vector<agent::ConfigProblem> problems;
  auto c = agent::parse_http_client_config(
      "basic_auth:\n  username: alice\n  password_file: password\n"
      "tls_config:\n  ca_file: ca.crt\n  server_name: skippy.local\n",
      dir.path(), problems);
  BOOST_TEST(problems.empty());
  BOOST_TEST(c.basic_user == "alice");
  BOOST_TEST(c.basic_password == "s3cret");
  BOOST_TEST(c.ca_file == (dir.path() / "ca.crt").string());
  BOOST_TEST(c.server_name == "skippy.local");
  auto out = problems_of([&](auto& p) {
    agent::parse_http_client_config(
        "basic_auth: {username: alice, password: a, password_file: password}\n"
        "bearer_token: x\ntls_config: {cert_file: ca.crt}\n",
        dir.path(), p);
  });
  BOOST_TEST(out ==
             "1:59: basic_auth.password_file: give password or password_file, not both\n"
             "2:15: bearer_token: bearer_token is not supported by skippy approve: the runtime's "
             "web server takes basic auth and client certificates\n"
             "3:1: tls_config: give cert_file and key_file together\n");
}
