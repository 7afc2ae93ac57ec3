// The YAML snapshot cluster view: short form, Kubernetes manifests, events, located errors.
#define BOOST_TEST_MODULE snapshot
#include <boost/test/unit_test.hpp>

#include "runtime/cluster/manifest.hpp"
#include "runtime/cluster/snapshot.hpp"

using namespace skippy::cluster;

BOOST_AUTO_TEST_CASE(short_form) {
  std::vector<SnapshotError> errors;
  auto view = parse_snapshot(R"(
pods:
  - {namespace: demo-apps, name: a, labels: {issue: memory-leak}, owner: Deployment/leaky, restarts: 4,
     waiting_reason: CrashLoopBackOff, ready: false, created_at: 30s}
  - {name: b}
deployments:
  - {namespace: demo-apps, name: leaky, replicas: 3, ready_replicas: 2}
events:
  - {namespace: demo-apps, object: Pod/a, reason: BackOff, type: Warning, count: 3, at: 2m}
  - {namespace: demo-apps, object: Pod/a, reason: BackOff, type: Warning, at: 20m}
)",
                             errors);
  BOOST_TEST(errors.empty());
  BOOST_REQUIRE_EQUAL(view.pods().size(), 2u);
  const Pod& a = view.pods()[0];
  BOOST_TEST(a.meta.labels.at("issue") == "memory-leak");
  BOOST_TEST(a.workload_kind == "Deployment");
  BOOST_TEST(a.restarts == 4);
  BOOST_TEST(!a.ready);
  BOOST_TEST(a.meta.created_ms == 30'000);
  BOOST_TEST(view.pods()[1].meta.namespace_name == "default");
  BOOST_TEST(view.pods()[1].phase == "Running");
  const Workload* w = view.find_workload("Deployment", "demo-apps", "leaky");
  BOOST_REQUIRE(w);
  BOOST_TEST(w->ready_replicas == 2);
  BOOST_TEST(w->available_replicas == 2);  // defaults to ready
  // Events in (since, until], weighted by count.
  BOOST_TEST(view.count_events("demo-apps", "Pod", "a", "BackOff", "", 0, 600'000) == 3);
  BOOST_TEST(view.count_events("demo-apps", "Pod", "a", "BackOff", "Warning", 0, 1'800'000) == 4);
  BOOST_TEST(view.count_events("demo-apps", "Pod", "a", "OOMKilled", "", 0, 1'800'000) == 0);
  BOOST_TEST(view.count_events("demo-apps", "", "", "", "", 120'000, 1'800'000) == 1);
}

BOOST_AUTO_TEST_CASE(kubernetes_manifests_resolve_owners) {
  std::vector<SnapshotError> errors;
  auto view = parse_snapshot(R"(
objects:
  - apiVersion: apps/v1
    kind: ReplicaSet
    metadata:
      name: web-5d9c
      namespace: shop
      ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, controller: true}]
    spec: {replicas: 2}
    status: {readyReplicas: 2}
  - apiVersion: v1
    kind: Pod
    metadata:
      name: web-5d9c-x1
      namespace: shop
      creationTimestamp: "2026-01-01T00:00:10Z"
      labels: {app: web}
      ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-5d9c, controller: true}]
    spec: {nodeName: node-1}
    status:
      phase: Running
      conditions: [{type: Ready, status: "False"}]
      containerStatuses:
        - restartCount: 3
          state: {waiting: {reason: CrashLoopBackOff}}
          lastState: {terminated: {reason: OOMKilled, exitCode: 137}}
        - restartCount: 1
)",
                             errors);
  BOOST_TEST(errors.empty());
  BOOST_REQUIRE_EQUAL(view.pods().size(), 1u);
  const Pod& p = view.pods()[0];
  BOOST_TEST(p.owner_kind == "ReplicaSet");
  BOOST_TEST(p.workload_kind == "Deployment");
  BOOST_TEST(p.workload_name == "web");
  BOOST_TEST(p.restarts == 4);
  BOOST_TEST(p.waiting_reason == "CrashLoopBackOff");
  BOOST_TEST(p.terminated_reason == "OOMKilled");
  BOOST_TEST(p.last_exit_code == 137);
  BOOST_TEST(!p.ready);
  BOOST_TEST(p.node == "node-1");
  BOOST_TEST(p.meta.created_ms == 1'767'225'610'000LL);
}

BOOST_AUTO_TEST_CASE(errors_are_located_and_the_rest_is_kept) {
  std::vector<SnapshotError> errors;
  auto view = parse_snapshot(
      "pods:\n  - {name: a, restarts: many}\n  - {name: b, owner: web}\nnodes: []\n", errors);
  BOOST_REQUIRE_EQUAL(errors.size(), 3u);
  BOOST_TEST(errors[0].path == "pods[0].restarts");
  BOOST_TEST(errors[0].line == 2);
  BOOST_TEST(errors[1].message.find("Kind/name") != std::string::npos);
  BOOST_TEST(errors[2].message.find("unknown section") != std::string::npos);
  BOOST_TEST(view.pods().size() == 2u);
}

BOOST_AUTO_TEST_CASE(garbage_is_an_error_not_a_crash) {
  for (const char* text :
       {"pods: [", "\x01\x02\x03", "- 1\n- 2\n", "pods: 3", "pods:\n  - 7\n", "{{{{"}) {
    std::vector<SnapshotError> errors;
    auto view = parse_snapshot(text, errors);
    BOOST_TEST(!errors.empty(), text);
    BOOST_TEST(view.pods().empty());
  }
}

BOOST_AUTO_TEST_CASE(rfc3339_timestamps_with_fractions_and_offsets) {
  BOOST_TEST(*parse_rfc3339_ms("2026-01-01T00:00:10Z") == 1'767'225'610'000LL);
  BOOST_TEST(*parse_rfc3339_ms("2026-01-01T00:00:10.250000Z") == 1'767'225'610'250LL);
  BOOST_TEST(*parse_rfc3339_ms("2026-01-01T02:00:10+02:00") == 1'767'225'610'000LL);
  for (const char* bad : {"", "2026-01-01", "2026-01-01T00:00:10", "2026-01-01T00:00:1xZ",
                          "2026-01-01T00:00:10Zjunk"})
    BOOST_TEST(!parse_rfc3339_ms(bad).has_value(), bad);
}
