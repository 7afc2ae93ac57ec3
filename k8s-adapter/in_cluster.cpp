#include "k8s-adapter/in_cluster.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>

namespace skippy::k8s {
namespace {

std::optional<std::string> read_trimmed(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string s((std::istreambuf_iterator<char>(in)), {});
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

}  // namespace

std::variant<Connection, std::string> in_cluster_connection(const std::string& root) {
  std::string host = env("KUBERNETES_SERVICE_HOST");
  std::string port = env("KUBERNETES_SERVICE_PORT");
  if (host.empty() || port.empty())
    return std::string(
        "not in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT "
        "must both be set");
  if (port.find_first_not_of("0123456789") != std::string::npos)
    return "KUBERNETES_SERVICE_PORT: `" + port + "` is not a port number";
  Connection c;
  // An IPv6 address needs brackets in a URL.
  if (host.find(':') != std::string::npos && !host.starts_with("[")) host = "[" + host + "]";
  c.server = "https://" + host + ":" + port;
  c.context = "in-cluster";
  std::filesystem::path dir(root);
  auto token = read_trimmed(dir / "token");
  if (!token || token->empty())
    return "cannot read the service account token `" + (dir / "token").string() + "`";
  c.credentials.bearer_token = *token;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(dir / "ca.crt", ec))
    return "cannot read the service account CA bundle `" + (dir / "ca.crt").string() + "`";
  c.credentials.ca_file = (dir / "ca.crt").string();
  c.namespace_name = read_trimmed(dir / "namespace").value_or("");
  return c;
}

}  // namespace skippy::k8s
