#include "runtime/cluster/snapshot.hpp"

#include <yaml-cpp/yaml.h>

#include <set>

#include "base/literals.hpp"
#include "runtime/cluster/events.hpp"
#include "runtime/cluster/manifest.hpp"

namespace skippy::cluster {
namespace {

// n[key] when n is a map that has key; otherwise an empty node. Chained lookups through
// missing keys stay safe (yaml-cpp throws on them otherwise).
YAML::Node at(const YAML::Node& n, const char* key) {
  if (!n.IsDefined() || !n.IsMap()) return YAML::Node();
  YAML::Node child = n[key];
  return child.IsDefined() ? child : YAML::Node();
}

class Reader {
 public:
  explicit Reader(std::vector<SnapshotError>& errors) : errors_(errors) {}

  void error(const YAML::Node& node, const std::string& path, const std::string& message) {
    const bool located = node.IsDefined() && !node.Mark().is_null();
    errors_.push_back(SnapshotError{path, located ? node.Mark().line + 1 : 0, message,
                                    located ? node.Mark().column + 1 : 0});
  }

  std::string text(const YAML::Node& n, const std::string& path, const std::string& fallback = "") {
    if (!n.IsDefined() || n.IsNull()) return fallback;
    if (!n.IsScalar()) {
      error(n, path, "expected a string");
      return fallback;
    }
    return n.as<std::string>();
  }

  std::int64_t integer(const YAML::Node& n, const std::string& path, std::int64_t fallback = 0) {
    if (!n.IsDefined() || n.IsNull()) return fallback;
    try {
      return n.as<std::int64_t>();
    } catch (const YAML::Exception&) {
      error(n, path, "expected a whole number");
      return fallback;
    }
  }

  double number(const YAML::Node& n, const std::string& path) {
    if (!n.IsDefined() || n.IsNull()) return 0;
    try {
      return n.as<double>();
    } catch (const YAML::Exception&) {
      error(n, path, "expected a number");
      return 0;
    }
  }

  bool boolean(const YAML::Node& n, const std::string& path, bool fallback) {
    if (!n.IsDefined() || n.IsNull()) return fallback;
    try {
      return n.as<bool>();
    } catch (const YAML::Exception&) {
      error(n, path, "expected true or false");
      return fallback;
    }
  }

  // A time on the snapshot's axis in milliseconds: "90s"/"1m30s" from time zero, a number of
  // seconds, or an RFC 3339 timestamp (as Kubernetes writes creationTimestamp).
  std::int64_t time(const YAML::Node& n, const std::string& path) {
    std::string s = text(n, path);
    if (s.empty()) return 0;
    if (auto ms = base::parse_duration(s)) return *ms;
    if (s.find_first_not_of("0123456789.") == std::string::npos) {
      return static_cast<std::int64_t>(std::stod(s) * 1000);
    }
    if (auto ms = parse_rfc3339_ms(s)) return *ms;
    error(n, path, "expected a time: a duration from zero such as `90s`, seconds, or RFC 3339");
    return 0;
  }

  Labels labels(const YAML::Node& n, const std::string& path) {
    Labels out;
    if (!n.IsDefined() || n.IsNull()) return out;
    if (!n.IsMap()) {
      error(n, path, "expected a map of names to values");
      return out;
    }
    for (const auto& kv : n)
      out[kv.first.as<std::string>()] = text(kv.second, path + "." + kv.first.as<std::string>());
    return out;
  }

  // "Kind/name"
  std::pair<std::string, std::string> reference(const YAML::Node& n, const std::string& path) {
    std::string s = text(n, path);
    if (s.empty()) return {};
    auto slash = s.find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 == s.size()) {
      error(n, path, "expected Kind/name, as in Deployment/web");
      return {};
    }
    return {s.substr(0, slash), s.substr(slash + 1)};
  }

 private:
  std::vector<SnapshotError>& errors_;
};

void short_pod(Reader& r, const YAML::Node& n, const std::string& path, SnapshotClusterView& view) {
  Pod p;
  p.meta.namespace_name = r.text(n["namespace"], path + ".namespace", "default");
  p.meta.name = r.text(n["name"], path + ".name");
  if (p.meta.name.empty()) r.error(n, path, "a pod needs a name");
  p.meta.labels = r.labels(n["labels"], path + ".labels");
  p.meta.annotations = r.labels(n["annotations"], path + ".annotations");
  p.meta.created_ms = r.time(n["created_at"], path + ".created_at");
  auto [kind, name] = r.reference(n["owner"], path + ".owner");
  p.owner_kind = kind;
  p.owner_name = name;
  p.workload_kind = kind;
  p.workload_name = name;
  p.phase = r.text(n["phase"], path + ".phase", "Running");
  p.ready = r.boolean(n["ready"], path + ".ready", true);
  p.restarts = r.integer(n["restarts"], path + ".restarts");
  p.waiting_reason = r.text(n["waiting_reason"], path + ".waiting_reason");
  p.terminated_reason = r.text(n["terminated_reason"], path + ".terminated_reason");
  p.last_exit_code = r.integer(n["last_exit_code"], path + ".last_exit_code");
  p.node = r.text(n["node"], path + ".node");
  p.memory_limit_bytes = r.number(n["memory_limit_bytes"], path + ".memory_limit_bytes");
  p.cpu_limit_cores = r.number(n["cpu_limit_cores"], path + ".cpu_limit_cores");
  view.mutable_pods().push_back(std::move(p));
}

void short_workload(Reader& r, const std::string& kind, const YAML::Node& n,
                    const std::string& path, SnapshotClusterView& view) {
  Workload w;
  w.kind = kind;
  w.meta.namespace_name = r.text(n["namespace"], path + ".namespace", "default");
  w.meta.name = r.text(n["name"], path + ".name");
  if (w.meta.name.empty()) r.error(n, path, "a workload needs a name");
  w.meta.labels = r.labels(n["labels"], path + ".labels");
  w.meta.created_ms = r.time(n["created_at"], path + ".created_at");
  w.replicas = r.integer(n["replicas"], path + ".replicas", 1);
  w.ready_replicas = r.integer(n["ready_replicas"], path + ".ready_replicas", w.replicas);
  w.available_replicas =
      r.integer(n["available_replicas"], path + ".available_replicas", w.ready_replicas);
  w.updated_replicas = r.integer(n["updated_replicas"], path + ".updated_replicas", w.replicas);
  view.mutable_workloads().push_back(std::move(w));
}

void short_event(Reader& r, const YAML::Node& n, const std::string& path,
                 SnapshotClusterView& view) {
  Event e;
  e.namespace_name = r.text(n["namespace"], path + ".namespace", "default");
  auto [kind, name] = r.reference(n["object"], path + ".object");
  e.involved_kind = kind;
  e.involved_name = name;
  e.reason = r.text(n["reason"], path + ".reason");
  e.type = r.text(n["type"], path + ".type", "Normal");
  e.message = capped_event_message(r.text(n["message"], path + ".message"));
  e.count = r.integer(n["count"], path + ".count", 1);
  e.last_seen_ms = r.time(n["at"], path + ".at");
  view.mutable_events().push_back(std::move(e));
}

// A YAML node as manifest.hpp reads it: a field of the wrong type is reported at its path.
class YamlNode {
 public:
  YamlNode(Reader& r, YAML::Node n, std::string path)
      : r_(&r), n_(std::move(n)), path_(std::move(path)) {}

  YamlNode operator[](const char* key) const { return {*r_, at(n_, key), path_ + "." + key}; }
  bool is_map() const { return n_.IsDefined() && n_.IsMap(); }
  std::string text(std::string_view fallback = {}) const {
    return r_->text(n_, path_, std::string(fallback));
  }
  std::int64_t integer(std::int64_t fallback = 0) const { return r_->integer(n_, path_, fallback); }
  bool boolean(bool fallback) const { return r_->boolean(n_, path_, fallback); }
  std::int64_t time() const { return r_->time(n_, path_); }
  Labels labels() const { return r_->labels(n_, path_); }
  template <class F>
  void each(F f) const {
    if (!n_.IsDefined() || n_.IsNull()) return;
    if (!n_.IsSequence()) return r_->error(n_, path_, "expected a list");
    std::size_t i = 0;
    for (const auto& item : n_) f(YamlNode(*r_, item, path_ + "[" + std::to_string(i++) + "]"));
  }

 private:
  Reader* r_;
  YAML::Node n_;
  std::string path_;
};

void manifest(Reader& r, const YAML::Node& n, const std::string& path, SnapshotClusterView& view) {
  std::string kind = r.text(at(n, "kind"), path + ".kind");
  const YamlNode object(r, n, path);
  if (kind == "Pod") {
    view.mutable_pods().push_back(manifest_pod(object));
  } else if (kind == "Deployment" || kind == "StatefulSet" || kind == "DaemonSet" ||
             kind == "ReplicaSet") {
    view.mutable_workloads().push_back(manifest_workload(kind, object));
  } else if (kind == "Event") {
    view.mutable_events().push_back(manifest_event(object));
  } else {
    r.error(n, path + ".kind",
            "`" + kind +
                "` is not a kind a snapshot holds (Pod, Deployment, StatefulSet, DaemonSet, "
                "ReplicaSet, Event)");
  }
}

}  // namespace

const Workload* SnapshotClusterView::find_workload(std::string_view kind,
                                                   std::string_view namespace_name,
                                                   std::string_view name) const {
  for (const auto& w : workloads_) {
    if (w.kind == kind && w.meta.namespace_name == namespace_name && w.meta.name == name) return &w;
  }
  return nullptr;
}

std::int64_t SnapshotClusterView::count_events(std::string_view namespace_name,
                                               std::string_view kind, std::string_view name,
                                               std::string_view reason, std::string_view type,
                                               std::int64_t since_ms, std::int64_t until_ms) const {
  return cluster::count_events(events_, namespace_name, kind, name, reason, type, since_ms,
                               until_ms);
}

std::vector<const Event*> SnapshotClusterView::recent_events(
    std::string_view namespace_name, std::string_view kind, std::string_view name,
    std::int64_t since_ms, std::int64_t until_ms, std::size_t limit) const {
  return cluster::recent_events(events_, namespace_name, kind, name, since_ms, until_ms, limit);
}

SnapshotClusterView parse_snapshot(const std::string& yaml, std::vector<SnapshotError>& errors) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    errors.push_back(SnapshotError{"", e.mark.line + 1, e.msg, e.mark.column + 1});
    return {};
  }
  return parse_snapshot(root, errors);
}

SnapshotClusterView parse_snapshot(const YAML::Node& root, std::vector<SnapshotError>& errors) {
  SnapshotClusterView view;
  Reader r(errors);
  if (!root.IsDefined() || root.IsNull()) return view;
  if (!root.IsMap()) {
    r.error(root, "", "a snapshot is a map with pods, deployments, ..., events or objects");
    return view;
  }
  try {
    for (const auto& kv : root) {
      std::string key = kv.first.as<std::string>();
      const YAML::Node& list = kv.second;
      static const std::set<std::string> kSections = {
          "pods", "deployments", "statefulsets", "daemonsets", "replicasets", "events", "objects"};
      if (!kSections.count(key)) {
        r.error(kv.first, key,
                "unknown section `" + key +
                    "`; expected pods, deployments, statefulsets, daemonsets, replicasets, events "
                    "or objects");
        continue;
      }
      if (!list.IsSequence() && !list.IsNull()) {
        r.error(list, key, "expected a list");
        continue;
      }
      std::size_t i = 0;
      for (const auto& item : list) {
        std::string path = key + "[" + std::to_string(i++) + "]";
        if (!item.IsMap()) {
          r.error(item, path, "expected a map");
          continue;
        }
        if (key == "pods")
          short_pod(r, item, path, view);
        else if (key == "deployments")
          short_workload(r, "Deployment", item, path, view);
        else if (key == "statefulsets")
          short_workload(r, "StatefulSet", item, path, view);
        else if (key == "daemonsets")
          short_workload(r, "DaemonSet", item, path, view);
        else if (key == "replicasets")
          short_workload(r, "ReplicaSet", item, path, view);
        else if (key == "events")
          short_event(r, item, path, view);
        else
          manifest(r, item, path, view);
      }
    }
  } catch (const YAML::Exception& e) {
    errors.push_back(SnapshotError{"", e.mark.line + 1, e.msg, e.mark.column + 1});
  }
  resolve_workloads(view.mutable_pods(), view.workloads());
  return view;
}

}  // namespace skippy::cluster
