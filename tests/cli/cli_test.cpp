// The `skippy` command as users and CI run it: exit codes, output formats, fmt in place.
#define BOOST_TEST_MODULE cli
#include <simdjson.h>
#include <sys/wait.h>
#include <unistd.h>
#include <boost/test/unit_test.hpp>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;

namespace {

struct Run {
  int code = -1;
  std::string out;  // standard output
  std::string err;  // standard error
};

// Runs `skippy ARGS` through the shell with stdin from `input`, in directory `cwd` when one is
// given; captures both streams.
Run skippy(const std::string& args, const std::string& input = "", const std::string& cwd = "") {
  static int counter = 0;
  auto dir = fs::temp_directory_path();
  auto id = std::to_string(::getpid()) + "-" + std::to_string(counter++);
  auto in_path = dir / ("skippy-cli-in-" + id);
  auto err_path = dir / ("skippy-cli-err-" + id);
  std::ofstream(in_path) << input;
  std::string command = (cwd.empty() ? "" : "cd '" + cwd + "' && ") + std::string(SKIPPY_BINARY) +
                        " " + args + " <" + in_path.string() + " 2>" + err_path.string();
  Run run;
  FILE* pipe = ::popen(command.c_str(), "r");
  BOOST_REQUIRE(pipe);
  std::array<char, 4096> buffer{};
  std::size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
    run.out.append(buffer.data(), n);
  int status = ::pclose(pipe);
  run.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream err(err_path);
  std::stringstream s;
  s << err.rdbuf();
  run.err = s.str();
  fs::remove(in_path);
  fs::remove(err_path);
  return run;
}

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("skippy-cli-" + std::to_string(::getpid()));
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(path / name) << text;
    return (path / name).string();
  }
  std::string read(const std::string& name) const {
    std::ifstream in(path / name);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
};

const char* kGood = "policy p {\n  select pods\n}\n";
const char* kBad = "policy p {\n  select podz\n  mode\n}\n";

}  // namespace

BOOST_AUTO_TEST_CASE(check_exit_codes_follow_promtool) {
  TempDir dir;
  auto good = dir.write("good.skippy", kGood);
  auto bad = dir.write("bad.skippy", kBad);
  BOOST_TEST(skippy("check " + good).code == 0);
  auto failing = skippy("check " + good + " " + bad);
  BOOST_TEST(failing.code == 1);
  BOOST_TEST(failing.err.find("bad.skippy:4:1: error[E0121]") != std::string::npos);
  BOOST_TEST(failing.err.find("bad.skippy:2:10: error[E0211]") != std::string::npos);
  BOOST_TEST(skippy("check " + (dir.path / "missing.skippy").string()).code == 2);
  BOOST_TEST(skippy("check").code == 2);
  BOOST_TEST(skippy("check --format yaml " + good).code == 2);
  BOOST_TEST(skippy("frobnicate").code == 2);
}

BOOST_AUTO_TEST_CASE(check_reads_directories_and_stdin) {
  TempDir dir;
  dir.write("a.skippy", kGood);
  dir.write("b.skippy", "policy q {\n  select pods\n}\n");
  dir.write("notes.txt", "not a policy");
  auto run = skippy("check " + dir.path.string());
  BOOST_TEST(run.code == 0);
  BOOST_TEST(run.out == "checked 2 file(s): no errors\n");
  BOOST_TEST(skippy("check -", kBad).code == 1);
  BOOST_TEST(skippy("check -", kGood).code == 0);
}

// A ConfigMap mounted as a volume: each key is a link NAME -> ..data/NAME, `..data` a link to
// the hidden folder that holds the files. Each policy counts once, and a policy with errors in
// a hidden folder is never read.
BOOST_AUTO_TEST_CASE(directories_skip_hidden_entries_as_in_a_configmap_volume) {
  TempDir dir;
  fs::create_directories(dir.path / "..2026_11_26_19_00_00.000000001");
  dir.write("..2026_11_26_19_00_00.000000001/a.skippy", kGood);
  fs::create_directory_symlink("..2026_11_26_19_00_00.000000001", dir.path / "..data");
  fs::create_symlink("..data/a.skippy", dir.path / "a.skippy");
  fs::create_directories(dir.path / ".old");
  dir.write(".old/broken.skippy", kBad);
  auto run = skippy("check " + dir.path.string());
  BOOST_TEST(run.code == 0);
  BOOST_TEST(run.out == "checked 1 file(s): no errors\n");
  BOOST_TEST(run.err == "");
}

BOOST_AUTO_TEST_CASE(check_json_and_sarif) {
  TempDir dir;
  auto bad = dir.write("bad.skippy", kBad);
  simdjson::dom::parser parser;

  auto json = skippy("check --format json " + bad);
  BOOST_TEST(json.code == 1);
  simdjson::dom::element doc;
  BOOST_REQUIRE(!parser.parse(json.out).get(doc));
  BOOST_TEST(int64_t(doc["errors"]) == 2);
  BOOST_TEST(std::string_view(doc["diagnostics"].at(0)["code"]) == "E0211");

  auto sarif = skippy("check --format sarif " + bad);
  BOOST_TEST(sarif.code == 1);
  simdjson::dom::element log;
  BOOST_REQUIRE(!parser.parse(sarif.out).get(log));
  BOOST_TEST(std::string_view(log["version"]) == "2.1.0");
  BOOST_TEST(simdjson::dom::array(log["runs"].at(0)["results"]).size() == 2u);
}

BOOST_AUTO_TEST_CASE(fmt_rewrites_checks_and_refuses_broken_files) {
  TempDir dir;
  auto messy = dir.write("messy.skippy", "policy p{select pods   mode dryrun}");
  auto check = skippy("fmt --check " + messy);
  BOOST_TEST(check.code == 1);
  BOOST_TEST(check.out == messy + "\n");
  BOOST_TEST(dir.read("messy.skippy") == "policy p{select pods   mode dryrun}");  // untouched

  auto rewrite = skippy("fmt " + messy);
  BOOST_TEST(rewrite.code == 0);
  BOOST_TEST(dir.read("messy.skippy") == "policy p {\n  select pods\n  mode dryrun\n}\n");
  BOOST_TEST(skippy("fmt --check " + messy).code == 0);

  auto broken = dir.write("broken.skippy", kBad);
  BOOST_TEST(skippy("fmt " + broken).code == 1);
  BOOST_TEST(dir.read("broken.skippy") == kBad);

  auto piped = skippy("fmt -", "policy p{select pods}");
  BOOST_TEST(piped.code == 0);
  BOOST_TEST(piped.out == "policy p {\n  select pods\n}\n");
}

BOOST_AUTO_TEST_CASE(version_flag) {
  auto run = skippy("--version");
  BOOST_TEST(run.code == 0);
  BOOST_TEST(run.out.find("skippy ") == 0u);
}

BOOST_AUTO_TEST_CASE(compile_writes_verified_bytecode_and_disasm_lists_it) {
  TempDir dir;
  auto src = dir.write("p.skippy",
                       "policy p {\n  select pods\n  safety { cooldown 5m max_actions 2 per 1h }\n"
                       "  trigger crashing when pod.restarts > 3\n  on crashing do delete()\n}\n");
  auto out = (dir.path / "p.skpc").string();
  auto compiled = skippy("compile " + src + " -o " + out);
  BOOST_TEST(compiled.code == 0, compiled.err);
  BOOST_TEST(compiled.out.find("compiled 1 policies from 1 file(s) into") == 0u);
  auto listing = skippy("disasm " + out);
  BOOST_TEST(listing.code == 0);
  BOOST_TEST(listing.out.find("policy p (") != std::string::npos);
  BOOST_TEST(listing.out.find("trigger crashing when pod.restarts > 3") !=
             std::string::npos);  // source line
  BOOST_TEST(listing.out.find("PROPOSE      P0 delete/0") != std::string::npos);

  // The same sources give the same bytes.
  auto again = (dir.path / "again.skpc").string();
  BOOST_TEST(skippy("compile " + src + " -o " + again).code == 0);
  BOOST_TEST(dir.read("p.skpc") == dir.read("again.skpc"));

  // A corrupt file is refused with the reason, not listed.
  std::string bytes = dir.read("p.skpc");
  bytes[bytes.size() / 2] ^= 0x10;
  auto corrupt = dir.write("corrupt.skpc", bytes);
  auto refused = skippy("disasm " + corrupt);
  BOOST_TEST(refused.code == 1);
  BOOST_TEST(refused.err.find("checksum mismatch") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(compile_refuses_programs_with_errors) {
  TempDir dir;
  auto src = dir.write(
      "bad.skippy",
      "policy p {\n  select pods\n  trigger t when pod.restarts > 3\n  on t do delete()\n}\n");
  auto out = (dir.path / "bad.skpc").string();
  auto run = skippy("compile " + src + " -o " + out);
  BOOST_TEST(run.code == 1);
  BOOST_TEST(run.err.find("error[E0324]") != std::string::npos);
  BOOST_TEST(!fs::exists(out));
  BOOST_TEST(skippy("compile " + (dir.path / "none.skippy").string() + " -o " + out).code == 2);
  BOOST_TEST(skippy("disasm " + (dir.path / "none.skpc").string()).code == 2);
}

BOOST_AUTO_TEST_CASE(translate_writes_policies_reports_findings_and_checks) {
  TempDir dir;
  const std::string clean =
      "apiVersion: kubeskippy.io/v1alpha1\nkind: HealingPolicy\nmetadata: {name: crash-loop}\n"
      "spec:\n  selector:\n    namespaces: [apps]\n    resources: [{kind: Pod}]\n"
      "  triggers:\n  - name: backoff\n    type: event\n    cooldownPeriod: 5m\n"
      "    eventTrigger: {reason: BackOff, type: Warning, count: 3, window: 5m}\n"
      "  actions:\n  - {name: r, type: restart}\n  mode: automatic\n";
  auto file = dir.write("clean.yaml", clean);
  auto printed = skippy("translate " + file);
  BOOST_TEST(printed.code == 0);
  BOOST_TEST(printed.out.find("policy crash_loop {") != std::string::npos);
  BOOST_TEST(skippy("translate --check " + file).code == 0);

  auto out_dir = (dir.path / "out").string();
  auto written = skippy("translate -o " + out_dir + " " + file);
  BOOST_TEST(written.code == 0);
  BOOST_TEST(written.out == out_dir + "/crash_loop.skippy\n");
  BOOST_TEST(skippy("fmt --check " + out_dir).code == 0);
  BOOST_TEST(skippy("check " + out_dir).code == 0);

  // A warning: fine for a translation, a failure for --check, which writes nothing.
  std::string warned = clean;
  warned.replace(warned.find("reason: BackOff"), 15, "reason: \".*\"");
  auto warned_file = dir.write("warned.yaml", warned);
  auto check = skippy("translate --check -o " + (dir.path / "none").string() + " " + warned_file);
  BOOST_TEST(check.code == 1);
  BOOST_TEST(check.out.empty());
  BOOST_TEST(
      check.err.find(warned_file + ":12: spec.triggers[0].eventTrigger.reason: reason `.*`") !=
          std::string::npos,
      check.err);
  BOOST_TEST(!fs::exists(dir.path / "none"));

  auto broken = dir.write("broken.yaml", "spec: [1,\n");
  auto unreadable = skippy("translate " + broken);
  BOOST_TEST(unreadable.code == 2);
  BOOST_TEST(unreadable.err.find(broken + ":") == 0u, unreadable.err);
  BOOST_TEST(skippy("translate " + (dir.path / "missing.yaml").string()).code == 2);
}

// explain-policy: the pinned explanations in tests/golden/explain/ (SKIPPY_UPDATE_GOLDEN=1
// rewrites them), each run where its paths are relative, so the output names no machine.
void pinned_explanation(const std::string& golden, const Run& run) {
  BOOST_TEST(run.code == 0, run.err);
  BOOST_TEST(run.err.empty(), run.err);
  auto file = fs::path(SKIPPY_SOURCE_DIR) / "tests" / "golden" / "explain" / golden;
  if (std::getenv("SKIPPY_UPDATE_GOLDEN")) {
    std::ofstream(file, std::ios::binary) << run.out;
    return;
  }
  std::ifstream in(file, std::ios::binary);
  BOOST_REQUIRE_MESSAGE(in, "missing " << file);
  std::stringstream expected;
  expected << in.rdbuf();
  BOOST_TEST(run.out == expected.str(), golden << " differs:\n" << run.out);
}

BOOST_AUTO_TEST_CASE(explain_policy_says_what_the_samples_do) {
  // memory_leak: a hold, windowed functions, an advisor's verdict and an if/else; crash_loop:
  // settings from the defaults it imports.
  pinned_explanation("memory_leak.txt", skippy("explain-policy memory_leak --policies samples", "",
                                               SKIPPY_SOURCE_DIR));
  pinned_explanation("crash_loop.txt",
                     skippy("explain-policy crash_loop --policies samples/crash-loop.skippy", "",
                            SKIPPY_SOURCE_DIR));
}

BOOST_AUTO_TEST_CASE(explain_policy_reads_a_healing_policy_translated) {
  // Named by the manifest's metadata.name or by the Skippy policy it became.
  const std::string fixtures = SKIPPY_SOURCE_DIR "/tests/fixtures/healing-policies";
  auto by_manifest =
      skippy("explain-policy checkout-memory --policies memory-restart.yaml", "", fixtures);
  BOOST_TEST(by_manifest.code == 0, by_manifest.err);
  pinned_explanation("checkout-memory.txt", by_manifest);
  auto by_policy =
      skippy("explain-policy checkout_memory --policies memory-restart.yaml", "", fixtures);
  BOOST_TEST(by_policy.out == by_manifest.out);
}

BOOST_AUTO_TEST_CASE(explain_policy_reads_an_upstream_healing_policy,
                     *boost::unit_test::label("corpus")) {
  auto by_manifest = skippy("explain-policy memory-leak-healing --policies memory-healing.yaml", "",
                            SKIPPY_CRD_CORPUS);
  pinned_explanation("memory-healing.txt", by_manifest);
  auto by_policy = skippy("explain-policy memory_leak_healing --policies memory-healing.yaml", "",
                          SKIPPY_CRD_CORPUS);
  BOOST_TEST(by_policy.out == by_manifest.out);
}

BOOST_AUTO_TEST_CASE(explain_policy_reads_bytecode_as_it_reads_sources) {
  // The bytecode is what is explained: a .skpc gives the same words, less the description,
  // which the bytecode does not keep.
  TempDir dir;
  auto skpc = (dir.path / "samples.skpc").string();
  BOOST_REQUIRE(skippy("compile samples -o " + skpc, "", SKIPPY_SOURCE_DIR).code == 0);
  auto from_source = skippy("explain-policy memory_leak --policies samples", "", SKIPPY_SOURCE_DIR);
  auto from_bytecode =
      skippy("explain-policy memory_leak --policies " + skpc, "", SKIPPY_SOURCE_DIR);
  BOOST_TEST(from_bytecode.code == 0, from_bytecode.err);
  std::string expected = from_source.out;
  auto description = expected.find("\n  Restart pods that leak memory");
  BOOST_REQUIRE(description != std::string::npos);
  expected.erase(description, expected.find('\n', description + 1) - description);
  BOOST_TEST(from_bytecode.out == expected);
}

BOOST_AUTO_TEST_CASE(explain_policy_json_for_tools) {
  auto run = skippy("explain-policy memory_leak --policies samples -o json", "", SKIPPY_SOURCE_DIR);
  BOOST_TEST(run.code == 0, run.err);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  BOOST_REQUIRE(!parser.parse(run.out).get(doc));
  auto p = doc["policies"].at(0);
  BOOST_TEST(std::string_view(p["policy"]) == "memory_leak");
  BOOST_TEST(std::string_view(p["mode"]["value"]) == "automatic");
  BOOST_TEST(std::string_view(p["select"]["kind"]) == "pods");
  BOOST_TEST(std::string_view(p["select"]["labels"].at(0)["selector"]) == "issue=memory-leak");
  auto trigger = p["triggers"].at(0);
  BOOST_TEST(std::string_view(trigger["name"]) == "high_memory");
  BOOST_TEST(std::string_view(trigger["condition"]) == "mem_pct is above 85");
  BOOST_TEST(std::string_view(trigger["for"]) == "1m");
  BOOST_TEST(std::string_view(trigger["clear_for"]) == "2m");
  BOOST_TEST(trigger["keep_firing_for"].is_null());
  BOOST_TEST(std::string_view(p["signals"].at(0)["on_missing"]) == "hold 2m");
  auto restart = p["actions"].at(0)["do"].at(0);
  BOOST_TEST(std::string_view(restart["action"]) == "restart");
  BOOST_TEST(std::string_view(restart["arguments"]["strategy"]) == "rolling");
  BOOST_TEST(int64_t(restart["priority"]) == 10);
  BOOST_TEST(p["safety"]["cooldown_per_policy"]["value"].is_null());
  BOOST_TEST(std::string_view(p["safety"]["approve"]["value"]) == "delete");
}

BOOST_AUTO_TEST_CASE(explain_policy_exit_codes_follow_promtool) {
  TempDir dir;
  auto unknown = skippy("explain-policy no_such --policies samples", "", SKIPPY_SOURCE_DIR);
  BOOST_TEST(unknown.code == 1);
  BOOST_TEST(unknown.out.empty());
  BOOST_TEST(
      unknown.err.find("skippy explain-policy: no policy `no_such`; the policies found: ") == 0u,
      unknown.err);
  BOOST_TEST(unknown.err.find("memory_leak") != std::string::npos);
  auto broken = dir.write("broken.skippy", kBad);
  BOOST_TEST(skippy("explain-policy p --policies " + broken).code == 1);
  BOOST_TEST(skippy("explain-policy p --policies " + (dir.path / "none.skippy").string()).code ==
             2);
  BOOST_TEST(skippy("explain-policy p --policies " + (dir.path / "none.yaml").string()).code == 2);
  auto good = dir.write("good.skippy", kGood);
  BOOST_TEST(skippy("explain-policy p --policies " + good + " -o yaml").code == 2);
  BOOST_TEST(skippy("explain-policy p --policies " + good).code == 0);
  // The same name in two inputs is a problem to name, not a guess.
  auto skpc = (dir.path / "good.skpc").string();
  BOOST_REQUIRE(skippy("compile " + good + " -o " + skpc).code == 0);
  auto ambiguous = skippy("explain-policy p --policies " + good + " " + skpc);
  BOOST_TEST(ambiguous.err.find("`p` is defined 2 times") != std::string::npos, ambiguous.err);
  BOOST_TEST(ambiguous.code == 1);
}
