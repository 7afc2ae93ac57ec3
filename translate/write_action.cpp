#include "translate/write_action.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "dsl/format.hpp"
#include "dsl/patch_paths.hpp"
#include "dsl/yaml_size.hpp"

namespace skippy::translate {
namespace {

dsl::PatchTarget patch_target(Kind kind) {
  switch (kind) {
    case Kind::Pods:
      return dsl::PatchTarget::Pod;
    case Kind::Deployments:
      return dsl::PatchTarget::Deployment;
    case Kind::StatefulSets:
      return dsl::PatchTarget::StatefulSet;
    case Kind::DaemonSets:
      return dsl::PatchTarget::DaemonSet;
    case Kind::ReplicaSets:
      return dsl::PatchTarget::ReplicaSet;
  }
  return dsl::PatchTarget::Pod;
}

// A JSON string literal.
std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\u00";
      out += kHex[u >> 4];
      out += kHex[u & 15];
    } else {
      out += c;
    }
  }
  return out + "\"";
}

// A patch text as a language string: a raw string when it can be one (no backtick), its
// lines indented to sit under the call, else a quoted string.
std::string patch_literal(const std::string& text) {
  if (text.find('`') != std::string::npos) return dsl::quote_string(text);
  std::string out = "`\n";
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + start, end - start);
    if (!line.empty()) out += "      " + std::string(line);
    out += "\n";
    start = end + 1;
  }
  return out + "    `";
}

// The structured `patches` list as one patch document of `type`: nested objects for
// strategic and merge patches, `replace` operations for a JSON patch. Values stay strings,
// as the schema has them.
std::string patches_document(const std::vector<PatchOperation>& ops, const std::string& type) {
  if (type == "json") {
    std::string out = "[";
    for (std::size_t i = 0; i < ops.size(); ++i) {
      std::string path;
      for (const auto& p : ops[i].path) {
        std::string escaped;
        for (char c : p) escaped += c == '~' ? "~0" : c == '/' ? "~1" : std::string(1, c);
        path += "/" + escaped;
      }
      out += std::string(i ? ", " : "") + "{\"op\": \"replace\", \"path\": " + json_string(path) +
             ", \"value\": " + json_string(ops[i].value) + "}";
    }
    return out + "]";
  }
  YAML::Node root(YAML::NodeType::Map);
  for (const auto& op : ops) {
    if (op.path.empty()) continue;
    YAML::Node at = root;
    for (std::size_t i = 0; i + 1 < op.path.size(); ++i) {
      if (!at[op.path[i]].IsMap()) at[op.path[i]] = YAML::Node(YAML::NodeType::Map);
      at.reset(at[op.path[i]]);
    }
    at[op.path.back()] = op.value;
  }
  YAML::Emitter out;
  out << YAML::Flow << YAML::DoubleQuoted << root;
  return out.c_str();
}

class ActionWriter {
 public:
  ActionWriter(const Action& a, Kind kind, Findings& f) : a_(a), kind_(kind), f_(f) {}

  WrittenAction write() {
    WrittenAction out;
    out.priority = skippy_priority(a_.priority.value);
    if (a_.priority.value > 100 || a_.priority.value < -900)
      f_.warning(a_.priority.where, "priority " + std::to_string(a_.priority.value) +
                                        " is outside what Skippy's priorities can keep in "
                                        "order; written as " +
                                        std::to_string(out.priority));
    std::string name = a_.name.present ? a_.name.value : "action";
    out.comment = name + (a_.description.present ? ": " + a_.description.value : "") +
                  " (upstream priority " + std::to_string(a_.priority.value) +
                  (a_.priority.present ? "" : ", the default") + ")";
    const std::string& type = a_.type.value;
    if (type == "restart") {
      out.written = restart(out);
    } else if (type == "scale") {
      out.written = scale(out);
    } else if (type == "patch") {
      out.written = patch(out);
    } else if (type == "delete") {
      out.written = del(out);
    } else if (type == "custom") {
      f_.warning(a_.type.where,
                 "custom actions are not supported: Skippy runs only the actions "
                 "of its catalog; left out");
    } else {
      f_.warning(a_.type.where, "action type `" + type +
                                    "` is not one of restart, scale, patch, delete and custom; "
                                    "left out");
    }
    return out;
  }

 private:
  bool restart(WrittenAction& out) {
    if (kind_ == Kind::ReplicaSets) {
      f_.warning(a_.type.where,
                 "Skippy restarts pods, deployments, statefulsets and daemonsets, "
                 "not replicasets; left out of the policy for replicasets");
      return false;
    }
    std::string strategy = a_.restart.strategy.value;
    if (strategy != "rolling" && strategy != "recreate" && strategy != "graceful") {
      f_.warning(
          a_.restart.strategy.where,
          "strategy `" + strategy + "` is not rolling, recreate or graceful; rolling is used");
      strategy = "rolling";
    }
    if (a_.restart.grace_period_seconds.present)
      f_.warning(a_.restart.grace_period_seconds.where,
                 "Skippy's restart has no grace period of its own: `strategy: graceful` honours "
                 "the pod's; left out");
    out.action = "restart";
    out.call = "restart(strategy: " + strategy + ")";
    return true;
  }

  bool scale(WrittenAction& out) {
    const auto& s = a_.scale;
    if (kind_ == Kind::DaemonSets) {
      f_.warning(a_.type.where,
                 "a daemonset cannot be scaled; left out of the policy for daemonsets");
      return false;
    }
    std::int64_t max = s.max_replicas.value;
    std::int64_t min = s.min_replicas.value;
    if (max < 1) {
      f_.warning(s.max_replicas.where,
                 "maxReplicas " + std::to_string(max) +
                     " leaves nothing to scale to; 100, the schema's default, is used");
      max = 100;
    }
    if (min < 0 || min > max) {
      f_.warning(s.min_replicas.where, "minReplicas " + std::to_string(min) +
                                           " does not fit under maxReplicas " +
                                           std::to_string(max) + "; left out");
      min = 0;
    }
    std::string amount;
    const std::string& direction = s.direction.value;
    std::int64_t n = s.replicas.value;
    if (direction == "up" || direction == "down") {
      if (n < 1) {
        f_.warning(s.replicas.where, "scaling " + direction + " by " + std::to_string(n) +
                                         " replicas changes nothing; left out");
        return false;
      }
      amount = std::string("by: ") + (direction == "up" ? "+" : "-") + std::to_string(n);
    } else if (direction == "absolute") {
      std::int64_t to = std::clamp(n, min, max);
      if (to != n)
        f_.warning(s.replicas.where, "replicas " + std::to_string(n) +
                                         " lies outside minReplicas " + std::to_string(min) +
                                         " and maxReplicas " + std::to_string(max) + "; " +
                                         std::to_string(to) + " is used");
      amount = "to: " + std::to_string(to);
    } else {
      f_.warning(s.direction.where, (s.direction.present ? "direction `" + direction + "`"
                                                         : std::string("no direction")) +
                                        ": expected up, down or absolute; left out");
      return false;
    }
    if (!s.max_replicas.present)
      f_.note(s.max_replicas.where,
              "no maxReplicas: the schema's default 100 is written as `max: 100`");
    out.action = "scale";
    out.call = std::string("scale(") + (kind_ == Kind::Pods ? "of: owner, " : "") + amount +
               (min > 0 ? ", min: " + std::to_string(min) : "") + ", max: " + std::to_string(max) +
               ")";
    return true;
  }

  bool patch(WrittenAction& out) {
    const auto& p = a_.patch;
    std::string type = p.type.value;
    if (type != "strategic" && type != "merge" && type != "json") {
      f_.warning(p.type.where,
                 (p.type.present ? "patch type `" + type + "`" : std::string("no patch type")) +
                     ": expected strategic, merge or json; strategic is used");
      type = "strategic";
    }
    std::string text = p.patch.value;
    if (!p.patch.present || text.find_first_not_of(" \t\r\n") == std::string::npos) {
      if (p.patches.empty()) {
        f_.warning(p.patch.where, "a patch action without a patch; left out");
        return false;
      }
      for (const auto& op : p.patches) {
        if (op.path.empty()) f_.warning(op.where, "an operation without a path; left out");
      }
      text = patches_document(p.patches, type);
    } else if (!p.patches.empty()) {
      f_.warning(p.where, "both `patch` and `patches`: the translation sends `patch` only");
    }
    if (text.find("{{") != std::string::npos) {
      f_.warning(p.patch.where,
                 "the patch holds a template (`{{ ... }}`), which nothing expands: "
                 "upstream sent it as written, and so does Skippy");
    }
    // The compiler reads the patch as JSON or YAML; check its shape here to say where it is.
    try {
      YAML::Node doc = YAML::Load(text);
      if (dsl::patch_too_large(doc)) {
        f_.warning(p.patch.where, std::string(dsl::kPatchTooLarge) +
                                      " (anchors and aliases can make a few lines stand for "
                                      "billions of values, which are refused rather than "
                                      "expanded); left out");
        return false;
      }
      bool ok = type == "json" ? doc.IsSequence() : doc.IsMap();
      if (!ok) {
        f_.warning(p.patch.where, type == "json"
                                      ? "a JSON patch must be a list of operations; left out"
                                      : "a " + type + " patch must be an object; left out");
        return false;
      }
    } catch (const YAML::Exception& e) {
      f_.warning(p.patch.where,
                 "the patch is neither JSON nor YAML (" + std::string(e.what()) + "); left out");
      return false;
    }
    // What the patch changes must fit the kind it goes to (the compiler's E0354). Upstream
    // sent a pod's patch to the pod, where a real API server refuses a pod template; the
    // pod's owning workload is where such a patch does what it says.
    std::string owner;
    auto paths =
        dsl::patch_paths(text, type == "json" ? dsl::PatchType::Json : dsl::PatchType::Strategic);
    if (paths) {
      auto own = dsl::check_patch_paths(patch_target(kind_), *paths);
      if (own && kind_ == Kind::Pods &&
          !dsl::check_patch_paths(dsl::PatchTarget::OwningWorkload, *paths)) {
        f_.warning(p.patch.where,
                   "upstream sent this patch to the pod, which a real API server refuses (" +
                       own->why +
                       "); the translation patches the pod's owning workload: " + "`of: owner`");
        owner = "of: owner, ";
      } else if (own) {
        f_.warning(p.patch.where,
                   "the patch changes `" + dsl::patch_path_text((*paths)[own->path], own->depth) +
                       "`, which " + std::string(dsl::patch_target_name(patch_target(kind_))) +
                       " cannot take: " + own->why + "; left out");
        return false;
      }
    }
    out.action = "patch";
    out.call = "patch(" + owner + "type: " + type + ", patch: " + patch_literal(text) + ")";
    return true;
  }

  bool del(WrittenAction& out) {
    const auto& d = a_.del;
    if (kind_ != Kind::Pods) {
      f_.warning(a_.type.where, "Skippy deletes pods only, where upstream would delete the " +
                                    std::string(kind_upstream(kind_)) +
                                    " itself; left out of the policy for " +
                                    std::string(kind_word(kind_)));
      return false;
    }
    std::int64_t grace = d.grace_period_seconds.value;
    if (grace < 0) {
      f_.warning(d.grace_period_seconds.where, "a negative grace period; 0 is used");
      grace = 0;
    }
    std::string call = "delete(grace: " + std::to_string(grace) + "s";
    if (d.force.present && d.force.value) call += ", force: true";
    if (d.propagation_policy.present) {
      std::string p = d.propagation_policy.value;
      if (p == "Orphan" || p == "Background" || p == "Foreground") {
        std::transform(p.begin(), p.end(), p.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        call += ", propagation: " + p;
      } else {
        f_.warning(
            d.propagation_policy.where,
            "propagationPolicy `" + p + "` is not Orphan, Background or Foreground; left out");
      }
    }
    out.action = "delete";
    out.call = call + ")";
    return true;
  }

  const Action& a_;
  Kind kind_;
  Findings& f_;
};

}  // namespace

std::int64_t skippy_priority(std::int64_t upstream) {
  return std::clamp<std::int64_t>(100 - upstream, 0, 1000);
}

WrittenAction write_action(const Action& action, Kind kind, Findings& findings) {
  return ActionWriter(action, kind, findings).write();
}

}  // namespace skippy::translate
