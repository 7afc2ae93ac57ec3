// What carrying out an action means in Kubernetes API calls: the requests an executor sends
// (the Kubernetes adapter to a cluster, the simulator, or a recording executor in tests) and
// the webhook `notify` posts. Pure: the same action, arguments, target and time give the same
// requests, so a dry run can show exactly what would have been sent.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "runtime/bytecode/program.hpp"
#include "runtime/bytecode/value.hpp"
#include "runtime/cluster/cluster_view.hpp"

namespace skippy::stdlib {

struct ApiRequest {
  std::string method;        // DELETE, PATCH or POST
  std::string path;          // /api/v1/namespaces/NS/pods/NAME, ...
  std::string content_type;  // of the body; "" without one
  std::string body;          // JSON
  friend bool operator==(const ApiRequest&, const ApiRequest&) = default;
};

struct WebhookRequest {
  std::string url;
  std::string body;  // a JSON event
};

struct Remediation {
  std::vector<ApiRequest> requests;
  std::optional<WebhookRequest> webhook;
  std::string summary;  // what it does, for people: "rollout restart of Deployment demo/web"
  bool noop = false;    // nothing to send (a scale already at its bound)
};

// The target an action is for, as the cluster view shows it now.
struct RemediationTarget {
  bytecode::TargetKind kind = bytecode::TargetKind::Pods;
  std::string_view namespace_name;
  std::string_view name;
  const cluster::Pod* pod = nullptr;            // a pod target
  const cluster::Workload* workload = nullptr;  // a workload target, or a pod's workload
  std::span<const cluster::Pod* const> pods;    // a workload's pods (restart: recreate)
};

struct ActionArgument {
  std::string_view name;
  bytecode::Value value;  // never unknown: proposals with unknown arguments never get here
};

// Who decided, for `notify`'s event and the restartedAt annotation.
struct RemediationContext {
  std::string_view decision_id;
  std::string_view policy;
  std::string_view trigger;
  std::int64_t now_ms = 0;
};

// The requests that carry out `action` for the target, or why it cannot be done (for the
// audit record: "scale: pod demo/a has no owning workload").
std::variant<Remediation, std::string> plan_remediation(std::string_view action,
                                                        std::span<const ActionArgument> arguments,
                                                        const RemediationTarget& target,
                                                        const RemediationContext& context);

// The API path of an object: /api/v1/namespaces/NS/pods/NAME,
// /apis/apps/v1/namespaces/NS/deployments/NAME, ...
std::string object_path(bytecode::TargetKind kind, std::string_view namespace_name,
                        std::string_view name);

}  // namespace skippy::stdlib
