// `skippy test` as CI runs it, against the installed promtool and prometheus: a passing file,
// a failing one with its diff, the safety runtime in simulated time (a cooldown, a rate cap),
// staleness markers and gaps as Prometheus reads them, a cluster that changes, located
// mistakes, and the exit codes (0 pass, 1 failure or policy error, 2 usage or file error).
#define BOOST_TEST_MODULE test_command
#include <boost/test/unit_test.hpp>

#include "tests/runtime/prometheus/support.hpp"

using skippy::test::Process;
using skippy::test::read_file;
using skippy::test::TempDir;
using skippy::test::write_file;

namespace {

struct Run {
  int code = -1;
  std::string output;  // standard output and error
};

Run skippy_test(const TempDir& dir, std::vector<std::string> args) {
  args.insert(args.begin(), {SKIPPY_BINARY, "test"});
  std::filesystem::remove(dir.path() / "out.log");
  Process p(args, dir.path() / "out.log");
  Run r;
  r.code = p.wait();
  r.output = read_file(dir.path() / "out.log");
  return r;
}

// Restarts a pod once its `metric` has been above 5 for 30s; at most two restarts an hour,
// and none of the same pod within 2 minutes.
const char* kPolicy = R"(policy p {
  select pods in namespace "apps"
  mode automatic
  every 15s
  signal m = promql(`metric`) by (namespace, pod) max on missing zero
  trigger high when m > 5 for 30s
  safety {
    cooldown 2m per target
    max_actions 2 per 1h
  }
  on high do restart() priority 1
}
)";

const char* kCluster = R"(
    cluster:
      pods: [{namespace: apps, name: a, owner: Deployment/web}, {namespace: apps, name: b, owner: Deployment/web}]
      deployments: [{namespace: apps, name: web, replicas: 4}]
)";

}  // namespace

BOOST_AUTO_TEST_CASE(a_passing_file_and_a_failing_one) {
  TempDir dir("skippy-test-command");
  write_file(dir.path() / "p.skippy", kPolicy);
  // Above 5 from 30s: pending at 30s, firing at 1m (held for 30s), restarted then; the
  // firing goes on proposing the same action, which is not a new one.
  write_file(dir.path() / "pass.yaml", std::string(R"(policy_files: [p.skippy]
tests:
  - name: restarts after 30s above the threshold
    interval: 15s
    input_series:
      - series: 'metric{namespace="apps", pod="a"}'
        values: '0 0 10x10'
)") + kCluster + R"(
    expected_actions:
      - at: 1m
        actions: [{policy: p, action: restart, target: apps/a, outcome: executed}]
    expected_no_actions_until: 45s
  - name: never acts below the threshold
    input_series:
      - series: 'metric{namespace="apps", pod="a"}'
        values: '5x20'
)" + kCluster + R"(
    expected_no_actions_until: 5m
)");
  auto r = skippy_test(dir, {(dir.path() / "pass.yaml").string()});
  BOOST_TEST(r.code == 0, r.output);
  BOOST_TEST(r.output.find("2 test(s), 2 passed, 0 failed") != std::string::npos, r.output);
  BOOST_TEST(r.output.find("  PASS restarts after 30s above the threshold") != std::string::npos);

  // The same series, expected a step too early and on the wrong pod.
  write_file(dir.path() / "fail.yaml", std::string(R"(policy_files: [p.skippy]
tests:
  - name: expects too early
    interval: 15s
    input_series:
      - series: 'metric{namespace="apps", pod="a"}'
        values: '0 0 10x10'
)") + kCluster + R"(
    expected_actions:
      - at: 45s
        actions: [{policy: p, action: restart, target: apps/a}]
      - at: 1m
        actions: [{policy: p, action: restart, target: apps/b}]
)");
  r = skippy_test(dir, {(dir.path() / "fail.yaml").string()});
  BOOST_TEST(r.code == 1, r.output);
  const std::string diff = "  FAIL expects too early (" + (dir.path() / "fail.yaml").string() +
                           ":3:5)\n"
                           "      at 45s:\n"
                           "        - p restart apps/a executed\n"
                           "      at 1m:\n"
                           "        + p restart apps/a executed\n"
                           "        - p restart apps/b executed\n";
  BOOST_TEST(r.output.find(diff) != std::string::npos, r.output);
  // Both files: the failure decides the exit code.
  r = skippy_test(dir, {(dir.path() / "pass.yaml").string(), (dir.path() / "fail.yaml").string()});
  BOOST_TEST(r.code == 1);
}

BOOST_AUTO_TEST_CASE(the_safety_runtime_runs_in_simulated_time) {
  TempDir dir("skippy-test-command");
  write_file(dir.path() / "p.skippy", kPolicy);
  // Pod a flaps: each return above 5 for 30s is a new firing. The second, 1m after the first
  // restart, falls within the 2m cooldown; the third, 3m after it, is let through; then pod
  // b's firing finds the policy's two actions an hour spent.
  write_file(dir.path() / "t.yaml", std::string(R"(policy_files: [p.skippy]
evaluation_interval: 15s
tests:
  - name: cooldown and rate cap
    input_series:
      - series: 'metric{namespace="apps", pod="a"}'
        values: '0 0 10 10 10 0 10 10 10 0x4 10 10 10 0x20'
      - series: 'metric{namespace="apps", pod="b"}'
        values: '0x20 10x10'
)") + kCluster + R"(
    expected_actions:
      - at: 1m
        actions: [{policy: p, action: restart, target: apps/a, outcome: executed}]
      - at: 2m
        actions: [{policy: p, action: restart, target: apps/a, outcome: blocked:cooldown}]
      - at: 4m
        actions: [{policy: p, action: restart, target: apps/a, outcome: executed}]
      - at: 5m45s
        actions: [{policy: p, action: restart, target: apps/b, outcome: blocked:rate-limit}]
)");
  auto r = skippy_test(dir, {(dir.path() / "t.yaml").string()});
  BOOST_TEST(r.code == 0, r.output);
}

BOOST_AUTO_TEST_CASE(stale_markers_gaps_and_a_changing_cluster) {
  TempDir dir("skippy-test-command");
  write_file(dir.path() / "p.skippy", kPolicy);
  // A stale marker ends the series at once (0 for `on missing zero`), so the pending trigger
  // starts over; a gap (`_`) keeps the last sample within Prometheus's 5-minute lookback, so
  // it does not. From 2m the cluster no longer has pod b: nothing is proposed for it.
  write_file(dir.path() / "t.yaml", std::string(R"(policy_files: [p.skippy]
tests:
  - name: a stale marker resets the for
    interval: 15s
    input_series:
      - series: 'metric{namespace="apps", pod="a"}'
        values: '10 10 stale 10 10 10 10'
)") + kCluster + R"(
    expected_actions:
      - at: 1m15s
        actions: [{policy: p, action: restart, target: apps/a}]
    expected_no_actions_until: 1m
  - name: a gap does not
    interval: 15s
    input_series:
      - series: 'metric{namespace="apps", pod="a"}'
        values: '10 10 _ _ 10'
)" + kCluster + R"(
    expected_actions:
      - at: 30s
        actions: [{policy: p, action: restart, target: apps/a}]
  - name: the pod leaves the cluster
    interval: 15s
    input_series:
      - series: 'metric{namespace="apps", pod="b"}'
        values: '0x8 10x20'
)" + kCluster + R"(
    cluster_changes:
      - at: 2m
        cluster: {pods: [{namespace: apps, name: a, owner: Deployment/web}], deployments: [{namespace: apps, name: web, replicas: 4}]}
    expected_no_actions_until: 5m
)");
  auto r = skippy_test(dir, {(dir.path() / "t.yaml").string()});
  BOOST_TEST(r.code == 0, r.output);
}

BOOST_AUTO_TEST_CASE(mistakes_and_exit_codes) {
  TempDir dir("skippy-test-command");
  write_file(dir.path() / "p.skippy", kPolicy);
  write_file(dir.path() / "bad.yaml", R"(policy_files: [p.skippy]
tests:
  - name: t
    input_series:
      - series: 'metric{pod="a"}'
        values: '1 2 three'
    expected_no_actions_until: 1m
)");
  auto r = skippy_test(dir, {(dir.path() / "bad.yaml").string()});
  BOOST_TEST(r.code == 2);
  BOOST_TEST(r.output.find((dir.path() / "bad.yaml").string() +
                           ":6:17: tests[0].input_series[0].values: `three` is not a value") !=
                 std::string::npos,
             r.output);

  r = skippy_test(dir, {(dir.path() / "missing.yaml").string()});
  BOOST_TEST(r.code == 2);
  BOOST_TEST(r.output.find("cannot read the test file") != std::string::npos, r.output);

  write_file(dir.path() / "broken.skippy", "policy p {\n  every 15\n}\n");
  write_file(dir.path() / "policy-error.yaml", R"(policy_files: [broken.skippy]
tests:
  - name: t
    expected_no_actions_until: 1m
)");
  r = skippy_test(dir, {(dir.path() / "policy-error.yaml").string()});
  BOOST_TEST(r.code == 1, r.output);
  BOOST_TEST(r.output.find("broken.skippy:2:") != std::string::npos, r.output);

  write_file(dir.path() / "ok.yaml", R"(policy_files: [p.skippy]
tests:
  - name: t
    expected_no_actions_until: 1m
)");
  r = skippy_test(dir, {"--promtool", "/nonexistent/promtool", (dir.path() / "ok.yaml").string()});
  BOOST_TEST(r.code == 2);
  BOOST_TEST(r.output.find("`/nonexistent/promtool` is not installed") != std::string::npos,
             r.output);
  r = skippy_test(dir, {"--no-such-flag", (dir.path() / "ok.yaml").string()});
  BOOST_TEST(r.code == 2);
  r = skippy_test(dir, {(dir.path() / "ok.yaml").string()});
  BOOST_TEST(r.code == 0, r.output);
}

BOOST_AUTO_TEST_CASE(junit_and_coverage) {
  TempDir dir("skippy-test-command");
  write_file(dir.path() / "p.skippy", R"(policy p {
  select pods in namespace "apps"
  mode automatic
  every 15s
  signal m = promql(`metric`) by (namespace, pod) max on missing zero
  trigger high when m > 5 for 30s
  trigger never when m > 1000
  safety {
    cooldown 2m per target
    max_actions 5 per 1h
  }
  on high do restart() priority 1
  on never do delete() priority 1
}
)");
  // One test passes (a restart at 1m, then a second firing held by the cooldown at 2m); one
  // fails (it expects nothing).
  write_file(dir.path() / "t.yaml", std::string(R"(policy_files: [p.skippy]
tests:
  - name: restart & cooldown
    interval: 15s
    input_series:
      - series: 'metric{namespace="apps", pod="a"}'
        values: '0 0 10 10 10 0 10 10 10 0x4'
)") + kCluster + R"(
    expected_actions:
      - at: 1m
        actions: [{policy: p, action: restart, target: apps/a}]
      - at: 2m
        actions: [{policy: p, action: restart, target: apps/a, outcome: blocked:cooldown}]
  - name: expects <nothing>
    interval: 15s
    input_series:
      - series: 'metric{namespace="apps", pod="a"}'
        values: '10x8'
)" + kCluster + R"(
    expected_no_actions_until: 1m
)");
  const std::string junit = (dir.path() / "junit.xml").string();
  auto r = skippy_test(dir, {"--junit", junit, "--coverage", (dir.path() / "t.yaml").string()});
  BOOST_TEST(r.code == 1, r.output);
  const std::string xml = read_file(junit);
  BOOST_TEST(
      xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"skippy "
                      "test\" tests=\"2\" failures=\"1\""),
      xml);
  BOOST_TEST(xml.find("<testcase classname=\"" + (dir.path() / "t.yaml").string() +
                      "\" name=\"restart &amp; cooldown\"") != std::string::npos,
             xml);
  BOOST_TEST(xml.find("name=\"expects &lt;nothing&gt;\"") != std::string::npos, xml);
  BOOST_TEST(xml.find("<failure message=\"at 30s: (no actions expected until 1m)\">at 30s: (no "
                      "actions expected until 1m)\n  + p restart apps/a executed\n</failure>") !=
                 std::string::npos,
             xml);
  // Both tests' runs together: `high` fired three times (twice in the first test, once in the
  // second), its restart proposed at every tick it fired (5), the cooldown blocked once; `never`
  // never fired and its delete never ran.
  const std::string p = (dir.path() / "p.skippy").string();
  const std::string coverage = "coverage:\n  policy p (" + p + ":1)\n" +
                               "    trigger high: fired 3 time(s)\n"
                               "    trigger never: never fired\n"
                               "    on high do restart (" +
                               p + ":12:14): ran 5 time(s)\n    on never do delete (" + p +
                               ":13:15): never ran\n    gate cooldown: blocked 1 time(s)\n";
  BOOST_TEST(r.output.find(coverage) != std::string::npos, r.output);

  // JSON: standard output holds the JSON alone.
  std::filesystem::remove(dir.path() / "out.log");
  Process json({"sh", "-c",
                std::string(SKIPPY_BINARY) + " test --coverage --coverage-format json " +
                    (dir.path() / "t.yaml").string() + " 2>/dev/null"},
               dir.path() / "out.log");
  BOOST_TEST(json.wait() == 1);
  const std::string text = read_file(dir.path() / "out.log");
  BOOST_TEST(text == "{\"policies\":[{\"name\":\"p\",\"source\":\"" + p +
                         ":1\",\"triggers\":[{\"name\":\"high\",\"fired\":3},{\"name\":\"never\","
                         "\"fired\":0}],\"branches\":[{\"trigger\":\"high\",\"action\":\"restart\","
                         "\"source\":\"" +
                         p +
                         ":12:14\",\"ran\":5},{\"trigger\":\"never\",\"action\":\"delete\","
                         "\"source\":\"" +
                         p + ":13:15\",\"ran\":0}],\"gates_blocked\":{\"cooldown\":1}}]}\n",
             text);
  r = skippy_test(dir, {"--junit", (dir.path() / "no/such/dir/j.xml").string(),
                        (dir.path() / "t.yaml").string()});
  BOOST_TEST(r.code == 2);
  BOOST_TEST(r.output.find("cannot write") != std::string::npos, r.output);
}

namespace {

// The pid of a child of `parent` whose command is `name`, or -1.
pid_t child_named(pid_t parent, const std::string& name) {
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string id = entry.path().filename().string();
    if (id.find_first_not_of("0123456789") != std::string::npos) continue;
    const std::string stat = read_file(entry.path() / "stat");
    auto close = stat.rfind(')');
    auto open = stat.find('(');
    if (close == std::string::npos || open == std::string::npos) continue;
    std::istringstream rest(stat.substr(close + 2));
    char state = 0;
    pid_t ppid = 0;
    rest >> state >> ppid;
    if (ppid == parent && stat.substr(open + 1, close - open - 1) == name)
      return static_cast<pid_t>(std::stol(id));
  }
  return -1;
}

// Whether process `pid` is gone (or a zombie no one has reaped yet).
bool gone(pid_t pid) {
  const std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  auto close = stat.rfind(')');
  return stat.empty() ||
         (close != std::string::npos && close + 2 < stat.size() && stat[close + 2] == 'Z');
}

}  // namespace

BOOST_AUTO_TEST_CASE(an_interrupted_run_leaves_no_prometheus_behind) {
  TempDir dir("skippy-test-command");
  write_file(dir.path() / "p.skippy", kPolicy);
  // Thirty days at 15s: long enough to be interrupted while its Prometheus runs.
  write_file(dir.path() / "long.yaml", std::string(R"(policy_files: [p.skippy]
tests:
  - name: a month
    input_series:
      - series: 'metric{namespace="apps", pod="a"}'
        values: '0x100'
)") + kCluster + R"(
    expected_no_actions_until: 30d
)");
  // Its temporary files, which a killed run cannot remove, go to the test's directory.
  const char* tmpdir = std::getenv("TMPDIR");
  const std::string saved = tmpdir ? tmpdir : "";
  ::setenv("TMPDIR", dir.path().c_str(), 1);
  Process run({SKIPPY_BINARY, "test", (dir.path() / "long.yaml").string()}, dir.path() / "out.log");
  if (saved.empty())
    ::unsetenv("TMPDIR");
  else
    ::setenv("TMPDIR", saved.c_str(), 1);
  pid_t prometheus = -1;
  skippy::test::poll_until([&] { return (prometheus = child_named(run.pid(), "prometheus")) > 0; },
                           std::chrono::seconds(30));
  BOOST_REQUIRE_MESSAGE(prometheus > 0, read_file(dir.path() / "out.log"));
  run.stop(SIGKILL);
  BOOST_TEST(skippy::test::poll_until([&] { return gone(prometheus); }, std::chrono::seconds(10)));
}

BOOST_AUTO_TEST_CASE(the_cluster_as_kubernetes_objects) {
  TempDir dir("skippy-test-command");
  // Only pods in CrashLoopBackOff, read from the objects' container statuses; the pod's
  // workload is the Deployment that owns its ReplicaSet. One pod of three is unready: below
  // the circuit breaker's 40%.
  write_file(dir.path() / "p.skippy", R"(policy p {
  select pods in namespace "shop" where label("app") == "web"
  mode automatic
  every 15s
  trigger looping when pod.waiting_reason == "CrashLoopBackOff" for 30s
  safety {
    cooldown 5m per target
    max_actions 2 per 1h
  }
  on looping do restart() priority 1
}
)");
  const std::string objects = R"(
      objects:
        - apiVersion: apps/v1
          kind: Deployment
          metadata: {name: web, namespace: shop}
          spec: {replicas: 3}
          status: {readyReplicas: 2, availableReplicas: 2}
        - apiVersion: apps/v1
          kind: ReplicaSet
          metadata:
            name: web-5d9c
            namespace: shop
            ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, controller: true}]
          spec: {replicas: 3}
          status: {readyReplicas: 2}
        - apiVersion: v1
          kind: Pod
          metadata:
            name: web-5d9c-x1
            namespace: shop
            labels: {app: web}
            ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-5d9c, controller: true}]
          status:
            phase: Running
            containerStatuses: [{restartCount: 3, state: {waiting: {reason: CrashLoopBackOff}}}]
        - apiVersion: v1
          kind: Pod
          metadata:
            name: web-5d9c-x2
            namespace: shop
            labels: {app: web}
            ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-5d9c, controller: true}]
          status:
            phase: Running
            conditions: [{type: Ready, status: "True"}]
            containerStatuses: [{restartCount: 0, state: {running: {}}}]
        - apiVersion: v1
          kind: Pod
          metadata:
            name: web-5d9c-x3
            namespace: shop
            labels: {app: web}
            ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-5d9c, controller: true}]
          status:
            phase: Running
            conditions: [{type: Ready, status: "True"}]
            containerStatuses: [{restartCount: 0, state: {running: {}}}]
)";
  write_file(dir.path() / "t.yaml", R"(policy_files: [p.skippy]
tests:
  - name: restarts the crash-looping pod only
    cluster:)" + objects + R"(
    expected_actions:
      - at: 30s
        actions: [{policy: p, action: restart, target: shop/web-5d9c-x1}]
    expected_no_actions_until: 3m
)");
  auto r = skippy_test(dir, {(dir.path() / "t.yaml").string()});
  BOOST_TEST(r.code == 0, r.output);
}

BOOST_AUTO_TEST_CASE(trigger_states_at_a_time) {
  TempDir dir("skippy-test-command");
  write_file(dir.path() / "p.skippy", kPolicy);
  // Above 5 from 30s to 1m30s: pending at 30s, firing at 1m (held 30s), resolved at 1m45s
  // when the value is 0 again, as promtool's alert would be.
  const std::string head = std::string(R"(policy_files: [p.skippy]
tests:
  - name: pending, firing, resolved
    interval: 15s
    input_series:
      - series: 'metric{namespace="apps", pod="a"}'
        values: '0 0 10x4 0x6'
)") + kCluster + R"(
    expected_actions:
      - at: 1m
        actions: [{policy: p, action: restart, target: apps/a}]
    expected_triggers:
)";
  // The test above with these expected_triggers, as `name`.
  auto run = [&](const std::string& name, const std::string& entries) {
    write_file(dir.path() / name, head + entries);
    return skippy_test(dir, {(dir.path() / name).string()});
  };
  auto r = run("pass.yaml",
               R"(      - {at: 15s, policy: p, trigger: high, target: apps/a, state: inactive}
      - {at: 30s, policy: p, trigger: high, target: Pod/apps/a, state: pending}
      - {at: 1m, policy: p, trigger: high, target: apps/a, state: firing}
      - {at: 1m30s, policy: p, trigger: high, target: apps/a, state: firing}
      - {at: 1m45s, policy: p, trigger: high, target: apps/a, state: inactive}
      - {at: 1m45s, policy: p, trigger: high, target: apps/b, state: inactive}
)");
  BOOST_TEST(r.code == 0, r.output);
  BOOST_TEST(r.output.find("1 test(s), 1 passed") != std::string::npos, r.output);

  // Firing a step early, and still firing once resolved: each shown at its time.
  r = run("fail.yaml", R"(      - {at: 45s, policy: p, trigger: high, target: apps/a, state: firing}
      - {at: 1m45s, policy: p, trigger: high, target: apps/a, state: firing}
)");
  BOOST_TEST(r.code == 1, r.output);
  const std::string diff = "  FAIL pending, firing, resolved (" +
                           (dir.path() / "fail.yaml").string() +
                           ":3:5)\n"
                           "      at 45s:\n"
                           "        - trigger p high apps/a firing\n"
                           "        + trigger p high apps/a pending\n"
                           "      at 1m45s:\n"
                           "        - trigger p high apps/a firing\n"
                           "        + trigger p high apps/a inactive\n";
  BOOST_TEST(r.output.find(diff) != std::string::npos, r.output);

  // A time between two ticks: no state to read there.
  r = run("between.yaml",
          R"(      - {at: 20s, policy: p, trigger: high, target: apps/a, state: pending}
)");
  BOOST_TEST(r.code == 1, r.output);
  BOOST_TEST(
      r.output.find("      at 20s: not an evaluation time (every 15s)\n") != std::string::npos,
      r.output);

  // Names the policies do not have: located errors that list the names there are.
  r = run("names.yaml",
          R"(      - {at: 15s, policy: q, trigger: high, target: apps/a, state: inactive}
      - {at: 30s, policy: p, trigger: hi, target: apps/a, state: pending}
)");
  BOOST_TEST(r.code == 2, r.output);
  const std::string names = (dir.path() / "names.yaml").string();
  BOOST_TEST(
      r.output.find(names + ":17:27: tests[0].expected_triggers[0].policy: no policy `q` in the "
                            "policy files; there are `p`\n") != std::string::npos,
      r.output);
  BOOST_TEST(r.output.find(names + ":18:39: tests[0].expected_triggers[1].trigger: policy p has no "
                                   "trigger `hi`; its triggers are `high`\n") != std::string::npos,
             r.output);
}
