#include "policytest/test_file.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>
#include <set>

#include "base/literals.hpp"

namespace skippy::policytest {
namespace {

Location where(const YAML::Node& n) {
  if (!n.IsDefined() || n.Mark().is_null()) return {};
  return {n.Mark().line + 1, n.Mark().column + 1};
}

// "what.key", or "key" at the top of the file.
std::string join(const std::string& what, const std::string& key) {
  return what.empty() ? key : what + "." + key;
}
std::string prefix(const std::string& what) {
  return what.empty() ? "" : what + ": ";
}

class Reader {
 public:
  explicit Reader(std::vector<FileError>& errors) : errors_(errors) {}

  void error(const YAML::Node& n, std::string message) {
    errors_.push_back({where(n), std::move(message)});
  }
  void error(Location at, std::string message) { errors_.push_back({at, std::move(message)}); }

  // Calls `on` for each key of the map `n` that is in `known`; reports the others, a key
  // given twice, and a node that is not a map.
  void fields(const YAML::Node& n, const std::string& what, const std::set<std::string>& known,
              const std::function<void(const std::string&, const YAML::Node&)>& on) {
    if (!n.IsMap()) {
      error(n, prefix(what) + "expected a map");
      return;
    }
    std::map<std::string, int> seen;
    for (const auto& kv : n) {
      std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "";
      if (!known.count(key)) {
        std::string list;
        for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
        error(kv.first, prefix(what) + "unknown key `" + key + "`; expected " + list);
        continue;
      }
      if (auto [it, fresh] = seen.emplace(key, kv.first.Mark().line + 1); !fresh) {
        error(kv.first,
              join(what, key) + ": given twice (first on line " + std::to_string(it->second) + ")");
        continue;
      }
      on(key, kv.second);
    }
  }

  std::optional<std::string> text(const YAML::Node& n, const std::string& what) {
    if (!n.IsScalar()) {
      error(n, what + ": expected a string");
      return std::nullopt;
    }
    return n.Scalar();
  }

  std::optional<std::int64_t> duration(const YAML::Node& n, const std::string& what,
                                       bool positive) {
    auto s = text(n, what);
    if (!s) return std::nullopt;
    auto ms = base::parse_duration(*s);
    if (!ms && *s == "0") ms = 0;
    if (!ms || (positive && *ms <= 0)) {
      error(n, what + ": `" + *s + "` is not a " + (positive ? "positive " : "") +
                   "duration (such as 15s or 1m30s)");
      return std::nullopt;
    }
    return ms;
  }

  template <class F>
  void list(const YAML::Node& n, const std::string& what, F each) {
    if (n.IsNull()) return;
    if (!n.IsSequence()) {
      error(n, what + ": expected a list");
      return;
    }
    std::size_t i = 0;
    for (const auto& item : n) each(item, what + "[" + std::to_string(i++) + "]");
  }

  std::shared_ptr<const cluster::SnapshotClusterView> cluster(const YAML::Node& n,
                                                              const std::string& what) {
    std::vector<cluster::SnapshotError> problems;
    auto view =
        std::make_shared<cluster::SnapshotClusterView>(cluster::parse_snapshot(n, problems));
    for (const auto& p : problems) {
      error(Location{p.line, p.column},
            what + (p.path.empty() ? "" : "." + p.path) + ": " + p.message);
    }
    return view;
  }

 private:
  std::vector<FileError>& errors_;
};

void read_series(Reader& r, const YAML::Node& n, const std::string& what, TestCase& test) {
  InputSeries s;
  s.where = where(n);
  YAML::Node selector, values;
  r.fields(n, what, {"series", "values"}, [&](const std::string& key, const YAML::Node& v) {
    (key == "series" ? selector : values) = v;
  });
  if (!selector.IsDefined()) return r.error(n, what + ": `series` is missing");
  if (auto text = r.text(selector, what + ".series")) {
    NotationError e;
    s.selector = *text;
    if (auto labels = parse_selector(*text, e)) {
      s.labels = std::move(*labels);
    } else {
      r.error(selector, what + ".series: `" + *text + "`: " + e.message + " (at character " +
                            std::to_string(e.offset + 1) + ")");
    }
  }
  if (values.IsDefined() && !values.IsNull()) {
    if (auto text = r.text(values, what + ".values")) {
      NotationError e;
      if (auto samples = expand_values(*text, e)) {
        s.samples = std::move(*samples);
      } else {
        r.error(values, what + ".values: " + e.message + " (at character " +
                            std::to_string(e.offset + 1) + ")");
      }
    }
  }
  test.input_series.push_back(std::move(s));
}

void read_action(Reader& r, const YAML::Node& n, const std::string& what,
                 std::vector<ActionLine>& out) {
  ActionLine a;
  a.outcome = "executed";
  r.fields(n, what, {"policy", "action", "target", "outcome"},
           [&](const std::string& key, const YAML::Node& v) {
             auto s = r.text(v, what + "." + key);
             if (!s) return;
             if (key == "policy") a.policy = *s;
             if (key == "action") a.action = *s;
             if (key == "target") a.target = normal_target(*s);
             if (key == "outcome") a.outcome = *s;
           });
  if (n.IsMap()) {
    for (const char* required : {"policy", "action", "target"}) {
      if (!n[required].IsDefined()) r.error(n, what + ": `" + required + "` is missing");
    }
  }
  out.push_back(std::move(a));
}

void read_expected(Reader& r, const YAML::Node& n, const std::string& what, TestCase& test) {
  ExpectedAt e;
  e.where = where(n);
  bool has_at = false;
  r.fields(n, what, {"at", "actions"}, [&](const std::string& key, const YAML::Node& v) {
    if (key == "at") {
      if (auto ms = r.duration(v, what + ".at", false)) {
        e.at_ms = *ms;
        has_at = true;
      }
    } else {
      r.list(v, what + ".actions", [&](const YAML::Node& item, const std::string& w) {
        read_action(r, item, w, e.actions);
      });
    }
  });
  if (n.IsMap() && !n["at"].IsDefined()) r.error(n, what + ": `at` is missing");
  for (const auto& other : test.expected) {
    if (has_at && other.at_ms == e.at_ms)
      r.error(n, what + ".at: " + base::format_duration(e.at_ms) +
                     " is expected twice (first on line " + std::to_string(other.where.line) + ")");
  }
  std::sort(e.actions.begin(), e.actions.end());
  test.expected.push_back(std::move(e));
}

// Whether `target` (a pod's `namespace/name`, a workload's `Kind/namespace/name`) is in one
// of the test's cluster views.
bool in_cluster(const TestCase& test, const std::string& target) {
  for (const auto& c : test.cluster) {
    for (const auto& p : c.view->pods()) {
      if (target == p.meta.namespace_name + "/" + p.meta.name) return true;
    }
    for (const auto& w : c.view->workloads()) {
      if (target == w.kind + "/" + w.meta.namespace_name + "/" + w.meta.name) return true;
    }
  }
  return false;
}

void read_expected_trigger(Reader& r, const YAML::Node& n, const std::string& what,
                           TestCase& test) {
  ExpectedTrigger e;
  e.where = where(n);
  e.path = what;
  r.fields(n, what, {"at", "policy", "trigger", "target", "state"},
           [&](const std::string& key, const YAML::Node& v) {
             if (key == "at") {
               if (auto ms = r.duration(v, what + ".at", false)) e.at_ms = *ms;
               return;
             }
             auto s = r.text(v, what + "." + key);
             if (!s) return;
             if (key == "policy") {
               e.line.policy = *s;
               e.policy_where = where(v);
             } else if (key == "trigger") {
               e.line.trigger = *s;
               e.trigger_where = where(v);
             } else if (key == "target") {
               e.line.target = normal_target(*s);
               e.target_where = where(v);
             } else if (*s == "inactive" || *s == "pending" || *s == "firing") {
               e.line.state = *s;
             } else {
               r.error(v, what + ".state: `" + *s +
                              "` is not a trigger state: expected inactive, pending or firing");
             }
           });
  if (!n.IsMap()) return;
  for (const char* required : {"at", "policy", "trigger", "target", "state"}) {
    if (!n[required].IsDefined()) r.error(n, what + ": `" + required + "` is missing");
  }
  for (const auto& other : test.expected_triggers) {
    if (other.at_ms == e.at_ms && other.line.policy == e.line.policy &&
        other.line.trigger == e.line.trigger && other.line.target == e.line.target)
      r.error(n, what + ": the same trigger and target at " + base::format_duration(e.at_ms) +
                     " is expected twice (first on line " + std::to_string(other.where.line) + ")");
  }
  test.expected_triggers.push_back(std::move(e));
}

void read_test(Reader& r, const YAML::Node& n, const std::string& what, TestCase& test) {
  test.where = where(n);
  r.fields(n, what,
           {"name", "interval", "input_series", "cluster", "cluster_changes", "expected_actions",
            "expected_no_actions_until", "expected_triggers"},
           [&](const std::string& key, const YAML::Node& v) {
             const std::string path = what + "." + key;
             if (key == "name") {
               if (auto s = r.text(v, path)) test.name = *s;
             } else if (key == "interval") {
               if (auto ms = r.duration(v, path, true)) test.interval_ms = *ms;
             } else if (key == "input_series") {
               r.list(v, path, [&](const YAML::Node& item, const std::string& w) {
                 read_series(r, item, w, test);
               });
             } else if (key == "cluster") {
               test.cluster.insert(test.cluster.begin(), ClusterAt{0, r.cluster(v, path)});
             } else if (key == "cluster_changes") {
               r.list(v, path, [&](const YAML::Node& item, const std::string& w) {
                 ClusterAt change;
                 bool has_view = false;
                 r.fields(item, w, {"at", "cluster"},
                          [&](const std::string& k, const YAML::Node& c) {
                            if (k == "at") {
                              if (auto ms = r.duration(c, w + ".at", false)) change.at_ms = *ms;
                            } else {
                              change.view = r.cluster(c, w + ".cluster");
                              has_view = true;
                            }
                          });
                 if (item.IsMap() && !has_view) r.error(item, w + ": `cluster` is missing");
                 if (has_view) test.cluster.push_back(std::move(change));
               });
             } else if (key == "expected_actions") {
               r.list(v, path, [&](const YAML::Node& item, const std::string& w) {
                 read_expected(r, item, w, test);
               });
             } else if (key == "expected_no_actions_until") {
               if (auto ms = r.duration(v, path, false)) test.no_actions_until_ms = *ms;
             } else if (key == "expected_triggers") {
               r.list(v, path, [&](const YAML::Node& item, const std::string& w) {
                 read_expected_trigger(r, item, w, test);
               });
             }
           });
  if (test.cluster.empty() || test.cluster.front().at_ms != 0)
    test.cluster.insert(test.cluster.begin(),
                        ClusterAt{0, std::make_shared<cluster::SnapshotClusterView>()});
  std::stable_sort(test.cluster.begin(), test.cluster.end(),
                   [](const ClusterAt& a, const ClusterAt& b) { return a.at_ms < b.at_ms; });
  std::sort(test.expected.begin(), test.expected.end(),
            [](const ExpectedAt& a, const ExpectedAt& b) { return a.at_ms < b.at_ms; });
  // Known once the whole test, its cluster included, has been read.
  for (const auto& e : test.expected_triggers) {
    if (e.target_where.line > 0 && !in_cluster(test, e.line.target))
      r.error(e.target_where, e.path + ".target: `" + e.line.target +
                                  "` is not in the test's cluster (a pod is namespace/name, a "
                                  "workload Kind/namespace/name)");
  }
  if (test.name.empty()) r.error(n, what + ": `name` is missing");
  if (n.IsMap() && test.expected.empty() && !test.no_actions_until_ms &&
      test.expected_triggers.empty())
    r.error(n, what +
                   ": expects nothing: give expected_actions, expected_no_actions_until or "
                   "expected_triggers");
}

}  // namespace

std::int64_t TestCase::end_ms() const {
  std::int64_t end = no_actions_until_ms.value_or(0);
  for (const auto& e : expected) end = std::max(end, e.at_ms);
  for (const auto& e : expected_triggers) end = std::max(end, e.at_ms);
  return end;
}

std::string normal_target(std::string target) {
  if (target.starts_with("Pod/")) target.erase(0, 4);
  return target;
}

TestFile parse_test_file(const std::string& text, const std::string& path,
                         std::vector<FileError>& errors) {
  TestFile file;
  file.path = path;
  Reader r(errors);
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    errors.push_back({{e.mark.line + 1, e.mark.column + 1}, "invalid YAML: " + e.msg});
    return file;
  }
  const auto dir = std::filesystem::path(path).parent_path();
  try {
    r.fields(root, "", {"policy_files", "evaluation_interval", "tests"},
             [&](const std::string& key, const YAML::Node& v) {
               if (key == "policy_files") {
                 r.list(v, key, [&](const YAML::Node& item, const std::string& w) {
                   if (auto s = r.text(item, w))
                     file.policy_files.push_back((dir / *s).lexically_normal().string());
                 });
               } else if (key == "evaluation_interval") {
                 if (auto ms = r.duration(v, key, true)) file.evaluation_interval_ms = *ms;
               } else {
                 r.list(v, key, [&](const YAML::Node& item, const std::string& w) {
                   file.tests.emplace_back();
                   read_test(r, item, w, file.tests.back());
                 });
               }
             });
  } catch (const YAML::Exception& e) {  // not expected: the reader checks before converting
    errors.push_back({{e.mark.line + 1, e.mark.column + 1}, e.msg});
  }
  if (root.IsMap() && file.policy_files.empty())
    r.error(root, "policy_files: name at least one policy file");
  return file;
}

}  // namespace skippy::policytest
