// The runtime's web server, locked: approvals are off unless --web.enable-approvals; with
// basic_auth_users in --web.config.file, every endpoint answers 401 without the right
// credentials and nothing is approved, and `skippy approve` gets through with
// --http.config.file; with RequireAndVerifyClientCert, only a client with a certificate of
// the CA gets an answer; a broken web configuration stops the start, located. Everything on
// 127.0.0.1, with a throwaway CA made by the openssl command at test time.
#define BOOST_TEST_MODULE run_web_auth
#include <crypt.h>
#include <curl/curl.h>

#include <boost/test/unit_test.hpp>

#include "tests/run/api_stand_in.hpp"
#include "tests/run/run_fixture.hpp"
#include "tests/runtime/prometheus/support.hpp"

using skippy::test::Process;
using skippy::test::TempDir;
namespace fs = std::filesystem;
namespace test = skippy::test;

namespace {

const std::string kPodPath = "/api/v1/namespaces/demo-apps/pods/crashy-1";

// A bcrypt hash of `password` (cost 4: the tests need it fast, not strong).
std::string bcrypt(const std::string& password) {
  crypt_data data{};
  char* salt = crypt_gensalt_rn("$2y$", 4, nullptr, 0, data.setting, sizeof data.setting);
  BOOST_REQUIRE(salt);
  const char* hash = crypt_rn(password.c_str(), salt, &data, sizeof data);
  BOOST_REQUIRE(hash && hash[0] == '$');
  return hash;
}

struct Answer {
  long status = 0;  // 0: no HTTP answer (refused, or the TLS handshake failed)
  std::string body;
  std::string headers;
};

// One request with curl, as a client of the runtime would send it.
struct Client {
  std::string user, password;  // basic auth when user is set
  std::string ca, cert, key;   // TLS: the CA to verify the server, a client certificate
  Answer send(const std::string& url, const std::string& method = "GET") const {
    Answer a;
    CURL* c = curl_easy_init();
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    if (method == "POST") curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
    if (!user.empty()) {
      curl_easy_setopt(c, CURLOPT_USERNAME, user.c_str());
      curl_easy_setopt(c, CURLOPT_PASSWORD, password.c_str());
    }
    if (!ca.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, ca.c_str());
    if (!cert.empty()) curl_easy_setopt(c, CURLOPT_SSLCERT, cert.c_str());
    if (!key.empty()) curl_easy_setopt(c, CURLOPT_SSLKEY, key.c_str());
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 5000L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    auto append = +[](char* p, std::size_t s, std::size_t n, void* out) {
      static_cast<std::string*>(out)->append(p, s * n);
      return s * n;
    };
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, append);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &a.body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, append);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &a.headers);
    if (curl_easy_perform(c) == CURLE_OK) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a.status);
    curl_easy_cleanup(c);
    return a;
  }
};

Client with_password(const std::string& user, const std::string& password) {
  Client c;
  c.user = user;
  c.password = password;
  return c;
}

Client with_tls(const fs::path& ca, const fs::path& cert = {}, const fs::path& key = {}) {
  Client c;
  c.ca = ca.string();
  c.cert = cert.string();
  c.key = key.string();
  return c;
}

struct Runtime {
  TempDir dir{"skippy-web-auth-test"};
  test::ApiServer api;
  int port = test::free_port();
  std::unique_ptr<Process> process;

  Runtime() {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    test::write_file(dir.path() / "m.skippy", test::kManualPolicy);
    test::write_file(dir.path() / "cluster.yaml", test::kCrashLoopCluster);
    test::write_kubeconfig(dir.path() / "kubeconfig", api.server.url());
  }
  fs::path at(const std::string& name) const { return dir.path() / name; }
  std::string url(const std::string& scheme = "http") const {
    return scheme + "://127.0.0.1:" + std::to_string(port);
  }
  void start(std::vector<std::string> more) {
    std::vector<std::string> args = {SKIPPY_BINARY,
                                     "run",
                                     "--policies",
                                     at("m.skippy").string(),
                                     "--cluster",
                                     at("cluster.yaml").string(),
                                     "--prometheus.url",
                                     "http://127.0.0.1:1",
                                     "--kubeconfig",
                                     at("kubeconfig").string(),
                                     "--healing-actions",
                                     "false",
                                     "--restore.max-lookback",
                                     "0s",
                                     "--audit.file",
                                     at("audit.jsonl").string(),
                                     "--web.listen-address",
                                     "127.0.0.1:" + std::to_string(port)};
    args.insert(args.end(), more.begin(), more.end());
    process = std::make_unique<Process>(args, at("run.log"));
  }
  std::string log() const { return test::read_file(at("run.log")); }
  // `skippy approve` with `args`: its exit code and what it printed.
  std::pair<int, std::string> approve(std::vector<std::string> args) const {
    std::vector<std::string> argv = {SKIPPY_BINARY, "approve"};
    argv.insert(argv.end(), args.begin(), args.end());
    fs::remove(at("approve.out"));
    Process p(argv, at("approve.out"));
    int code = p.wait();
    return {code, test::read_file(at("approve.out"))};
  }
  // The id of the action waiting for approval, once the runtime lists it.
  std::string waiting_id(const Client& client, const std::string& base) const {
    std::string id;
    bool listed = test::poll_until(
        [&] {
          auto a = client.send(base + "/api/v1/approvals");
          auto found = a.body.find("\"id\":\"");
          if (a.status != 200 || found == std::string::npos) return false;
          id = a.body.substr(found + 6, 32);
          return true;
        },
        std::chrono::seconds(20));
    BOOST_REQUIRE_MESSAGE(listed, log());
    return id;
  }
};

// A CA, a server certificate for 127.0.0.1 and a client certificate, in `dir`.
void make_certificates(const fs::path& dir) {
  std::string d = dir.string();
  std::string script =
      "set -e; cd '" + d +
      "'; openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 1 "
      "-subj /CN=skippy-test-ca; "
      "openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=127.0.0.1; "
      "printf 'subjectAltName=IP:127.0.0.1,DNS:skippy.test\\n' > san.ext; "
      "openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt "
      "-days 1 -extfile san.ext; "
      "openssl req -newkey rsa:2048 -nodes -keyout client.key -out client.csr -subj /CN=alice; "
      "openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out client.crt "
      "-days 1";
  Process p({"sh", "-c", script}, dir / "openssl.log");
  BOOST_REQUIRE_MESSAGE(p.wait() == 0, test::read_file(dir / "openssl.log"));
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_approvals_api_is_off_unless_enabled_and_metrics_are_served) {
  Runtime r;
  r.start({});
  Client anyone;
  BOOST_REQUIRE_MESSAGE(
      test::poll_until([&] { return anyone.send(r.url() + "/metrics").status == 200; },
                       std::chrono::seconds(20)),
      r.log());
  auto list = anyone.send(r.url() + "/api/v1/approvals");
  BOOST_TEST(list.status == 403);
  BOOST_TEST(list.body.find("--web.enable-approvals") != std::string::npos, list.body);
  auto post = anyone.send(r.url() + "/api/v1/approvals/0123456789abcdef0123456789abcdef", "POST");
  BOOST_TEST(post.status == 403);
  auto [code, out] = r.approve({"--list", "--runtime.url", r.url()});
  BOOST_TEST(code == 2);
  BOOST_TEST(out.find("403") != std::string::npos, out);
  BOOST_TEST(out.find("--web.enable-approvals") != std::string::npos, out);
  BOOST_TEST(r.log().find("without authentication") == std::string::npos, r.log());
}

BOOST_AUTO_TEST_CASE(enabled_approvals_without_authentication_are_warned_about) {
  Runtime r;
  r.start({"--web.enable-approvals"});
  Client anyone;
  std::string id = r.waiting_id(anyone, r.url());
  BOOST_TEST(id.size() == 32u);
  BOOST_TEST(r.log().find("the approvals API is on (--web.enable-approvals) without "
                          "authentication") != std::string::npos,
             r.log());
}

BOOST_AUTO_TEST_CASE(basic_auth_locks_every_endpoint_and_skippy_approve_passes_credentials) {
  Runtime r;
  test::write_file(r.at("web.yml"), "basic_auth_users:\n  alice: " + bcrypt("s3cret") +
                                        "\nhttp_server_config:\n  headers:\n"
                                        "    X-Frame-Options: deny\n");
  r.start({"--web.config.file", r.at("web.yml").string(), "--web.enable-approvals"});
  Client alice = with_password("alice", "s3cret");
  Client nobody, wrong = with_password("alice", "guess"),
                 stranger = with_password("mallory", "s3cret");
  std::string id = r.waiting_id(alice, r.url());

  for (const char* path : {"/metrics", "/healthz", "/ready", "/api/v1/approvals", "/", "/decisions",
                           "/api/v1/status/policies", "/nothing"}) {
    auto a = nobody.send(r.url() + path);
    BOOST_TEST(a.status == 401, path);
    BOOST_TEST(a.headers.find("WWW-Authenticate: Basic") != std::string::npos, a.headers);
    BOOST_TEST(a.headers.find("X-Frame-Options: deny") != std::string::npos, a.headers);
    BOOST_TEST(wrong.send(r.url() + path).status == 401, path);
    BOOST_TEST(stranger.send(r.url() + path).status == 401, path);
  }
  auto healthz = alice.send(r.url() + "/healthz");
  BOOST_TEST(healthz.status == 200);
  BOOST_TEST(healthz.headers.find("X-Frame-Options: deny") != std::string::npos);
  auto status_page = alice.send(r.url() + "/");  // the status page, behind the same lock
  BOOST_TEST(status_page.status == 200);
  BOOST_TEST(status_page.body.find("crash_restart") != std::string::npos, status_page.body);
  BOOST_TEST(status_page.headers.find("X-Frame-Options: deny") != std::string::npos);
  auto safety_page = alice.send(r.url() + "/safety");  // the action waiting for approval
  BOOST_TEST(safety_page.body.find("<td>pending</td>") != std::string::npos, safety_page.body);
  BOOST_TEST(safety_page.body.find("/decisions/" + id) != std::string::npos, safety_page.body);
  // Approving without the right credentials changes nothing: the action still waits.
  BOOST_TEST(nobody.send(r.url() + "/api/v1/approvals/" + id, "POST").status == 401);
  BOOST_TEST(wrong.send(r.url() + "/api/v1/approvals/" + id, "POST").status == 401);
  auto still = alice.send(r.url() + "/api/v1/approvals");
  BOOST_TEST(still.body.find("\"state\":\"pending\"") != std::string::npos, still.body);
  BOOST_TEST(r.api.count("DELETE", kPodPath) == 0u);
  BOOST_TEST(r.log().find("without authentication") == std::string::npos, r.log());

  // skippy approve without credentials: a clear 401 and exit 2; nothing approved.
  auto [refused_code, refused] = r.approve({id, "--runtime.url", r.url()});
  BOOST_TEST(refused_code == 2);
  BOOST_TEST(
      refused.find(": 401: Unauthorized (the runtime requires credentials") != std::string::npos,
      refused);
  BOOST_TEST(refused.find("--http.config.file") != std::string::npos, refused);
  // With the wrong password from the file, the same.
  test::write_file(r.at("wrong-password"), "guess\n");
  test::write_file(r.at("wrong.yml"),
                   "basic_auth: {username: alice, password_file: wrong-password}\n");
  auto [wrong_code, wrong_out] =
      r.approve({id, "--runtime.url", r.url(), "--http.config.file", r.at("wrong.yml").string()});
  BOOST_TEST(wrong_code == 2, wrong_out);
  BOOST_TEST(r.api.count("DELETE", kPodPath) == 0u);

  // With the password file (relative to the client config), approved and carried out.
  test::write_file(r.at("password"), "s3cret\n");
  test::write_file(r.at("client.yml"),
                   "basic_auth:\n  username: alice\n  password_file: password\n");
  auto [code, out] = r.approve({id.substr(0, 8), "--runtime.url", r.url(), "--http.config.file",
                                r.at("client.yml").string()});
  BOOST_TEST(code == 0, out);
  BOOST_TEST(out == "approved " + id + ": restart Pod/demo-apps/crashy-1 (policy crash_restart)\n");
  BOOST_REQUIRE_MESSAGE(test::poll_until([&] { return r.api.count("DELETE", kPodPath) == 1; },
                                         std::chrono::seconds(20)),
                        r.log());
}

BOOST_AUTO_TEST_CASE(tls_with_required_client_certificates_refuses_clients_without_one) {
  Runtime r;
  make_certificates(r.dir.path());
  test::write_file(r.at("web.yml"),
                   "tls_server_config:\n"
                   "  cert_file: server.crt\n"  // relative to the file
                   "  key_file: server.key\n"
                   "  client_auth_type: RequireAndVerifyClientCert\n"
                   "  client_ca_file: ca.crt\n"
                   "  min_version: TLS12\n");
  r.start({"--web.config.file", r.at("web.yml").string(), "--web.enable-approvals"});
  Client with_cert = with_tls(r.at("ca.crt"), r.at("client.crt"), r.at("client.key"));
  Client without_cert = with_tls(r.at("ca.crt"));
  std::string id = r.waiting_id(with_cert, r.url("https"));
  BOOST_TEST(with_cert.send(r.url("https") + "/metrics").status == 200);
  BOOST_TEST(without_cert.send(r.url("https") + "/metrics").status == 0);
  BOOST_TEST(without_cert.send(r.url("https") + "/api/v1/approvals/" + id, "POST").status == 0);
  BOOST_TEST(Client{}.send(r.url("http") + "/metrics").status == 0);  // no plain HTTP
  BOOST_TEST(r.api.count("DELETE", kPodPath) == 0u);
  BOOST_TEST(r.log().find("without authentication") == std::string::npos, r.log());

  // skippy approve with the client's certificate in --http.config.file.
  test::write_file(r.at("no-cert.yml"), "tls_config: {ca_file: ca.crt}\n");
  auto [refused_code, refused] = r.approve(
      {id, "--runtime.url", r.url("https"), "--http.config.file", r.at("no-cert.yml").string()});
  BOOST_TEST(refused_code == 2, refused);
  // tls_config.server_name: the certificate is verified for that name, the URL's address kept.
  test::write_file(r.at("other-name.yml"),
                   "tls_config: {ca_file: ca.crt, cert_file: client.crt, key_file: client.key, "
                   "server_name: other.test}\n");
  auto [other_code, other] = r.approve({"--list", "--runtime.url", r.url("https"),
                                        "--http.config.file", r.at("other-name.yml").string()});
  BOOST_TEST(other_code == 2, other);
  BOOST_TEST(other.find("other.test") != std::string::npos, other);  // the name checked
  test::write_file(r.at("client.yml"),
                   "tls_config: {ca_file: ca.crt, cert_file: client.crt, key_file: client.key, "
                   "server_name: skippy.test}\n");
  auto [code, out] = r.approve(
      {id, "--runtime.url", r.url("https"), "--http.config.file", r.at("client.yml").string()});
  BOOST_TEST(code == 0, out);
  BOOST_TEST(out.find("approved " + id) == 0u, out);
  BOOST_REQUIRE_MESSAGE(test::poll_until([&] { return r.api.count("DELETE", kPodPath) == 1; },
                                         std::chrono::seconds(20)),
                        r.log());
}

BOOST_AUTO_TEST_CASE(a_broken_web_configuration_stops_the_start_with_located_errors) {
  Runtime r;
  test::write_file(r.at("web.yml"),
                   "tls_server_config:\n"
                   "  cert_fil: server.crt\n"
                   "  key_file: missing.key\n"
                   "basic_auth_users:\n"
                   "  alice: s3cret\n");
  r.start({"--web.config.file", r.at("web.yml").string(), "--web.enable-approvals"});
  BOOST_TEST(r.process->wait() == 2);
  const std::string file = r.at("web.yml").string();
  std::string log = r.log();
  BOOST_TEST(
      log.find(file + ":1:1: tls_server_config: needs cert_file and key_file") != std::string::npos,
      log);
  BOOST_TEST(log.find(file + ":2:3: tls_server_config.cert_fil: unknown setting; did you mean "
                             "`cert_file`?") != std::string::npos,
             log);
  BOOST_TEST(log.find(file + ":3:13: tls_server_config.key_file: cannot read `" +
                      r.at("missing.key").string() + "`") != std::string::npos,
             log);
  BOOST_TEST(
      log.find(file + ":5:10: basic_auth_users.alice: expected a bcrypt hash") != std::string::npos,
      log);
  BOOST_TEST(r.api.server.requests().empty());
}
