// skippy approve: approves actions that wait for a human, through the running runtime's API
// (POST /api/v1/approvals/ID on its --web.listen-address); `--list` shows what waits. An id
// may be given by a unique prefix, as `skippy explain` takes it. A locked runtime
// (--web.config.file) is reached with the credentials of --http.config.file, promtool's flag
// and Prometheus's HTTP client format (cli/http_client_config.hpp).
#include <simdjson.h>

#include <iomanip>
#include <iostream>

#include "agent/config/http_client_config.hpp"
#include "cli/commands.hpp"
#include "runtime/http/exchange.hpp"

namespace skippy::cli {
namespace {

struct Waiting {
  std::string id, policy, action, target, state, expires;
};

std::string field(simdjson::dom::element e, const char* key) {
  std::string_view s;
  return e[key].get(s) ? std::string() : std::string(s);
}

// Why a request was refused, said so that the fix is plain: 401 wants credentials.
std::string refusal(const http::Request& request, const http::Response& response) {
  std::string out = http::describe(request, response);
  if (response.status == 401)
    out +=
        " (the runtime requires credentials: give them with --http.config.file, "
        "docs/cli.md#skippy-approve)";
  return out;
}

// The runtime's list of waiting actions, or why it could not be read.
std::optional<std::vector<Waiting>> list_waiting(const std::string& base,
                                                 const http::Credentials& credentials,
                                                 std::string& error) {
  http::Request request;
  request.url = base + "/api/v1/approvals";
  auto response = http::exchange(request, credentials);
  if (!response.ok()) {
    error = refusal(request, response);
    return std::nullopt;
  }
  simdjson::dom::parser parser;
  simdjson::dom::array pending;
  if (parser.parse(response.body)["pending"].get(pending)) {
    error = request.url + ": not a list of approvals";
    return std::nullopt;
  }
  std::vector<Waiting> out;
  for (auto e : pending) {
    out.push_back({field(e, "id"), field(e, "policy"), field(e, "action"), field(e, "target"),
                   field(e, "state"), field(e, "expires")});
  }
  return out;
}

}  // namespace

void add_approve_command(CLI::App& app, ApproveOptions& options) {
  auto* cmd = app.add_subcommand(
      "approve", "Approve actions that wait for approval in a running `skippy run`");
  cmd->add_option("ids", options.ids, "Action ids (or unique prefixes) to approve");
  cmd->add_flag("--list", options.list, "List the actions that wait, and approve nothing");
  cmd->add_option("--runtime.url", options.runtime_url,
                  "The runtime's web address (its --web.listen-address; https:// when its "
                  "--web.config.file sets TLS)")
      ->capture_default_str();
  cmd->add_option("--http.config.file", options.http_config_file,
                  "Prometheus's HTTP client configuration: basic_auth and tls_config to reach "
                  "a runtime whose web server is locked");
}

int run_approve(const ApproveOptions& options) {
  std::string base = options.runtime_url;
  while (base.ends_with("/")) base.pop_back();
  if (!base.starts_with("http://") && !base.starts_with("https://")) base = "http://" + base;
  if (!options.list && options.ids.empty()) {
    std::cerr << "skippy approve: give action ids, or --list\n";
    return kExitUsage;
  }
  std::string error;
  http::Credentials credentials;
  if (!options.http_config_file.empty() &&
      !agent::read_http_client_config(options.http_config_file, credentials, error)) {
    std::cerr << error;
    return kExitUsage;
  }
  auto waiting = list_waiting(base, credentials, error);
  if (!waiting) {
    std::cerr << "skippy approve: " << error << "\n";
    return kExitUsage;
  }
  if (options.list) {
    std::cout << std::left << std::setw(34) << "ID" << std::setw(20) << "POLICY" << std::setw(10)
              << "ACTION" << std::setw(40) << "TARGET" << std::setw(10) << "STATE"
              << "EXPIRES\n";
    for (const auto& w : *waiting) {
      std::cout << std::setw(34) << w.id << std::setw(20) << w.policy << std::setw(10) << w.action
                << std::setw(40) << w.target << std::setw(10) << w.state << w.expires << "\n";
    }
    return kExitOk;
  }
  int exit = kExitOk;
  for (const auto& given : options.ids) {
    // A prefix stands for the one waiting action it begins; a whole id is sent as it is.
    std::string id = given;
    std::vector<const Waiting*> matches;
    for (const auto& w : *waiting) {
      if (w.id.starts_with(given)) matches.push_back(&w);
    }
    if (matches.size() > 1) {
      std::cerr << "skippy approve: `" << given << "` matches " << matches.size()
                << " waiting actions; give more of the id\n";
      exit = kExitFindings;
      continue;
    }
    if (matches.size() == 1) id = matches.front()->id;
    http::Request request;
    request.method = "POST";
    request.url = base + "/api/v1/approvals/" + id;
    auto response = http::exchange(request, credentials);
    simdjson::dom::parser parser;
    simdjson::dom::element body;
    std::string_view result;
    if (response.status == 0 || parser.parse(response.body).get(body) ||
        body["result"].get(result)) {
      std::cerr << "skippy approve: " << refusal(request, response) << "\n";
      return kExitUsage;
    }
    if (response.ok()) {
      std::cout << result << " " << id;
      if (matches.size() == 1)
        std::cout << ": " << matches.front()->action << " " << matches.front()->target
                  << " (policy " << matches.front()->policy << ")";
      std::cout << "\n";
    } else {
      std::cerr << "skippy approve: " << id << ": " << result << "\n";
      exit = kExitFindings;
    }
  }
  return exit;
}

}  // namespace skippy::cli
