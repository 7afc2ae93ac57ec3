// The upstream HealingPolicy (kubeskippy.io/v1alpha1) as read from a manifest: every field of
// its schema, each with where it was written, and the upstream default where one applies.
// `present` tells a written value from a default.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "translate/finding.hpp"

namespace skippy::translate {

template <class T>
struct Field {
  Field() = default;
  Field(T default_value) : value(std::move(default_value)) {}  // NOLINT: a default, implicitly

  T value{};
  bool present = false;
  Where where;  // the field's own line when present, its parent's otherwise
};

// One entry of selector.resources or safetyRules.protectedResources.
struct ResourceFilter {
  Field<std::string> api_version;
  Field<std::string> kind;
  Field<std::vector<std::string>> exclude_names;
  Where where;
};

struct LabelExpression {
  std::string key;
  std::string op;  // In, NotIn, Exists, DoesNotExist
  std::vector<std::string> values;
  Where where;
};

struct Selector {
  Field<std::vector<std::string>> namespaces;
  std::vector<std::pair<std::string, std::string>> match_labels;  // in manifest order
  Where match_labels_where;
  std::vector<LabelExpression> match_expressions;
  std::vector<ResourceFilter> resources;
  Where resources_where;
};

struct MetricTrigger {
  Field<std::string> query;
  Field<double> threshold;
  Field<std::string> op;                     // > < >= <= == !=
  Field<std::int64_t> duration_ms{120'000};  // default 2m
  Where where;
};

struct EventTrigger {
  Field<std::string> reason;
  Field<std::string> type;  // Normal | Warning
  Field<std::int64_t> count;
  Field<std::int64_t> window_ms{300'000};  // default 5m
  Where where;
};

struct ConditionTrigger {
  Field<std::string> type;
  Field<std::string> status;
  Field<std::int64_t> duration_ms{120'000};  // default 2m
  Where where;
};

struct Trigger {
  Field<std::string> name;
  Field<std::string> type;  // metric | event | condition
  std::optional<MetricTrigger> metric;
  std::optional<EventTrigger> event;
  std::optional<ConditionTrigger> condition;
  Field<std::int64_t> cooldown_ms{300'000};  // default 5m
  Where where;
};

struct RestartAction {
  Field<std::string> strategy{"rolling"};
  Field<std::int64_t> max_concurrent{1};
  Field<std::int64_t> grace_period_seconds{30};
  Where where;
};

struct ScaleAction {
  Field<std::string> direction;  // up | down | absolute
  Field<std::int64_t> replicas;
  Field<std::int64_t> min_replicas{0};
  Field<std::int64_t> max_replicas{100};
  Where where;
};

struct PatchOperation {
  std::vector<std::string> path;
  std::string value;
  Where where;
};

struct PatchAction {
  Field<std::string> type;  // strategic | merge | json
  Field<std::string> patch;
  std::vector<PatchOperation> patches;
  Where where;
};

struct DeleteAction {
  Field<std::int64_t> grace_period_seconds{30};
  Field<bool> force;
  Field<std::string> propagation_policy;  // Orphan | Background | Foreground
  Where where;
};

struct Action {
  Field<std::string> name;
  Field<std::string> type;  // restart | scale | patch | delete | custom
  Field<std::string> description;
  RestartAction restart;
  ScaleAction scale;
  PatchAction patch;
  DeleteAction del;
  Field<std::int64_t> priority{50};
  Field<bool> requires_approval;
  Where where;
};

struct SafetyRules {
  Field<std::int64_t> max_actions_per_hour{10};
  std::vector<ResourceFilter> protected_resources;
  Field<bool> require_health_check;
  Field<std::int64_t> health_check_timeout_ms{300'000};  // default 5m
  Where where;
};

struct HealingPolicy {
  Field<std::string> name;
  Field<std::string> namespace_name;
  Field<std::string> description;  // the kubeskippy.io/description annotation
  Selector selector;
  std::vector<Trigger> triggers;
  Where triggers_where;
  std::vector<Action> actions;
  Where actions_where;
  SafetyRules safety;
  Field<std::string> mode{"monitor"};
  // Fields the schema does not define, `field (line N)`, for the output's comment.
  std::vector<std::string> unknown_fields;
  Where where;  // the document's start
};

}  // namespace skippy::translate
