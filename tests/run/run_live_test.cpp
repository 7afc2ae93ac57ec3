// `skippy run` with a kubeconfig and no snapshot: the cluster view is the kubeconfig's
// cluster, listed and watched (here a scripted API server on loopback), so the policies'
// targets are the pods the API server lists. And the usage check that wants one or the other.
#define BOOST_TEST_MODULE run_live
#include <boost/test/unit_test.hpp>

#include "tests/k8s-adapter/api_script.hpp"
#include "tests/run/run_fixture.hpp"
#include "tests/runtime/prometheus/support.hpp"

namespace fs = std::filesystem;
namespace test = skippy::test;

namespace {

std::string pod(const std::string& name, const std::string& issue) {
  return R"({"metadata":{"name":")" + name + R"(","namespace":"demo-apps","labels":{"issue":")" +
         issue + R"("}},"status":{"phase":"Running"}})";
}

struct Result {
  int code;
  std::string log;
};

Result run(const test::TempDir& dir, std::vector<std::string> extra) {
  std::vector<std::string> args = {SKIPPY_BINARY,
                                   "run",
                                   "--policies",
                                   (dir.path() / "p.skippy").string(),
                                   "--once",
                                   "--time",
                                   "1700000585000",
                                   "--audit.file",
                                   (dir.path() / "audit.jsonl").string()};
  args.insert(args.end(), extra.begin(), extra.end());
  test::Process p(args, dir.path() / "run.log");
  int code = p.wait();
  return {code, test::read_file(dir.path() / "run.log")};
}

}  // namespace

BOOST_AUTO_TEST_CASE(without_a_snapshot_the_kubeconfigs_cluster_is_watched) {
  test::ApiScript api;
  api.list("/api/v1/pods",
           test::list_body("5", {pod("leaky-1", "memory-leak"), pod("steady-1", "memory-leak"),
                                 pod("ignored", "none")}));
  test::FaultServer server(api.handler());
  // Prometheus refuses every query: the tick still counts its targets, from the live view.
  test::FaultServer prometheus([](const test::Request&) {
    test::Response r;
    r.status = 400;
    r.body = R"({"status":"error","errorType":"bad_data","error":"no"})";
    return r;
  });
  test::TempDir dir("skippy-run-live");
  test::write_file(dir.path() / "p.skippy", test::memory_policy("15s"));
  test::write_file(dir.path() / "kubeconfig.yaml",
                   "apiVersion: v1\nkind: Config\ncurrent-context: test\n"
                   "clusters: [{name: c, cluster: {server: \"" +
                       server.url() +
                       "\"}}]\n"
                       "contexts: [{name: test, context: {cluster: c}}]\n");
  auto r = run(dir, {"--kubeconfig", (dir.path() / "kubeconfig.yaml").string(), "--prometheus.url",
                     prometheus.url(), "--restore.max-lookback", "0s"});
  BOOST_TEST(r.code == 1, r.log);  // the query failed
  BOOST_TEST(r.log.find("1 policies, 2 targets") != std::string::npos, r.log);
  BOOST_TEST(r.log.find("cluster: watching " + server.url()) != std::string::npos, r.log);
  std::size_t lists = 0;
  for (const auto& q : server.requests()) lists += q.path.find("watch=1") == std::string::npos;
  BOOST_TEST(lists >= 7u);  // every built-in kind
}

BOOST_AUTO_TEST_CASE(a_cluster_snapshot_or_a_kubeconfig_is_required) {
  test::TempDir dir("skippy-run-live");
  test::write_file(dir.path() / "p.skippy", test::memory_policy("15s"));
  auto r = run(dir, {});
  BOOST_TEST(r.code == 2);
  BOOST_TEST(r.log.find("skippy run: --cluster, --kubeconfig or --in-cluster is required") !=
                 std::string::npos,
             r.log);
}
