// `skippy replay` against a real Prometheus over backfilled history: what the policies would
// have done, as a timeline and as audit records, with the safety runtime in simulated time
// and nothing carried out; exit codes for a failing query and for usage errors; the same
// Prometheus client settings as `skippy run` (a Prometheus that requires a bearer token).
#define BOOST_TEST_MODULE replay_command
#include <boost/test/unit_test.hpp>

#include "tests/run/fault_proxy.hpp"
#include "tests/runtime/prometheus/prometheus_server.hpp"

using skippy::test::Process;
using skippy::test::PrometheusServer;
using skippy::test::read_file;
using skippy::test::TempDir;
using skippy::test::write_file;

namespace {

// 2023-11-14T22:13:20Z. Pod a's metric is 0 for a minute, then 10 for four; it drops to 0 for
// a minute and is 10 again for three. Pod b's is 0 throughout.
constexpr std::int64_t kT0 = 1700000000;

std::string history() {
  std::string out = "# TYPE metric gauge\n";
  for (int i = 0; i <= 40; ++i) {
    bool high = (i >= 4 && i < 20) || (i >= 24);
    out += "metric{namespace=\"apps\",pod=\"a\"} " + std::string(high ? "10" : "0") + " " +
           std::to_string(kT0 + 15 * i) + "\n";
  }
  for (int i = 0; i <= 40; ++i)
    out += "metric{namespace=\"apps\",pod=\"b\"} 0 " + std::to_string(kT0 + 15 * i) + "\n";
  return out + "# EOF\n";
}

const char* kPolicy = R"(policy p {
  select pods in namespace "apps"
  mode automatic
  every 15s
  signal m = promql(`metric`) by (namespace, pod) max on missing zero
  trigger high when m > 5 for 30s
  safety {
    cooldown 10m per target
    max_actions 2 per 1h
  }
  on high do restart() priority 1
}
)";

// What the policy did over history(), ticking every 15s.
const std::string kTimeline =
    "TIME                      POLICY                  TRIGGER             ACTION    TARGET  "
    "                                OUTCOME\n"
    "2023-11-14T22:15:00.000Z  p                       high                restart   apps/a  "
    "                                executed\n"
    "2023-11-14T22:20:00.000Z  p                       high                restart   apps/a  "
    "                                blocked:cooldown\n"
    "replayed 40 ticks from 2023-11-14T22:13:30.000Z to 2023-11-14T22:23:15.000Z every 15s: 2 "
    "action(s); nothing was carried out\n";

// Pods a and b of Deployment web.
void write_cluster(const TempDir& dir) {
  write_file(dir.path() / "cluster.yaml",
             "pods: [{namespace: apps, name: a, owner: Deployment/web}, {namespace: apps, name: "
             "b, owner: Deployment/web}]\ndeployments: [{namespace: apps, name: web, replicas: "
             "4}]\n");
}

struct Run {
  int code = -1;
  std::string output;
};

Run replay(const TempDir& dir, std::vector<std::string> args, bool with_stderr = true) {
  std::vector<std::string> argv = {"sh", "-c", std::string(SKIPPY_BINARY) + " replay"};
  for (const auto& a : args) argv[2] += " '" + a + "'";
  if (!with_stderr) argv[2] += " 2>/dev/null";
  std::filesystem::remove(dir.path() / "out.log");
  Process p(argv, dir.path() / "out.log");
  Run r;
  r.code = p.wait();
  r.output = read_file(dir.path() / "out.log");
  return r;
}

}  // namespace

BOOST_AUTO_TEST_CASE(what_the_policies_would_have_done) {
  PrometheusServer prometheus(history());
  TempDir dir("skippy-replay");
  write_file(dir.path() / "p.skippy", kPolicy);
  write_cluster(dir);
  const std::vector<std::string> common = {"--prometheus.url",
                                           prometheus.url(),
                                           "--from",
                                           "2023-11-14T22:13:20Z",
                                           "--to",
                                           std::to_string(kT0 + 600),
                                           "--cluster",
                                           (dir.path() / "cluster.yaml").string(),
                                           (dir.path() / "p.skippy").string()};
  // Ticks are aligned to the step, as the runtime aligns them: from 22:13:30. Above 5 from
  // 22:14:20, pending at 22:14:30: restarted at 22:15:00. The second episode, from 22:19:20,
  // fires at 22:20:00, within the 10-minute cooldown. Pod b never.
  auto r = replay(dir, common, false);
  BOOST_TEST(r.code == 0, r.output);
  BOOST_TEST(r.output == kTimeline);

  // As audit records: the decisions (signals and source included), the execution that
  // stands for the restart, the health check, and the cooldown's block.
  auto args = common;
  args.insert(args.end(), {"--format", "audit"});
  r = replay(dir, args, false);
  BOOST_TEST(r.code == 0, r.output);
  BOOST_TEST(r.output.find("{\"id\":") == 0u, r.output);
  BOOST_TEST(
      r.output.find("\"time\":\"2023-11-14T22:15:00.000Z\",\"policy\":\"p\"") != std::string::npos,
      r.output);
  BOOST_TEST(r.output.find("\"signals\":{\"m\":10}") != std::string::npos, r.output);
  BOOST_TEST(r.output.find("{\"event\":\"execution\"") != std::string::npos, r.output);
  BOOST_TEST(r.output.find("\"message\":\"simulated: nothing was sent\"") != std::string::npos,
             r.output);
  BOOST_TEST(r.output.find("{\"event\":\"health-check\"") != std::string::npos, r.output);
  BOOST_TEST(r.output.find("\"outcome\":\"blocked:cooldown\"") != std::string::npos, r.output);

  // A step of 1m ticks at the whole minutes, from 22:14: above 5 at 22:15, fired at 22:16.
  args = common;
  args.insert(args.end(), {"--step", "1m"});
  r = replay(dir, args, false);
  BOOST_TEST(r.code == 0, r.output);
  BOOST_TEST(r.output.find("2023-11-14T22:16:00.000Z  p ") != std::string::npos, r.output);
  BOOST_TEST(r.output.find("replayed 10 ticks from 2023-11-14T22:14:00.000Z") != std::string::npos,
             r.output);
}

BOOST_AUTO_TEST_CASE(failures_and_usage) {
  PrometheusServer prometheus(history());
  TempDir dir("skippy-replay");
  write_file(dir.path() / "cluster.yaml", "pods: [{namespace: apps, name: a}]\n");
  write_file(dir.path() / "bad.skippy",
             "policy p {\n  select pods in namespace \"apps\"\n  every 15s\n"
             "  signal m = promql(`rate(metric)`) by (namespace, pod) max\n"
             "  trigger high when m > 5\n  on high do annotate(key: \"k\", value: \"v\")\n}\n");
  // A query Prometheus refuses: reported, exit 1.
  auto r =
      replay(dir, {"--prometheus.url", prometheus.url(), "--from", std::to_string(kT0), "--to",
                   std::to_string(kT0 + 60), "--cluster", (dir.path() / "cluster.yaml").string(),
                   (dir.path() / "bad.skippy").string()});
  BOOST_TEST(r.code == 1, r.output);
  BOOST_TEST(r.output.find("skippy replay: query `rate(metric)`") != std::string::npos, r.output);
  // --to before --from, and a missing cluster file: usage errors.
  write_file(dir.path() / "p.skippy", kPolicy);
  r = replay(dir, {"--prometheus.url", prometheus.url(), "--from", std::to_string(kT0 + 60), "--to",
                   std::to_string(kT0), "--cluster", (dir.path() / "cluster.yaml").string(),
                   (dir.path() / "p.skippy").string()});
  BOOST_TEST(r.code == 2, r.output);
  r = replay(dir, {"--from", std::to_string(kT0), "--to", std::to_string(kT0 + 60), "--cluster",
                   (dir.path() / "none.yaml").string(), (dir.path() / "p.skippy").string()});
  BOOST_TEST(r.code == 2, r.output);
  BOOST_TEST(r.output.find("cannot read the cluster snapshot") != std::string::npos, r.output);
}

BOOST_AUTO_TEST_CASE(without_a_snapshot_the_cluster_comes_from_kube_state_metrics) {
  // Pod a (labelled issue=leak, of ReplicaSet web-1, of Deployment web) and pod b (no label)
  // as kube-state-metrics exports them, beside the history.
  std::string om = history();
  om.erase(om.rfind("# EOF"));
  for (int i = 0; i <= 40; ++i) {
    const std::string t = " " + std::to_string(kT0 + 15 * i) + "\n";
    om +=
        "kube_pod_info{namespace=\"apps\",pod=\"a\",node=\"n1\",created_by_kind=\"ReplicaSet\","
        "created_by_name=\"web-1\"} 1" +
        t;
    om +=
        "kube_pod_info{namespace=\"apps\",pod=\"b\",node=\"n1\",created_by_kind=\"ReplicaSet\","
        "created_by_name=\"web-1\"} 1" +
        t;
    om += "kube_pod_labels{namespace=\"apps\",pod=\"a\",label_issue=\"leak\"} 1" + t;
    om +=
        "kube_replicaset_owner{namespace=\"apps\",replicaset=\"web-1\",owner_kind=\"Deployment\","
        "owner_name=\"web\"} 1" +
        t;
    om += "kube_deployment_spec_replicas{namespace=\"apps\",deployment=\"web\"} 4" + t;
  }
  PrometheusServer prometheus(om + "# EOF\n");
  TempDir dir("skippy-replay");
  std::string policy = kPolicy;
  policy.replace(policy.find("namespace \"apps\""), 16,
                 "namespace \"apps\" where label(\"issue\") == \"leak\"");
  write_file(dir.path() / "p.skippy", policy);
  auto r = replay(dir, {"--prometheus.url", prometheus.url(), "--from", std::to_string(kT0), "--to",
                        std::to_string(kT0 + 600), (dir.path() / "p.skippy").string()});
  BOOST_TEST(r.code == 0, r.output);
  BOOST_TEST(r.output.find("the cluster as kube-state-metrics saw it at "
                           "2023-11-14T22:23:15.000Z: 2 pods, 2 workloads") != std::string::npos,
             r.output);
  BOOST_TEST(r.output.find("2023-11-14T22:15:00.000Z  p                       high                "
                           "restart   apps/a ") != std::string::npos,
             r.output);
  BOOST_TEST(r.output.find("2 action(s)") != std::string::npos, r.output);
}

BOOST_AUTO_TEST_CASE(a_prometheus_that_requires_a_bearer_token) {
  PrometheusServer prometheus(history());
  skippy::test::FaultProxy proxy(prometheus.url());
  proxy.require_bearer("s3cret");
  TempDir dir("skippy-replay");
  write_file(dir.path() / "p.skippy", kPolicy);
  write_cluster(dir);
  write_file(dir.path() / "token", "s3cret\n");
  const std::vector<std::string> window = {"--from",
                                           "2023-11-14T22:13:20Z",
                                           "--to",
                                           std::to_string(kT0 + 600),
                                           "--cluster",
                                           (dir.path() / "cluster.yaml").string(),
                                           (dir.path() / "p.skippy").string()};
  auto with = [&](std::vector<std::string> flags) {
    flags.insert(flags.end(), window.begin(), window.end());
    return flags;
  };
  // Without the token the proxy refuses every query: reported, exit 1, nothing replayed.
  auto r = replay(dir, with({"--prometheus.url", proxy.url()}));
  BOOST_TEST(r.code == 1, r.output);
  BOOST_TEST(r.output.find("skippy replay: query `metric`") != std::string::npos, r.output);
  BOOST_TEST(r.output.find("401") != std::string::npos, r.output);
  BOOST_TEST(proxy.refused() > 0u);

  // With --prometheus.bearer-token-file (and the timeout flag `run` takes): the timeline.
  r = replay(dir,
             with({"--prometheus.url", proxy.url(), "--prometheus.bearer-token-file",
                   (dir.path() / "token").string(), "--prometheus.timeout", "5000"}),
             false);
  BOOST_TEST(r.code == 0, r.output);
  BOOST_TEST(r.output == kTimeline);

  // The same from `skippy run`'s settings file, its relative token path beside it.
  write_file(dir.path() / "skippy.yml",
             "prometheus:\n  url: " + proxy.url() + "\n  bearer_token_file: token\n");
  r = replay(dir, with({"--config.file", (dir.path() / "skippy.yml").string()}), false);
  BOOST_TEST(r.code == 0, r.output);
  BOOST_TEST(r.output == kTimeline);

  // A flag given wins over the file: the file's URL, the flag's token file that is absent.
  r = replay(dir, with({"--config.file", (dir.path() / "skippy.yml").string(),
                        "--prometheus.bearer-token-file", (dir.path() / "absent").string()}));
  BOOST_TEST(r.code == 2, r.output);
  BOOST_TEST(r.output.find("cannot read the bearer token file") != std::string::npos, r.output);

  // A settings file with problems is a usage error, located.
  write_file(dir.path() / "bad.yml", "prometheus:\n  timeout: soon\n");
  r = replay(dir, with({"--config.file", (dir.path() / "bad.yml").string()}));
  BOOST_TEST(r.code == 2, r.output);
  BOOST_TEST(r.output.find("bad.yml:2:12: prometheus.timeout") != std::string::npos, r.output);
}

BOOST_AUTO_TEST_CASE(the_analyzer_answers_over_history) {
  // Pod a's working set climbs 1 every 15 s from 40; pod b's stays at 40. Both are above 30,
  // so both sites ask; only a's history is a trend heading for 85 within the horizon.
  std::string series = "# TYPE leak gauge\n";
  for (int i = 0; i <= 40; ++i) {
    for (auto [pod, value] : {std::pair{"a", 40 + i}, std::pair{"b", 40}})
      series += "leak{namespace=\"apps\",pod=\"" + std::string(pod) + "\"} " +
                std::to_string(value) + " " + std::to_string(kT0 + 15 * i) + "\n";
  }
  PrometheusServer prometheus(series + "# EOF\n");
  TempDir dir("skippy-replay-analyzer");
  write_file(dir.path() / "leak.skippy", R"(policy leak {
  select pods in namespace "apps"
  mode automatic
  every 15s
  signal m = promql(`leak`) by (namespace, pod) max
  trigger growing when m > 30
  safety {
    cooldown 10m per target
    max_actions 2 per 1h
  }
  on growing do {
    let v = ai.analyze(signals: [m], threshold: 85, horizon: 30m)
    if v.action == restart then restart() priority 1
  }
}
)");
  write_cluster(dir);
  auto r = replay(dir,
                  {"--prometheus.url", prometheus.url(), "--from", "2023-11-14T22:13:20Z", "--to",
                   std::to_string(kT0 + 600), "--cluster", (dir.path() / "cluster.yaml").string(),
                   "--format", "audit", (dir.path() / "leak.skippy").string()},
                  false);
  BOOST_TEST(r.code == 0, r.output);
  // The first decision, once eight samples are in: a, on the analyzer's forecast; never b.
  auto first = r.output.substr(0, r.output.find('\n'));
  BOOST_TEST(first.find("\"trigger\":\"growing\"") != std::string::npos, first);
  BOOST_TEST(first.find("\"target\":\"Pod/apps/a\"") != std::string::npos, first);
  BOOST_TEST(first.find("\"outcome\":\"execute\"") != std::string::npos, first);
  BOOST_TEST(first.find("\"analysis\":[{\"site\":0") != std::string::npos, first);
  BOOST_TEST(
      first.find("\"analyzer\":\"deterministic\",\"action\":\"restart\"") != std::string::npos,
      first);
  BOOST_TEST(first.find("\"trend\":\"rising\"") != std::string::npos, first);
  BOOST_TEST(r.output.find("\"target\":\"Pod/apps/b\"") == std::string::npos, r.output);
}
