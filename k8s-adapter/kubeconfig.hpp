// Where the Kubernetes API server is and how to log in to it, read from a kubeconfig file as
// kubectl reads it: the current context (or a named one), its cluster's server, CA and
// `insecure-skip-tls-verify`, and its user's bearer token (inline or `tokenFile`) or client
// certificate and key (files or `-data`). Relative paths are relative to the file, as kubectl
// has them. Exec plugins, auth providers and basic auth are reported, not guessed at.
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "runtime/http/exchange.hpp"

namespace skippy::k8s {

struct Connection {
  std::string server;          // https://host:6443, without a trailing slash
  std::string namespace_name;  // the context's namespace, "" when it names none
  std::string context;         // the context used
  http::Credentials credentials;
};

// The connection of `context` (the file's current-context when empty), or an error with the
// file, line and field: "kubeconfig.yaml:7: users[0].user.exec: exec plugins are not supported".
std::variant<Connection, std::string> load_kubeconfig(const std::string& path,
                                                      std::string_view context = {});

// The same from the text of a kubeconfig; `name` stands for the file in errors and `dir` is
// where relative paths start.
std::variant<Connection, std::string> parse_kubeconfig(std::string_view yaml,
                                                       const std::string& name,
                                                       const std::string& dir,
                                                       std::string_view context = {});

}  // namespace skippy::k8s
