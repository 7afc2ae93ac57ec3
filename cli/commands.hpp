// The subcommands of `skippy`. Each registers its options on the CLI11 app and returns the
// process exit code when run: 0 clean, 1 findings, 2 usage or I/O error (as promtool does).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "agent/config/run_options.hpp"
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

void add_run_command(CLI::App& app, agent::RunOptions& options);
int run_run(const agent::RunOptions& options);

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
  std::vector<std::string> policies;     // files or directories
  std::string config_file;               // --config.file: its `prometheus:` settings
  std::vector<std::string> flags_given;  // the flags on the command line: they win over the file
  agent::PrometheusFlags prometheus;
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
  std::string model_listen;             // 127.0.0.1:PORT of the model stand-in, when served
  std::string model_mode = "sensible";  // how it answers (simulator/model_stand_in.hpp)
  std::string model_delay = "2s";       // slow: the wait before an answer
  std::uint64_t model_seed = 42;        // hostile: the seed of its answers
};
void add_sim_command(CLI::App& app, SimOptions& options);
int run_sim(const SimOptions& options);

// Compiles policy files for a command that runs them (`test`, `replay`): the diagnostics go to
// standard error as `skippy check` prints them. Nothing, with `exit_code` set, when a file
// cannot be read (kExitUsage) or the policies have errors (kExitFindings); `who` prefixes
// the messages.
std::optional<skippy::bytecode::Program> compile_for_run(const std::vector<std::string>& paths,
                                                         const std::string& who, int& exit_code);

}  // namespace skippy::cli
