// The Deployment controller: one ReplicaSet per pod template (named after the deployment and
// the template's hash, which it carries as the pod-template-hash label), the current one
// scaled to spec.replicas and the older ones to zero. A rolling update moves within maxSurge
// and maxUnavailable (int or percent, as the real controller rounds them); Recreate scales the
// old ReplicaSets to zero before the new one starts. Status (replicas, updated, ready,
// available, observedGeneration, conditions Available and Progressing) is what `kubectl
// rollout status` reads.
#include <algorithm>

#include "simulator/controllers/controller.hpp"
#include "simulator/names.hpp"
#include "simulator/object_meta.hpp"
#include "simulator/rest.hpp"

namespace skippy::sim {
namespace {

constexpr const char* kRevision = "deployment.kubernetes.io/revision";

std::int64_t revision_of(const Json& rs) {
  std::string r = annotation(rs, kRevision);
  return r.empty() ? 0 : std::atoll(r.c_str());
}

// Sets the replicas of a ReplicaSet, with the event the real controller records.
void scale_replicaset(ControllerContext& context, const Json& deployment, Json& rs,
                      std::int64_t replicas) {
  std::int64_t from = int_at(rs, "/spec/replicas", 1);
  if (from == replicas) return;
  rs["spec"]["replicas"] = replicas;
  auto updated = context.store.update(resource("replicasets"), rs);
  if (!error_of(updated)) rs = std::get<Json>(updated);
  context.events.record(context.store, deployment, "Normal", "ScalingReplicaSet",
                        std::string(replicas > from ? "Scaled up" : "Scaled down") +
                            " replica set " + name_of(rs) + " from " + std::to_string(from) +
                            " to " + std::to_string(replicas),
                        "deployment-controller", context.now_ms);
}

// The new ReplicaSet of `deployment` for template hash `hash`, created with `replicas`.
std::optional<Json> create_replicaset(ControllerContext& context, const Json& deployment,
                                      const std::string& hash, std::int64_t revision,
                                      std::int64_t replicas) {
  Json tmpl = deployment["spec"]["template"];
  tmpl["metadata"]["labels"]["pod-template-hash"] = hash;
  Json selector = deployment["spec"]["selector"];
  selector["matchLabels"]["pod-template-hash"] = hash;
  Json rs = {{"metadata",
              {{"name", name_of(deployment) + "-" + hash},
               {"labels", tmpl["metadata"]["labels"]},
               {"annotations",
                {{kRevision, std::to_string(revision)},
                 {"deployment.kubernetes.io/desired-replicas",
                  std::to_string(int_at(deployment, "/spec/replicas", 1))}}},
               {"ownerReferences", Json::array({owner_reference(deployment, true)})}}},
             {"spec", {{"replicas", 0}, {"selector", selector}, {"template", tmpl}}}};
  auto created = create_object(context.store, resource("replicasets"), namespace_of(deployment), rs,
                               context.now_ms);
  if (error_of(created)) return std::nullopt;
  Json out = std::get<Json>(created);
  scale_replicaset(context, deployment, out, replicas);
  return out;
}

void sync_deployment(ControllerContext& context, Json deployment) {
  const ResourceType& replicasets = resource("replicasets");
  std::string hash = safe_suffix(fnv1a(deployment["spec"]["template"].dump()), 10);
  std::int64_t desired = int_at(deployment, "/spec/replicas", 1);
  std::optional<Json> current;
  std::vector<Json> old;
  std::int64_t max_revision = 0;
  for (Json& rs : list_copy(context.store, replicasets, namespace_of(deployment))) {
    if (controller_uid(rs) != uid_of(deployment) || being_deleted(rs)) continue;
    max_revision = std::max(max_revision, revision_of(rs));
    if (string_at(rs, "/metadata/labels/pod-template-hash") == hash)
      current = std::move(rs);
    else
      old.push_back(std::move(rs));
  }
  std::sort(old.begin(), old.end(),
            [](const Json& a, const Json& b) { return revision_of(a) < revision_of(b); });
  std::int64_t old_replicas = 0, old_pods = 0;
  for (const Json& rs : old) {
    old_replicas += int_at(rs, "/spec/replicas", 1);
    old_pods += int_at(rs, "/status/replicas");
  }
  bool recreate = string_at(deployment, "/spec/strategy/type") == "Recreate";
  Json rolling =
      deployment["spec"].value("strategy", Json::object()).value("rollingUpdate", Json::object());
  std::int64_t surge =
      recreate ? 0 : int_or_percent(rolling.value("maxSurge", Json("25%")), desired, true);
  std::int64_t unavailable =
      recreate ? desired
               : int_or_percent(rolling.value("maxUnavailable", Json("25%")), desired, false);
  if (surge == 0 && unavailable == 0) unavailable = 1;

  if (!current) {
    std::int64_t start = desired;
    if (recreate && old_pods > 0) start = 0;
    if (!recreate && old_replicas > 0)
      start = std::clamp<std::int64_t>(desired + surge - old_replicas, 0, desired);
    current = create_replicaset(context, deployment, hash, max_revision + 1, start);
    if (!current) return;
  }
  if (recreate) {
    for (Json& rs : old) scale_replicaset(context, deployment, rs, 0);
    if (old_pods == 0) scale_replicaset(context, deployment, *current, desired);
  } else if (old_replicas == 0) {
    scale_replicaset(context, deployment, *current, desired);
  } else {
    // Up: the new ReplicaSet grows while the total stays within desired + maxSurge.
    std::int64_t now_new = int_at(*current, "/spec/replicas", 1);
    std::int64_t room = desired + surge - (now_new + old_replicas);
    if (now_new < desired && room > 0)
      scale_replicaset(context, deployment, *current, std::min(desired, now_new + room));
    // Down: old pods go while the ready ones stay at least desired - maxUnavailable.
    std::int64_t ready = int_at(*current, "/status/readyReplicas");
    for (const Json& rs : old) ready += int_at(rs, "/status/readyReplicas");
    std::int64_t removable = std::max<std::int64_t>(0, ready - (desired - unavailable));
    for (Json& rs : old) {
      std::int64_t replicas = int_at(rs, "/spec/replicas", 1);
      std::int64_t not_ready =
          std::max<std::int64_t>(0, replicas - int_at(rs, "/status/readyReplicas"));
      std::int64_t cut = std::min(replicas, not_ready + removable);
      removable -= std::max<std::int64_t>(0, cut - not_ready);
      if (cut > 0) scale_replicaset(context, deployment, rs, replicas - cut);
    }
  }
  // Old ReplicaSets at zero beyond revisionHistoryLimit are removed, oldest first.
  std::int64_t limit = int_at(deployment, "/spec/revisionHistoryLimit", 10);
  std::int64_t idle = 0;
  for (const Json& rs : old) idle += int_at(rs, "/spec/replicas", 1) == 0 ? 1 : 0;
  for (const Json& rs : old) {
    if (idle <= limit) break;
    if (int_at(rs, "/spec/replicas", 1) != 0 || int_at(rs, "/status/replicas") != 0) continue;
    delete_object(context.store, {&replicasets, namespace_of(rs), name_of(rs)},
                  Propagation::Background, context.now_ms);
    --idle;
  }

  std::int64_t replicas = int_at(*current, "/status/replicas");
  std::int64_t updated = replicas;
  std::int64_t ready = int_at(*current, "/status/readyReplicas");
  for (const Json& rs : old) {
    const Json* now_rs = context.store.find(replicasets, namespace_of(rs), name_of(rs));
    if (!now_rs) continue;
    replicas += int_at(*now_rs, "/status/replicas");
    ready += int_at(*now_rs, "/status/readyReplicas");
  }
  const Json* stored =
      context.store.find(resource("deployments"), namespace_of(deployment), name_of(deployment));
  if (!stored) return;
  deployment = *stored;
  std::string revision = annotation(*current, kRevision);
  if (annotation(deployment, kRevision) != revision) {
    deployment["metadata"]["annotations"][kRevision] = revision;
    auto written = context.store.update(resource("deployments"), deployment);
    if (error_of(written)) return;
    deployment = std::get<Json>(written);
  }
  Json status = deployment.value("status", Json::object());
  status["observedGeneration"] = int_at(deployment, "/metadata/generation", 1);
  status["replicas"] = replicas;
  status["updatedReplicas"] = updated;
  status["readyReplicas"] = ready;
  status["availableReplicas"] = ready;
  status["unavailableReplicas"] = std::max<std::int64_t>(0, replicas - ready);
  Json conditions = status.value("conditions", Json::array());
  bool available = ready >= desired - unavailable;
  set_condition(conditions, "Available", available,
                available ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
                available ? "Deployment has minimum availability."
                          : "Deployment does not have minimum availability.",
                context.now_ms);
  bool complete = updated == desired && replicas == desired && ready == desired;
  set_condition(conditions, "Progressing", true,
                complete ? "NewReplicaSetAvailable" : "ReplicaSetUpdated",
                "ReplicaSet \"" + name_of(*current) + "\" " +
                    (complete ? "has successfully progressed." : "is progressing."),
                context.now_ms);
  status["conditions"] = conditions;
  write_status(context.store, resource("deployments"), deployment, status);
}

}  // namespace

void run_deployment_controller(ControllerContext& context) {
  for (Json& d : list_copy(context.store, resource("deployments"))) {
    if (being_deleted(d) || d.value("spec", Json::object()).value("paused", false)) continue;
    sync_deployment(context, std::move(d));
  }
}

}  // namespace skippy::sim
