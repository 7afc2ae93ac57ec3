#include "k8s-adapter/kubeconfig.hpp"

#include <openssl/evp.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>

namespace skippy::k8s {
namespace {

struct Located {
  std::string message;
};

class Reader {
 public:
  Reader(std::string name, std::string dir) : name_(std::move(name)), dir_(std::move(dir)) {}

  Located error(const YAML::Node& at, const std::string& field, const std::string& message) const {
    std::string where = name_;
    if (at.IsDefined() && at.Mark().line >= 0) where += ":" + std::to_string(at.Mark().line + 1);
    return {where + ": " + field + ": " + message};
  }

  // A scalar field of `node`, if it has one.
  std::optional<std::string> text(const YAML::Node& node, const char* key,
                                  const std::string& field) const {
    YAML::Node v = node[key];
    if (!v.IsDefined() || v.IsNull()) return std::nullopt;
    if (!v.IsScalar()) throw error(v, field + "." + key, "must be a string");
    return v.Scalar();
  }

  std::string path(const std::string& p) const {
    std::filesystem::path fp(p);
    if (fp.is_absolute() || dir_.empty()) return p;
    return (std::filesystem::path(dir_) / fp).string();
  }

  std::string base64(const YAML::Node& node, const char* key, const std::string& field) const {
    std::string in = *text(node, key, field);
    std::erase_if(in, [](char c) { return c == '\n' || c == '\r' || c == ' '; });
    std::string out(in.size() / 4 * 3 + 3, '\0');
    int n = in.size() % 4 == 0 ? EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                                 reinterpret_cast<const unsigned char*>(in.data()),
                                                 static_cast<int>(in.size()))
                               : -1;
    if (n < 0) throw error(node[key], field + "." + key, "is not valid base64");
    // EVP_DecodeBlock counts the padding's bytes as zeros: drop them.
    std::size_t size = static_cast<std::size_t>(n);
    if (in.ends_with("=="))
      size -= 2;
    else if (in.ends_with("="))
      size -= 1;
    out.resize(size);
    return out;
  }

  std::string read_file(const YAML::Node& at, const std::string& field,
                        const std::string& file) const {
    std::ifstream in(path(file), std::ios::binary);
    if (!in) throw error(at, field, "cannot read `" + path(file) + "`");
    std::string s((std::istreambuf_iterator<char>(in)), {});
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
    return s;
  }

  // The entry of `list` (clusters, users, contexts) called `wanted`, and its index.
  std::pair<YAML::Node, std::size_t> named(const YAML::Node& root, const char* list,
                                           const std::string& wanted, const char* inner,
                                           const YAML::Node& referrer,
                                           const std::string& referrer_field) const {
    YAML::Node entries = root[list];
    if (entries.IsDefined() && !entries.IsNull() && !entries.IsSequence())
      throw error(entries, list, "must be a list");
    for (std::size_t i = 0; entries.IsSequence() && i < entries.size(); ++i) {
      YAML::Node e = entries[i];
      if (e.IsMap() && e["name"].IsScalar() && e["name"].Scalar() == wanted) {
        YAML::Node body = e[inner];
        std::string field = std::string(list) + "[" + std::to_string(i) + "]." + inner;
        if (!body.IsMap()) throw error(e, field, "is missing or not a mapping");
        return {body, i};
      }
    }
    throw error(referrer, referrer_field,
                "no " + std::string(list).substr(0, std::string(list).size() - 1) + " named `" +
                    wanted + "` in `" + list + "`");
  }

  Connection read(const YAML::Node& root, std::string_view wanted_context) const {
    if (!root.IsMap()) throw error(root, "(document)", "a kubeconfig is a mapping");
    std::string context(wanted_context);
    if (context.empty()) {
      auto current = text(root, "current-context", "");
      if (!current || current->empty())
        throw error(root, "current-context", "is not set and no context was asked for");
      context = *current;
    }
    Connection c;
    c.context = context;
    auto [ctx, ctx_index] =
        named(root, "contexts", context, "context", root["current-context"], "current-context");
    std::string ctx_field = "contexts[" + std::to_string(ctx_index) + "].context";
    auto cluster_name = text(ctx, "cluster", ctx_field);
    if (!cluster_name) throw error(ctx, ctx_field + ".cluster", "is missing");
    c.namespace_name = text(ctx, "namespace", ctx_field).value_or("");
    auto [cluster, cluster_index] =
        named(root, "clusters", *cluster_name, "cluster", ctx["cluster"], ctx_field + ".cluster");
    std::string cf = "clusters[" + std::to_string(cluster_index) + "].cluster";
    auto server = text(cluster, "server", cf);
    if (!server || server->empty()) throw error(cluster, cf + ".server", "is missing");
    c.server = *server;
    while (c.server.ends_with("/")) c.server.pop_back();
    auto scheme = c.server.find("://");
    bool http = c.server.starts_with("http://") || c.server.starts_with("https://");
    if (!http || scheme + 3 >= c.server.size())
      throw error(cluster["server"], cf + ".server", "is not an http:// or https:// URL");
    auto& cred = c.credentials;
    if (auto ca = text(cluster, "certificate-authority", cf)) cred.ca_file = path(*ca);
    if (text(cluster, "certificate-authority-data", cf))
      cred.ca_pem = base64(cluster, "certificate-authority-data", cf);
    if (YAML::Node insecure = cluster["insecure-skip-tls-verify"]; insecure.IsDefined()) {
      bool value = false;
      if (!insecure.IsScalar() || !YAML::convert<bool>::decode(insecure, value))
        throw error(insecure, cf + ".insecure-skip-tls-verify", "must be true or false");
      cred.insecure_skip_verify = value;
    }
    auto user_name = text(ctx, "user", ctx_field);
    if (!user_name) return c;  // no credentials: an open (or proxied) server
    auto [user, user_index] =
        named(root, "users", *user_name, "user", ctx["user"], ctx_field + ".user");
    std::string uf = "users[" + std::to_string(user_index) + "].user";
    for (const char* unsupported : {"exec", "auth-provider", "username", "password"}) {
      if (user[unsupported].IsDefined())
        throw error(user[unsupported], uf + "." + unsupported,
                    "is not supported: use a token, a tokenFile or a client certificate");
    }
    if (auto token = text(user, "token", uf)) cred.bearer_token = *token;
    if (auto file = text(user, "tokenFile", uf))
      cred.bearer_token = read_file(user["tokenFile"], uf + ".tokenFile", *file);
    if (auto cert = text(user, "client-certificate", uf)) cred.client_cert_file = path(*cert);
    if (text(user, "client-certificate-data", uf))
      cred.client_cert_pem = base64(user, "client-certificate-data", uf);
    if (auto key = text(user, "client-key", uf)) cred.client_key_file = path(*key);
    if (text(user, "client-key-data", uf))
      cred.client_key_pem = base64(user, "client-key-data", uf);
    bool has_cert = !cred.client_cert_file.empty() || !cred.client_cert_pem.empty();
    bool has_key = !cred.client_key_file.empty() || !cred.client_key_pem.empty();
    if (has_cert != has_key)
      throw error(user, uf, "a client certificate needs its key, and a key its certificate");
    return c;
  }

 private:
  std::string name_;
  std::string dir_;
};

}  // namespace

std::variant<Connection, std::string> parse_kubeconfig(std::string_view yaml,
                                                       const std::string& name,
                                                       const std::string& dir,
                                                       std::string_view context) {
  Reader reader(name, dir);
  try {
    return reader.read(YAML::Load(std::string(yaml)), context);
  } catch (const Located& e) {
    return e.message;
  } catch (const YAML::Exception& e) {
    return name + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1) +
           ": " + e.msg;
  }
}

std::variant<Connection, std::string> load_kubeconfig(const std::string& path,
                                                      std::string_view context) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "cannot read the kubeconfig `" + path + "`";
  std::string yaml((std::istreambuf_iterator<char>(in)), {});
  return parse_kubeconfig(yaml, path, std::filesystem::path(path).parent_path().string(), context);
}

}  // namespace skippy::k8s
