#include "k8s-adapter/healing_actions.hpp"

#include <simdjson.h>

#include "base/json_escape.hpp"
#include "base/time_format.hpp"
#include "runtime/safety/journal.hpp"

namespace skippy::k8s {
namespace {

constexpr std::string_view kCollection = "/apis/kubeskippy.io/v1alpha1/namespaces/";
constexpr const char* kManagedBy = "app.kubernetes.io%2Fmanaged-by%3Dskippy";

std::string json_text(std::string_view text) {
  return "\"" + base::json_escape(text) + "\"";
}

std::string api_version_of(std::string_view kind) {
  return kind == "Pod" ? "v1" : "apps/v1";
}

// The upstream schema's action types.
std::string action_type(std::string_view action) {
  for (std::string_view known : {"restart", "scale", "patch", "delete"})
    if (action == known) return std::string(known);
  return "custom";
}

// The action's journal record: a journal holding this one action, as it stands.
std::string journal_record(const safety::ActionRequest& request, safety::ActionState state,
                           std::int64_t decided_ms, std::int64_t now_ms) {
  safety::SafetyState one;
  safety::ActionEntry& e = one.actions[request.id];
  e.state = state;
  e.decided_ms = decided_ms;
  e.updated_ms = e.last_seen_ms = now_ms;
  e.attempts = state == safety::ActionState::Pending ? 0 : 1;
  e.request = std::make_shared<const safety::ActionRequest>(request);
  return safety::encode_journal(one);
}

std::string text_at(simdjson::dom::element e, std::string_view pointer) {
  std::string_view v;
  return e.at_pointer(pointer).get(v) ? std::string() : std::string(v);
}

}  // namespace

std::string healing_action_name(std::string_view id) {
  return "skippy-" + std::string(id);
}

HealingActions::HealingActions(const ApiClient& client, HealingActionsConfig config,
                               safety::Executor& inner)
    : client_(client), config_(std::move(config)), inner_(inner) {}

std::string HealingActions::collection_path() const {
  return std::string(kCollection) + config_.namespace_name + "/healingactions";
}

std::string HealingActions::object_path(std::string_view id, bool status) const {
  return collection_path() + "/" + healing_action_name(id) + (status ? "/status" : "");
}

void HealingActions::warn(const std::string& message) {
  if (config_.log) config_.log(message);
}

ApiResult HealingActions::create(const safety::ActionRequest& r, std::string_view phase,
                                 std::int64_t decided_ms, std::int64_t now_ms) {
  const bool pending = phase == "Pending";
  std::string labels = "\"app.kubernetes.io/managed-by\":\"skippy\"";
  if (r.policy.size() <= 63) labels += ",\"skippy.io/policy\":" + json_text(r.policy);
  std::string body =
      R"({"apiVersion":"kubeskippy.io/v1alpha1","kind":"HealingAction","metadata":{"name":)" +
      json_text(healing_action_name(r.id)) + ",\"namespace\":" + json_text(config_.namespace_name) +
      ",\"labels\":{" + labels + "},\"annotations\":{\"skippy.io/action-id\":" + json_text(r.id) +
      ",\"skippy.io/instance\":" + json_text(config_.instance) +
      ",\"skippy.io/trigger\":" + json_text(r.trigger) + ",\"skippy.io/journal-record\":" +
      json_text(
          journal_record(r, pending ? safety::ActionState::Pending : safety::ActionState::InFlight,
                         decided_ms, now_ms)) +
      "}},\"spec\":{\"policyRef\":{\"name\":" + json_text(r.policy) +
      "},\"targetResource\":{\"apiVersion\":" + json_text(api_version_of(r.target.kind)) +
      ",\"kind\":" + json_text(r.target.kind) + ",\"name\":" + json_text(r.target.name) +
      ",\"namespace\":" + json_text(r.target.namespace_name) +
      "},\"action\":{\"name\":" + json_text(r.action) +
      ",\"type\":" + json_text(action_type(r.action)) +
      "},\"approvalRequired\":" + (r.approval_required ? "true" : "false") + ",\"dryRun\":false}}";
  return client_.send("POST", collection_path(), body, "application/json");
}

void HealingActions::set_status(std::string_view id, const std::string& status_json) {
  if (unsupported_) return;
  auto result = client_.send("PATCH", object_path(id, true), "{\"status\":" + status_json + "}",
                             "application/merge-patch+json");
  if (!result.ok())
    warn("HealingAction " + healing_action_name(id) +
         ": cannot update its status: " + result.error);
}

safety::ExecutionResult HealingActions::execute(const safety::ActionRequest& r,
                                                std::int64_t now_ms) {
  std::uint32_t attempt = 1;
  if (!unsupported_) {
    auto created = create(r, "InProgress", now_ms, now_ms);
    if (created.status == 404) {
      unsupported_ = true;
      warn(
          "the API server has no HealingAction resource (is the CRD installed?): actions run "
          "without their records in the cluster");
    } else if (created.status == 409) {
      // Written before: by this instance (a retry, or an approved action), or by another.
      auto got = client_.get(object_path(r.id, false));
      simdjson::dom::parser parser;
      simdjson::dom::element doc;
      if (!got.ok() || parser.parse(got.body).get(doc))
        return {safety::classify_http_status(got.status),
                "cannot read the action's HealingAction: " + got.error};
      std::string owner = text_at(doc, "/metadata/annotations/skippy.io~1instance");
      std::string phase = text_at(doc, "/status/phase");
      if (owner != config_.instance)
        return {safety::ExecutionStatus::PermanentFailure,
                "not repeated: HealingAction " + config_.namespace_name + "/" +
                    healing_action_name(r.id) + " shows instance " + owner +
                    " took this action (phase " + (phase.empty() ? "unknown" : phase) + ")"};
      std::int64_t attempts = 0;
      if (!doc.at_pointer("/status/attempts").get(attempts))
        attempt = static_cast<std::uint32_t>(attempts + 1);
    } else if (!created.ok()) {
      return {safety::classify_http_status(created.status),
              "not executed: cannot record the action as a HealingAction: " + created.error};
    }
  }
  std::string at = json_text(base::format_time(now_ms));
  if (!unsupported_)
    set_status(r.id, "{\"phase\":\"InProgress\",\"startTime\":" + at + ",\"attempts\":" +
                         std::to_string(attempt) + ",\"lastAttemptTime\":" + at + "}");
  auto result = inner_.execute(r, now_ms);
  const bool ok = result.status == safety::ExecutionStatus::Success;
  std::string phase = ok                                                           ? "Succeeded"
                      : result.status == safety::ExecutionStatus::TransientFailure ? "InProgress"
                                                                                   : "Failed";
  std::string status = "{\"phase\":" + json_text(phase) +
                       ",\"result\":{\"success\":" + (ok ? "true" : "false") +
                       ",\"message\":" + json_text(result.message) + "}";
  if (phase != "InProgress") status += ",\"completionTime\":" + at;
  set_status(r.id, status + "}");
  return result;
}

void HealingActions::awaiting_approval(const safety::ActionRequest& r, std::int64_t decided_ms,
                                       std::int64_t now_ms) {
  if (unsupported_) return;
  auto created = create(r, "Pending", decided_ms, now_ms);
  if (created.status == 404) {
    unsupported_ = true;
    warn(
        "the API server has no HealingAction resource (is the CRD installed?): approvals are "
        "taken through the runtime's approvals API only");
    return;
  }
  if (!created.ok() && created.status != 409) {
    warn("cannot record the action awaiting approval as a HealingAction: " + created.error);
    return;
  }
  set_status(r.id, "{\"phase\":\"Pending\",\"approval\":{\"required\":true,\"approved\":false}}");
}

void HealingActions::expired(const safety::ActionRequest& r, std::int64_t now_ms) {
  set_status(r.id,
             "{\"phase\":\"Cancelled\",\"completionTime\":" + json_text(base::format_time(now_ms)) +
                 ",\"result\":{\"success\":false,\"message\":\"the approval expired\"}}");
}

void HealingActions::approved(const safety::ActionRequest& r, const std::string& by,
                              std::int64_t now_ms) {
  set_status(r.id,
             "{\"phase\":\"Approved\",\"approval\":{\"required\":true,\"approved\":true,"
             "\"approvedBy\":" +
                 json_text(by) + ",\"approvedAt\":" + json_text(base::format_time(now_ms)) + "}}");
}

void HealingActions::verdict(const safety::HealthVerdict& v) {
  const bool ok = v.state == safety::ActionState::Succeeded;
  set_status(v.request->id, "{\"phase\":\"" + std::string(ok ? "Succeeded" : "Failed") +
                                "\",\"completionTime\":" + json_text(base::format_time(v.time_ms)) +
                                ",\"result\":{\"success\":" + (ok ? "true" : "false") +
                                ",\"message\":" + json_text("health check: " + v.reason) + "}}");
}

std::vector<HealingActions::Approval> HealingActions::approvals() {
  std::vector<Approval> out;
  if (unsupported_) return out;
  auto listed = client_.get(collection_path() + "?labelSelector=" + kManagedBy);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  simdjson::dom::array items;
  if (!listed.ok() || parser.parse(listed.body).get(doc) || doc["items"].get(items)) {
    if (listed.status != 404)
      warn("cannot list HealingActions for approvals: " +
           (listed.ok() ? std::string("the answer is not a list") : listed.error));
    return out;
  }
  for (auto item : items) {
    bool approved = false;
    if (text_at(item, "/status/phase") != "Pending" ||
        item.at_pointer("/status/approval/approved").get(approved) || !approved)
      continue;
    std::string id = text_at(item, "/metadata/annotations/skippy.io~1action-id");
    if (id.empty()) continue;
    std::string by = text_at(item, "/status/approval/approvedBy");
    out.push_back({id, by.empty() ? "someone" : by});
  }
  return out;
}

safety::AdoptSummary HealingActions::adopt_from(safety::Gatekeeper& gatekeeper,
                                                std::int64_t now_ms) {
  safety::AdoptSummary summary;
  auto listed = client_.get(collection_path() + "?labelSelector=" + kManagedBy);
  if (listed.status == 404) return summary;  // no CRD: nothing was recorded
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  simdjson::dom::array items;
  if (!listed.ok() || parser.parse(listed.body).get(doc) || doc["items"].get(items)) {
    summary.errors.push_back(
        "cannot list HealingActions: " +
        (listed.ok() ? std::string("the answer is not a list") : listed.error));
    return summary;
  }
  for (auto item : items) {
    std::string name = text_at(item, "/metadata/name");
    std::string phase = text_at(item, "/status/phase");
    if (phase != "InProgress" && phase != "Succeeded" && phase != "Failed") {
      ++summary.skipped;  // never carried out
      continue;
    }
    auto decoded =
        safety::decode_journal(text_at(item, "/metadata/annotations/skippy.io~1journal-record"));
    if (!decoded.ok() || decoded.state.actions.size() != 1) {
      summary.errors.push_back(
          "HealingAction " + name + ": its journal record: " +
          (decoded.ok() ? std::string("not one action") : decoded.error->text()));
      continue;
    }
    const auto& [id, entry] = *decoded.state.actions.begin();
    if (!entry.request) {
      summary.errors.push_back("HealingAction " + name + ": its journal record has no request");
      continue;
    }
    auto state =
        phase == "Succeeded" ? safety::ActionState::Succeeded : safety::ActionState::Failed;
    if (gatekeeper.adopt(*entry.request, state, entry.decided_ms, now_ms))
      ++summary.adopted;
    else
      ++summary.skipped;
  }
  return summary;
}

}  // namespace skippy::k8s
