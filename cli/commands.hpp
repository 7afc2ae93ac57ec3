// The subcommands of `skippy`. Each registers its options on the CLI11 app and returns the
// process exit code when run: 0 clean, 1 findings, 2 usage or I/O error (as promtool does).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "dsl/ast.hpp"
#include "dsl/diagnostics.hpp"
#include "dsl/source.hpp"
#include "runtime/bytecode/program.hpp"

namespace skippy::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFindings = 1;
inline constexpr int kExitUsage = 2;

struct CheckOptions {
  std::vector<std::string> paths;
  std::string format = "text";
  bool color = false;
  std::uint32_t max_cost = 10'000;
};
void add_check_command(CLI::App& app, CheckOptions& options);
int run_check(const CheckOptions& options);

struct FmtOptions {
  std::vector<std::string> paths;
  bool check = false;
  bool to_stdout = false;
};
void add_fmt_command(CLI::App& app, FmtOptions& options);
int run_fmt(const FmtOptions& options);

struct CompileOptions {
  std::vector<std::string> paths;
  std::string output;
  bool color = false;
  std::uint32_t max_cost = 10'000;
};
void add_compile_command(CLI::App& app, CompileOptions& options);
int run_compile(const CompileOptions& options);

struct ExplainOptions {
  std::string id;
  std::string audit_file = "audit.jsonl";
};
void add_explain_command(CLI::App& app, ExplainOptions& options);
int run_explain(const ExplainOptions& options);

struct ApproveOptions {
  std::vector<std::string> ids;
  bool list = false;
  std::string runtime_url = "http://127.0.0.1:9477";
  std::string http_config_file;  // --http.config.file: basic auth and TLS, as promtool's
};
void add_approve_command(CLI::App& app, ApproveOptions& options);
int run_approve(const ApproveOptions& options);

struct TranslateOptions {
  std::vector<std::string> paths;
  std::string output_dir;  // empty: standard output
  bool check = false;
};
void add_translate_command(CLI::App& app, TranslateOptions& options);
int run_translate(const TranslateOptions& options);

struct ExplainPolicyOptions {
  std::string name;                           // a policy, or a HealingPolicy's metadata.name
  std::vector<std::string> policies = {"."};  // .skippy files and folders, .skpc, manifests
  std::string output = "text";                // text | json
};
void add_explain_policy_command(CLI::App& app, ExplainPolicyOptions& options);
int run_explain_policy(const ExplainPolicyOptions& options);

struct DisasmOptions {
  std::string path;
};
void add_disasm_command(CLI::App& app, DisasmOptions& options);
int run_disasm(const DisasmOptions& options);

struct RunOptions {
  std::string config_file;               // --config.file: settings the flags override
  std::vector<std::string> flags_given;  // the flags on the command line ("--cluster", ...)
  std::vector<std::string> policies;
  std::string prometheus_url = "http://127.0.0.1:9090";
  std::int64_t prometheus_timeout_ms = 10'000;
  std::string bearer_token_file;
  std::string cluster;
  std::string default_namespace = "default";
  bool once = false;
  std::int64_t time_ms = 0;
  std::string restore_max_lookback = "1h";  // a Prometheus duration; 0s: no restore
  bool dry_run = false;
  std::string audit_file = "-";
  std::string listen_address = "127.0.0.1:9477";
  std::string web_config_file;    // --web.config.file: TLS and basic auth for the web server
  bool enable_approvals = false;  // --web.enable-approvals: serve the approvals API
  std::string kubeconfig;         // where actions are carried out; none: every decision a dry run
  std::string context;            // of the kubeconfig; "" for its current context
  std::string journal;            // the safety journal; none: safety state lives in memory only
  bool in_cluster = false;        // the pod's service account instead of a kubeconfig
  // Where HealingAction objects are written; "" for the connection's namespace, or "default".
  std::string healing_actions_namespace;
  bool healing_actions = true;  // record actions as HealingAction objects when executing
  // Leader election on a Lease: only the holder executes actions.
  bool leader_elect = false;
  std::string leader_elect_name = "skippy";
  std::string leader_elect_namespace;  // "" for the connection's namespace, or "default"
  std::string leader_elect_identity;   // "" for the host name
  std::string leader_elect_lease_duration = "15s";
  std::string leader_elect_renew_deadline = "10s";
  std::string leader_elect_retry_period = "2s";
  // Run the live cluster's HealingPolicy objects beside the policy files.
  bool healing_policies = false;
  std::string log_level = "info";
  std::string log_format = "logfmt";
};
void add_run_command(CLI::App& app, RunOptions& options);
int run_run(const RunOptions& options);

struct TestOptions {
  std::vector<std::string> paths;  // test files, or directories of them (*.yaml)
  std::string junit;               // where to write JUnit XML; none: not written
  bool coverage = false;
  std::string coverage_format = "text";  // text or json
  std::string promtool = "promtool";
  std::string prometheus = "prometheus";
};
void add_test_command(CLI::App& app, TestOptions& options);
int run_test(const TestOptions& options);

struct ReplayOptions {
  std::vector<std::string> policies;  // files or directories
  std::string prometheus_url = "http://127.0.0.1:9090";
  std::string from, to;  // RFC 3339 or Unix seconds
  std::string step;      // a duration; empty: the policies' tick step
  std::string cluster;   // the cluster snapshot: the targets
  std::string default_namespace = "default";
  std::string format = "timeline";  // timeline or audit
};
void add_replay_command(CLI::App& app, ReplayOptions& options);
int run_replay(const ReplayOptions& options);

struct SimOptions {
  std::string listen;                  // 127.0.0.1:PORT
  std::vector<std::string> scenarios;  // manifests created at start
  std::string kubeconfig_out;          // where to write a kubeconfig for the server
  double speed = 1.0;                  // simulated seconds per real second
  std::string log_level = "info";
};
void add_sim_command(CLI::App& app, SimOptions& options);
int run_sim(const SimOptions& options);

// Loads, validates and compiles policy files (directories expanded, "-" for standard
// input), reporting into `diagnostics`. Returns the bytecode when there were no errors;
// `io_error` is set when a named file could not be read.
struct Compiled {
  std::optional<skippy::bytecode::Program> program;
  dsl::Program source;  // the parsed files, spans into the caller's SourceManager
  bool io_error = false;
  std::size_t files = 0;
};
// `texts` are sources held in memory (name, text), compiled with the files.
Compiled compile_inputs(const std::vector<std::string>& paths, std::uint32_t max_cost,
                        dsl::SourceManager& sources, dsl::Diagnostics& diagnostics,
                        std::string& usage_error,
                        const std::vector<std::pair<std::string, std::string>>& texts = {});

// Compiles policy files for a command that runs them (`test`, `replay`): the diagnostics go to
// standard error as `skippy check` prints them. Nothing, with `exit_code` set, when a file
// cannot be read (kExitUsage) or the policies have errors (kExitFindings); `who` prefixes
// the messages.
std::optional<skippy::bytecode::Program> compile_for_run(const std::vector<std::string>& paths,
                                                         const std::string& who, int& exit_code);

// Expands directories to the files below them whose names end in `suffix`, sorted; files
// pass through. "-" stands for standard input and passes through.
std::vector<std::string> expand_inputs(const std::vector<std::string>& paths, std::string& error,
                                       std::string_view suffix = ".skippy");

}  // namespace skippy::cli
