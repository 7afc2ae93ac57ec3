#include "stdlib/action_plan.hpp"

#include <simdjson.h>

#include <deque>

#include "runtime/engine/target_table.hpp"

namespace skippy::stdlib {
namespace {

// An argument's JSON text (a number, a string, true or false: what engine::json_value
// writes) as a value; strings are kept in `strings`, which the values view.
std::optional<bytecode::Value> decode_argument(const std::string& json,
                                               std::deque<std::string>& strings) {
  simdjson::dom::parser parser;
  simdjson::dom::element e;
  if (parser.parse(json).get(e)) return std::nullopt;
  switch (e.type()) {
    case simdjson::dom::element_type::DOUBLE:
    case simdjson::dom::element_type::INT64:
    case simdjson::dom::element_type::UINT64:
      return bytecode::Value::of_number(double(e));
    case simdjson::dom::element_type::BOOL:
      return bytecode::Value::of_bool(bool(e));
    case simdjson::dom::element_type::STRING:
      strings.emplace_back(std::string_view(e));
      return bytecode::Value::of_string(strings.back());
    default:
      return std::nullopt;
  }
}

const cluster::Pod* find_pod(const cluster::ClusterView& view, std::string_view namespace_name,
                             std::string_view name) {
  for (const auto& p : view.pods()) {
    if (p.meta.namespace_name == namespace_name && p.meta.name == name) return &p;
  }
  return nullptr;
}

}  // namespace

std::variant<Remediation, std::string> plan_action(const safety::ActionRequest& request,
                                                   const cluster::ClusterView& view,
                                                   std::int64_t now_ms) {
  const auto& t = request.target;
  std::deque<std::string> strings;
  std::vector<ActionArgument> arguments;
  for (const auto& a : request.arguments) {
    auto value = decode_argument(a.json, strings);
    if (!value || value->is_unknown())
      return request.action + ": argument `" + a.name +
             "` is not a number, string or bool: " + a.json;
    arguments.push_back({a.name, *value});
  }
  RemediationTarget target;
  target.namespace_name = t.namespace_name;
  target.name = t.name;
  std::vector<const cluster::Pod*> pods;
  if (t.kind == "Pod") {
    target.kind = bytecode::TargetKind::Pods;
    target.pod = find_pod(view, t.namespace_name, t.name);
    // A pod that is gone cannot be restarted, deleted or evicted again; marks and scales of
    // its workload need it too. `notify` needs nothing of the cluster.
    if (!target.pod && request.action != "notify")
      return request.action + ": Pod " + t.namespace_name + "/" + t.name +
             " is no longer in the cluster";
    if (target.pod && !target.pod->workload_kind.empty())
      target.workload = view.find_workload(target.pod->workload_kind, t.namespace_name,
                                           target.pod->workload_name);
  } else if (auto kind = engine::workload_kind(t.kind)) {
    target.kind = *kind;
    target.workload = view.find_workload(t.kind, t.namespace_name, t.name);
    if (!target.workload && request.action != "notify")
      return request.action + ": " + t.kind + " " + t.namespace_name + "/" + t.name +
             " is no longer in the cluster";
    for (const auto& p : view.pods()) {
      if (p.meta.namespace_name == t.namespace_name && p.workload_kind == t.kind &&
          p.workload_name == t.name)
        pods.push_back(&p);
    }
    target.pods = pods;
  } else {
    return request.action + ": unknown target kind `" + t.kind + "`";
  }
  RemediationContext context{request.id, request.policy, request.trigger, now_ms};
  return plan_remediation(request.action, arguments, target, context);
}

}  // namespace skippy::stdlib
