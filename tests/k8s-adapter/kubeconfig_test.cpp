// Kubeconfigs read as kubectl reads them: the current or a named context, tokens inline or
// from a file, certificates from files or `-data`, relative paths from the file's directory,
// and every mistake located at its line and field.
#define BOOST_TEST_MODULE kubeconfig
#include <boost/test/unit_test.hpp>

#include "k8s-adapter/kubeconfig.hpp"
#include "tests/runtime/prometheus/support.hpp"

using namespace skippy;

namespace {

const char* kTwoContexts = R"(apiVersion: v1
kind: Config
current-context: sim
clusters:
- name: sim
  cluster:
    server: http://127.0.0.1:6443/
- name: prod
  cluster:
    server: https://prod.example:6443
    certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==
contexts:
- name: sim
  context: {cluster: sim, user: sim-user, namespace: demo-apps}
- name: prod
  context: {cluster: prod, user: prod-user}
users:
- name: sim-user
  user: {token: abc123}
- name: prod-user
  user:
    tokenFile: token.txt
)";

k8s::Connection connection(std::string_view yaml, const std::string& dir = "",
                           std::string_view context = {}) {
  auto c = k8s::parse_kubeconfig(yaml, "kc.yaml", dir, context);
  const auto* why = std::get_if<std::string>(&c);
  BOOST_REQUIRE_MESSAGE(!why, (why ? *why : std::string()));
  return std::get<k8s::Connection>(c);
}

std::string error(std::string_view yaml, std::string_view context = {}) {
  auto c = k8s::parse_kubeconfig(yaml, "kc.yaml", "", context);
  BOOST_REQUIRE(std::holds_alternative<std::string>(c));
  return std::get<std::string>(c);
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_current_context_gives_server_namespace_and_token) {
  auto c = connection(kTwoContexts);
  BOOST_TEST(c.context == "sim");
  BOOST_TEST(c.server == "http://127.0.0.1:6443");  // without the trailing slash
  BOOST_TEST(c.namespace_name == "demo-apps");
  BOOST_TEST(c.credentials.bearer_token == "abc123");
  BOOST_TEST(!c.credentials.insecure_skip_verify);
}

BOOST_AUTO_TEST_CASE(a_named_context_reads_its_token_file_relative_to_the_kubeconfig) {
  test::TempDir dir("kubeconfig-test");
  test::write_file(dir.path() / "token.txt", "s3cret\n");
  auto c = connection(kTwoContexts, dir.path().string(), "prod");
  BOOST_TEST(c.server == "https://prod.example:6443");
  BOOST_TEST(c.credentials.bearer_token == "s3cret");  // the newline dropped
  BOOST_TEST(c.credentials.ca_pem == "-----BEGIN CERTIFICATE-----\n");
  BOOST_TEST(c.namespace_name == "");
}

BOOST_AUTO_TEST_CASE(load_kubeconfig_reads_a_file_and_its_relative_paths) {
  test::TempDir dir("kubeconfig-test");
  test::write_file(dir.path() / "ca.crt", "pem");
  test::write_file(dir.path() / "kc.yaml", R"(current-context: c
clusters: [{name: k, cluster: {server: "https://k:6443", certificate-authority: ca.crt,
            insecure-skip-tls-verify: true}}]
contexts: [{name: c, context: {cluster: k, user: u}}]
users: [{name: u, user: {client-certificate: tls.crt, client-key: /abs/tls.key}}]
)");
  auto loaded = k8s::load_kubeconfig((dir.path() / "kc.yaml").string());
  BOOST_REQUIRE(std::holds_alternative<k8s::Connection>(loaded));
  const auto& c = std::get<k8s::Connection>(loaded);
  BOOST_TEST(c.credentials.ca_file == (dir.path() / "ca.crt").string());
  BOOST_TEST(c.credentials.client_cert_file == (dir.path() / "tls.crt").string());
  BOOST_TEST(c.credentials.client_key_file == "/abs/tls.key");
  BOOST_TEST(c.credentials.insecure_skip_verify);
  auto missing = k8s::load_kubeconfig((dir.path() / "nope.yaml").string());
  BOOST_TEST(std::get<std::string>(missing).find("cannot read the kubeconfig") == 0u);
}

BOOST_AUTO_TEST_CASE(mistakes_are_located_at_their_line_and_field) {
  BOOST_TEST(error(kTwoContexts, "staging") ==
             "kc.yaml:3: current-context: no context named `staging` in `contexts`");
  BOOST_TEST(error("clusters: []\n") ==
             "kc.yaml:1: current-context: is not set and no context was asked for");
  BOOST_TEST(error(R"(current-context: c
contexts: [{name: c, context: {cluster: k, user: u}}]
clusters: [{name: k, cluster: {server: "https://k"}}]
users:
- name: u
  user:
    exec: {command: aws}
)") == "kc.yaml:7: users[0].user.exec: is not supported: use a token, a tokenFile or a client "
       "certificate");
  BOOST_TEST(error(R"(current-context: c
contexts: [{name: c, context: {cluster: k}}]
clusters: [{name: k, cluster: {server: "ftp://k"}}]
)") == "kc.yaml:3: clusters[0].cluster.server: is not an http:// or https:// URL");
  BOOST_TEST(error(R"(current-context: c
contexts: [{name: c, context: {cluster: k}}]
clusters: [{name: k, cluster: {server: "https://"}}]
)") == "kc.yaml:3: clusters[0].cluster.server: is not an http:// or https:// URL");  // no host
  BOOST_TEST(error(R"(current-context: c
contexts: [{name: c, context: {cluster: k}}]
clusters: [{name: k, cluster: {server: "https://k", certificate-authority-data: "!!notbase64"}}]
)") == "kc.yaml:3: clusters[0].cluster.certificate-authority-data: is not valid base64");
  BOOST_TEST(error(R"(current-context: c
contexts: [{name: c, context: {cluster: k, user: u}}]
clusters: [{name: k, cluster: {server: "https://k"}}]
users: [{name: u, user: {client-certificate-data: YQ==}}]
)") == "kc.yaml:4: users[0].user: a client certificate needs its key, and a key its certificate");
  BOOST_TEST(error("current-context: [\n").find("kc.yaml:") == 0u);  // not YAML
  BOOST_TEST(error(R"(current-context: c
contexts: [{name: c, context: {cluster: k}}]
clusters: [{name: k, cluster: {server: "https://k", insecure-skip-tls-verify: maybe}}]
)") == "kc.yaml:3: clusters[0].cluster.insecure-skip-tls-verify: must be true or false");
}
