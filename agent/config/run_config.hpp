// The configuration file of `skippy run` (--config.file): YAML holding the runtime's settings,
// among them the Prometheus client's that have no flag (auth, TLS, headers, retries). Keys
// mirror the flags: `--prometheus.url` is `prometheus: {url: ...}`, `--web.listen-address`
// is `web: {listen_address: ...}`, `--web.config.file` is `web: {config_file: ...}`. A flag given
// on the command line wins over the file. Every mistake in a file is reported with its line and
// column; none makes the reader throw. The format is described in docs/runtime.md.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/config/config_problem.hpp"
#include "agent/config/run_options.hpp"
#include "runtime/prometheus/client.hpp"
#include "runtime/safety/config.hpp"

namespace skippy::agent {

// What a config file holds; a setting the file does not give is empty.
struct RunConfig {
  std::optional<std::vector<std::string>> policies;
  std::optional<std::string> cluster;
  std::optional<std::string> default_namespace;
  std::optional<std::string> audit_file;
  std::optional<std::string> log_level;
  std::optional<std::string> log_format;
  std::optional<std::string> listen_address;
  std::optional<std::string> web_config_file;  // web.config_file
  std::optional<bool> enable_approvals;        // web.enable_approvals
  std::optional<std::string> external_url;     // web.external_url
  struct Alertmanager {                        // alertmanager: as --alertmanager.*
    std::optional<std::vector<std::string>> urls;
    std::optional<std::string> timeout;  // a valid duration, as written
    std::optional<bool> notify_decisions;
    std::optional<bool> silences_required;
  } alertmanager;
  std::optional<std::string> restore_max_lookback;  // a valid duration, as written
  std::optional<std::string> ai_tick_budget;        // a valid duration, as written
  struct Ai {                                       // ai: the model behind ai.analyze()
    std::optional<std::string> backend;             // ollama, openai, none
    std::optional<std::string> url;
    std::optional<std::string> model;
    std::optional<std::string> api_key_file;
    std::optional<std::string> timeout;  // a valid duration, as written
    std::optional<std::int64_t> max_calls_per_hour;
    std::optional<std::int64_t> max_tokens_per_hour;
    std::optional<std::string> cache_ttl;  // a valid duration, as written
    std::optional<bool> redact;
  } ai;
  std::optional<std::string> kubeconfig;  // kubernetes.kubeconfig
  std::optional<std::string> context;     // kubernetes.context
  std::optional<std::string> journal;     // safety.journal
  safety::SafetyConfig safety;            // the rest of `safety:`, over the defaults
  struct Prometheus {
    std::optional<std::string> url;
    std::optional<std::int64_t> timeout_ms;
    std::optional<int> retries;
    std::optional<std::int64_t> min_backoff_ms;
    std::optional<std::int64_t> max_backoff_ms;
    std::optional<std::size_t> max_concurrency;
    std::optional<std::size_t> max_response_bytes;
    std::optional<std::string> bearer_token_file;
    std::optional<std::string> basic_auth_username;
    std::optional<std::string> basic_auth_password_file;
    std::optional<std::string> ca_file;
    std::optional<bool> insecure_skip_verify;
    std::vector<std::string> headers;  // "Name: value"
  } prometheus;
};

// Parses a config file's text. Every problem goes to `problems`, in the order of the text;
// the result holds the settings that were read correctly. Paths are as written.
RunConfig parse_run_config(std::string_view yaml, std::vector<ConfigProblem>& problems);

// Reads and parses the file at `path`, and makes its relative paths relative to the file's
// directory (as Prometheus does). False when the file cannot be read or has problems; then
// `errors` holds one line per problem: `path:line:col: key: message`.
bool read_run_config(const std::string& path, RunConfig& config, std::string& errors);

// Takes the file's settings into `options`, except those whose flag is in
// options.flags_given: the command line wins.
void apply_run_config(const RunConfig& config, RunOptions& options);

// Takes the file's Prometheus settings that have a flag into `flags`, except those whose flag
// is in `flags_given`.
void apply_prometheus_config(const RunConfig::Prometheus& file,
                             const std::vector<std::string>& flags_given, PrometheusFlags& flags);

// The Prometheus client's options: URL, timeout (which bounds a query's every attempt) and
// bearer token file from `flags`, the rest from the file. Reads the secret files; false,
// with the reason in `error`, when one cannot be read.
bool prometheus_client_options(const PrometheusFlags& flags, const RunConfig::Prometheus& file,
                               prometheus::ClientOptions& out, std::string& error);

// The one way a command that takes --config.file and the Prometheus flags (`skippy run`,
// `skippy replay`) makes its client's options: the file's `prometheus:` settings when a file
// is given, the flags given winning over it. False, with the reasons in `error` (one line a
// problem), when the file or a secret file cannot be read.
bool prometheus_client_from(const std::string& config_file,
                            const std::vector<std::string>& flags_given, PrometheusFlags flags,
                            prometheus::ClientOptions& out, std::string& error);

}  // namespace skippy::agent
