#include "agent/config/web_config.hpp"

#include <optional>

#include "agent/config/settings_reader.hpp"
#include "runtime/web/web_auth.hpp"
#include "runtime/web/web_tls.hpp"

namespace skippy::agent {
namespace {

using settings::Entry;
using settings::Reader;

// The names exporter-toolkit lets a web configuration set (its http_server_config.headers).
constexpr std::string_view kHeaders[] = {"Content-Security-Policy", "X-Frame-Options",
                                         "X-Content-Type-Options", "X-XSS-Protection",
                                         "Strict-Transport-Security"};

std::optional<web::ClientAuth> client_auth(const std::string& name) {
  using web::ClientAuth;
  if (name == "NoClientCert" || name.empty()) return ClientAuth::NoClientCert;
  if (name == "RequestClientCert") return ClientAuth::RequestClientCert;
  if (name == "RequireAnyClientCert") return ClientAuth::RequireAnyClientCert;
  if (name == "VerifyClientCertIfGiven") return ClientAuth::VerifyClientCertIfGiven;
  if (name == "RequireAndVerifyClientCert") return ClientAuth::RequireAndVerifyClientCert;
  return std::nullopt;
}

std::optional<int> tls_version(const std::string& name) {
  if (name == "TLS10") return web::kTls10;
  if (name == "TLS11") return web::kTls11;
  if (name == "TLS12") return web::kTls12;
  if (name == "TLS13") return web::kTls13;
  return std::nullopt;
}

// Settings exporter-toolkit has that Skippy's server does not: named, so that the message
// says so rather than calling them unknown.
constexpr const char* kUnsupported =
    "is not supported by skippy's web server; see docs/runtime.md, \"Securing the web server\"";

void read_tls(Reader& r, const Entry& e, const std::filesystem::path& base, web::TlsSettings& tls) {
  std::optional<Entry> at_cert, at_key, at_ca, at_auth, at_max;
  r.entries(e,
            {"cert_file", "key_file", "client_auth_type", "client_ca_file", "min_version",
             "max_version", "cert", "key", "client_ca", "client_allowed_sans", "cipher_suites",
             "curve_preferences", "prefer_server_cipher_suites"},
            [&](std::string_view n, const Entry& f) {
              if (n == "cert_file") {
                at_cert = f;
                if (auto p = settings::readable(r, f, base)) tls.cert_file = *p;
              } else if (n == "key_file") {
                at_key = f;
                if (auto p = settings::readable(r, f, base)) tls.key_file = *p;
              } else if (n == "client_ca_file") {
                at_ca = f;
                if (auto p = settings::readable(r, f, base)) tls.client_ca_file = *p;
              } else if (n == "client_auth_type") {
                at_auth = f;
                auto name = r.text(f);
                auto policy = name ? client_auth(*name) : std::nullopt;
                if (policy) tls.client_auth = *policy;
                if (name && !policy)
                  r.problem(f,
                            "expected NoClientCert, RequestClientCert, RequireAnyClientCert, "
                            "VerifyClientCertIfGiven or RequireAndVerifyClientCert");
              } else if (n == "min_version" || n == "max_version") {
                auto name = r.text(f);
                auto version = name ? tls_version(*name) : std::nullopt;
                if (name && !version) r.problem(f, "expected TLS10, TLS11, TLS12 or TLS13");
                if (version) (n == "min_version" ? tls.min_version : tls.max_version) = *version;
                if (n == "max_version") at_max = f;
              } else {
                r.problem(f, std::string(n) + " " + kUnsupported);
              }
            });
  Entry section = e;
  section.mark = e.key_mark;
  if (!at_cert || !at_key) {
    r.problem(section, "needs cert_file and key_file");
    return;
  }
  bool verifies = tls.client_auth == web::ClientAuth::VerifyClientCertIfGiven ||
                  tls.client_auth == web::ClientAuth::RequireAndVerifyClientCert;
  if (at_ca && tls.client_auth == web::ClientAuth::NoClientCert)
    r.problem(*at_ca, "client certificates are not asked for: set client_auth_type too");
  if (verifies && !at_ca)
    r.problem(at_auth ? *at_auth : section,
              "verifying client certificates needs client_ca_file, the CAs to verify them with");
  if (at_max && tls.max_version && tls.max_version < tls.min_version)
    r.problem(*at_max, "max_version is older than min_version");
  if (tls.cert_file.empty() || tls.key_file.empty() || (at_ca && tls.client_ca_file.empty()))
    return;  // a file could not be read: reported
  // The files are used now, as the server will use them: a problem stops the start here.
  web::TlsProblem problem;
  if (!web::TlsContext::create(tls, problem)) {
    const Entry& where = problem.field == "cert_file"  ? *at_cert
                         : problem.field == "key_file" ? *at_key
                         : at_ca                       ? *at_ca
                                                       : section;
    r.problem(where, problem.message);
  }
}

}  // namespace

web::WebSecurity parse_web_config(std::string_view yaml, const std::filesystem::path& base,
                                  std::vector<ConfigProblem>& problems) {
  web::WebSecurity out;
  YAML::Node root = settings::load(yaml, problems);
  if (root.IsNull()) return out;  // an empty file locks nothing, as with exporter-toolkit
  Reader r(problems);
  r.entries(Reader::at(root, YAML::Mark(), ""),
            {"tls_server_config", "http_server_config", "basic_auth_users", "rate_limit"},
            [&](std::string_view name, const Entry& e) {
              if (name == "tls_server_config") {
                read_tls(r, e, base, out.tls.emplace());
              } else if (name == "http_server_config") {
                r.entries(e, {"headers", "http2"}, [&](std::string_view n, const Entry& f) {
                  if (n == "http2") {
                    r.boolean(f);  // accepted, no effect: civetweb speaks HTTP/1.1 only
                    return;
                  }
                  r.any_entries(f, [&](std::string_view header, const Entry& g) {
                    bool allowed = false;
                    for (auto h : kHeaders) allowed = allowed || h == header;
                    if (!allowed) {
                      r.problem(Entry{g.value, g.key_mark, g.key, g.key_mark},
                                "expected one of the headers exporter-toolkit allows: "
                                "Content-Security-Policy, X-Frame-Options, "
                                "X-Content-Type-Options, X-XSS-Protection, "
                                "Strict-Transport-Security");
                    } else if (auto value = r.text(g)) {
                      if (value->find_first_of("\r\n") != std::string::npos)
                        r.problem(g, "a header value cannot hold a line break");
                      else
                        out.headers.emplace_back(std::string(header), *value);
                    }
                  });
                });
              } else if (name == "basic_auth_users") {
                r.any_entries(e, [&](std::string_view user, const Entry& f) {
                  auto hash = r.text(f);
                  if (!hash) return;
                  if (user.find(':') != std::string_view::npos) {
                    r.problem(Entry{f.value, f.key_mark, f.key, f.key_mark},
                              "a basic auth user name cannot hold `:`");
                  } else if (!web::is_bcrypt_hash(*hash)) {
                    r.problem(f,
                              "expected a bcrypt hash ($2a$, $2b$ or $2y$, as `htpasswd -nBC 10 "
                              "USER` prints after the colon), not a password or another hash");
                  } else {
                    out.users[std::string(user)] = *hash;
                  }
                });
              } else {
                r.problem(e, std::string("rate_limit ") + kUnsupported);
              }
            });
  settings::sort_problems(problems);
  return out;
}

bool read_web_config(const std::string& path, web::WebSecurity& out, std::string& errors) {
  return settings::read_file(path, "web configuration file", parse_web_config, out, errors);
}

}  // namespace skippy::agent
