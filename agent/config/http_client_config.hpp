// `skippy approve --http.config.file`: how the client proves itself to a runtime whose web
// server is locked, in the HTTP client configuration format of Prometheus (promtool takes
// the same flag): `basic_auth` (username, password or password_file) and `tls_config`
// (ca_file, cert_file, key_file, server_name, insecure_skip_verify). Mistakes are located as
// in every settings file; relative paths are relative to the file; secrets are read at once.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "agent/config/config_problem.hpp"
#include "runtime/http/exchange.hpp"

namespace skippy::agent {

// Parses the text; paths relative to `base`, password_file read.
http::Credentials parse_http_client_config(std::string_view yaml, const std::filesystem::path& base,
                                           std::vector<ConfigProblem>& problems);

// Reads the file at `path`; false with one `path:line:col: key: message` line per problem.
bool read_http_client_config(const std::string& path, http::Credentials& out, std::string& errors);

}  // namespace skippy::agent
