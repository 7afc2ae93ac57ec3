// The simulator's object store and the API verbs over it, at fixed times: names and
// resourceVersions, conflicts, the three patch types (strategic merge by merge key),
// selectors, watch history and 410 Expired, cascading deletion, and the updates a real API
// server refuses with 422 Invalid (a Pod's immutable spec, negative replicas, bad labels).
#define BOOST_TEST_MODULE simulator_store
#include <boost/test/unit_test.hpp>

#include "simulator/object_meta.hpp"
#include "simulator/rest.hpp"
#include "simulator/selectors.hpp"
#include "simulator/strategic_merge.hpp"
#include "simulator/watch.hpp"

using namespace skippy::sim;

namespace {

constexpr std::int64_t kT0 = 1'700'000'000'000;

Json pod(const std::string& name) {
  return {{"metadata", {{"name", name}, {"labels", {{"app", "web"}}}}},
          {"spec", {{"containers", {{{"name", "app"}, {"image", "nginx:1.27"}}}}}}};
}

struct Fixture {
  ObjectStore store;
  Fixture() {
    create_object(store, resource("namespaces"), "", {{"metadata", {{"name", "demo"}}}}, kT0);
  }
  Json must(const Outcome<Json>& outcome) {
    if (const auto* e = error_of(outcome)) BOOST_FAIL(e->message);
    return std::get<Json>(outcome);
  }
  ObjectRef pod_ref(const std::string& name) { return {&resource("pods"), "demo", name}; }
};

}  // namespace

BOOST_FIXTURE_TEST_CASE(create_sets_identity_and_refuses_a_duplicate, Fixture) {
  Json created = must(create_object(store, resource("pods"), "demo", pod("web-1"), kT0));
  BOOST_TEST(created["apiVersion"] == "v1");
  BOOST_TEST(created["kind"] == "Pod");
  BOOST_TEST(created["metadata"]["creationTimestamp"] == "2023-11-14T22:13:20Z");
  BOOST_TEST(!uid_of(created).empty());
  BOOST_TEST(resource_version_of(created) == store.revision());
  BOOST_TEST(created["status"]["phase"] == "Pending");
  auto again = create_object(store, resource("pods"), "demo", pod("web-1"), kT0);
  BOOST_REQUIRE(error_of(again));
  BOOST_TEST(error_of(again)->code == 409);
  BOOST_TEST(error_of(again)->reason == "AlreadyExists");
  BOOST_TEST(error_of(again)->message == "pods \"web-1\" already exists");
}

BOOST_FIXTURE_TEST_CASE(generate_name_completes_the_name, Fixture) {
  Json p = pod("");
  p["metadata"].erase("name");
  p["metadata"]["generateName"] = "web-";
  Json created = must(create_object(store, resource("pods"), "demo", p, kT0));
  BOOST_TEST(name_of(created).size() == 9u);
  BOOST_TEST(name_of(created).starts_with("web-"));
}

BOOST_FIXTURE_TEST_CASE(create_checks_namespace_kind_and_validity, Fixture) {
  auto missing_ns = create_object(store, resource("pods"), "nowhere", pod("a"), kT0);
  BOOST_TEST(error_of(missing_ns)->code == 404);
  BOOST_TEST(error_of(missing_ns)->message == "namespaces \"nowhere\" not found");
  Json wrong_kind = pod("a");
  wrong_kind["kind"] = "Deployment";
  BOOST_TEST(error_of(create_object(store, resource("pods"), "demo", wrong_kind, kT0))->code ==
             400);
  Json no_containers = pod("a");
  no_containers["spec"]["containers"] = Json::array();
  auto invalid_pod = create_object(store, resource("pods"), "demo", no_containers, kT0);
  BOOST_TEST(error_of(invalid_pod)->code == 422);
  BOOST_TEST(error_of(invalid_pod)->message ==
             "Pod \"a\" is invalid: spec.containers: Required value");
  Json bad_name = pod("Web_1");
  BOOST_TEST(error_of(create_object(store, resource("pods"), "demo", bad_name, kT0))->code == 422);
}

BOOST_FIXTURE_TEST_CASE(an_update_with_a_stale_resource_version_conflicts, Fixture) {
  Json created = must(create_object(store, resource("pods"), "demo", pod("web-1"), kT0));
  Json first = created, second = created;
  first["metadata"]["labels"]["tier"] = "front";
  must(update_object(store, pod_ref("web-1"), "", first));
  second["metadata"]["labels"]["tier"] = "back";
  auto stale = update_object(store, pod_ref("web-1"), "", second);
  BOOST_REQUIRE(error_of(stale));
  BOOST_TEST(error_of(stale)->code == 409);
  BOOST_TEST(error_of(stale)->reason == "Conflict");
  // Without a resourceVersion, the last write wins.
  second["metadata"].erase("resourceVersion");
  must(update_object(store, pod_ref("web-1"), "", second));
}

BOOST_FIXTURE_TEST_CASE(an_update_that_changes_nothing_makes_no_revision, Fixture) {
  Json created = must(create_object(store, resource("pods"), "demo", pod("web-1"), kT0));
  std::int64_t before = store.revision();
  must(update_object(store, pod_ref("web-1"), "", created));
  BOOST_TEST(store.revision() == before);
}

BOOST_FIXTURE_TEST_CASE(the_main_resource_keeps_status_and_status_keeps_the_rest, Fixture) {
  Json created = must(create_object(store, resource("pods"), "demo", pod("web-1"), kT0));
  Json changed = created;
  changed["status"]["phase"] = "Running";
  changed["metadata"]["labels"]["x"] = "y";
  Json after = must(update_object(store, pod_ref("web-1"), "", changed));
  BOOST_TEST(after["status"]["phase"] == "Pending");
  BOOST_TEST(after["metadata"]["labels"]["x"] == "y");
  Json status_change = after;
  status_change["status"]["phase"] = "Running";
  status_change["metadata"]["labels"]["x"] = "z";
  Json via_status = must(update_object(store, pod_ref("web-1"), "status", status_change));
  BOOST_TEST(via_status["status"]["phase"] == "Running");
  BOOST_TEST(via_status["metadata"]["labels"]["x"] == "y");
}

BOOST_FIXTURE_TEST_CASE(the_three_patch_types, Fixture) {
  must(create_object(store, resource("pods"), "demo", pod("web-1"), kT0));
  Json merged = must(patch_object(store, pod_ref("web-1"), "", "application/merge-patch+json",
                                  R"({"metadata":{"labels":{"app":null,"tier":"front"}}})"));
  BOOST_TEST(!merged["metadata"]["labels"].contains("app"));
  BOOST_TEST(merged["metadata"]["labels"]["tier"] == "front");
  Json patched = must(
      patch_object(store, pod_ref("web-1"), "", "application/json-patch+json",
                   R"([{"op":"replace","path":"/spec/containers/0/image","value":"nginx:1.28"}])"));
  BOOST_TEST(patched["spec"]["containers"][0]["image"] == "nginx:1.28");
  // Containers merge by name (in a Deployment's template: a Pod cannot add one).
  Json web = {
      {"metadata", {{"name", "web"}}},
      {"spec",
       {{"selector", {{"matchLabels", {{"app", "web"}}}}},
        {"template", {{"metadata", {{"labels", {{"app", "web"}}}}}, {"spec", pod("x")["spec"]}}}}}};
  must(create_object(store, resource("deployments"), "demo", web, kT0));
  Json strategic = must(patch_object(
      store, {&resource("deployments"), "demo", "web"}, "",
      "application/strategic-merge-patch+json; charset=utf-8",
      R"({"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"busybox:1"},{"name":"app","image":"nginx:1.29"}]}}}})"));
  const Json& containers = strategic["spec"]["template"]["spec"]["containers"];
  BOOST_REQUIRE(containers.size() == 2u);
  BOOST_TEST(containers[0]["name"] == "app");
  BOOST_TEST(containers[0]["image"] == "nginx:1.29");
  BOOST_TEST(containers[1]["name"] == "sidecar");
}

BOOST_FIXTURE_TEST_CASE(bad_patches_are_located_errors, Fixture) {
  must(create_object(store, resource("pods"), "demo", pod("web-1"), kT0));
  auto code = [&](const char* type, const char* body) {
    auto r = patch_object(store, pod_ref("web-1"), "", type, body);
    return error_of(r) ? error_of(r)->code : 200;
  };
  BOOST_TEST(code("application/merge-patch+json", "{not json") == 400);
  BOOST_TEST(code("application/json-patch+json",
                  R"([{"op":"test","path":"/spec/nodeName","value":"x"}])") == 422);
  BOOST_TEST(code("application/json-patch+json", R"({"op":"add"})") == 422);
  BOOST_TEST(code("application/apply-patch+yaml", "{}") == 415);
  BOOST_TEST(code("application/merge-patch+json", R"({"metadata":{"name":"other"}})") == 400);
  BOOST_TEST(code("application/strategic-merge-patch+json",
                  R"({"spec":{"containers":[{"image":"x"}]}})") == 422);
  BOOST_TEST(code("application/merge-patch+json", R"({"spec":"oops"})") == 422);
  // A custom resource takes no strategic merge patch, as on a real server.
  Json hp = {{"metadata", {{"name", "p"}}}, {"spec", {{"mode", "monitor"}}}};
  must(create_object(store, resource("healingpolicies"), "demo", hp, kT0));
  auto cr =
      patch_object(store, {&resource("healingpolicies"), "demo", "p"}, "",
                   "application/strategic-merge-patch+json", R"({"spec":{"mode":"automatic"}})");
  BOOST_TEST(error_of(cr)->code == 415);
}

namespace {

Json deployment(const std::string& name) {
  return {{"metadata", {{"name", name}}},
          {"spec",
           {{"replicas", 2},
            {"selector", {{"matchLabels", {{"app", name}}}}},
            {"template",
             {{"metadata", {{"labels", {{"app", name}}}}},
              {"spec", {{"containers", {{{"name", "app"}, {"image", "web:1"}}}}}}}}}}};
}

struct Updates : Fixture {
  ObjectRef deployment_ref{&resource("deployments"), "demo", "web"};
  Updates() {
    must(create_object(store, resource("pods"), "demo", pod("web-1"), kT0));
    must(create_object(store, resource("deployments"), "demo", deployment("web"), kT0));
  }
  // The error a patch of web-1 answers, or a failed test when it succeeds.
  ApiError refused(const char* type, const char* body, const ObjectRef* ref = nullptr) {
    auto r = patch_object(store, ref ? *ref : pod_ref("web-1"), "", type, body);
    if (!error_of(r)) BOOST_FAIL(std::string("accepted: ") + body);
    return *error_of(r);
  }
  std::string message(const char* type, const char* body, const ObjectRef* ref = nullptr) {
    return refused(type, body, ref).message;
  }
};

constexpr const char* kMerge = "application/merge-patch+json";
constexpr const char* kStrategic = "application/strategic-merge-patch+json";
constexpr const char* kJsonPatch = "application/json-patch+json";

const std::string kPodUpdates =
    "Pod \"web-1\" is invalid: spec: Forbidden: pod updates may not change fields other than "
    "`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,"
    "`spec.tolerations` (only additions to existing tolerations),"
    "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously "
    "negative)";

}  // namespace

BOOST_FIXTURE_TEST_CASE(a_pod_template_patched_on_a_pod_is_kube_apiservers_422, Updates) {
  ApiError e =
      refused(kStrategic, R"({"spec":{"template":{"spec":{"containers":[{"name":"app","resources":)"
                          R"({"limits":{"memory":"1Gi"}}}]}}}})");
  BOOST_TEST(e.code == 422);
  Json expected = Json::parse(R"({"kind":"Status","apiVersion":"v1","metadata":{},
      "status":"Failure","reason":"Invalid","code":422,
      "details":{"name":"web-1","kind":"Pod","causes":[{"reason":"FieldValueForbidden",
                 "field":"spec"}]}})");
  expected["message"] = kPodUpdates;
  expected["details"]["causes"][0]["message"] = kPodUpdates.substr(kPodUpdates.find("Forbidden: "));
  BOOST_TEST(e.status() == expected, e.status().dump());
  // The body as sent: kube-apiserver's field order, the message before the details.
  BOOST_TEST(e.status_text().starts_with(
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Pod )"));
  BOOST_TEST(store.find(resource("pods"), "demo", "web-1")->at("spec").contains("template") ==
             false);
}

BOOST_FIXTURE_TEST_CASE(a_pod_changes_only_what_kube_apiserver_lets_it, Updates) {
  // Images, activeDeadlineSeconds downwards, added tolerations, metadata: yes.
  must(patch_object(store, pod_ref("web-1"), "", kStrategic,
                    R"({"spec":{"containers":[{"name":"app","image":"nginx:1.28"}]}})"));
  must(patch_object(store, pod_ref("web-1"), "", kMerge,
                    R"({"spec":{"activeDeadlineSeconds":60,"tolerations":[{"key":"a",)"
                    R"("operator":"Exists"}]},"metadata":{"labels":{"tier":"front"}}})"));
  must(patch_object(store, pod_ref("web-1"), "", kJsonPatch,
                    R"([{"op":"add","path":"/spec/tolerations/-","value":{"key":"b",)"
                    R"("operator":"Exists"}},{"op":"replace","path":"/spec/activeDeadlineSeconds",)"
                    R"("value":30}])"));
  // Anything else of the spec: no, with kube-apiserver's words for each.
  BOOST_TEST(message(kMerge, R"({"spec":{"nodeName":"node-9"}})") == kPodUpdates);
  BOOST_TEST(message(kJsonPatch, R"([{"op":"add","path":"/spec/replicas","value":3}])") ==
             kPodUpdates);
  BOOST_TEST(message(kStrategic, R"({"spec":{"containers":[{"name":"app","resources":{"limits":)"
                                 R"({"cpu":"2"}}}]}})") == kPodUpdates);
  BOOST_TEST(message(kStrategic, R"({"spec":{"containers":[{"name":"sidecar","image":"b:1"}]}})") ==
             "Pod \"web-1\" is invalid: spec.containers: Forbidden: pod updates may not add or "
             "remove containers");
  BOOST_TEST(message(kMerge, R"({"spec":{"activeDeadlineSeconds":90}})") ==
             "Pod \"web-1\" is invalid: spec.activeDeadlineSeconds: Invalid value: 90: must be "
             "less than or equal to previous value");
  BOOST_TEST(message(kMerge, R"({"spec":{"tolerations":[]}})") ==
             "Pod \"web-1\" is invalid: spec.tolerations: Forbidden: existing toleration can "
             "not be modified except its tolerationSeconds");
  ApiError twice = refused(kJsonPatch, R"([{"op":"replace","path":"/spec/containers/0/image",)"
                                       R"("value":""}])");
  BOOST_TEST(twice.message == "Pod \"web-1\" is invalid: spec.containers[0].image: Required value");
  BOOST_TEST(twice.details["causes"].size() == 2u);  // one per rule, one line in the message
  // A PUT of the same pod with a changed spec is refused alike.
  Json replaced = *store.find(resource("pods"), "demo", "web-1");
  replaced["spec"]["restartPolicy"] = "Never";
  auto put = update_object(store, pod_ref("web-1"), "", replaced);
  BOOST_REQUIRE(error_of(put));
  BOOST_TEST(error_of(put)->message == kPodUpdates);
}

BOOST_FIXTURE_TEST_CASE(replicas_are_never_negative, Updates) {
  auto scaled = patch_scale(store, deployment_ref, kMerge, R"({"spec":{"replicas":-1}})");
  BOOST_REQUIRE(error_of(scaled));
  BOOST_TEST(error_of(scaled)->code == 422);
  BOOST_TEST(error_of(scaled)->message ==
             "Scale.autoscaling \"web\" is invalid: spec.replicas: Invalid value: -1: must be "
             "greater than or equal to 0");
  BOOST_TEST(error_of(scaled)->details["group"] == "autoscaling");
  BOOST_TEST(error_of(scaled)->details["kind"] == "Scale");
  BOOST_TEST(error_of(scaled)->details["causes"][0]["message"] ==
             "Invalid value: -1: must be greater than or equal to 0");
  ApiError direct = refused(kMerge, R"({"spec":{"replicas":-1}})", &deployment_ref);
  BOOST_TEST(direct.message ==
             "Deployment.apps \"web\" is invalid: spec.replicas: Invalid value: -1: must be "
             "greater than or equal to 0");
  BOOST_TEST(direct.details["group"] == "apps");
  BOOST_TEST(direct.details["causes"][0]["reason"] == "FieldValueInvalid");
  BOOST_TEST(store.find(resource("deployments"), "demo", "web")->at("spec")["replicas"] == 2);
  must(patch_scale(store, deployment_ref, kMerge, R"({"spec":{"replicas":0}})"));
}

BOOST_FIXTURE_TEST_CASE(a_workloads_selector_never_changes_and_its_template_may, Updates) {
  ApiError e = refused(kMerge,
                       R"({"spec":{"selector":{"matchLabels":{"app":"other"}},)"
                       R"("template":{"metadata":{"labels":{"app":"other"}}}}})",
                       &deployment_ref);
  BOOST_TEST(e.message ==
             "Deployment.apps \"web\" is invalid: spec.selector: Invalid value: "
             "v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"other\"}, "
             "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable");
  Json d = must(patch_object(store, deployment_ref, "", kStrategic,
                             R"({"spec":{"template":{"spec":{"containers":[{"name":"app",)"
                             R"("resources":{"limits":{"memory":"1Gi"}}}]}}}})"));
  BOOST_TEST(d["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["memory"] ==
             "1Gi");
  BOOST_TEST(d["spec"]["template"]["spec"]["containers"][0]["image"] == "web:1");
}

BOOST_FIXTURE_TEST_CASE(names_labels_and_annotations_as_apimachinery_checks_them, Updates) {
  ApiError renamed = refused(kMerge, R"({"metadata":{"name":"other"}})");
  BOOST_TEST(renamed.code == 400);
  BOOST_TEST(renamed.message ==
             "the name of the object (other) does not match the name on the URL (web-1)");
  Json moved = *store.find(resource("pods"), "demo", "web-1");
  moved["metadata"]["namespace"] = "elsewhere";
  auto put = update_object(store, pod_ref("web-1"), "", moved);
  BOOST_REQUIRE(error_of(put));
  BOOST_TEST(error_of(put)->code == 400);
  BOOST_TEST(error_of(put)->message ==
             "the namespace of the object (elsewhere) does not match the namespace on the URL "
             "(demo)");
  BOOST_TEST(message(kMerge, R"({"metadata":{"uid":"another"}})") ==
             "Pod \"web-1\" is invalid: metadata.uid: Invalid value: \"another\": field is "
             "immutable");
  BOOST_TEST(message(kMerge, R"({"metadata":{"labels":{"bad key":"x"}}})") ==
             "Pod \"web-1\" is invalid: metadata.labels: Invalid value: \"bad key\": name part "
             "must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
             "with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex "
             "used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')");
  BOOST_TEST(message(kMerge, R"({"metadata":{"labels":{"tier":"a b"}}})") ==
             "Pod \"web-1\" is invalid: metadata.labels: Invalid value: \"a b\": a valid label "
             "must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and "
             "must start and end with an alphanumeric character (e.g. 'MyValue',  or "
             "'my_value',  or '12345', regex used for validation is "
             "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')");
  std::string long_value(64, 'a');
  std::string too_long = R"({"metadata":{"labels":{"tier":")" + long_value + R"("}}})";
  BOOST_TEST(message(kMerge, too_long.c_str())
                 .find(R"(metadata.labels: Invalid value: ")" + long_value +
                       R"(": must be no more than 63 bytes)") != std::string::npos);
  BOOST_TEST(message(kMerge, R"({"metadata":{"annotations":{"Example.com/Why":"ok","/x":"y"}}})") ==
             "Pod \"web-1\" is invalid: metadata.annotations: Invalid value: \"/x\": prefix "
             "part must be non-empty");
  // What apimachinery takes, the simulator takes.
  must(patch_object(store, pod_ref("web-1"), "", kMerge,
                    R"({"metadata":{"labels":{"app.kubernetes.io/name":"web","empty":""},)"
                    R"("annotations":{"kubectl.kubernetes.io/restartedAt":"now","Why":"x y"}}})"));
}

BOOST_AUTO_TEST_CASE(strategic_merge_by_merge_key_and_directives) {
  Json original = {{"containers",
                    {{{"name", "app"},
                      {"env", {{{"name", "A"}, {"value", "1"}}, {{"name", "B"}, {"value", "2"}}}},
                      {"ports", {{{"containerPort", 80}}}},
                      {"volumeMounts", {{{"mountPath", "/data"}, {"name", "data"}}}}}}},
                   {"conditions", {{{"type", "Ready"}, {"status", "False"}}}},
                   {"nodeSelector", {{"disk", "ssd"}, {"zone", "a"}}},
                   {"args", {"a", "b"}},
                   {"finalizers", {"x"}}};
  Json patch = Json::parse(R"({
    "containers": [{"name": "app",
                    "env": [{"name": "B", "$patch": "delete"}, {"name": "C", "value": "3"}],
                    "ports": [{"containerPort": 80, "protocol": "TCP"}, {"containerPort": 443}],
                    "volumeMounts": [{"mountPath": "/data", "readOnly": true}]}],
    "conditions": [{"type": "Ready", "status": "True"}],
    "nodeSelector": {"$patch": "replace", "zone": "b"},
    "args": ["c"],
    "finalizers": ["y"],
    "$setElementOrder/containers": [{"name": "app"}]
  })");
  auto merged = strategic_merge(original, patch);
  BOOST_REQUIRE(std::holds_alternative<Json>(merged));
  const Json& r = std::get<Json>(merged);
  const Json& app = r["containers"][0];
  BOOST_TEST(app["env"].dump() == R"([{"name":"A","value":"1"},{"name":"C","value":"3"}])");
  BOOST_TEST(app["ports"].dump() ==
             R"([{"containerPort":80,"protocol":"TCP"},{"containerPort":443}])");
  BOOST_TEST(app["volumeMounts"].dump() ==
             R"([{"mountPath":"/data","name":"data","readOnly":true}])");
  BOOST_TEST(r["conditions"].dump() == R"([{"status":"True","type":"Ready"}])");
  BOOST_TEST(r["nodeSelector"].dump() == R"({"zone":"b"})");
  BOOST_TEST(r["args"].dump() == R"(["c"])");
  BOOST_TEST(r["finalizers"].dump() == R"(["x","y"])");
  BOOST_TEST(!r.contains("$setElementOrder/containers"));
  auto deleted = strategic_merge(original, Json::parse(R"({"nodeSelector":{"$patch":"delete"}})"));
  BOOST_TEST(!std::get<Json>(deleted).contains("nodeSelector"));
  auto whole = strategic_merge(
      original, Json::parse(R"({"containers":[{"$patch":"replace"},{"name":"only"}]})"));
  BOOST_TEST(std::get<Json>(whole)["containers"].dump() == R"([{"name":"only"}])");
  auto bad = strategic_merge(original, Json::parse(R"({"nodeSelector":{"$patch":"explode"}})"));
  BOOST_TEST(std::get<std::string>(bad) == "nodeSelector: unknown $patch directive \"explode\"");
}

BOOST_AUTO_TEST_CASE(label_and_field_selectors) {
  auto s = std::get<LabelSelector>(
      parse_label_selector("app=web,tier in (front, back),!canary,env!=prod,team"));
  Json labels = {{"app", "web"}, {"tier", "back"}, {"env", "dev"}, {"team", "a"}};
  BOOST_TEST(s.matches(labels));
  labels["canary"] = "true";
  BOOST_TEST(!s.matches(labels));
  BOOST_TEST(std::get<std::string>(parse_label_selector("app in web")) ==
             "unable to parse requirement: expected a list in ( ): \"app in web\"");
  auto f =
      std::get<FieldSelector>(parse_field_selector("metadata.name=web-1,status.phase!=Failed"));
  BOOST_TEST(
      f.matches(Json{{"metadata", {{"name", "web-1"}}}, {"status", {{"phase", "Running"}}}}));
  BOOST_TEST(!f.matches(Json{{"metadata", {{"name", "web-2"}}}}));
  BOOST_TEST(std::holds_alternative<std::string>(parse_field_selector("nonsense")));
}

BOOST_FIXTURE_TEST_CASE(a_watch_sends_changes_after_its_revision, Fixture) {
  must(create_object(store, resource("pods"), "demo", pod("web-1"), kT0));
  std::int64_t from = store.revision();
  must(patch_object(store, pod_ref("web-1"), "", "application/merge-patch+json",
                    R"({"metadata":{"labels":{"x":"1"}}})"));
  must(create_object(store, resource("pods"), "demo", pod("web-2"), kT0));
  must(delete_object(store, pod_ref("web-1"), Propagation::Background, kT0));
  WatchSpec spec;
  spec.type = &resource("pods");
  spec.since = from;
  spec.fields = std::get<FieldSelector>(parse_field_selector("metadata.name=web-1"));
  WatchStream watch(spec);
  std::string lines = watch.poll(store, kT0);
  std::vector<std::string> types;
  std::size_t start = 0;
  while (start < lines.size()) {
    std::size_t end = lines.find('\n', start);
    types.push_back(Json::parse(lines.substr(start, end - start))["type"]);
    start = end + 1;
  }
  BOOST_TEST(types == (std::vector<std::string>{"MODIFIED", "DELETED"}),
             boost::test_tools::per_element());
  BOOST_TEST(watch.poll(store, kT0).empty());
  // From no revision: the current state as ADDED.
  WatchSpec all;
  all.type = &resource("pods");
  WatchStream current(all);
  Json first = Json::parse(current.poll(store, kT0));
  BOOST_TEST(first["type"] == "ADDED");
  BOOST_TEST(name_of(first["object"]) == "web-2");
}

BOOST_AUTO_TEST_CASE(a_watch_from_a_forgotten_revision_gets_410) {
  ObjectStore store(3);
  create_object(store, resource("namespaces"), "", {{"metadata", {{"name", "demo"}}}}, kT0);
  for (int i = 0; i < 5; ++i)
    create_object(store, resource("pods"), "demo", pod("p" + std::to_string(i)), kT0);
  BOOST_TEST(!store.changes_after(nullptr, 2).has_value());
  BOOST_TEST(store.changes_after(nullptr, store.oldest_revision()).has_value());
  WatchSpec spec;
  spec.type = &resource("pods");
  spec.since = 2;
  WatchStream watch(spec);
  Json event = Json::parse(watch.poll(store, kT0));
  BOOST_TEST(event["type"] == "ERROR");
  BOOST_TEST(event["object"]["kind"] == "Status");
  BOOST_TEST(event["object"]["code"] == 410);
  BOOST_TEST(event["object"]["reason"] == "Expired");
  BOOST_TEST(watch.ended());
  BOOST_TEST(watch.poll(store, kT0).empty());
}

BOOST_FIXTURE_TEST_CASE(deletion_cascades_through_owner_references, Fixture) {
  Json owner = must(create_object(
      store, resource("replicasets"), "demo",
      {{"metadata", {{"name", "web"}}},
       {"spec", {{"selector", {{"matchLabels", {{"app", "web"}}}}}, {"template", pod("")}}}},
      kT0));
  auto owned = [&](const std::string& name) {
    Json p = pod(name);
    p["metadata"]["ownerReferences"] = Json::array({owner_reference(owner, true)});
    must(create_object(store, resource("pods"), "demo", p, kT0));
  };
  owned("web-1");
  owned("web-2");
  ObjectRef rs{&resource("replicasets"), "demo", "web"};
  must(delete_object(store, rs, Propagation::Background, kT0));
  BOOST_TEST(store.list(resource("pods"), "demo").empty());

  owner = must(create_object(
      store, resource("replicasets"), "demo",
      {{"metadata", {{"name", "web"}}},
       {"spec", {{"selector", {{"matchLabels", {{"app", "web"}}}}}, {"template", pod("")}}}},
      kT0));
  owned("web-3");
  must(delete_object(store, rs, Propagation::Orphan, kT0));
  auto left = store.list(resource("pods"), "demo");
  BOOST_REQUIRE(left.size() == 1u);
  BOOST_TEST((*left[0])["metadata"]["ownerReferences"].empty());
}

BOOST_FIXTURE_TEST_CASE(finalizers_hold_a_deletion_until_they_go, Fixture) {
  Json p = pod("web-1");
  p["metadata"]["finalizers"] = {"example.com/hold"};
  must(create_object(store, resource("pods"), "demo", p, kT0));
  Json marked = must(delete_object(store, pod_ref("web-1"), Propagation::Background, kT0 + 5000));
  BOOST_TEST(marked["metadata"]["deletionTimestamp"] == "2023-11-14T22:13:25Z");
  BOOST_TEST(store.find(resource("pods"), "demo", "web-1") != nullptr);
  must(patch_object(store, pod_ref("web-1"), "", "application/merge-patch+json",
                    R"({"metadata":{"finalizers":null}})"));
  BOOST_TEST(store.find(resource("pods"), "demo", "web-1") == nullptr);
}
