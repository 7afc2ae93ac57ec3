// The deployment manifests of deploy/, as the installed `kubectl kustomize` renders each
// layout: the objects each holds, the runtime's command line against `skippy run --help`, the
// volumes, probes and security settings its flags rely on, RBAC against the requests the
// runtime's code makes, the CRDs' schemas (with the HealingPolicy fixtures, and the upstream corpus
// when it is beside the checkout, checked against them), the configuration and policies as `skippy
// run` reads them, and the Dockerfile against the tree and the binary's shared libraries.
#define BOOST_TEST_MODULE deploy_kustomize
#include <boost/test/unit_test.hpp>

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "k8s-adapter/live_cluster.hpp"
#include "stdlib/builtins/catalog.hpp"
#include "stdlib/remediation.hpp"
#include "tests/deploy/openapi_check.hpp"
#include "tests/runtime/prometheus/support.hpp"

namespace test = skippy::test;
namespace fs = std::filesystem;
using Strings = std::set<std::string>;

namespace {

const fs::path kSource = SKIPPY_SOURCE_DIR;

struct Output {
  int code = -1;
  std::string out;
  std::string err;
};

// Runs a shell command line; standard output and standard error kept apart.
Output run(const std::string& command) {
  test::TempDir dir("skippy-deploy-run");
  auto out = dir.path() / "out", err = dir.path() / "err";
  int status = std::system(("(" + command + ") >" + out.string() + " 2>" + err.string()).c_str());
  Output r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = test::read_file(out);
  r.err = test::read_file(err);
  return r;
}

const std::vector<std::string> kOverlays = {"standalone", "sidecar", "dryrun"};

// `kubectl kustomize deploy/DIR`, rendered once.
const std::vector<YAML::Node>& render(const std::string& dir) {
  static std::map<std::string, std::vector<YAML::Node>> cache;
  if (auto it = cache.find(dir); it != cache.end()) return it->second;
  auto r = run("kubectl kustomize " + (kSource / "deploy" / dir).string());
  BOOST_REQUIRE_MESSAGE(r.code == 0, "kubectl kustomize deploy/" << dir << " failed: " << r.err);
  return cache[dir] = YAML::LoadAll(r.out);
}

const std::vector<YAML::Node>& rendered(const std::string& overlay) {
  return render("overlays/" + overlay);
}

std::string text(const YAML::Node& n) {
  return n && n.IsScalar() ? n.Scalar() : "";
}

// A ConfigMap's name without the hash kustomize appends to it.
std::string base_name(const YAML::Node& object) {
  std::string name = text(object["metadata"]["name"]);
  if (text(object["kind"]) != "ConfigMap") return name;
  return name.substr(0, name.rfind('-'));
}

YAML::Node find(const std::vector<YAML::Node>& objects, const std::string& kind,
                const std::string& name) {
  for (const auto& o : objects) {
    if (text(o["kind"]) == kind && base_name(o) == name) return o;
  }
  BOOST_FAIL("no " << kind << " " << name << " in the output");
  return {};
}

YAML::Node container(const YAML::Node& deployment, const std::string& name) {
  for (const auto& c : deployment["spec"]["template"]["spec"]["containers"]) {
    if (text(c["name"]) == name) return c;
  }
  BOOST_FAIL("no container " << name);
  return {};
}

// The runtime container's flags, name to value ("" for a flag without one).
std::map<std::string, std::string> flags(const YAML::Node& skippy) {
  std::map<std::string, std::string> out;
  for (std::size_t i = 1; i < skippy["args"].size(); ++i) {
    std::string arg = skippy["args"][i].Scalar();
    auto eq = arg.find('=');
    out[arg.substr(0, eq)] = eq == std::string::npos ? "" : arg.substr(eq + 1);
  }
  return out;
}

// Expands $(NAME) as the kubelet does, from the container's literal env values.
std::string expand(const YAML::Node& c, std::string value) {
  for (const auto& e : c["env"]) {
    if (e["value"]) {
      std::string ref = "$(" + text(e["name"]) + ")";
      for (auto at = value.find(ref); at != std::string::npos; at = value.find(ref))
        value.replace(at, ref.size(), text(e["value"]));
    }
  }
  return value;
}

// The volume mounted at `mount_path` in container `c` of the pod template.
YAML::Node volume_at(const YAML::Node& deployment, const YAML::Node& c,
                     const std::string& mount_path, YAML::Node* mount = nullptr) {
  for (const auto& m : c["volumeMounts"]) {
    if (text(m["mountPath"]) != mount_path) continue;
    if (mount) mount->reset(m);
    for (const auto& v : deployment["spec"]["template"]["spec"]["volumes"]) {
      if (text(v["name"]) == text(m["name"])) return v;
    }
  }
  BOOST_FAIL("nothing mounted at " << mount_path);
  return {};
}

// `skippy run --help`: each option and whether it takes a value.
std::map<std::string, bool> run_options() {
  auto help = run(std::string(SKIPPY_BINARY) + " run --help");
  BOOST_REQUIRE_EQUAL(help.code, 0);
  std::map<std::string, bool> out;
  static const std::regex option(R"(^\s+(?:-[A-Za-z],)?(--[a-z][a-z0-9.-]*)( [A-Z]+\b)?)");
  std::istringstream lines(help.out);
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    if (std::regex_search(line, m, option)) out[m[1]] = m[2].matched;
  }
  BOOST_REQUIRE(out.count("--policies") == 1);
  return out;
}

// Being added to `skippy run` beside these manifests: running inside the cluster, and leader
// election. Allowed in the manifests before `skippy run --help` lists them; each takes a value
// but the two switches.
const std::map<std::string, bool> kComingFlags = {
    {"--in-cluster", false},
    {"--leader-elect", false},
    {"--leader-elect-resource-name", true},
    {"--leader-elect-resource-namespace", true},
    {"--leader-elect-identity", true},
    {"--leader-elect-lease-duration", true},
    {"--leader-elect-renew-deadline", true},
    {"--leader-elect-retry-period", true},
};

// RBAC rules as "group/resource" -> verbs, or "group/resource/name" for a named rule.
std::map<std::string, Strings> grants(const YAML::Node& role) {
  std::map<std::string, Strings> out;
  for (const auto& rule : role["rules"]) {
    BOOST_TEST(!rule["nonResourceURLs"]);
    for (const auto& group : rule["apiGroups"]) {
      for (const auto& resource : rule["resources"]) {
        std::vector<std::string> keys;
        std::string key = group.Scalar() + "/" + resource.Scalar();
        if (!rule["resourceNames"]) keys.push_back(key);
        for (const auto& name : rule["resourceNames"]) keys.push_back(key + "/" + name.Scalar());
        for (const auto& k : keys) {
          for (const auto& verb : rule["verbs"]) out[k].insert(verb.Scalar());
        }
      }
    }
  }
  return out;
}

// The group and resource of an API path: /api/v1/namespaces/NS/pods/NAME/eviction is
// "/pods/eviction"; /apis/apps/v1/deployments is "apps/deployments".
std::string resource_of(const std::string& path) {
  std::vector<std::string> parts;
  std::stringstream s(path);
  for (std::string p; std::getline(s, p, '/');) {
    if (!p.empty()) parts.push_back(p);
  }
  std::size_t at = parts[0] == "api" ? 2 : 3;
  std::string group = parts[0] == "api" ? "" : parts[1];
  if (parts.size() > at && parts[at] == "namespaces") at += 2;
  std::string resource = parts.at(at);
  if (parts.size() > at + 2) resource += "/" + parts[at + 2];
  return group + "/" + resource;
}

// A map as lines "KEY: V1 V2", which Boost.Test can compare and print one by one.
template <class Map>
std::vector<std::string> lines(const Map& map) {
  std::vector<std::string> out;
  for (const auto& [key, values] : map) {
    std::string line = key + ":";
    for (const auto& v : values) line += " " + v;
    out.push_back(line);
  }
  return out;
}

const std::map<std::string, std::string> kVerbOfMethod = {{"GET", "get"},
                                                          {"POST", "create"},
                                                          {"PUT", "update"},
                                                          {"PATCH", "patch"},
                                                          {"DELETE", "delete"}};

// What the runtime's code asks of the API server, derived from the code itself: the informers
// of the live cluster view list and watch their collections, and every action the catalog
// declares, planned for every kind it applies to with each variant of its arguments, sends the
// requests stdlib::plan_remediation returns.
std::map<std::string, Strings> requests_the_code_makes() {
  std::map<std::string, Strings> out;
  skippy::k8s::Connection nowhere;
  nowhere.server = "http://127.0.0.1:9";  // never contacted: the informers are not started
  skippy::k8s::LiveCluster live(nowhere);
  for (const auto& informer : live.informers()) {
    out[resource_of(informer->path())].insert("list");
    out[resource_of(informer->path())].insert("watch");
  }
  using skippy::bytecode::TargetKind;
  using skippy::bytecode::Value;
  skippy::cluster::Pod pod;
  pod.meta.namespace_name = "ns";
  pod.meta.name = "web-1";
  const skippy::cluster::Pod* pods[] = {&pod};
  skippy::cluster::Workload workload;
  workload.kind = "Deployment";
  workload.meta.namespace_name = "ns";
  workload.meta.name = "web";
  workload.replicas = 2;
  using Args = std::vector<skippy::stdlib::ActionArgument>;
  const std::map<std::string, std::vector<Args>> variants = {
      {"restart",
       {{{"strategy", Value::of_string("rolling")}},
        {{"strategy", Value::of_string("recreate")}},
        {{"strategy", Value::of_string("graceful")}}}},
      {"scale", {{{"to", Value::of_number(5)}, {"max", Value::of_number(10)}}}},
      {"patch",
       {{{"type", Value::of_string("strategic")}, {"patch", Value::of_string("{}")}},
        {{"type", Value::of_string("merge")}, {"patch", Value::of_string("{}")}},
        {{"type", Value::of_string("json")}, {"patch", Value::of_string("[]")}}}},
      {"delete", {{{"force", Value::of_bool(true)}}}},
      {"evict", {{}}},
      {"annotate", {{{"key", Value::of_string("k")}, {"value", Value::of_string("v")}}}},
      {"label", {{{"key", Value::of_string("k")}, {"value", Value::of_string("v")}}}},
      {"notify", {{{"webhook", Value::of_string("http://127.0.0.1:9/hook")}}}},
  };
  for (const auto& action : skippy::stdlib::actions()) {
    std::string name(action.name);
    BOOST_REQUIRE_MESSAGE(variants.count(name), "no arguments for the action " << name);
    for (int k = 0; k < 5; ++k) {
      if (!(action.kinds & (1 << k))) continue;
      skippy::stdlib::RemediationTarget target;
      target.kind = static_cast<TargetKind>(k);
      target.namespace_name = "ns";
      target.name = target.kind == TargetKind::Pods ? "web-1" : "web";
      target.pod = target.kind == TargetKind::Pods ? &pod : nullptr;
      target.workload = &workload;  // a workload target, or the pod's Deployment
      target.pods = pods;
      for (const auto& args : variants.at(name)) {
        auto plan = skippy::stdlib::plan_remediation(name, args, target, {"id", "p", "t", 0});
        auto* remediation = std::get_if<skippy::stdlib::Remediation>(&plan);
        if (!remediation) continue;  // refused for this kind: nothing is sent
        for (const auto& r : remediation->requests)
          out[resource_of(r.path)].insert(kVerbOfMethod.at(r.method));
      }
    }
  }
  return out;
}

YAML::Node schema_of(const YAML::Node& crd) {
  return crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"];
}

// Every schema node says its type (a structural schema), and every default passes its schema.
void check_structural(const YAML::Node& schema, const std::string& path) {
  BOOST_TEST_CONTEXT(path) {
    BOOST_TEST(!text(schema["type"]).empty());
    if (schema["default"]) {
      test::SchemaReport report;
      test::check_schema(schema, schema["default"], path, report);
      BOOST_TEST(report.errors.empty());
    }
    for (const auto& p : schema["properties"])
      check_structural(p.second, path + "." + p.first.Scalar());
    if (schema["items"]) check_structural(schema["items"], path + "[]");
    if (schema["additionalProperties"] && schema["additionalProperties"].IsMap())
      check_structural(schema["additionalProperties"], path + "{}");
  }
}

// The schema node at a dotted path, through arrays' items.
YAML::Node at(YAML::Node schema, const std::string& path) {
  std::stringstream s(path);
  for (std::string part; std::getline(s, part, '.');) {
    // reset(), not =: assigning to a yaml-cpp node would overwrite the node it refers to.
    if (schema["items"]) schema.reset(schema["items"]);
    YAML::Node next = schema["properties"][part];
    BOOST_REQUIRE_MESSAGE(next, "the schema has no " << path);
    schema.reset(next);
  }
  return schema;
}

std::string listed(const YAML::Node& sequence) {
  std::string out;
  for (const auto& n : sequence) out += (out.empty() ? "" : ",") + n.Scalar();
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(each_layout_holds_the_expected_objects) {
  const Strings shared = {
      "Namespace//skippy-system",
      "CustomResourceDefinition//healingpolicies.kubeskippy.io",
      "CustomResourceDefinition//healingactions.kubeskippy.io",
      "ServiceAccount/skippy-system/skippy",
      "ClusterRole//skippy",
      "ClusterRoleBinding//skippy",
      "Role/skippy-system/skippy-leader-election",
      "RoleBinding/skippy-system/skippy-leader-election",
      "ConfigMap/skippy-system/skippy-config",
      "ConfigMap/skippy-system/skippy-policies",
      "Service/skippy-system/skippy-metrics",
      "NetworkPolicy/skippy-system/skippy-web",
      "Deployment/skippy-system/skippy",
  };
  std::map<std::string, Strings> own = {
      {"standalone", {}},
      {"dryrun", {}},
      {"sidecar",
       {"ClusterRole//skippy-prometheus", "ClusterRoleBinding//skippy-prometheus",
        "ConfigMap/skippy-system/skippy-prometheus"}},
  };
  for (const auto& overlay : kOverlays) {
    BOOST_TEST_CONTEXT(overlay) {
      Strings found;
      for (const auto& o : rendered(overlay))
        found.insert(text(o["kind"]) + "/" + text(o["metadata"]["namespace"]) + "/" + base_name(o));
      Strings expected = shared;
      expected.insert(own[overlay].begin(), own[overlay].end());
      BOOST_TEST(found == expected, boost::test_tools::per_element());
    }
  }
}

BOOST_AUTO_TEST_CASE(the_command_line_uses_only_flags_of_skippy_run) {
  auto known = run_options();
  for (const auto& overlay : kOverlays) {
    BOOST_TEST_CONTEXT(overlay) {
      auto skippy = container(find(rendered(overlay), "Deployment", "skippy"), "skippy");
      BOOST_TEST(listed(skippy["command"]) == "skippy");
      BOOST_TEST(text(skippy["args"][0]) == "run");
      Strings env;
      for (const auto& e : skippy["env"]) env.insert(text(e["name"]));
      for (const auto& [flag, value] : flags(skippy)) {
        BOOST_TEST_CONTEXT(flag) {
          auto it = known.find(flag);
          bool takes_value = false;
          if (it != known.end()) {
            takes_value = it->second;
          } else {
            BOOST_TEST_REQUIRE(kComingFlags.count(flag) == 1);
            BOOST_TEST_MESSAGE(flag << ": not yet in `skippy run --help`");
            takes_value = kComingFlags.at(flag);
          }
          BOOST_TEST(takes_value == !value.empty());
          // $(NAME) is expanded only when the container defines NAME.
          static const std::regex ref(R"(\$\(([A-Za-z_][A-Za-z0-9_]*)\))");
          for (std::sregex_iterator m(value.begin(), value.end(), ref), end; m != end; ++m)
            BOOST_TEST(env.count((*m)[1]) == 1);
        }
      }
      auto f = flags(skippy);
      BOOST_TEST(f.count("--dry-run") == (overlay == "dryrun" ? 1u : 0u));
      for (const char* needed : {"--config.file", "--policies", "--prometheus.url", "--in-cluster",
                                 "--safety.journal", "--web.listen-address", "--leader-elect"})
        BOOST_TEST(f.count(needed) == 1, needed);
    }
  }
}

BOOST_AUTO_TEST_CASE(flags_point_at_what_the_pod_mounts_and_serves) {
  for (const auto& overlay : kOverlays) {
    BOOST_TEST_CONTEXT(overlay) {
      const auto& objects = rendered(overlay);
      auto deployment = find(objects, "Deployment", "skippy");
      auto skippy = container(deployment, "skippy");
      auto f = flags(skippy);
      // The configuration file: a key of the generated ConfigMap, read-only.
      YAML::Node mount;
      auto config = volume_at(deployment, skippy, f["--config.file"], &mount);
      auto config_map = find(objects, "ConfigMap", "skippy-config");
      BOOST_TEST(text(config["configMap"]["name"]) == text(config_map["metadata"]["name"]));
      BOOST_TEST(config_map["data"][text(mount["subPath"])].IsDefined());
      // The policies: every .skippy file of deploy/base/policies is in their ConfigMap.
      auto policies = volume_at(deployment, skippy, f["--policies"]);
      auto policy_map = find(objects, "ConfigMap", "skippy-policies");
      BOOST_TEST(text(policies["configMap"]["name"]) == text(policy_map["metadata"]["name"]));
      for (const auto& file : fs::directory_iterator(kSource / "deploy/base/policies"))
        BOOST_TEST(policy_map["data"][file.path().filename().string()].IsDefined());
      // The journal: its folder on a writable emptyDir, one per pod (replicas share what they
      // did through HealingAction records, not through a volume).
      YAML::Node journal_mount;
      auto journal =
          volume_at(deployment, skippy, fs::path(f["--safety.journal"]).parent_path().string(),
                    &journal_mount);
      BOOST_TEST(!(journal_mount["readOnly"] && journal_mount["readOnly"].as<bool>()));
      BOOST_TEST(journal["emptyDir"].IsDefined());
      BOOST_TEST(!journal["persistentVolumeClaim"]);
      // Prometheus: the cluster's in standalone, the pod's own on loopback in the sidecar.
      std::string url = expand(skippy, f["--prometheus.url"]);
      if (overlay == "sidecar") {
        BOOST_TEST(url == "http://127.0.0.1:9090");
        auto prometheus = container(deployment, "prometheus");
        BOOST_TEST(listed(prometheus["args"]).find("--web.listen-address=0.0.0.0:9090") !=
                   std::string::npos);
        auto scrape = volume_at(deployment, prometheus, "/etc/prometheus");
        auto scrape_map = find(objects, "ConfigMap", "skippy-prometheus");
        BOOST_TEST(text(scrape["configMap"]["name"]) == text(scrape_map["metadata"]["name"]));
        BOOST_TEST(scrape_map["data"]["prometheus.yml"].IsDefined());
      } else {
        BOOST_TEST(url.starts_with("http://prometheus.monitoring.svc"));
      }
      // The web port: the container's, the probes', the Service's.
      std::string listen = f["--web.listen-address"];
      std::string port = listen.substr(listen.rfind(':') + 1);
      BOOST_TEST(text(skippy["ports"][0]["name"]) == "web");
      BOOST_TEST(text(skippy["ports"][0]["containerPort"]) == port);
      BOOST_TEST(text(skippy["livenessProbe"]["httpGet"]["path"]) == "/healthz");
      BOOST_TEST(text(skippy["readinessProbe"]["httpGet"]["path"]) == "/ready");
      BOOST_TEST(text(skippy["livenessProbe"]["httpGet"]["port"]) == "web");
      BOOST_TEST(text(skippy["readinessProbe"]["httpGet"]["port"]) == "web");
      auto service = find(objects, "Service", "skippy-metrics");
      BOOST_TEST(text(service["spec"]["ports"][0]["targetPort"]) == "web");
      auto pod_labels = deployment["spec"]["template"]["metadata"]["labels"];
      for (const auto& l : service["spec"]["selector"])
        BOOST_TEST(text(pod_labels[l.first.Scalar()]) == l.second.Scalar());
      // Leader election: the Lease the Role lets it renew is the one it names.
      BOOST_TEST(f["--leader-elect-resource-namespace"] == "$(POD_NAMESPACE)");
      BOOST_TEST(f["--leader-elect-identity"] == "$(POD_NAME)");
      auto role = grants(find(objects, "Role", "skippy-leader-election"));
      BOOST_TEST(role["coordination.k8s.io/leases/" + f["--leader-elect-resource-name"]] ==
                 (Strings{"get", "update"}));
      BOOST_TEST(text(deployment["spec"]["replicas"]) == (overlay == "sidecar" ? "1" : "2"));
      BOOST_TEST(text(deployment["spec"]["template"]["spec"]["serviceAccountName"]) == "skippy");
    }
  }
}

// The web port serves metrics and health only (approvals go through HealingAction objects,
// which RBAC guards), and only Prometheus may reach it: a NetworkPolicy selects the runtime's
// pods and lets in, on the web port alone, the Prometheus pods of the monitoring namespace.
BOOST_AUTO_TEST_CASE(the_web_port_serves_no_approvals_and_only_prometheus_reaches_it) {
  std::vector<std::pair<std::string, std::string>> layouts;  // (layout, name suffix)
  for (const auto& overlay : kOverlays) layouts.emplace_back("overlays/" + overlay, "");
  layouts.emplace_back("examples/shard-team-a", "-team-a");
  for (const auto& [layout, suffix] : layouts) {
    BOOST_TEST_CONTEXT(layout) {
      const auto& objects = render(layout);
      auto deployment = find(objects, "Deployment", "skippy" + suffix);
      auto skippy = container(deployment, "skippy");
      BOOST_TEST(flags(skippy).count("--web.enable-approvals") == 0u);
      auto settings = YAML::Load(
          text(find(objects, "ConfigMap", "skippy-config" + suffix)["data"]["skippy.yml"]));
      BOOST_TEST(!settings["web"]["enable_approvals"].IsDefined());
      auto policy = find(objects, "NetworkPolicy", "skippy-web" + suffix);
      BOOST_TEST(text(policy["apiVersion"]) == "networking.k8s.io/v1");
      BOOST_TEST(text(policy["metadata"]["namespace"]) ==
                 text(deployment["metadata"]["namespace"]));
      auto pod_labels = deployment["spec"]["template"]["metadata"]["labels"];
      BOOST_TEST(policy["spec"]["podSelector"]["matchLabels"].size() > 0u);
      for (const auto& l : policy["spec"]["podSelector"]["matchLabels"])
        BOOST_TEST(text(pod_labels[l.first.Scalar()]) == l.second.Scalar(), l.first.Scalar());
      BOOST_TEST(listed(policy["spec"]["policyTypes"]) == "Ingress");
      BOOST_REQUIRE_EQUAL(policy["spec"]["ingress"].size(), 1u);
      auto rule = policy["spec"]["ingress"][0];
      BOOST_REQUIRE_EQUAL(rule["from"].size(), 1u);  // never empty: that would let anyone in
      auto from = rule["from"][0];
      BOOST_TEST(text(from["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"]) ==
                 "monitoring");
      BOOST_TEST(text(from["podSelector"]["matchLabels"]["app.kubernetes.io/name"]) ==
                 "prometheus");
      BOOST_REQUIRE_EQUAL(rule["ports"].size(), 1u);
      BOOST_TEST(text(rule["ports"][0]["port"]) == text(skippy["ports"][0]["name"]));
      BOOST_TEST(text(rule["ports"][0]["protocol"]) == "TCP");
    }
  }
}

BOOST_AUTO_TEST_CASE(every_container_runs_locked_down_with_resources) {
  for (const auto& overlay : kOverlays) {
    BOOST_TEST_CONTEXT(overlay) {
      auto pod = find(rendered(overlay), "Deployment", "skippy")["spec"]["template"]["spec"];
      BOOST_TEST(text(pod["securityContext"]["runAsNonRoot"]) == "true");
      BOOST_TEST(text(pod["securityContext"]["runAsUser"]) != "0");
      for (const auto& c : pod["containers"]) {
        BOOST_TEST_CONTEXT(text(c["name"])) {
          auto security = c["securityContext"];
          BOOST_TEST(text(security["readOnlyRootFilesystem"]) == "true");
          BOOST_TEST(text(security["allowPrivilegeEscalation"]) == "false");
          BOOST_TEST(listed(security["capabilities"]["drop"]) == "ALL");
          BOOST_TEST(!security["capabilities"]["add"]);
          for (const char* kind : {"requests", "limits"}) {
            BOOST_TEST(c["resources"][kind]["cpu"].IsDefined(), kind);
            BOOST_TEST(c["resources"][kind]["memory"].IsDefined(), kind);
          }
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(the_cluster_role_grants_exactly_what_the_code_uses) {
  // Derived from the code: the informers and every action's requests.
  auto expected = requests_the_code_makes();
  BOOST_TEST(expected["/pods"] == (Strings{"list", "watch", "delete", "patch"}));
  BOOST_TEST(expected["/pods/eviction"] == Strings{"create"});
  BOOST_TEST(expected["apps/deployments/scale"] == Strings{"patch"});
  // The HealingPolicy and HealingAction objects, and their status (docs/deploy.md).
  expected["kubeskippy.io/healingpolicies"] = {"get", "list", "watch"};
  expected["kubeskippy.io/healingpolicies/status"] = {"update", "patch"};
  expected["kubeskippy.io/healingactions"] = {"create", "get", "list", "watch", "update", "patch"};
  expected["kubeskippy.io/healingactions/status"] = {"get", "update", "patch"};
  for (const auto& overlay : kOverlays) {
    BOOST_TEST_CONTEXT(overlay) {
      const auto& objects = rendered(overlay);
      auto granted = grants(find(objects, "ClusterRole", "skippy"));
      BOOST_TEST(lines(granted) == lines(expected), boost::test_tools::per_element());
      auto role = grants(find(objects, "Role", "skippy-leader-election"));
      BOOST_TEST(lines(role) ==
                     (std::vector<std::string>{"coordination.k8s.io/leases: create",
                                               "coordination.k8s.io/leases/skippy: get update"}),
                 boost::test_tools::per_element());
      // Nothing anywhere grants everything or reads secrets.
      for (const auto& o : objects) {
        std::string kind = text(o["kind"]);
        if (kind != "ClusterRole" && kind != "Role") continue;
        for (const auto& [key, verbs] : grants(o)) {
          BOOST_TEST(key.find('*') == std::string::npos, key);
          BOOST_TEST(key.find("/secrets") == std::string::npos, key);
          BOOST_TEST(verbs.count("*") == 0, key);
        }
      }
      // The bindings name the service account the pod runs as, in its namespace.
      for (const char* binding : {"ClusterRoleBinding", "RoleBinding"}) {
        for (const auto& o : objects) {
          if (text(o["kind"]) != binding) continue;
          BOOST_TEST(text(o["subjects"][0]["name"]) == "skippy");
          BOOST_TEST(text(o["subjects"][0]["namespace"]) == "skippy-system");
        }
      }
    }
  }
  // The sidecar's Prometheus only discovers nodes and reads their kubelets' metrics.
  auto prometheus = grants(find(rendered("sidecar"), "ClusterRole", "skippy-prometheus"));
  BOOST_TEST(
      lines(prometheus) == (std::vector<std::string>{"/nodes: list watch", "/nodes/metrics: get"}),
      boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(the_crds_are_structural_and_carry_the_upstream_schema) {
  const auto& objects = rendered("standalone");
  auto policy = find(objects, "CustomResourceDefinition", "healingpolicies.kubeskippy.io");
  auto action = find(objects, "CustomResourceDefinition", "healingactions.kubeskippy.io");
  for (const auto& [crd, short_name] : {std::pair{policy, "hp"}, std::pair{action, "ha"}}) {
    BOOST_TEST_CONTEXT(short_name) {
      BOOST_TEST(text(crd["apiVersion"]) == "apiextensions.k8s.io/v1");
      BOOST_TEST(text(crd["spec"]["group"]) == "kubeskippy.io");
      BOOST_TEST(text(crd["spec"]["scope"]) == "Namespaced");
      BOOST_TEST(listed(crd["spec"]["names"]["shortNames"]) == short_name);
      auto version = crd["spec"]["versions"][0];
      BOOST_TEST(text(version["name"]) == "v1alpha1");
      BOOST_TEST(text(version["served"]) == "true");
      BOOST_TEST(text(version["storage"]) == "true");
      BOOST_TEST(version["subresources"]["status"].IsMap());
      check_structural(schema_of(crd), "");
    }
  }
  auto columns = [](const YAML::Node& crd) {
    std::string out;
    for (const auto& c : crd["spec"]["versions"][0]["additionalPrinterColumns"])
      out += text(c["name"]) + "=" + text(c["jsonPath"]) + " ";
    return out;
  };
  BOOST_TEST(columns(policy) ==
             "Mode=.spec.mode Actions Taken=.status.actionsTaken "
             "Last Action=.status.lastActionTime Age=.metadata.creationTimestamp ");
  BOOST_TEST(columns(action) ==
             "Phase=.status.phase Action=.spec.action.type Kind=.spec.targetResource.kind "
             "Target=.spec.targetResource.name Success=.status.result.success "
             "Age=.metadata.creationTimestamp ");
  // Enums, defaults, types and required fields as upstream declares them: schema, path, key,
  // value (a list's items joined by commas).
  auto p = schema_of(policy), a = schema_of(action);
  const std::vector<std::tuple<YAML::Node, std::string, std::string, std::string>> rules = {
      {p, "spec", "required", "selector,triggers,actions"},
      {p, "spec.selector", "required", "resources"},
      {p, "spec.mode", "enum", "monitor,dryrun,automatic,manual"},
      {p, "spec.mode", "default", "monitor"},
      {p, "spec.triggers.type", "enum", "metric,event,condition"},
      {p, "spec.triggers.cooldownPeriod", "default", "5m"},
      {p, "spec.triggers.metricTrigger.duration", "default", "2m"},
      {p, "spec.triggers.metricTrigger.threshold", "type", "number"},
      {p, "spec.triggers.eventTrigger.window", "default", "5m"},
      {p, "spec.triggers.conditionTrigger.duration", "default", "2m"},
      {p, "spec.selector.labelSelector.matchExpressions.operator", "enum",
       "In,NotIn,Exists,DoesNotExist"},
      {p, "spec.actions.priority", "default", "50"},
      {p, "spec.actions.restartAction.strategy", "default", "rolling"},
      {p, "spec.actions.scaleAction.maxReplicas", "default", "100"},
      {p, "spec.actions.deleteAction.propagationPolicy", "enum", "Orphan,Background,Foreground"},
      {p, "spec.safetyRules.maxActionsPerHour", "default", "10"},
      {p, "spec.safetyRules.healthCheckTimeout", "default", "5m"},
      {p, "status.lastEvaluated", "format", "date-time"},
      {p, "status.activeTriggers", "type", "array"},
      {p, "status.actionsTaken", "type", "integer"},
      {p, "status.lastActionTime", "format", "date-time"},
      {p, "status.conditions", "type", "array"},
      {p, "status.observedGeneration", "type", "integer"},
      {a, "spec", "required", "policyRef,targetResource,action"},
      {a, "spec.approvalRequired", "type", "boolean"},
      {a, "spec.timeout", "default", "10m"},
      {a, "spec.retryPolicy.backoffDelay", "default", "30s"},
      {a, "status.phase", "enum", "Pending,Approved,InProgress,Succeeded,Failed,Cancelled"},
      {a, "status.approval", "required", "required,approved"},
      {a, "status.approval.approvedBy", "type", "string"},
      {a, "status.approval.approvedAt", "format", "date-time"},
      {a, "status.approval.reason", "type", "string"},
  };
  for (const auto& [schema, path, key, value] : rules) {
    auto node = at(schema, path)[key];
    BOOST_TEST((node.IsSequence() ? listed(node) : text(node)) == value, path << " " << key);
  }
  // HealingAction's action is a HealingPolicy's action template, field for field.
  BOOST_TEST(YAML::Dump(at(a, "spec.action")["properties"]) ==
             YAML::Dump(at(p, "spec.actions")["items"]["properties"]));
}

BOOST_AUTO_TEST_CASE(the_schema_checker_refuses_what_the_api_server_refuses) {
  auto schema = schema_of(
      find(rendered("standalone"), "CustomResourceDefinition", "healingpolicies.kubeskippy.io"));
  auto check = [&](const std::string& manifest) {
    test::SchemaReport report;
    test::check_schema(schema, YAML::Load(manifest), "", report);
    return report;
  };
  const std::string good = R"(apiVersion: kubeskippy.io/v1alpha1
kind: HealingPolicy
metadata: {name: p, labels: {a: b}}
spec:
  selector: {resources: [{apiVersion: v1, kind: Pod}]}
  triggers: [{name: t, type: metric, metricTrigger: {query: up, threshold: 1, operator: "<"}}]
  actions: [{name: a, type: restart, priority: 5}]
)";
  auto report = check(good);
  BOOST_TEST(report.errors.empty());
  BOOST_TEST(report.pruned.empty());
  auto with = [&](const std::string& from, const std::string& to) {
    std::string s = good;
    auto at = s.find(from);
    BOOST_REQUIRE(at != std::string::npos);
    return check(s.replace(at, from.size(), to));
  };
  BOOST_TEST(with("type: restart", "type: reboot").errors ==
             std::vector<std::string>{
                 "spec.actions[0].type: `reboot` is not one of restart, scale, patch, delete, "
                 "custom"});
  BOOST_TEST(with("{resources: [{apiVersion: v1, kind: Pod}]}", "{}").errors ==
             std::vector<std::string>{"spec.selector.resources: required"});
  BOOST_TEST(with("threshold: 1", "threshold: high").errors ==
             std::vector<std::string>{
                 "spec.triggers[0].metricTrigger.threshold: a string, the schema wants a number"});
  BOOST_TEST(
      with("priority: 5", "priority: 5.5").errors ==
      std::vector<std::string>{"spec.actions[0].priority: a number, the schema wants a integer"});
  BOOST_TEST(with("threshold: 1", "threshold: \"1\"").errors.size() == 1u);
  auto extra = with("priority: 5", "priority: 5, aiHint: x");
  BOOST_TEST(extra.errors.empty());
  BOOST_TEST(extra.pruned == std::vector<std::string>{"spec.actions[0].aiHint"});
}

// What the HealingPolicy schema says of every document of `dir`'s manifests: the errors per
// `FILE/NAME`, the pruned fields (list indices left out), and how many policies were read.
struct SchemaVerdicts {
  std::map<std::string, std::vector<std::string>> refused;
  Strings pruned;
  int policies = 0;
};

SchemaVerdicts healing_policies_against_the_schema(const fs::path& dir) {
  auto schema = schema_of(
      find(rendered("standalone"), "CustomResourceDefinition", "healingpolicies.kubeskippy.io"));
  SchemaVerdicts out;
  for (const auto& file : fs::directory_iterator(dir)) {
    if (file.path().extension() != ".yaml") continue;
    for (const auto& doc : YAML::LoadAllFromFile(file.path().string())) {
      if (text(doc["kind"]) != "HealingPolicy") continue;
      ++out.policies;
      test::SchemaReport report;
      test::check_schema(schema, doc, "", report);
      std::string id = file.path().filename().string() + "/" + text(doc["metadata"]["name"]);
      if (!report.errors.empty()) out.refused[id] = report.errors;
      for (const auto& p : report.pruned)
        out.pruned.insert(std::regex_replace(p, std::regex(R"(\[[0-9]+\])"), "[]"));
    }
  }
  for (const auto& p : out.pruned) BOOST_TEST_MESSAGE("pruned: " << p);
  return out;
}

BOOST_AUTO_TEST_CASE(healing_policy_fixtures_against_the_crd_schema) {
  // The fixtures written for the tests (tests/fixtures/healing-policies/) hold the mistakes
  // upstream's users made: a trigger type upstream never defined, a patch without its required
  // type, an event type that is a regex, fields upstream's schema does not define.
  auto v = healing_policies_against_the_schema(fs::path(SKIPPY_SOURCE_DIR) / "tests" / "fixtures" /
                                               "healing-policies");
  const std::map<std::string, std::vector<std::string>> refused = {
      {"events-and-conditions.yaml/pod-trouble",
       {"spec.triggers[0].eventTrigger.type: `.*` is not one of Normal, Warning",
        "spec.triggers[2].type: `ai-pattern` is not one of metric, event, condition"}},
      {"patches-and-protection.yaml/tune-workers",
       {"spec.actions[0].patchAction.type: required",
        "spec.actions[1].patchAction.type: required"}},
  };
  BOOST_TEST(v.policies == 6);
  BOOST_TEST(lines(v.refused) == lines(refused), boost::test_tools::per_element());
  // The API server drops what the schema does not define; only that.
  const Strings pruned = {"spec.actions[].aiAnnotations",
                          "spec.actions[].annotations",
                          "spec.actions[].patchAction.target",
                          "spec.actions[].restartAction.gracePeriod",
                          "spec.actions[].restartAction.waitTime",
                          "spec.actions[].scaleAction.strategy",
                          "spec.aiConfig",
                          "spec.safetyRules.aiSafetyChecks",
                          "spec.safetyRules.confidenceThreshold",
                          "spec.safetyRules.predictiveMode",
                          "spec.safetyRules.protectedResources[].labelSelector",
                          "spec.safetyRules.systemWideCoordination",
                          "spec.safetyRules.trendAnalysisWindow",
                          "spec.triggers[].aiAnalysis",
                          "spec.triggers[].aiTrigger",
                          "spec.triggers[].annotations"};
  BOOST_TEST(v.pruned == pruned, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(upstream_policies_against_the_crd_schema, *boost::unit_test::label("corpus")) {
  // What the schema refuses in the corpus, as upstream's own types refuse it: a trigger type
  // upstream never defined, a patch without its required type, an event type that is a regex.
  const std::map<std::string, std::vector<std::string>> refused = {
      {"ai-intelligent-healing.yaml/ai-intelligent-healing",
       {"spec.triggers[0].type: `ai-pattern` is not one of metric, event, condition",
        "spec.actions[3].patchAction.type: required"}},
      {"continuous-activity-policy.yaml/guaranteed-demo-activity",
       {"spec.triggers[0].eventTrigger.type: `.*` is not one of Normal, Warning"}},
      {"manifests-predictive-ai-healing.yaml/predictive-ai-healing",
       {"spec.actions[2].patchAction.type: required"}},
      {"predictive-ai-healing.yaml/predictive-ai-healing",
       {"spec.actions[2].patchAction.type: required"}},
  };
  auto v = healing_policies_against_the_schema(SKIPPY_CRD_CORPUS);
  BOOST_TEST(v.policies == 25);
  BOOST_TEST(lines(v.refused) == lines(refused), boost::test_tools::per_element());
  // Fields upstream's schema does not define (README: aiConfig, confidenceThreshold, ...): the
  // API server drops them; only those.
  BOOST_TEST(v.pruned.count("spec.aiConfig") == 1);
  BOOST_TEST(v.pruned.count("spec.safetyRules.confidenceThreshold") == 1);
  BOOST_TEST(v.pruned.count("spec.safetyRules.predictiveMode") == 1);
  for (const auto& p : v.pruned) BOOST_TEST(!p.starts_with("spec.selector"), p);
}

// The sharding example shares nothing with the default layout but the CRDs: its own
// namespace, Lease, journal, identity and cluster-wide binding, and policies that select only
// its namespaces.
BOOST_AUTO_TEST_CASE(a_shard_shares_only_the_crds_with_the_default_layout) {
  const auto& shard = render("examples/shard-team-a");
  auto id = [](const YAML::Node& o) {
    return text(o["kind"]) + "/" + text(o["metadata"]["namespace"]) + "/" + base_name(o);
  };
  Strings defaults, shared;
  for (const auto& o : rendered("standalone")) defaults.insert(id(o));
  for (const auto& o : shard) {
    if (defaults.count(id(o))) shared.insert(id(o));
  }
  BOOST_TEST(shared == (Strings{"CustomResourceDefinition//healingactions.kubeskippy.io",
                                "CustomResourceDefinition//healingpolicies.kubeskippy.io"}),
             boost::test_tools::per_element());
  auto deployment = find(shard, "Deployment", "skippy-team-a");
  auto skippy = container(deployment, "skippy");
  auto f = flags(skippy);
  BOOST_TEST(text(deployment["metadata"]["namespace"]) == "skippy-team-a");
  BOOST_TEST(text(deployment["spec"]["template"]["spec"]["serviceAccountName"]) == "skippy-team-a");
  // The Lease: in the pod's namespace, which the shard's Role lets it renew.
  BOOST_TEST(f["--leader-elect-resource-namespace"] == "$(POD_NAMESPACE)");
  auto role = find(shard, "Role", "skippy-leader-election-team-a");
  BOOST_TEST(text(role["metadata"]["namespace"]) == "skippy-team-a");
  BOOST_TEST(grants(role)["coordination.k8s.io/leases/" + f["--leader-elect-resource-name"]] ==
             (Strings{"get", "update"}));
  // The journal: the pod's own.
  auto journal =
      volume_at(deployment, skippy, fs::path(f["--safety.journal"]).parent_path().string());
  BOOST_TEST(journal["emptyDir"].IsDefined());
  // The binding: the shard's service account, to the shard's copy of the role.
  auto binding = find(shard, "ClusterRoleBinding", "skippy-team-a");
  BOOST_TEST(text(binding["roleRef"]["name"]) == "skippy-team-a");
  BOOST_TEST(text(binding["subjects"][0]["name"]) == "skippy-team-a");
  BOOST_TEST(text(binding["subjects"][0]["namespace"]) == "skippy-team-a");
  // The policies: only the shard's, each naming its namespaces.
  auto policies = find(shard, "ConfigMap", "skippy-policies-team-a")["data"];
  BOOST_TEST(policies.size() == 1u);
  for (const auto& p : policies) {
    BOOST_TEST(p.second.Scalar().find("in namespaces [") != std::string::npos);
    BOOST_TEST(p.second.Scalar().find("all namespaces") == std::string::npos);
  }
}

// The generated configuration file and policies, in a ConfigMap volume's layout, as the
// runtime reads them: one tick against a cluster snapshot, nothing listening for Prometheus.
BOOST_AUTO_TEST_CASE(skippy_run_reads_the_generated_config_and_policies) {
  const auto& objects = rendered("standalone");
  test::TempDir dir("skippy-deploy");
  auto volume = [&](const std::string& name, const std::string& config_map) {
    // NAME -> ..data/NAME, ..data -> ..TIMESTAMP: what the kubelet writes.
    fs::path root = dir.path() / name, data = root / "..2026_01_01_00_00_00.000000001";
    fs::create_directories(data);
    fs::create_directory_symlink(data.filename(), root / "..data");
    for (const auto& entry : find(objects, "ConfigMap", config_map)["data"]) {
      test::write_file(data / entry.first.Scalar(), entry.second.Scalar());
      fs::create_symlink(fs::path("..data") / entry.first.Scalar(), root / entry.first.Scalar());
    }
    return root;
  };
  auto config = volume("config", "skippy-config");
  auto policies = volume("policies", "skippy-policies");
  test::write_file(dir.path() / "cluster.yaml",
                   "pods:\n  - {namespace: web, name: web-1, labels: {skippy.io/heal: \"true\"}, "
                   "phase: Running, ready: false, restarts: 9, waiting_reason: CrashLoopBackOff, "
                   "created_at: 0s}\n");
  auto r = run(std::string(SKIPPY_BINARY) + " run --config.file " +
               (config / "skippy.yml").string() + " --policies " + policies.string() +
               " --cluster " + (dir.path() / "cluster.yaml").string() + " --once --time 600000" +
               " --prometheus.url http://127.0.0.1:9 --safety.journal " +
               (dir.path() / "journal").string());
  BOOST_TEST(r.code == 0, r.err);
  BOOST_TEST(r.err.find("\"level\":\"info\"") != std::string::npos);  // log.format: json
  // The one policy read once, through the link the kubelet makes (a second copy from the
  // hidden folder would be a duplicate policy, exit 1), evaluated for the one pod. Its
  // condition reads Kubernetes state only, so the restore does not pretend it held for 2m: it
  // is pending at this first tick and proposes nothing yet.
  BOOST_TEST(r.err.find("1 policies, 1 targets") != std::string::npos, r.err);
  BOOST_TEST(r.err.find("1 trigger changes, 0 proposals") != std::string::npos, r.err);
  BOOST_TEST(r.err.find("/..") == std::string::npos, r.err);
  BOOST_TEST(r.out.find("/..") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_dockerfile_copies_what_the_build_needs_and_installs_what_it_links) {
  std::istringstream lines(test::read_file(kSource / "deploy/Dockerfile"));
  std::vector<std::string> stages;
  Strings copied;
  std::string from_build, user, runtime_stage;
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    if (std::regex_match(line, m, std::regex(R"(FROM (\S+)( AS \w+)?)"))) stages.push_back(m[1]);
    if (std::regex_match(line, m, std::regex(R"(COPY --from=build (\S+) (\S+))"))) {
      from_build = m[1];
    } else if (std::regex_match(line, m, std::regex(R"(COPY (.+) (\S+))"))) {
      std::istringstream sources(m[1].str());
      for (std::string s; sources >> s;) {
        BOOST_TEST(fs::exists(kSource / s), s << " is copied but is not in the tree");
        copied.insert(s);
      }
    }
    if (std::regex_match(line, m, std::regex(R"(USER (\S+))"))) user = m[1];
    if (stages.size() == 2) runtime_stage += line + "\n";
  }
  BOOST_TEST(stages == (std::vector<std::string>{"debian:12", "debian:12-slim"}),
             boost::test_tools::per_element());
  // Every folder the build adds, and the scripts that install and build.
  std::istringstream cmake(test::read_file(kSource / "CMakeLists.txt"));
  for (std::string line; std::getline(cmake, line);) {
    std::smatch m;
    if (std::regex_search(line, m, std::regex(R"(add_subdirectory\((\w[\w-]*)\))")))
      BOOST_TEST(copied.count(m[1]) == 1, m[1] << " is built but not copied");
  }
  for (const char* needed : {"CMakeLists.txt", "scripts", "tests", "bench"})
    BOOST_TEST(copied.count(needed) == 1, needed);
  std::string dockerfile = test::read_file(kSource / "deploy/Dockerfile");
  BOOST_TEST(dockerfile.find("RUN scripts/install-deps") != std::string::npos);
  BOOST_TEST(dockerfile.find("RUN scripts/build release") != std::string::npos);
  // The binary is where scripts/build release puts it: build/ under the WORKDIR. The image's
  // is a release build, so that build is the one whose libraries are compared below (the
  // sanitizer build of this test links more).
  std::string binary = (kSource / "build/cli/skippy").string();
  BOOST_REQUIRE_MESSAGE(fs::exists(binary), binary << " is missing: run scripts/build release");
  BOOST_TEST(from_build == "/src/build/cli/skippy");
  BOOST_TEST(dockerfile.find("WORKDIR /src\n") != std::string::npos);
  // Not root, and the user the pods run as.
  auto pod = find(rendered("standalone"), "Deployment", "skippy")["spec"]["template"]["spec"];
  BOOST_TEST(user == text(pod["securityContext"]["runAsUser"]) + ":" +
                         text(pod["securityContext"]["runAsGroup"]));
  // The runtime stage installs the packages of the libraries the binary links (NEEDED), and
  // the CA bundle; their own dependencies come with them, and debian:12-slim has the rest.
  std::smatch install;
  BOOST_REQUIRE(
      std::regex_search(runtime_stage, install, std::regex(R"(--no-install-recommends([^&]*)&&)")));
  Strings installed;
  std::istringstream words(install[1].str());
  for (std::string w; words >> w;) {
    if (w != "\\") installed.insert(w);
  }
  std::map<std::string, std::string> resolved;  // soname -> path, as the loader finds it
  std::istringstream ldd(run("ldd " + binary).out);
  for (std::string line; std::getline(ldd, line);) {
    std::smatch m;
    if (std::regex_search(line, m, std::regex(R"(^\s*(\S+) => (/\S+))"))) resolved[m[1]] = m[2];
  }
  const Strings in_slim = {"libc6", "libgcc-s1", "libstdc++6", "zlib1g"};
  Strings needed = {"ca-certificates"};
  std::istringstream dynamic(run("objdump -p " + binary).out);
  for (std::string line; std::getline(dynamic, line);) {
    std::smatch m;
    if (!std::regex_search(line, m, std::regex(R"(NEEDED\s+(\S+))"))) continue;
    BOOST_REQUIRE_MESSAGE(resolved.count(m[1]), m[1] << " is not found by the loader");
    std::string path = fs::canonical(resolved[m[1]]).string();
    std::string other = path.starts_with("/usr/") ? path.substr(4) : "/usr" + path;
    auto owner = run("dpkg -S " + path + " || dpkg -S " + other);
    BOOST_REQUIRE_MESSAGE(owner.code == 0, "no package has " << path);
    std::string package = owner.out.substr(0, owner.out.find_first_of(":,"));
    if (!in_slim.count(package)) needed.insert(package);
  }
  BOOST_TEST(needed.size() > 5u);
  BOOST_TEST(installed == needed, boost::test_tools::per_element());
}
