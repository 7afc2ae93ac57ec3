#include "stdlib/remediation.hpp"

#include <algorithm>
#include <cmath>

#include "base/json_escape.hpp"
#include "runtime/engine/audit.hpp"
#include "runtime/engine/target_table.hpp"

namespace skippy::stdlib {
namespace {

using bytecode::TargetKind;
using bytecode::Value;
using bytecode::ValueTag;

constexpr std::string_view kStrategicMerge = "application/strategic-merge-patch+json";
constexpr std::string_view kMergePatch = "application/merge-patch+json";
constexpr std::string_view kJsonPatch = "application/json-patch+json";
constexpr std::string_view kJson = "application/json";

std::string quoted(std::string_view s) {
  return "\"" + base::json_escape(s) + "\"";
}

std::string whole(double d) {
  return std::to_string(static_cast<long long>(std::llround(d)));
}

class Arguments {
 public:
  explicit Arguments(std::span<const ActionArgument> args) : args_(args) {}
  const Value* find(std::string_view name) const {
    for (const auto& a : args_) {
      if (a.name == name) return &a.value;
    }
    return nullptr;
  }
  std::optional<double> number(std::string_view name) const {
    const Value* v = find(name);
    if (!v || v->tag != ValueTag::Number) return std::nullopt;
    return v->number;
  }
  std::string_view text(std::string_view name, std::string_view otherwise = {}) const {
    const Value* v = find(name);
    return v && v->tag == ValueTag::String ? v->string() : otherwise;
  }
  bool flag(std::string_view name) const {
    const Value* v = find(name);
    return v && v->tag == ValueTag::Bool && v->boolean;
  }

 private:
  std::span<const ActionArgument> args_;
};

std::string who(const RemediationTarget& t) {
  return std::string(engine::kind_name(t.kind)) + " " + std::string(t.namespace_name) + "/" +
         std::string(t.name);
}

// DeleteOptions: a grace period in seconds (force: 0) and a propagation policy.
std::string delete_options(std::optional<double> grace_s, std::string_view propagation) {
  std::string out = R"({"apiVersion":"v1","kind":"DeleteOptions")";
  if (grace_s) out += ",\"gracePeriodSeconds\":" + whole(*grace_s);
  if (!propagation.empty()) {
    std::string policy(propagation);
    policy[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(policy[0])));
    out += ",\"propagationPolicy\":" + quoted(policy);
  }
  return out + "}";
}

std::variant<Remediation, std::string> restart(const Arguments& args, const RemediationTarget& t,
                                               const RemediationContext& ctx) {
  std::string_view strategy = args.text("strategy", "rolling");
  Remediation r;
  if (t.kind == TargetKind::Pods) {
    // A pod restarts by being deleted: its controller makes a new one. `recreate` does not
    // wait for the grace period.
    std::optional<double> grace;
    if (strategy == "recreate") grace = 0;
    r.requests.push_back({"DELETE", object_path(t.kind, t.namespace_name, t.name),
                          std::string(kJson), delete_options(grace, "")});
    r.summary = "delete " + who(t) + (strategy == "recreate" ? " at once" : "");
    return r;
  }
  if (strategy == "recreate") {
    for (const auto* pod : t.pods) {
      r.requests.push_back({"DELETE",
                            object_path(TargetKind::Pods, pod->meta.namespace_name, pod->meta.name),
                            std::string(kJson), delete_options(0, "")});
    }
    r.summary = "delete the " + std::to_string(t.pods.size()) + " pods of " + who(t) + " at once";
    r.noop = t.pods.empty();
    return r;
  }
  // As `kubectl rollout restart`: a new pod-template annotation starts a rollout.
  r.requests.push_back(
      {"PATCH", object_path(t.kind, t.namespace_name, t.name), std::string(kStrategicMerge),
       R"({"spec":{"template":{"metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":)" +
           quoted(engine::format_time(ctx.now_ms)) + "}}}}}"});
  r.summary = "rollout restart of " + who(t);
  return r;
}

// `of: owner`: a pod's owning workload (the top one: a ReplicaSet's Deployment) as the target,
// or why there is none; nothing is sent for a bare pod.
std::variant<RemediationTarget, std::string> owner_of(std::string_view action,
                                                      const RemediationTarget& t) {
  if (!t.workload) {
    return std::string(action) + ": pod " + std::string(t.namespace_name) + "/" +
           std::string(t.name) + " has no owning workload";
  }
  auto kind = engine::workload_kind(t.workload->kind);
  if (!kind) {
    return std::string(action) + ": the pod's owner is a " + t.workload->kind + ", which " +
           (action == "scale" ? "has no scale" : "Skippy does not patch");
  }
  RemediationTarget w = t;
  w.kind = *kind;
  w.namespace_name = t.workload->meta.namespace_name;
  w.name = t.workload->meta.name;
  return w;
}

std::variant<Remediation, std::string> scale(const Arguments& args, const RemediationTarget& t) {
  RemediationTarget w = t;
  if (t.kind == TargetKind::Pods) {
    auto owner = owner_of("scale", t);
    if (auto* why = std::get_if<std::string>(&owner)) return std::move(*why);
    w = std::get<RemediationTarget>(owner);
  }
  if (w.kind == TargetKind::DaemonSets) return "scale: a DaemonSet has no replicas to scale";
  if (!t.workload) return "scale: " + who(w) + " is not in the cluster view";
  const double current = static_cast<double>(t.workload->replicas);
  double wanted = current;
  if (auto to = args.number("to")) wanted = *to;
  if (auto by = args.number("by")) wanted = current + *by;
  if (auto lo = args.number("min")) wanted = std::max(wanted, *lo);
  if (auto hi = args.number("max")) wanted = std::min(wanted, *hi);
  wanted = std::max(wanted, 0.0);
  Remediation r;
  r.summary = "scale " + who(w) + " from " + whole(current) + " to " + whole(wanted);
  if (std::llround(wanted) == std::llround(current)) {
    r.noop = true;
    r.summary = who(w) + " already has " + whole(current) + " replicas, within its bounds";
    return r;
  }
  r.requests.push_back({"PATCH", object_path(w.kind, w.namespace_name, w.name) + "/scale",
                        std::string(kMergePatch),
                        R"({"spec":{"replicas":)" + whole(wanted) + "}}"});
  return r;
}

std::variant<Remediation, std::string> patch(const Arguments& args, const RemediationTarget& to) {
  RemediationTarget t = to;
  if (args.text("of") == "owner" && to.kind == TargetKind::Pods) {
    auto owner = owner_of("patch", to);
    if (auto* why = std::get_if<std::string>(&owner)) return std::move(*why);
    t = std::get<RemediationTarget>(owner);
  }
  std::string_view type = args.text("type", "strategic");
  std::string_view content_type = type == "json"    ? kJsonPatch
                                  : type == "merge" ? kMergePatch
                                                    : kStrategicMerge;
  Remediation r;
  r.requests.push_back({"PATCH", object_path(t.kind, t.namespace_name, t.name),
                        std::string(content_type), std::string(args.text("patch"))});
  r.summary = std::string(type) + " patch of " + who(t);
  return r;
}

std::variant<Remediation, std::string> remove(const Arguments& args, const RemediationTarget& t) {
  std::optional<double> grace = args.number("grace");
  if (args.flag("force")) grace = 0;
  Remediation r;
  r.requests.push_back({"DELETE", object_path(t.kind, t.namespace_name, t.name), std::string(kJson),
                        delete_options(grace, args.text("propagation", "background"))});
  r.summary = "delete " + who(t);
  return r;
}

std::variant<Remediation, std::string> evict(const Arguments& args, const RemediationTarget& t) {
  std::string body = R"({"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":)" +
                     quoted(t.name) + ",\"namespace\":" + quoted(t.namespace_name) + "}";
  if (auto grace = args.number("grace"))
    body += R"(,"deleteOptions":{"gracePeriodSeconds":)" + whole(*grace) + "}";
  body += "}";
  Remediation r;
  r.requests.push_back({"POST", object_path(t.kind, t.namespace_name, t.name) + "/eviction",
                        std::string(kJson), std::move(body)});
  r.summary = "evict " + who(t) + " (PodDisruptionBudgets apply)";
  return r;
}

std::variant<Remediation, std::string> mark(std::string_view field, const Arguments& args,
                                            const RemediationTarget& t) {
  Remediation r;
  r.requests.push_back({"PATCH", object_path(t.kind, t.namespace_name, t.name),
                        std::string(kMergePatch),
                        "{\"metadata\":{\"" + std::string(field) + "\":{" +
                            quoted(args.text("key")) + ":" + quoted(args.text("value")) + "}}}"});
  r.summary = "set " + std::string(field == "labels" ? "label " : "annotation ") +
              std::string(args.text("key")) + "=" + std::string(args.text("value")) + " on " +
              who(t);
  return r;
}

std::variant<Remediation, std::string> notify(const Arguments& args, const RemediationTarget& t,
                                              const RemediationContext& ctx) {
  Remediation r;
  WebhookRequest w;
  w.url = std::string(args.text("webhook"));
  if (w.url.empty())  // the Alertmanagers, when there are, take notify before it comes here
    return std::string(
        "notify has no webhook and no Alertmanager is configured "
        "(--alertmanager.url)");
  w.body = "{\"time\":" + quoted(engine::format_time(ctx.now_ms)) +
           ",\"id\":" + quoted(ctx.decision_id) + ",\"policy\":" + quoted(ctx.policy) +
           ",\"trigger\":" + quoted(ctx.trigger) +
           ",\"target\":{\"kind\":" + quoted(engine::kind_name(t.kind)) +
           ",\"namespace\":" + quoted(t.namespace_name) + ",\"name\":" + quoted(t.name) + "}";
  if (auto message = args.text("message"); !message.empty())
    w.body += ",\"message\":" + quoted(message);
  w.body += "}";
  r.summary = "notify " + w.url + " about " + who(t);
  r.webhook = std::move(w);
  return r;
}

}  // namespace

std::string object_path(TargetKind kind, std::string_view namespace_name, std::string_view name) {
  std::string ns(namespace_name), n(name);
  switch (kind) {
    case TargetKind::Pods:
      return "/api/v1/namespaces/" + ns + "/pods/" + n;
    case TargetKind::Deployments:
      return "/apis/apps/v1/namespaces/" + ns + "/deployments/" + n;
    case TargetKind::StatefulSets:
      return "/apis/apps/v1/namespaces/" + ns + "/statefulsets/" + n;
    case TargetKind::DaemonSets:
      return "/apis/apps/v1/namespaces/" + ns + "/daemonsets/" + n;
    case TargetKind::ReplicaSets:
      return "/apis/apps/v1/namespaces/" + ns + "/replicasets/" + n;
  }
  return "";
}

std::variant<Remediation, std::string> plan_remediation(std::string_view action,
                                                        std::span<const ActionArgument> arguments,
                                                        const RemediationTarget& target,
                                                        const RemediationContext& context) {
  Arguments args(arguments);
  if (action == "restart") return restart(args, target, context);
  if (action == "scale") return scale(args, target);
  if (action == "patch") return patch(args, target);
  if (action == "delete") return remove(args, target);
  if (action == "evict") return evict(args, target);
  if (action == "annotate") return mark("annotations", args, target);
  if (action == "label") return mark("labels", args, target);
  if (action == "notify") return notify(args, target, context);
  return "no remediation is known for the action `" + std::string(action) + "`";
}

}  // namespace skippy::stdlib
