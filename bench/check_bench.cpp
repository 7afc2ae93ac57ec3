// The front end's benchmark: checking 1,000 generated policies (about 30 lines each), in
// process and as the `skippy check` command, against `promtool check rules` on the
// equivalent 1,000 alerting rules; and compiling them to bytecode. See bench/README.md.
//
// Besides the Google Benchmark flags, check_bench takes:
//   --verify_corpus        check the generated corpus (in process, with the skippy binary and
//                          with promtool) and exit: 0 when all three accept it
//   --write_corpus=DIR     write the policies (DIR/policies/*.skippy) and DIR/rules.yaml, exit
//   --corpus_size=N        the number of policies for the two options above (default 1000)
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bench/generate_policies.hpp"
#include "compiler/compile.hpp"
#include "dsl/diagnostics.hpp"
#include "dsl/render.hpp"
#include "dsl/source.hpp"
#include "dsl/validate.hpp"
#include "grammar/load.hpp"
#include "runtime/bytecode/file.hpp"

extern char** environ;

#ifndef SKIPPY_BINARY
#error \
    "SKIPPY_BINARY must be defined to the path of the skippy executable (see bench/CMakeLists.txt)"
#endif

namespace {

namespace fs = std::filesystem;
using skippy::bench::GeneratedCorpus;

constexpr std::size_t kPolicies = 1000;

// ---- The corpus, generated once per size, written to a temporary directory on demand ------

class Fixture {
 public:
  explicit Fixture(std::size_t count) : corpus_(skippy::bench::generate_corpus(count)) {}
  Fixture(const Fixture&) = delete;
  Fixture& operator=(const Fixture&) = delete;
  ~Fixture() {
    if (!dir_.empty()) {
      std::error_code ec;
      fs::remove_all(dir_, ec);
    }
  }

  const GeneratedCorpus& corpus() const { return corpus_; }

  // The directory holding policies/ and rules.yaml; empty (and `error` set) on failure.
  const fs::path& written(std::string& error) {
    if (dir_.empty()) {
      std::string pattern = (fs::temp_directory_path() / "skippy-bench-XXXXXX").string();
      if (!::mkdtemp(pattern.data())) {
        error = "mkdtemp failed: " + std::string(std::strerror(errno));
        return dir_;
      }
      if (!write(pattern, error)) {
        std::error_code ec;
        fs::remove_all(pattern, ec);
        return dir_;
      }
      dir_ = pattern;
    }
    return dir_;
  }

  bool write(const fs::path& dir, std::string& error) const {
    std::error_code ec;
    fs::create_directories(dir / "policies", ec);
    if (ec) {
      error = "cannot create " + (dir / "policies").string() + ": " + ec.message();
      return false;
    }
    auto put = [&](const fs::path& path, const std::string& text) {
      std::ofstream out(path, std::ios::binary);
      out << text;
      if (!out) error = "cannot write " + path.string();
      return static_cast<bool>(out);
    };
    for (const auto& p : corpus_.policies) {
      if (!put(dir / "policies" / p.file_name, p.text)) return false;
    }
    return put(dir / "rules.yaml", corpus_.prometheus_rules);
  }

 private:
  GeneratedCorpus corpus_;
  fs::path dir_;
};

Fixture& fixture(std::size_t count) {
  static std::map<std::size_t, std::unique_ptr<Fixture>> fixtures;
  auto& slot = fixtures[count];
  if (!slot) slot = std::make_unique<Fixture>(count);
  return *slot;
}

// ---- Checking in process -------------------------------------------------------------------

struct InProcessResult {
  std::size_t errors = 0;
  std::size_t warnings = 0;
  std::size_t policies = 0;       // compiled
  std::size_t program_bytes = 0;  // the .skpc bytes, when asked for
  std::string first_problem;      // rendered, when there are errors or warnings
};

// Parses every policy from memory, validates the program and compiles it, as `skippy check`
// does; with `write`, also serializes the bytecode, as `skippy compile` does.
InProcessResult check_in_process(const GeneratedCorpus& corpus, bool write = false) {
  skippy::dsl::SourceManager sources;
  skippy::dsl::Diagnostics diagnostics;
  skippy::dsl::Program program;
  program.modules.reserve(corpus.policies.size());
  for (const auto& p : corpus.policies) {
    program.modules.push_back(
        skippy::grammar::load_text(p.file_name, p.text, sources, diagnostics));
  }
  skippy::dsl::validate_program(program, diagnostics);
  auto compiled = skippy::compiler::compile_program(program, sources, diagnostics);
  InProcessResult result;
  result.errors = diagnostics.error_count();
  result.warnings = static_cast<std::size_t>(
      std::count_if(diagnostics.all().begin(), diagnostics.all().end(),
                    [](const auto& d) { return d.severity == skippy::dsl::Severity::Warning; }));
  if (compiled) {
    result.policies = compiled->policies.size();
    if (write) result.program_bytes = skippy::bytecode::write_program(*compiled).size();
  }
  if (!diagnostics.all().empty()) {
    diagnostics.sort();
    result.first_problem = skippy::dsl::render_text(diagnostics, sources).substr(0, 2000);
  }
  return result;
}

// ---- Running a command as a child process --------------------------------------------------

struct ChildResult {
  bool spawned = false;
  int exit_code = -1;        // -1 unless the child exited normally
  double cpu_seconds = 0.0;  // user + system time of the child
  std::string failure;       // why it failed, with the start of its output
};

// The first `limit` bytes of a file, without trailing white space.
std::string read_head(const fs::path& path, std::size_t limit) {
  std::ifstream in(path, std::ios::binary);
  std::string text(std::istreambuf_iterator<char>(in), {});
  text.resize(std::min(text.size(), limit));
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  return text;
}

// Runs argv[0] (a path) with stdin from /dev/null and stdout+stderr to `output`.
ChildResult run_child(const std::vector<std::string>& args, const fs::path& output) {
  ChildResult result;
  std::vector<char*> argv;
  std::vector<std::string> storage = args;
  for (auto& a : storage) argv.push_back(a.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, output.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    result.failure = "cannot run " + args[0] + ": " + std::strerror(rc);
    return result;
  }
  result.spawned = true;
  int status = 0;
  struct rusage usage {};
  while (::wait4(pid, &status, 0, &usage) < 0) {
    if (errno != EINTR) {
      result.failure = "wait4 failed: " + std::string(std::strerror(errno));
      return result;
    }
  }
  result.cpu_seconds = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                       static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6;
  if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
    if (result.exit_code != 0) {
      result.failure = args[0] + " exited with " + std::to_string(result.exit_code) + ": " +
                       read_head(output, 1500);
    }
  } else {
    result.failure = args[0] + " was killed by signal " + std::to_string(WTERMSIG(status));
  }
  return result;
}

bool executable(const fs::path& path) {
  return ::access(path.c_str(), X_OK) == 0;
}

// $SKIPPY_BENCH_PROMTOOL, else `promtool` on $PATH; nullopt when there is none.
std::optional<fs::path> find_promtool() {
  if (const char* env = std::getenv("SKIPPY_BENCH_PROMTOOL"); env && *env) {
    if (executable(env)) return fs::path(env);
    return std::nullopt;
  }
  const char* path = std::getenv("PATH");
  std::string_view rest = path ? path : "/usr/local/bin:/usr/bin:/bin";
  while (!rest.empty()) {
    auto colon = rest.find(':');
    std::string_view dir = rest.substr(0, colon);
    rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
    if (dir.empty()) continue;
    fs::path candidate = fs::path(dir) / "promtool";
    if (executable(candidate)) return candidate;
  }
  return std::nullopt;
}

std::vector<std::string> skippy_command(const fs::path& dir) {
  return {SKIPPY_BINARY, "check", (dir / "policies").string()};
}

std::vector<std::string> promtool_command(const fs::path& promtool, const fs::path& dir) {
  return {promtool.string(), "check", "rules", (dir / "rules.yaml").string()};
}

// ---- Benchmarks ----------------------------------------------------------------------------

void set_throughput(benchmark::State& state, const GeneratedCorpus& corpus, std::size_t bytes) {
  auto iterations = static_cast<std::int64_t>(state.iterations());
  state.SetItemsProcessed(iterations * static_cast<std::int64_t>(corpus.policies.size()));
  state.SetBytesProcessed(iterations * static_cast<std::int64_t>(bytes));
}

// Checks the corpus once before timing: any error or warning fails the benchmark.
bool corpus_is_clean(benchmark::State& state, const GeneratedCorpus& corpus) {
  auto first = check_in_process(corpus);
  if (first.errors || first.warnings || first.policies != corpus.policies.size()) {
    state.SkipWithError(
        ("the generated policies do not check clean:\n" + first.first_problem).c_str());
    return false;
  }
  return true;
}

// Parse + validate + compile N policies held in memory: what `skippy check` does, without
// the I/O; one thread.
void BM_CheckPolicies_InProcess(benchmark::State& state) {
  const auto& corpus = fixture(static_cast<std::size_t>(state.range(0))).corpus();
  if (!corpus_is_clean(state, corpus)) return;
  std::size_t errors = 0;
  for (auto _ : state) {
    auto result = check_in_process(corpus);
    errors += result.errors;
    benchmark::DoNotOptimize(errors);
  }
  if (errors) state.SkipWithError("errors appeared while benchmarking");
  set_throughput(state, corpus, corpus.policy_bytes());
  state.counters["lines"] = static_cast<double>(corpus.policy_lines());
}
BENCHMARK(BM_CheckPolicies_InProcess)->Arg(kPolicies)->Unit(benchmark::kMillisecond);

// Parse + validate + compile N policies and serialize the program (the bytes of a .skpc
// file): what `skippy compile` does, without the I/O; one thread.
void BM_CompilePolicies(benchmark::State& state) {
  const auto& corpus = fixture(static_cast<std::size_t>(state.range(0))).corpus();
  if (!corpus_is_clean(state, corpus)) return;
  std::size_t errors = 0;
  std::size_t bytes = 0;
  for (auto _ : state) {
    auto result = check_in_process(corpus, /*write=*/true);
    errors += result.errors;
    bytes = result.program_bytes;
    benchmark::DoNotOptimize(bytes);
  }
  if (errors || bytes == 0) state.SkipWithError("compiling failed while benchmarking");
  set_throughput(state, corpus, corpus.policy_bytes());
  state.counters["program_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_CompilePolicies)->Arg(kPolicies)->Unit(benchmark::kMillisecond);

// Runs a command repeatedly; wall time is what a user waits for. child_cpu_ms is the
// child's user+system CPU time per run (above wall time when it uses several threads).
void run_process_benchmark(benchmark::State& state, const std::vector<std::string>& command,
                           const fs::path& output, const GeneratedCorpus& corpus,
                           std::size_t bytes) {
  if (auto first = run_child(command, output); !first.failure.empty()) {
    state.SkipWithError(first.failure.c_str());
    return;
  }
  double cpu = 0.0;
  for (auto _ : state) {
    auto result = run_child(command, output);
    if (!result.failure.empty()) {
      state.SkipWithError(result.failure.c_str());
      break;
    }
    cpu += result.cpu_seconds;
  }
  set_throughput(state, corpus, bytes);
  state.counters["child_cpu_ms"] =
      benchmark::Counter(cpu * 1e3, benchmark::Counter::kAvgIterations);
}

// `skippy check DIR` on N policy files: process start, directory walk, reading, checking.
void BM_SkippyCheck_Process(benchmark::State& state) {
  auto& fx = fixture(static_cast<std::size_t>(state.range(0)));
  std::string error;
  const fs::path& dir = fx.written(error);
  if (dir.empty()) {
    state.SkipWithError(error.c_str());
    return;
  }
  if (!executable(SKIPPY_BINARY)) {
    state.SkipWithError("the skippy binary " SKIPPY_BINARY
                        " is missing: build the `skippy` target");
    return;
  }
  run_process_benchmark(state, skippy_command(dir), dir / "skippy.out", fx.corpus(),
                        fx.corpus().policy_bytes());
}
BENCHMARK(BM_SkippyCheck_Process)
    ->Arg(1)
    ->Arg(kPolicies)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// `promtool check rules FILE` on the N equivalent alerting rules, in one file.
void BM_PromtoolCheckRules_Process(benchmark::State& state) {
  auto promtool = find_promtool();
  if (!promtool) {
    state.SkipWithError(
        "promtool not found: not on PATH, or $SKIPPY_BENCH_PROMTOOL is not executable");
    return;
  }
  auto& fx = fixture(static_cast<std::size_t>(state.range(0)));
  std::string error;
  const fs::path& dir = fx.written(error);
  if (dir.empty()) {
    state.SkipWithError(error.c_str());
    return;
  }
  run_process_benchmark(state, promtool_command(*promtool, dir), dir / "promtool.out", fx.corpus(),
                        fx.corpus().prometheus_rules.size());
}
BENCHMARK(BM_PromtoolCheckRules_Process)
    ->Arg(1)
    ->Arg(kPolicies)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// ---- Reporting the ratios ------------------------------------------------------------------

// The console reporter, plus a summary of the ratios once every benchmark has run. The
// figures kept per benchmark are the median when there are repetitions, else the run's mean:
// wall time, and CPU time (this process's for the in-process benchmark, the child's
// user+system time for the process ones; CPU time is the steadier figure on a busy machine).
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  explicit RatioReporter(OutputOptions options) : ConsoleReporter(options) {}

  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const auto& run : runs) {
      if (run.error_occurred) continue;
      if (run.run_type == Run::RT_Aggregate && run.aggregate_name != "median") continue;
      double to_ms = 1e3 / benchmark::GetTimeUnitMultiplier(run.time_unit);
      Figures f{run.GetAdjustedRealTime() * to_ms, run.GetAdjustedCPUTime() * to_ms};
      if (auto it = run.counters.find("child_cpu_ms"); it != run.counters.end())
        f.cpu_ms = it->second;
      figures_[run.run_name.function_name + "/" + run.run_name.args] = f;
    }
  }

  void Finalize() override {
    ConsoleReporter::Finalize();
    const std::string n = std::to_string(kPolicies);
    auto in_process = find("BM_CheckPolicies_InProcess/" + n);
    auto compile = find("BM_CompilePolicies/" + n);
    auto skippy = find("BM_SkippyCheck_Process/" + n);
    auto promtool = find("BM_PromtoolCheckRules_Process/" + n);
    auto& out = GetOutputStream();
    char line[256];
    std::string title = "Summary for " + n + " policies / " + n + " alerting rules";
    std::snprintf(line, sizeof line, "\n%-68s %9s  %9s\n", title.c_str(), "wall ms", "CPU ms");
    out << line;
    auto row = [&](const char* what, const std::optional<Figures>& f) {
      if (!f) return;
      std::snprintf(line, sizeof line, "  %-66s %9.2f  %9.2f\n", what, f->real_ms, f->cpu_ms);
      out << line;
    };
    row("in-process parse+validate+compile (one thread)", in_process);
    row("in-process compile to .skpc bytes (one thread)", compile);
    row("skippy check DIR (child process)", skippy);
    row("promtool check rules FILE (child process)", promtool);
    auto ratio = [&](const char* what, const std::optional<Figures>& a,
                     const std::optional<Figures>& b) {
      if (!a || !b || a->real_ms <= 0.0 || a->cpu_ms <= 0.0) return;
      std::snprintf(line, sizeof line,
                    "  ratio %-60s %9.3f  %9.3f   (promtool/skippy %.1fx wall, %.1fx CPU)\n", what,
                    a->real_ms / b->real_ms, a->cpu_ms / b->cpu_ms, b->real_ms / a->real_ms,
                    b->cpu_ms / a->cpu_ms);
      out << line;
    };
    ratio("skippy/promtool, process vs process", skippy, promtool);
    ratio("skippy/promtool, in-process vs process", in_process, promtool);
    if (!promtool) out << "  (no promtool figure: the ratios are not available)\n";
    if (in_process) {
      std::snprintf(line, sizeof line, "  target: in-process under 200 ms: %s (%.2f ms CPU)\n",
                    in_process->cpu_ms < 200.0 ? "met" : "MISSED", in_process->cpu_ms);
      out << line;
    }
    if (compile) {
      std::snprintf(line, sizeof line, "  target: compile under 500 ms: %s (%.2f ms CPU)\n",
                    compile->cpu_ms < 500.0 ? "met" : "MISSED", compile->cpu_ms);
      out << line;
    }
  }

 private:
  struct Figures {
    double real_ms = 0.0;
    double cpu_ms = 0.0;
  };

  std::optional<Figures> find(const std::string& key) const {
    auto it = figures_.find(key);
    if (it == figures_.end()) return std::nullopt;
    return it->second;
  }

  std::map<std::string, Figures> figures_;
};

// ---- The extra command-line modes ----------------------------------------------------------

int write_corpus(const fs::path& dir, std::size_t count) {
  Fixture fx(count);
  std::string error;
  if (!fx.write(dir, error)) {
    std::cerr << "check_bench: " << error << "\n";
    return 2;
  }
  std::cout << "wrote " << count << " policies (" << fx.corpus().policy_lines() << " lines, "
            << fx.corpus().policy_bytes() << " bytes) to " << (dir / "policies").string()
            << "/ and " << count << " alerting rules to " << (dir / "rules.yaml").string() << "\n";
  return 0;
}

// The generator's unit check: deterministic, ~30 lines a policy, and accepted by all three.
int verify_corpus(std::size_t count) {
  int failures = 0;
  auto report = [&](bool ok, const std::string& what) {
    std::cout << (ok ? "ok    " : "FAIL  ") << what << "\n";
    if (!ok) ++failures;
  };
  Fixture fx(count);
  const auto& corpus = fx.corpus();
  const auto again = skippy::bench::generate_corpus(count);
  bool same = again.prometheus_rules == corpus.prometheus_rules;
  for (std::size_t i = 0; same && i < count; ++i)
    same = again.policies[i].text == corpus.policies[i].text;
  report(same, "the generator is deterministic");
  double lines =
      count ? static_cast<double>(corpus.policy_lines()) / static_cast<double>(count) : 0.0;
  report(lines >= 25.0 && lines <= 35.0, "policies average " + std::to_string(lines) + " lines");

  auto in_process = check_in_process(corpus, /*write=*/true);
  report(in_process.errors == 0 && in_process.warnings == 0 && in_process.policies == count &&
             in_process.program_bytes > 0,
         "in process: " + std::to_string(in_process.errors) + " errors, " +
             std::to_string(in_process.warnings) + " warnings, " +
             std::to_string(in_process.policies) + " policies compiled to " +
             std::to_string(in_process.program_bytes) + " bytes");
  if (!in_process.first_problem.empty()) std::cout << in_process.first_problem << "\n";

  std::string error;
  const fs::path& dir = fx.written(error);
  if (dir.empty()) {
    report(false, error);
    return 1;
  }
  auto skippy = run_child(skippy_command(dir), dir / "skippy.out");
  // Warnings alone leave the exit status at 0: the output must be the line of success alone.
  std::string skippy_out = read_head(dir / "skippy.out", std::size_t{1} << 30);
  std::string success = "checked " + std::to_string(count) + " file(s): no errors";
  bool skippy_clean = skippy_out.ends_with(success) &&
                      skippy_out.find("warning[") == std::string::npos &&
                      skippy_out.find("error[") == std::string::npos;
  if (!skippy_clean)
    skippy_out = skippy_out.substr(0, 1500);
  else
    skippy_out = success;
  report(skippy.failure.empty() && skippy_clean,
         "skippy check: " + (skippy.failure.empty() ? skippy_out : skippy.failure));
  if (auto promtool = find_promtool()) {
    auto result = run_child(promtool_command(*promtool, dir), dir / "promtool.out");
    std::string head = read_head(dir / "promtool.out", 400);
    bool all_found =
        head.find("SUCCESS: " + std::to_string(count) + " rules found") != std::string::npos;
    report(result.failure.empty() && all_found,
           "promtool check rules: " + (result.failure.empty() ? head : result.failure));
  } else {
    std::cout << "skip  promtool is not installed\n";
  }
  return failures ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::optional<fs::path> write_dir;
  bool verify = false;
  std::size_t count = kPolicies;
  bool console = true;
  std::vector<char*> rest;
  for (int i = 0; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (i > 0 && arg.starts_with("--write_corpus=")) {
      write_dir = fs::path(arg.substr(std::strlen("--write_corpus=")));
    } else if (i > 0 && arg == "--verify_corpus") {
      verify = true;
    } else if (i > 0 && arg.starts_with("--corpus_size=")) {
      count = static_cast<std::size_t>(
          std::strtoull(argv[i] + std::strlen("--corpus_size="), nullptr, 10));
    } else {
      if (arg.starts_with("--benchmark_format=") && arg != "--benchmark_format=console")
        console = false;
      rest.push_back(argv[i]);
    }
  }
  if (write_dir) return write_corpus(*write_dir, count);
  if (verify) return verify_corpus(count);

  int rest_argc = static_cast<int>(rest.size());
  rest.push_back(nullptr);
  benchmark::Initialize(&rest_argc, rest.data());
  if (benchmark::ReportUnrecognizedArguments(rest_argc, rest.data())) return 1;
  if (console) {
    RatioReporter reporter(::isatty(STDOUT_FILENO) ? benchmark::ConsoleReporter::OO_Color
                                                   : benchmark::ConsoleReporter::OO_None);
    benchmark::RunSpecifiedBenchmarks(&reporter);
  } else {
    benchmark::RunSpecifiedBenchmarks();
  }
  benchmark::Shutdown();
  return 0;
}
