#include "translate/read_policy.hpp"

namespace skippy::translate {
namespace {

// Reads the fields of one struct of the schema; `unknown` collects the fields it lacks.
class PolicyReader {
 public:
  PolicyReader(YamlReader& r, HealingPolicy& p) : r_(r), p_(p) {}

  void document(const YAML::Node& doc) {
    p_.where = YamlReader::at(doc, "");
    r_.unknown_keys(doc, "", {"apiVersion", "kind", "metadata", "spec", "status"},
                    p_.unknown_fields);
    Where w;
    YAML::Node meta = YamlReader::child(doc, "metadata", w, "");
    if (r_.expect_map(meta, w)) {
      r_.read(meta, "name", "metadata", p_.name);
      r_.read(meta, "namespace", "metadata", p_.namespace_name);
      YAML::Node annotations = YamlReader::child(meta, "annotations", w, "metadata");
      if (r_.expect_map(annotations, w))
        r_.read(annotations, "kubeskippy.io/description", w.field, p_.description);
    }
    YAML::Node spec = YamlReader::child(doc, "spec", w, "");
    if (!r_.expect_map(spec, w)) {
      r_.findings().error(p_.where, "the document has no `spec`");
      return;
    }
    read_spec(spec);
  }

 private:
  void read_spec(const YAML::Node& spec) {
    r_.unknown_keys(spec, "spec", {"selector", "triggers", "actions", "safetyRules", "mode"},
                    p_.unknown_fields);
    Where w;
    YAML::Node selector = YamlReader::child(spec, "selector", w, "spec");
    p_.selector.namespaces.where = p_.selector.resources_where = w;
    if (r_.expect_map(selector, w)) read_selector(selector, w.field);
    YAML::Node triggers = YamlReader::child(spec, "triggers", p_.triggers_where, "spec");
    if (r_.expect_sequence(triggers, p_.triggers_where)) {
      for (std::size_t i = 0; i < triggers.size(); ++i)
        read_trigger(triggers[i], index_field("spec.triggers", i));
    }
    YAML::Node actions = YamlReader::child(spec, "actions", p_.actions_where, "spec");
    if (r_.expect_sequence(actions, p_.actions_where)) {
      for (std::size_t i = 0; i < actions.size(); ++i)
        read_action(actions[i], index_field("spec.actions", i));
    }
    YAML::Node safety = YamlReader::child(spec, "safetyRules", p_.safety.where, "spec");
    p_.safety.max_actions_per_hour.where = p_.safety.where;
    p_.safety.health_check_timeout_ms.where = p_.safety.where;
    if (r_.expect_map(safety, p_.safety.where)) read_safety(safety);
    p_.mode.where = YamlReader::at(spec, "spec.mode");
    r_.read(spec, "mode", "spec", p_.mode);
  }

  void read_selector(const YAML::Node& s, const std::string& field) {
    r_.unknown_keys(s, field, {"namespaces", "labelSelector", "resources"}, p_.unknown_fields);
    r_.read(s, "namespaces", field, p_.selector.namespaces);
    Where w;
    YAML::Node labels = YamlReader::child(s, "labelSelector", w, field);
    if (r_.expect_map(labels, w)) {
      std::string lf = w.field;
      r_.unknown_keys(labels, lf, {"matchLabels", "matchExpressions"}, p_.unknown_fields);
      YAML::Node ml = YamlReader::child(labels, "matchLabels", p_.selector.match_labels_where, lf);
      if (r_.expect_map(ml, p_.selector.match_labels_where)) {
        for (auto it = ml.begin(); it != ml.end(); ++it) {
          if (!it->first.IsScalar() || !it->second.IsScalar()) {
            r_.findings().warning(YamlReader::at(it->first, p_.selector.match_labels_where.field),
                                  "expected `key: value`; ignored");
            continue;
          }
          p_.selector.match_labels.emplace_back(it->first.Scalar(), it->second.Scalar());
        }
      }
      YAML::Node me = YamlReader::child(labels, "matchExpressions", w, lf);
      std::string mef = w.field;
      if (r_.expect_sequence(me, w)) {
        for (std::size_t i = 0; i < me.size(); ++i) read_expression(me[i], index_field(mef, i));
      }
    }
    YAML::Node resources = YamlReader::child(s, "resources", p_.selector.resources_where, field);
    if (r_.expect_sequence(resources, p_.selector.resources_where)) {
      std::string rf = p_.selector.resources_where.field;
      for (std::size_t i = 0; i < resources.size(); ++i)
        p_.selector.resources.push_back(read_filter(resources[i], index_field(rf, i)));
    }
  }

  void read_expression(const YAML::Node& e, const std::string& field) {
    LabelExpression x;
    x.where = YamlReader::at(e, field);
    if (!r_.expect_map(e, x.where)) return;
    r_.unknown_keys(e, field, {"key", "operator", "values"}, p_.unknown_fields);
    Field<std::string> key, op;
    Field<std::vector<std::string>> values;
    r_.read(e, "key", field, key);
    r_.read(e, "operator", field, op);
    r_.read(e, "values", field, values);
    x.key = key.value;
    x.op = op.value;
    x.values = values.value;
    p_.selector.match_expressions.push_back(std::move(x));
  }

  ResourceFilter read_filter(const YAML::Node& n, const std::string& field) {
    ResourceFilter f;
    f.where = YamlReader::at(n, field);
    f.kind.where = f.where;
    if (!r_.expect_map(n, f.where)) return f;
    r_.unknown_keys(n, field, {"apiVersion", "kind", "excludeNames"}, p_.unknown_fields);
    r_.read(n, "apiVersion", field, f.api_version);
    r_.read(n, "kind", field, f.kind);
    r_.read(n, "excludeNames", field, f.exclude_names);
    return f;
  }

  // The mapping under `key`, its unknown keys reported, and in `w` where it stands; an
  // undefined node when it is absent or no mapping.
  YAML::Node section(const YAML::Node& n, std::string_view key, const std::string& field,
                     std::initializer_list<std::string_view> known, Where& w) {
    YAML::Node s = YamlReader::child(n, key, w, field);
    if (!r_.expect_map(s, w)) return YAML::Node(YAML::NodeType::Undefined);
    r_.unknown_keys(s, w.field, known, p_.unknown_fields);
    return s;
  }

  void read_trigger(const YAML::Node& n, const std::string& field) {
    Trigger t;
    t.where = YamlReader::at(n, field);
    t.name.where = t.type.where = t.cooldown_ms.where = t.where;
    if (!r_.expect_map(n, t.where)) return;
    r_.unknown_keys(
        n, field,
        {"name", "type", "metricTrigger", "eventTrigger", "conditionTrigger", "cooldownPeriod"},
        p_.unknown_fields);
    r_.read(n, "name", field, t.name);
    r_.read(n, "type", field, t.type);
    r_.read_duration(n, "cooldownPeriod", field, t.cooldown_ms);
    Where w;
    YAML::Node m =
        section(n, "metricTrigger", field, {"query", "threshold", "operator", "duration"}, w);
    if (m.IsDefined()) {
      MetricTrigger& mt = t.metric.emplace();
      mt.where = mt.query.where = mt.threshold.where = mt.op.where = mt.duration_ms.where = w;
      r_.read(m, "query", w.field, mt.query);
      r_.read(m, "threshold", w.field, mt.threshold);
      r_.read(m, "operator", w.field, mt.op);
      r_.read_duration(m, "duration", w.field, mt.duration_ms);
    }
    YAML::Node e = section(n, "eventTrigger", field, {"reason", "type", "count", "window"}, w);
    if (e.IsDefined()) {
      EventTrigger& et = t.event.emplace();
      et.where = et.reason.where = et.type.where = et.count.where = et.window_ms.where = w;
      r_.read(e, "reason", w.field, et.reason);
      r_.read(e, "type", w.field, et.type);
      r_.read(e, "count", w.field, et.count);
      r_.read_duration(e, "window", w.field, et.window_ms);
    }
    YAML::Node c = section(n, "conditionTrigger", field, {"type", "status", "duration"}, w);
    if (c.IsDefined()) {
      ConditionTrigger& ct = t.condition.emplace();
      ct.where = ct.type.where = ct.status.where = ct.duration_ms.where = w;
      r_.read(c, "type", w.field, ct.type);
      r_.read(c, "status", w.field, ct.status);
      r_.read_duration(c, "duration", w.field, ct.duration_ms);
    }
    p_.triggers.push_back(std::move(t));
  }

  void read_action(const YAML::Node& n, const std::string& field) {
    Action a;
    a.where = YamlReader::at(n, field);
    a.name.where = a.type.where = a.priority.where = a.requires_approval.where = a.where;
    if (!r_.expect_map(n, a.where)) return;
    r_.unknown_keys(n, field,
                    {"name", "type", "description", "restartAction", "scaleAction", "patchAction",
                     "deleteAction", "priority", "requiresApproval"},
                    p_.unknown_fields);
    r_.read(n, "name", field, a.name);
    r_.read(n, "type", field, a.type);
    r_.read(n, "description", field, a.description);
    r_.read(n, "priority", field, a.priority);
    r_.read(n, "requiresApproval", field, a.requires_approval);
    Where w;
    // An absent section keeps its defaults, located at the action.
    a.restart.where = a.restart.strategy.where = a.restart.max_concurrent.where =
        a.restart.grace_period_seconds.where = a.where;
    a.scale.where = a.scale.direction.where = a.scale.replicas.where = a.scale.min_replicas.where =
        a.scale.max_replicas.where = a.where;
    a.patch.where = a.patch.type.where = a.patch.patch.where = a.where;
    a.del.where = a.del.grace_period_seconds.where = a.del.force.where =
        a.del.propagation_policy.where = a.where;
    YAML::Node restart =
        section(n, "restartAction", field, {"strategy", "maxConcurrent", "gracePeriodSeconds"}, w);
    if (restart.IsDefined()) {
      a.restart.where = w;
      r_.read(restart, "strategy", w.field, a.restart.strategy);
      r_.read(restart, "maxConcurrent", w.field, a.restart.max_concurrent);
      r_.read(restart, "gracePeriodSeconds", w.field, a.restart.grace_period_seconds);
    }
    YAML::Node scale = section(n, "scaleAction", field,
                               {"direction", "replicas", "minReplicas", "maxReplicas"}, w);
    if (scale.IsDefined()) {
      a.scale.where = w;
      r_.read(scale, "direction", w.field, a.scale.direction);
      r_.read(scale, "replicas", w.field, a.scale.replicas);
      r_.read(scale, "minReplicas", w.field, a.scale.min_replicas);
      r_.read(scale, "maxReplicas", w.field, a.scale.max_replicas);
    }
    YAML::Node patch = section(n, "patchAction", field, {"type", "patch", "patches"}, w);
    if (patch.IsDefined()) {
      a.patch.where = a.patch.type.where = a.patch.patch.where = w;
      r_.read(patch, "type", w.field, a.patch.type);
      r_.read(patch, "patch", w.field, a.patch.patch);
      Where pw;
      YAML::Node ops = YamlReader::child(patch, "patches", pw, w.field);
      if (r_.expect_sequence(ops, pw)) {
        for (std::size_t i = 0; i < ops.size(); ++i)
          read_patch_operation(ops[i], index_field(pw.field, i), a.patch);
      }
    }
    YAML::Node del =
        section(n, "deleteAction", field, {"gracePeriodSeconds", "force", "propagationPolicy"}, w);
    if (del.IsDefined()) {
      a.del.where = w;
      r_.read(del, "gracePeriodSeconds", w.field, a.del.grace_period_seconds);
      r_.read(del, "force", w.field, a.del.force);
      r_.read(del, "propagationPolicy", w.field, a.del.propagation_policy);
    }
    p_.actions.push_back(std::move(a));
  }

  void read_patch_operation(const YAML::Node& n, const std::string& field, PatchAction& out) {
    PatchOperation op;
    op.where = YamlReader::at(n, field);
    if (!r_.expect_map(n, op.where)) return;
    r_.unknown_keys(n, field, {"path", "value"}, p_.unknown_fields);
    Field<std::vector<std::string>> path;
    Field<std::string> value;
    r_.read(n, "path", field, path);
    r_.read(n, "value", field, value);
    op.path = path.value;
    op.value = value.value;
    out.patches.push_back(std::move(op));
  }

  void read_safety(const YAML::Node& s) {
    const std::string field = "spec.safetyRules";
    r_.unknown_keys(
        s, field,
        {"maxActionsPerHour", "protectedResources", "requireHealthCheck", "healthCheckTimeout"},
        p_.unknown_fields);
    r_.read(s, "maxActionsPerHour", field, p_.safety.max_actions_per_hour);
    r_.read(s, "requireHealthCheck", field, p_.safety.require_health_check);
    r_.read_duration(s, "healthCheckTimeout", field, p_.safety.health_check_timeout_ms);
    Where w;
    YAML::Node prot = YamlReader::child(s, "protectedResources", w, field);
    if (r_.expect_sequence(prot, w)) {
      for (std::size_t i = 0; i < prot.size(); ++i)
        p_.safety.protected_resources.push_back(read_filter(prot[i], index_field(w.field, i)));
    }
  }

  YamlReader& r_;
  HealingPolicy& p_;
};

}  // namespace

HealingPolicy read_policy(const YAML::Node& document, YamlReader& reader) {
  HealingPolicy policy;
  PolicyReader(reader, policy).document(document);
  return policy;
}

}  // namespace skippy::translate
