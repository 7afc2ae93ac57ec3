#include "runtime/act/action_requests.hpp"

#include <functional>

#include "runtime/engine/audit.hpp"
#include "runtime/safety/decision_record.hpp"

namespace skippy::act {

safety::ActionRequest action_request(const bytecode::Program& program,
                                     const engine::TickResult& tick,
                                     const engine::ProposalRecord& p,
                                     std::span<const ActionInfo> actions) {
  const auto& policy = program.policies[p.policy];
  const auto& t = policy.templates[p.template_index];
  safety::ActionRequest r;
  r.policy = program.string(policy.name);
  r.trigger = program.string(policy.triggers[t.trigger].name);
  r.action = t.action < actions.size() ? actions[t.action].name : "?";
  r.destructive = t.action < actions.size() && actions[t.action].destructive;
  r.priority = t.priority;
  const auto arguments = tick.arguments(p);
  for (std::size_t i = 0; i < arguments.size() && i < t.argument_names.size(); ++i) {
    std::string name(program.string(t.argument_names[i]));
    // Scaling up by a positive count cannot take capacity away.
    if (r.action == "scale" && name == "by" && arguments[i].tag == bytecode::ValueTag::Number &&
        arguments[i].number > 0) {
      r.destructive = false;
    }
    r.arguments.push_back({std::move(name), engine::json_value(arguments[i])});
  }
  // A restart that deletes pods (a pod's, or any with strategy recreate) takes replicas down
  // like a delete; a rolling restart of a workload keeps the rollout's own availability.
  if (r.action == "restart") {
    bool recreate = false;
    for (const auto& a : r.arguments)
      recreate = recreate || (a.name == "strategy" && a.json == "\"recreate\"");
    const engine::Target* target = p.target_object;
    r.destructive = recreate || (target && target->kind == bytecode::TargetKind::Pods);
  }
  r.unknown_arguments = p.unknown_arguments;
  if (const engine::Target* target = p.target_object) {
    r.target.kind = engine::kind_name(target->kind);
    r.target.namespace_name = target->namespace_name;
    r.target.name = target->name;
    if (target->pod && target->workload) {
      r.target.workload_kind = target->workload->kind;
      r.target.workload_name = target->workload->meta.name;
    }
    const cluster::ObjectMeta& meta = target->pod ? target->pod->meta : target->workload->meta;
    r.target.labels = meta.labels;
    r.target.annotations = meta.annotations;
  }
  r.mode = policy.mode;
  r.limits = safety::policy_limits(policy.safety);
  r.approval_required = safety::approval_required(policy.safety, t.action);
  r.fired_at_ms = p.fired_at_ms;
  r.id = safety::action_id(r);
  return r;
}

std::string decision_audit_record(const bytecode::Program& program, const engine::TickResult& tick,
                                  std::span<const safety::ActionRequest> requests,
                                  const safety::Decision& d) {
  std::string line = safety::decision_record(d);
  const std::less<const safety::ActionRequest*> before;
  if (!before(d.request, requests.data()) && before(d.request, requests.data() + requests.size())) {
    const auto& p = tick.proposals[static_cast<std::size_t>(d.request - requests.data())];
    line.pop_back();  // the closing brace
    line += "," + engine::proposal_context(program, tick, p) + "}";
  }
  return line;
}

}  // namespace skippy::act
