#include "dsl/patch_paths.hpp"

#include <yaml-cpp/yaml.h>

#include <array>
#include <cstdlib>
#include <span>

#include "dsl/yaml_size.hpp"

namespace skippy::dsl {
namespace {

// ---- the rules -------------------------------------------------------------------------------
//
// A rule covers a path and everything under it; for each field a patch changes, the first rule
// of the target's tables that covers it decides. Fields no rule covers are let through: the
// tables name what is known to be wrong, not every field of every kind.

enum class Verdict : std::uint8_t {
  Allowed,      // the kind takes it
  Refused,      // the kind cannot take it: `why`, then `hint`
  NonNegative,  // a number that must not be negative
  InTemplate,   // a pod's field written on a workload: it belongs under spec.template.spec
};

struct Rule {
  std::string_view path;
  Verdict verdict;
  std::string_view why = {};
  std::string_view hint = {};
  bool whole_field = false;  // a catch-all: name the field the patch changes, not the rule's path
};

constexpr std::string_view kUseOwner =
    "write `patch(of: owner, ...)` with `spec.template.spec...` to change the pod template of "
    "the workload that owns the pod; its rollout replaces the pods";

// Every kind: identity and status are not a patch's to change.
constexpr std::array kEveryKind = {
    Rule{"metadata.name", Verdict::Refused, "an object's name never changes",
         "leave `metadata.name` out: the patch goes to the object the action targets"},
    Rule{"metadata.namespace", Verdict::Refused, "an object's namespace never changes",
         "leave `metadata.namespace` out"},
    Rule{"metadata", Verdict::Allowed},
    Rule{"status", Verdict::Refused,
         "the API server keeps `status` for the `/status` subresource, which controllers and "
         "the kubelet write; a patch of the object leaves it as it was",
         "patch `spec` or `metadata`"},
};

// A Pod: its spec is immutable but for the fields kube-apiserver's ValidatePodUpdate lets
// change; container names are the strategic merge key that says which container's image.
constexpr std::array kPod = {
    Rule{"spec.containers[*].image", Verdict::Allowed},
    Rule{"spec.containers[*].name", Verdict::Allowed},
    Rule{"spec.initContainers[*].image", Verdict::Allowed},
    Rule{"spec.initContainers[*].name", Verdict::Allowed},
    Rule{"spec.activeDeadlineSeconds", Verdict::Allowed},
    Rule{"spec.tolerations", Verdict::Allowed},
    Rule{"spec.terminationGracePeriodSeconds", Verdict::Allowed},
    Rule{"spec.template", Verdict::Refused,
         "a Pod has no pod template; `spec.template` belongs to the workload that owns the pod",
         kUseOwner},
    Rule{"spec.replicas", Verdict::Refused, "a Pod has no replicas",
         "write `scale(of: owner, ...)` to scale the workload that owns the pod"},
    Rule{"spec.containers[*].resources", Verdict::Refused,
         "a Pod's resources change only through its `resize` subresource, which Skippy does "
         "not use",
         kUseOwner},
    Rule{"spec.initContainers[*].resources", Verdict::Refused,
         "a Pod's resources change only through its `resize` subresource, which Skippy does "
         "not use",
         kUseOwner},
    Rule{"spec", Verdict::Refused,
         "a Pod's spec cannot change once the pod exists, but for `spec.containers[*].image`, "
         "`spec.initContainers[*].image`, `spec.activeDeadlineSeconds`, `spec.tolerations` "
         "(additions only) and `spec.terminationGracePeriodSeconds`",
         kUseOwner, true},
};

// Deployments, StatefulSets, DaemonSets and ReplicaSets (apps/v1): pods are described by the
// pod template, so a pod's fields at `spec.` are a template written one level too high.
constexpr std::array kWorkload = {
    Rule{"spec.replicas", Verdict::NonNegative, "replicas must be greater than or equal to 0"},
    Rule{"spec.selector", Verdict::Refused, "a workload's selector is immutable in apps/v1",
         "leave `spec.selector` out"},
    Rule{"spec.containers", Verdict::InTemplate},
    Rule{"spec.initContainers", Verdict::InTemplate},
    Rule{"spec.ephemeralContainers", Verdict::InTemplate},
    Rule{"spec.volumes", Verdict::InTemplate},
    Rule{"spec.tolerations", Verdict::InTemplate},
    Rule{"spec.nodeSelector", Verdict::InTemplate},
    Rule{"spec.nodeName", Verdict::InTemplate},
    Rule{"spec.affinity", Verdict::InTemplate},
    Rule{"spec.serviceAccountName", Verdict::InTemplate},
    Rule{"spec.restartPolicy", Verdict::InTemplate},
    Rule{"spec.imagePullSecrets", Verdict::InTemplate},
    Rule{"spec.securityContext", Verdict::InTemplate},
    Rule{"spec.priorityClassName", Verdict::InTemplate},
    Rule{"spec.terminationGracePeriodSeconds", Verdict::InTemplate},
    Rule{"spec.activeDeadlineSeconds", Verdict::InTemplate},
    Rule{"spec.hostNetwork", Verdict::InTemplate},
    Rule{"spec.dnsPolicy", Verdict::InTemplate},
    Rule{"spec.resources", Verdict::InTemplate},
};

constexpr std::array kDaemonSet = {
    Rule{"spec.replicas", Verdict::Refused,
         "a DaemonSet runs one pod on each node and has no "
         "replicas",
         "leave `spec.replicas` out"},
};

struct KindRules {
  PatchTarget target;
  std::string_view name;
  std::array<std::span<const Rule>, 3> tables;  // read in order
};

constexpr std::array kPatchKinds = {
    KindRules{PatchTarget::Pod, "a Pod", {kEveryKind, kPod, {}}},
    KindRules{PatchTarget::Deployment, "a Deployment", {kEveryKind, kWorkload, {}}},
    KindRules{PatchTarget::StatefulSet, "a StatefulSet", {kEveryKind, kWorkload, {}}},
    KindRules{PatchTarget::DaemonSet, "a DaemonSet", {kEveryKind, kDaemonSet, kWorkload}},
    KindRules{PatchTarget::ReplicaSet, "a ReplicaSet", {kEveryKind, kWorkload, {}}},
    // The owner is known only at run time: what every workload kind refuses.
    KindRules{
        PatchTarget::OwningWorkload, "the pod's owning workload", {kEveryKind, kWorkload, {}}},
};

const KindRules& rules_of(PatchTarget target) {
  for (const auto& k : kPatchKinds) {
    if (k.target == target) return k;
  }
  return kPatchKinds.back();
}

bool covers(std::string_view rule, std::string_view path) {
  return path.starts_with(rule) &&
         (path.size() == rule.size() || path[rule.size()] == '.' || path[rule.size()] == '[');
}

// How many segments a rule's path has: `spec.containers[*].resources` has 4.
std::size_t depth_of(std::string_view rule) {
  std::size_t n = 1;
  for (std::size_t i = 0; i < rule.size(); ++i) {
    if (rule[i] == '.' || rule[i] == '[') ++n;
  }
  return n;
}

// ---- reading a patch's fields ------------------------------------------------------------------

std::optional<double> number_of(const YAML::Node& node) {
  if (!node.IsScalar() || node.Tag() == "!") return std::nullopt;  // "!": a quoted scalar
  const std::string& text = node.Scalar();
  char* end = nullptr;
  double value = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size()) return std::nullopt;
  return value;
}

PatchMark mark_of(const YAML::Node& scalar) {
  std::size_t quotes = scalar.Tag() == "!" ? 2 : 0;
  return {static_cast<std::size_t>(scalar.Mark().pos), scalar.Scalar().size() + quotes};
}

// Every leaf under `node`, which sits at `at` (named where `marks` say).
void leaves(const YAML::Node& node, PatchPath& at, std::vector<PatchPath>& out) {
  std::size_t before = out.size();
  if (node.IsMap()) {
    for (const auto& kv : node) {
      const std::string& key = kv.first.Scalar();
      if (key.starts_with('$')) continue;  // $patch, $setElementOrder/..., $retainKeys
      at.segments.push_back(key);
      at.marks.push_back(mark_of(kv.first));
      leaves(kv.second, at, out);
      at.segments.pop_back();
      at.marks.pop_back();
    }
  } else if (node.IsSequence()) {
    at.segments.emplace_back("[*]");
    at.marks.push_back(at.marks.empty() ? PatchMark{} : at.marks.back());
    for (const auto& item : node) leaves(item, at, out);
    at.segments.pop_back();
    at.marks.pop_back();
  }
  if (out.size() == before && !at.segments.empty()) {
    out.push_back(at);
    out.back().number = number_of(node);
  }
}

// A JSON pointer ("/spec/containers/0/image") as segments, list indexes as "[*]".
std::vector<std::string> pointer_segments(const std::string& pointer) {
  std::vector<std::string> out;
  std::size_t i = 1;
  while (i <= pointer.size() && !pointer.empty()) {
    std::size_t next = pointer.find('/', i);
    std::string raw = pointer.substr(i, next == std::string::npos ? std::string::npos : next - i);
    std::string seg;
    for (std::size_t k = 0; k < raw.size(); ++k) {
      if (raw[k] == '~' && k + 1 < raw.size()) {
        seg += raw[k + 1] == '1' ? '/' : '~';
        ++k;
      } else {
        seg += raw[k];
      }
    }
    bool index =
        seg == "-" || (!seg.empty() && seg.find_first_not_of("0123456789") == std::string::npos);
    out.push_back(index ? "[*]" : seg);
    if (next == std::string::npos) break;
    i = next + 1;
  }
  return out;
}

void json_patch_paths(const YAML::Node& ops, std::vector<PatchPath>& out) {
  for (const auto& op : ops) {
    if (!op.IsMap()) continue;
    const YAML::Node kind = op["op"], path = op["path"], from = op["from"];
    if (!kind.IsScalar() || kind.Scalar() == "test") continue;
    auto add = [&](const YAML::Node& pointer, const YAML::Node* value) {
      if (!pointer.IsScalar()) return;
      PatchPath at;
      at.segments = pointer_segments(pointer.Scalar());
      at.marks.assign(at.segments.size(), mark_of(pointer));
      if (value && value->IsDefined() && (value->IsMap() || value->IsSequence())) {
        leaves(*value, at, out);
      } else {
        if (value && value->IsDefined()) at.number = number_of(*value);
        out.push_back(std::move(at));
      }
    };
    const YAML::Node value = op["value"];
    add(path, &value);
    if (kind.Scalar() == "move") add(from, nullptr);
  }
}

}  // namespace

std::string patch_path_text(const PatchPath& path, std::size_t depth) {
  std::string out;
  for (std::size_t i = 0; i < path.segments.size() && i < depth; ++i) {
    const std::string& s = path.segments[i];
    if (s != "[*]" && !out.empty()) out += '.';
    out += s;
  }
  return out;
}

std::optional<std::vector<PatchPath>> patch_paths(std::string_view text, PatchType type) {
  try {
    YAML::Node doc = YAML::Load(std::string(text));
    if (patch_too_large(doc)) return std::nullopt;
    std::vector<PatchPath> out;
    if (type == PatchType::Json) {
      if (!doc.IsSequence()) return std::nullopt;
      json_patch_paths(doc, out);
    } else {
      if (!doc.IsMap()) return std::nullopt;
      PatchPath at;
      leaves(doc, at, out);
    }
    return out;
  } catch (const YAML::Exception&) {
    return std::nullopt;
  }
}

std::string_view patch_target_name(PatchTarget target) {
  return rules_of(target).name;
}

std::optional<PatchProblem> check_patch_paths(PatchTarget target,
                                              const std::vector<PatchPath>& paths) {
  const KindRules& kind = rules_of(target);
  for (std::size_t i = 0; i < paths.size(); ++i) {
    std::string text = patch_path_text(paths[i]);
    const Rule* decided = nullptr;
    for (auto table : kind.tables) {
      for (const auto& rule : table) {
        if (!decided && covers(rule.path, text)) decided = &rule;
      }
    }
    if (!decided) continue;
    switch (decided->verdict) {
      case Verdict::Allowed:
        break;
      case Verdict::Refused:
        return PatchProblem{
            i, decided->whole_field ? paths[i].segments.size() : depth_of(decided->path),
            std::string(decided->why), std::string(decided->hint)};
      case Verdict::NonNegative:
        if (paths[i].number && *paths[i].number < 0)
          return PatchProblem{i, paths[i].segments.size(), std::string(decided->why),
                              "write 0 or more"};
        break;
      case Verdict::InTemplate: {
        std::string field(decided->path.substr(decided->path.find('.') + 1));
        return PatchProblem{i, depth_of(decided->path),
                            "`" + std::string(decided->path) +
                                "` is a field of a pod; a workload describes its pods in its "
                                "pod template",
                            "write `spec.template.spec." + field + "`"};
      }
    }
  }
  return std::nullopt;
}

}  // namespace skippy::dsl
