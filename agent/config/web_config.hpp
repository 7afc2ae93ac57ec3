// `skippy run --web.config.file`: how the runtime's web server is locked, in the web
// configuration format of Prometheus's exporter-toolkit (TLS, client certificates, basic
// auth users with bcrypt hashes, response headers), so that one file serves Skippy and the
// exporters beside it. Every mistake is located (file:line:col and the key), the files it
// names are read and used at once (a certificate that cannot be loaded stops the start), and
// relative paths are relative to the file, as exporter-toolkit has them. docs/runtime.md
// ("Securing the web server") describes the format.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "agent/config/config_problem.hpp"
#include "runtime/web/web_security.hpp"

namespace skippy::agent {

// Parses a web configuration's text; paths are taken relative to `base` (the file's folder)
// and every file named is checked. Every problem goes to `problems`, in the order of the text.
web::WebSecurity parse_web_config(std::string_view yaml, const std::filesystem::path& base,
                                  std::vector<ConfigProblem>& problems);

// Reads the file at `path`; false with one `path:line:col: key: message` line per problem.
bool read_web_config(const std::string& path, web::WebSecurity& out, std::string& errors);

}  // namespace skippy::agent
