// Remediation built-ins: each action becomes exactly the Kubernetes API requests (or webhook
// post) that carry it out, for each kind of target.
#define BOOST_TEST_MODULE remediation
#include <boost/test/unit_test.hpp>

#include "stdlib/builtins/catalog.hpp"
#include "stdlib/remediation.hpp"

using namespace skippy;
using bytecode::TargetKind;
using bytecode::Value;
using stdlib::ActionArgument;
using stdlib::Remediation;

namespace {

struct World {
  cluster::Workload web;
  cluster::Pod a, b;
  std::vector<const cluster::Pod*> pods;
  World() {
    web.kind = "Deployment";
    web.meta.namespace_name = "demo";
    web.meta.name = "web";
    web.replicas = 3;
    for (auto* p : {&a, &b}) {
      p->meta.namespace_name = "demo";
      p->workload_kind = "Deployment";
      p->workload_name = "web";
    }
    a.meta.name = "web-a";
    b.meta.name = "web-b";
    pods = {&a, &b};
  }
  stdlib::RemediationTarget pod_target(const cluster::Pod& p, bool owned = true) const {
    return {TargetKind::Pods, p.meta.namespace_name, p.meta.name, &p, owned ? &web : nullptr, {}};
  }
  stdlib::RemediationTarget deployment() const {
    return {TargetKind::Deployments, "demo", "web", nullptr, &web, pods};
  }
};

const stdlib::RemediationContext kContext{"0123456789abcdef", "memory_leak", "high_memory",
                                          1'700'000'000'000};

Remediation plan(std::string_view action, std::vector<ActionArgument> args,
                 const stdlib::RemediationTarget& t) {
  auto r = stdlib::plan_remediation(action, args, t, kContext);
  std::string why = std::holds_alternative<std::string>(r) ? std::get<std::string>(r) : "";
  BOOST_REQUIRE_MESSAGE(std::holds_alternative<Remediation>(r), why);
  return std::get<Remediation>(std::move(r));
}

std::string plan_error(std::string_view action, std::vector<ActionArgument> args,
                       const stdlib::RemediationTarget& t) {
  auto r = stdlib::plan_remediation(action, args, t, kContext);
  BOOST_REQUIRE(std::holds_alternative<std::string>(r));
  return std::get<std::string>(r);
}

Value num(double d) {
  return Value::of_number(d);
}
Value str(std::string_view s) {
  return Value::of_string(s);
}

}  // namespace

BOOST_AUTO_TEST_CASE(restarting_a_pod_deletes_it_and_a_workload_rolls_out) {
  World w;
  auto pod = plan("restart", {}, w.pod_target(w.a));
  BOOST_REQUIRE_EQUAL(pod.requests.size(), 1u);
  BOOST_TEST(pod.requests[0].method == "DELETE");
  BOOST_TEST(pod.requests[0].path == "/api/v1/namespaces/demo/pods/web-a");
  BOOST_TEST(pod.requests[0].body == R"({"apiVersion":"v1","kind":"DeleteOptions"})");
  auto now = plan("restart", {{"strategy", str("recreate")}}, w.pod_target(w.a));
  BOOST_TEST(now.requests[0].body ==
             R"({"apiVersion":"v1","kind":"DeleteOptions","gracePeriodSeconds":0})");

  auto rollout = plan("restart", {{"strategy", str("rolling")}}, w.deployment());
  BOOST_REQUIRE_EQUAL(rollout.requests.size(), 1u);
  BOOST_TEST(rollout.requests[0].method == "PATCH");
  BOOST_TEST(rollout.requests[0].path == "/apis/apps/v1/namespaces/demo/deployments/web");
  BOOST_TEST(rollout.requests[0].content_type == "application/strategic-merge-patch+json");
  BOOST_TEST(rollout.requests[0].body ==
             R"({"spec":{"template":{"metadata":{"annotations":{"kubectl.kubernetes.io/)"
             R"(restartedAt":"2023-11-14T22:13:20.000Z"}}}}})");
  BOOST_TEST(rollout.summary == "rollout restart of Deployment demo/web");

  auto all = plan("restart", {{"strategy", str("recreate")}}, w.deployment());
  BOOST_REQUIRE_EQUAL(all.requests.size(), 2u);
  BOOST_TEST(all.requests[1].path == "/api/v1/namespaces/demo/pods/web-b");
}

BOOST_AUTO_TEST_CASE(scaling_goes_through_the_scale_subresource_within_bounds) {
  World w;
  auto up = plan("scale", {{"by", num(2)}, {"max", num(4)}}, w.deployment());
  BOOST_REQUIRE_EQUAL(up.requests.size(), 1u);
  BOOST_TEST(up.requests[0].path == "/apis/apps/v1/namespaces/demo/deployments/web/scale");
  BOOST_TEST(up.requests[0].content_type == "application/merge-patch+json");
  BOOST_TEST(up.requests[0].body == R"({"spec":{"replicas":4}})");  // 3 + 2, clamped to 4
  BOOST_TEST(up.summary == "scale Deployment demo/web from 3 to 4");
  auto down = plan("scale", {{"to", num(1)}, {"min", num(2)}}, w.deployment());
  BOOST_TEST(down.requests[0].body == R"({"spec":{"replicas":2}})");
  // A pod scales its owner.
  auto owner = plan("scale", {{"by", num(-1)}, {"of", str("owner")}}, w.pod_target(w.a));
  BOOST_TEST(owner.requests[0].path == "/apis/apps/v1/namespaces/demo/deployments/web/scale");
  BOOST_TEST(owner.requests[0].body == R"({"spec":{"replicas":2}})");
  // Already at the bound: nothing to send.
  auto capped = plan("scale", {{"by", num(1)}, {"max", num(3)}}, w.deployment());
  BOOST_TEST(capped.noop);
  BOOST_TEST(capped.requests.empty());
  // A bare pod has nothing to scale.
  BOOST_TEST(
      plan_error("scale", {{"by", num(1)}, {"of", str("owner")}}, w.pod_target(w.a, false)) ==
      "scale: pod demo/web-a has no owning workload");
}

BOOST_AUTO_TEST_CASE(patches_deletes_evictions_and_marks) {
  World w;
  auto json = plan("patch",
                   {{"type", str("json")},
                    {"patch", str(R"([{"op":"replace","path":"/spec/replicas","value":3}])")}},
                   w.deployment());
  BOOST_TEST(json.requests[0].content_type == "application/json-patch+json");
  BOOST_TEST(json.requests[0].body == R"([{"op":"replace","path":"/spec/replicas","value":3}])");

  auto del =
      plan("delete", {{"grace", num(30)}, {"propagation", str("foreground")}}, w.pod_target(w.a));
  BOOST_TEST(del.requests[0].body ==
             R"({"apiVersion":"v1","kind":"DeleteOptions","gracePeriodSeconds":30,)"
             R"("propagationPolicy":"Foreground"})");
  auto forced =
      plan("delete", {{"grace", num(30)}, {"force", Value::of_bool(true)}}, w.pod_target(w.a));
  BOOST_TEST(forced.requests[0].body.find("\"gracePeriodSeconds\":0") != std::string::npos);

  auto evict = plan("evict", {{"grace", num(10)}}, w.pod_target(w.b));
  BOOST_TEST(evict.requests[0].method == "POST");
  BOOST_TEST(evict.requests[0].path == "/api/v1/namespaces/demo/pods/web-b/eviction");
  BOOST_TEST(evict.requests[0].body ==
             R"({"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"web-b",)"
             R"("namespace":"demo"},"deleteOptions":{"gracePeriodSeconds":10}})");

  auto label = plan("label", {{"key", str("skippy.io/quarantined")}, {"value", str("true")}},
                    w.pod_target(w.a));
  BOOST_TEST(label.requests[0].body ==
             R"({"metadata":{"labels":{"skippy.io/quarantined":"true"}}})");
  auto note = plan("annotate", {{"key", str("why")}, {"value", str("a \"leak\"")}}, w.deployment());
  BOOST_TEST(note.requests[0].body == R"({"metadata":{"annotations":{"why":"a \"leak\""}}})");
}

BOOST_AUTO_TEST_CASE(a_patch_of_owner_goes_to_the_pods_workload_and_a_bare_pod_gets_none) {
  World w;
  const char* body = R"({"spec":{"template":{"spec":{"containers":[{"name":"app"}]}}}})";
  auto owner =
      plan("patch", {{"type", str("strategic")}, {"patch", str(body)}, {"of", str("owner")}},
           w.pod_target(w.a));
  BOOST_REQUIRE_EQUAL(owner.requests.size(), 1u);
  BOOST_TEST(owner.requests[0].method == "PATCH");
  BOOST_TEST(owner.requests[0].path == "/apis/apps/v1/namespaces/demo/deployments/web");
  BOOST_TEST(owner.requests[0].body == body);
  BOOST_TEST(owner.summary == "strategic patch of Deployment demo/web");
  // Without `of: owner` the pod itself is patched.
  auto self = plan("patch", {{"type", str("merge")}, {"patch", str("{}")}}, w.pod_target(w.a));
  BOOST_TEST(self.requests[0].path == "/api/v1/namespaces/demo/pods/web-a");
  BOOST_TEST(
      plan_error("patch", {{"type", str("strategic")}, {"patch", str(body)}, {"of", str("owner")}},
                 w.pod_target(w.a, false)) == "patch: pod demo/web-a has no owning workload");
}

BOOST_AUTO_TEST_CASE(notify_posts_an_event_about_the_decision) {
  World w;
  auto n = plan("notify", {{"webhook", str("http://127.0.0.1:9/hook")}, {"message", str("hi")}},
                w.pod_target(w.a));
  BOOST_TEST(n.requests.empty());
  BOOST_REQUIRE(n.webhook.has_value());
  BOOST_TEST(n.webhook->url == "http://127.0.0.1:9/hook");
  BOOST_TEST(n.webhook->body ==
             R"({"time":"2023-11-14T22:13:20.000Z","id":"0123456789abcdef","policy":"memory_leak",)"
             R"("trigger":"high_memory","target":{"kind":"Pod","namespace":"demo","name":"web-a"},)"
             R"("message":"hi"})");
}

BOOST_AUTO_TEST_CASE(every_catalog_action_has_a_remediation) {
  World w;
  for (const auto& a : stdlib::actions()) {
    auto r = stdlib::plan_remediation(a.name, {}, w.deployment(), kContext);
    bool unknown = std::holds_alternative<std::string>(r) &&
                   std::get<std::string>(r).starts_with("no remediation is known");
    BOOST_TEST(!unknown, a.name);
  }
  BOOST_TEST(plan_error("rollback", {}, w.deployment()) ==
             "no remediation is known for the action `rollback`");
}
