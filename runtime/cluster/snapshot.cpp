#include "runtime/cluster/snapshot.hpp"

#include <yaml-cpp/yaml.h>

#include <ctime>
#include <set>

#include "dsl/literals.hpp"

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
    errors_.push_back(SnapshotError{path, node.IsDefined() ? node.Mark().line + 1 : 0, message});
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
    if (auto ms = dsl::parse_duration(s)) return *ms;
    if (s.find_first_not_of("0123456789.") == std::string::npos) {
      return static_cast<std::int64_t>(std::stod(s) * 1000);
    }
    std::tm tm{};
    if (s.size() >= 20 && std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon,
                                      &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) == 6) {
      tm.tm_year -= 1900;
      tm.tm_mon -= 1;
      return static_cast<std::int64_t>(timegm(&tm)) * 1000;
    }
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
  e.count = r.integer(n["count"], path + ".count", 1);
  e.last_seen_ms = r.time(n["at"], path + ".at");
  view.mutable_events().push_back(std::move(e));
}

ObjectMeta manifest_meta(Reader& r, const YAML::Node& m, const std::string& path) {
  ObjectMeta meta;
  meta.namespace_name = r.text(at(m, "namespace"), path + ".metadata.namespace", "default");
  meta.name = r.text(at(m, "name"), path + ".metadata.name");
  meta.labels = r.labels(at(m, "labels"), path + ".metadata.labels");
  meta.annotations = r.labels(at(m, "annotations"), path + ".metadata.annotations");
  meta.created_ms = r.time(at(m, "creationTimestamp"), path + ".metadata.creationTimestamp");
  return meta;
}

void manifest(Reader& r, const YAML::Node& n, const std::string& path, SnapshotClusterView& view,
              std::map<std::string, std::pair<std::string, std::string>>& replicaset_owner) {
  std::string kind = r.text(at(n, "kind"), path + ".kind");
  const YAML::Node meta = at(n, "metadata");
  const YAML::Node status = at(n, "status");
  if (kind == "Pod") {
    Pod p;
    p.meta = manifest_meta(r, meta, path);
    for (const auto& o : at(meta, "ownerReferences")) {
      if (r.boolean(at(o, "controller"), path + ".ownerReferences.controller", false)) {
        p.owner_kind = r.text(at(o, "kind"), path + ".ownerReferences.kind");
        p.owner_name = r.text(at(o, "name"), path + ".ownerReferences.name");
      }
    }
    p.workload_kind = p.owner_kind;
    p.workload_name = p.owner_name;
    p.phase = r.text(at(status, "phase"), path + ".status.phase", "Pending");
    p.ready = false;
    for (const auto& c : at(status, "conditions")) {
      if (r.text(at(c, "type"), path + ".status.conditions.type") == "Ready") {
        p.ready = r.text(at(c, "status"), path + ".status.conditions.status") == "True";
      }
    }
    for (const auto& cs : at(status, "containerStatuses")) {
      p.restarts +=
          r.integer(at(cs, "restartCount"), path + ".status.containerStatuses.restartCount");
      YAML::Node waiting = at(at(cs, "state"), "waiting");
      if (waiting.IsMap())
        p.waiting_reason = r.text(at(waiting, "reason"), path + ".state.waiting.reason");
      YAML::Node terminated = at(at(cs, "lastState"), "terminated");
      if (terminated.IsMap()) {
        p.terminated_reason =
            r.text(at(terminated, "reason"), path + ".lastState.terminated.reason");
        p.last_exit_code =
            r.integer(at(terminated, "exitCode"), path + ".lastState.terminated.exitCode");
      }
    }
    p.node = r.text(at(at(n, "spec"), "nodeName"), path + ".spec.nodeName");
    view.mutable_pods().push_back(std::move(p));
  } else if (kind == "Deployment" || kind == "StatefulSet" || kind == "DaemonSet" ||
             kind == "ReplicaSet") {
    Workload w;
    w.kind = kind;
    w.meta = manifest_meta(r, meta, path);
    w.replicas = kind == "DaemonSet"
                     ? r.integer(at(status, "desiredNumberScheduled"),
                                 path + ".status.desiredNumberScheduled")
                     : r.integer(at(at(n, "spec"), "replicas"), path + ".spec.replicas", 1);
    w.ready_replicas = r.integer(status[kind == "DaemonSet" ? "numberReady" : "readyReplicas"],
                                 path + ".status.readyReplicas");
    w.available_replicas =
        r.integer(status[kind == "DaemonSet" ? "numberAvailable" : "availableReplicas"],
                  path + ".status.availableReplicas");
    w.updated_replicas =
        r.integer(status[kind == "DaemonSet" ? "updatedNumberScheduled" : "updatedReplicas"],
                  path + ".status.updatedReplicas");
    if (kind == "ReplicaSet") {
      for (const auto& o : at(meta, "ownerReferences")) {
        replicaset_owner[w.meta.namespace_name + "/" + w.meta.name] = {r.text(at(o, "kind"), path),
                                                                       r.text(at(o, "name"), path)};
      }
    }
    view.mutable_workloads().push_back(std::move(w));
  } else if (kind == "Event") {
    Event e;
    e.namespace_name = r.text(at(meta, "namespace"), path + ".metadata.namespace", "default");
    e.involved_kind = r.text(at(at(n, "involvedObject"), "kind"), path + ".involvedObject.kind");
    e.involved_name = r.text(at(at(n, "involvedObject"), "name"), path + ".involvedObject.name");
    e.reason = r.text(at(n, "reason"), path + ".reason");
    e.type = r.text(at(n, "type"), path + ".type", "Normal");
    e.count = r.integer(at(n, "count"), path + ".count", 1);
    e.last_seen_ms = r.time(at(n, "lastTimestamp"), path + ".lastTimestamp");
    view.mutable_events().push_back(std::move(e));
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
  std::int64_t n = 0;
  for (const auto& e : events_) {
    if (e.namespace_name != namespace_name || e.last_seen_ms <= since_ms ||
        e.last_seen_ms > until_ms)
      continue;
    if (!kind.empty() && (e.involved_kind != kind || e.involved_name != name)) continue;
    if (!reason.empty() && e.reason != reason) continue;
    if (!type.empty() && e.type != type) continue;
    n += e.count;
  }
  return n;
}

SnapshotClusterView parse_snapshot(const std::string& yaml, std::vector<SnapshotError>& errors) {
  SnapshotClusterView view;
  Reader r(errors);
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    errors.push_back(SnapshotError{"", e.mark.line + 1, e.msg});
    return view;
  }
  if (root.IsNull()) return view;
  if (!root.IsMap()) {
    r.error(root, "", "a snapshot is a map with pods, deployments, ..., events or objects");
    return view;
  }
  std::map<std::string, std::pair<std::string, std::string>> replicaset_owner;
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
          manifest(r, item, path, view, replicaset_owner);
      }
    }
  } catch (const YAML::Exception& e) {
    errors.push_back(SnapshotError{"", e.mark.line + 1, e.msg});
  }
  // A ReplicaSet's pods belong to the Deployment that owns the ReplicaSet.
  for (auto& p : view.mutable_pods()) {
    if (p.owner_kind != "ReplicaSet") continue;
    auto it = replicaset_owner.find(p.meta.namespace_name + "/" + p.owner_name);
    if (it != replicaset_owner.end()) {
      p.workload_kind = it->second.first;
      p.workload_name = it->second.second;
    }
  }
  return view;
}

}  // namespace skippy::cluster
