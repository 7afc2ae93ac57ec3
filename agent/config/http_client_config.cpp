#include "agent/config/http_client_config.hpp"

#include "agent/config/settings_reader.hpp"

namespace skippy::agent {
namespace {

using settings::Entry;
using settings::Reader;

}  // namespace

http::Credentials parse_http_client_config(std::string_view yaml, const std::filesystem::path& base,
                                           std::vector<ConfigProblem>& problems) {
  http::Credentials out;
  YAML::Node root = settings::load(yaml, problems);
  if (root.IsNull()) return out;
  Reader r(problems);
  r.entries(
      Reader::at(root, YAML::Mark(), ""),
      {"basic_auth", "tls_config", "authorization", "bearer_token", "bearer_token_file", "oauth2",
       "proxy_url", "follow_redirects", "enable_http2"},
      [&](std::string_view name, const Entry& e) {
        if (name == "basic_auth") {
          std::optional<Entry> password, password_file;
          r.entries(e, {"username", "password", "password_file"},
                    [&](std::string_view n, const Entry& f) {
                      if (n == "username") out.basic_user = r.text(f).value_or("");
                      if (n == "password") password = f;
                      if (n == "password_file") password_file = f;
                    });
          Entry section = e;
          section.mark = e.key_mark;
          if (e.value.IsMap() && out.basic_user.empty()) r.problem(section, "needs a username");
          if (password && password_file) {
            r.problem(*password_file, "give password or password_file, not both");
          } else if (password) {
            out.basic_password = r.text(*password).value_or("");
          } else if (password_file) {
            if (auto p = settings::readable(r, *password_file, base)) {
              std::string error;
              settings::first_line(*p, "password file", out.basic_password, error);
            }
          }
        } else if (name == "tls_config") {
          r.entries(e, {"ca_file", "cert_file", "key_file", "server_name", "insecure_skip_verify"},
                    [&](std::string_view n, const Entry& f) {
                      if (n == "ca_file") out.ca_file = settings::readable(r, f, base).value_or("");
                      if (n == "cert_file")
                        out.client_cert_file = settings::readable(r, f, base).value_or("");
                      if (n == "key_file")
                        out.client_key_file = settings::readable(r, f, base).value_or("");
                      if (n == "server_name") out.server_name = r.text(f).value_or("");
                      if (n == "insecure_skip_verify")
                        out.insecure_skip_verify = r.boolean(f).value_or(false);
                    });
          Entry section = e;
          section.mark = e.key_mark;
          if (out.client_cert_file.empty() != out.client_key_file.empty())
            r.problem(section, "give cert_file and key_file together");
        } else {
          r.problem(e, std::string(name) +
                           " is not supported by skippy approve: the runtime's web server takes "
                           "basic auth and client certificates");
        }
      });
  settings::sort_problems(problems);
  return out;
}

bool read_http_client_config(const std::string& path, http::Credentials& out, std::string& errors) {
  return settings::read_file(path, "HTTP client configuration file", parse_http_client_config, out,
                             errors);
}

}  // namespace skippy::agent
