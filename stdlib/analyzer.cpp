#include "stdlib/analyzer.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

#include "base/json_escape.hpp"
#include "base/literals.hpp"

namespace skippy::stdlib {
namespace {

using engine::AdviceQuestion;
using engine::CitedEvidence;
using engine::Verdict;

constexpr std::array<std::string_view, 5> kTargetOrder = {"restart", "delete", "patch", "scale",
                                                          "notify"};
constexpr std::array<std::string_view, 4> kWorkloadOrder = {"scale", "patch", "notify", "restart"};
constexpr std::array<std::string_view, 3> kNodeOrder = {"notify", "scale", "restart"};

// An action "did not help" when at least this many of its recent attempts ended and none
// healed: the rules then pass over it.
constexpr std::uint32_t kUnhelpfulAttempts = 2;

std::string figure(double v, int digits = 3) {
  if (!std::isfinite(v)) return "null";
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.*g", digits, v);
  return buf;
}

std::string span_text(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  return base::format_duration(static_cast<std::int64_t>(std::llround(seconds)) * 1000);
}

analysis::TrendOptions options_of(const AdviceQuestion& q) {
  analysis::TrendOptions o;
  if (q.request && q.request->has_threshold) o.threshold = q.request->threshold;
  if (q.request && q.request->horizon_ms > 0) o.horizon_ms = q.request->horizon_ms;
  return o;
}

analysis::Trend fit(const engine::SeriesEvidence& s, const AdviceQuestion& q,
                    const analysis::TrendOptions& o) {
  std::vector<analysis::Sample> samples;
  samples.reserve(s.samples.size());
  for (const auto& x : s.samples) samples.push_back({x.time_ms, x.value});
  return analysis::fit_trend(samples, q.now_ms, o);
}

bool is_degrading(const analysis::Trend& t, bool has_threshold) {
  if (has_threshold) return t.forecast();
  return t.shape == analysis::Shape::Rising;
}

std::string trend_json(const analysis::Trend& t) {
  std::string out = "{\"shape\":\"" + std::string(analysis::shape_name(t.shape)) + "\"";
  out += ",\"slope_per_s\":" + figure(t.slope_per_s, 6);
  out += ",\"r2\":" + figure(t.r2);
  out += ",\"spread\":" + figure(t.spread, 6);
  out += ",\"samples\":" + std::to_string(t.samples);
  out += ",\"span_s\":" + figure(static_cast<double>(t.span_ms) / 1000, 6);
  out += ",\"level\":" + figure(t.level, 6);
  out += ",\"last\":" + figure(t.last, 6);
  out += ",\"resets\":" + std::to_string(t.resets);
  out += ",\"time_to_threshold_s\":" +
         (t.time_to_threshold_ms ? figure(static_cast<double>(*t.time_to_threshold_ms) / 1000, 6)
                                 : std::string("null"));
  return out + "}";
}

// The target's Kubernetes state as the cluster view shows it.
std::string state_json(const AdviceQuestion& q) {
  std::string out = "{";
  if (q.pod) {
    out += "\"phase\":\"" + base::json_escape(q.pod->phase) +
           "\",\"ready\":" + (q.pod->ready ? "true" : "false") +
           ",\"restarts\":" + std::to_string(q.pod->restarts) + ",\"waiting_reason\":\"" +
           base::json_escape(q.pod->waiting_reason) + "\",\"node\":\"" +
           base::json_escape(q.pod->node) + "\",";
  }
  if (q.workload_object) {
    out += "\"workload\":\"" + base::json_escape(q.workload) +
           "\",\"replicas\":" + std::to_string(q.workload_object->replicas) +
           ",\"ready_replicas\":" + std::to_string(q.workload_object->ready_replicas) + ",";
  }
  out.back() = '}';
  return out;
}

std::string outcome_json(const engine::OutcomeStats& s) {
  return "{\"attempts\":" + std::to_string(s.attempts) + ",\"healed\":" + std::to_string(s.healed) +
         ",\"failed\":" + std::to_string(s.failed) + ",\"recurred\":" + std::to_string(s.recurred) +
         "}";
}

}  // namespace

std::span<const std::string_view> preferred_actions(std::string_view scope) {
  if (scope == "workload") return kWorkloadOrder;
  if (scope == "node") return kNodeOrder;
  return kTargetOrder;
}

Assessment assess(const AdviceQuestion& q) {
  Assessment a;
  const auto o = options_of(q);
  const bool has_threshold = q.request && q.request->has_threshold;
  if (!q.signals.empty()) a.trend = fit(q.signals[0], q, o);
  a.degrading = is_degrading(a.trend, has_threshold);
  for (const auto& p : q.peers) {
    auto t = fit(p, q, o);
    if (t.shape == analysis::Shape::Insufficient) continue;
    ++a.peers_with_data;
    a.peers_degrading += is_degrading(t, has_threshold) ? 1 : 0;
  }
  for (const auto& p : q.node_peers) {
    auto t = fit(p, q, o);
    if (t.shape == analysis::Shape::Insufficient) continue;
    ++a.node_peers_with_data;
    a.node_peers_degrading += is_degrading(t, has_threshold) ? 1 : 0;
  }
  // Scope: the workload when at least two of its targets (this one included) degrade and they
  // are at least half of those with data; the node when at least three of its pods do, half
  // of them; the target otherwise.
  const std::size_t self = a.degrading ? 1 : 0;
  const std::size_t workload_degrading = a.peers_degrading + self;
  const std::size_t node_degrading = a.node_peers_degrading + self;
  if (workload_degrading >= 2 && 2 * workload_degrading >= a.peers_with_data + 1)
    a.scope = "workload";
  else if (node_degrading >= 3 && 2 * node_degrading >= a.node_peers_with_data + 1)
    a.scope = "node";
  return a;
}

Verdict DeterministicAnalyzer::analyze(const AdviceQuestion& q) {
  Verdict v;
  v.analyzer = "deterministic";
  const Assessment a = assess(q);
  const auto& t = a.trend;
  v.trend = analysis::shape_name(t.shape);
  v.scope = a.scope;
  if (t.time_to_threshold_ms)
    v.time_to_threshold_s = static_cast<double>(*t.time_to_threshold_ms) / 1000;
  const bool has_threshold = q.request && q.request->has_threshold;
  const std::string signal = q.signals.empty() ? std::string("no signal") : q.signals[0].name;

  // Evidence: the first signal's fit always; peers, events and outcomes when there are any.
  if (!q.signals.empty()) v.evidence.push_back({q.signals[0].id, "signal", signal, trend_json(t)});
  if (!q.peers.empty()) {
    std::string ids;
    for (const auto& p : q.peers) ids += (ids.empty() ? "" : ",") + ("\"" + p.id + "\"");
    v.evidence.push_back({"p*", "peers", "other targets of the workload",
                          "{\"ids\":[" + ids +
                              "],\"with_data\":" + std::to_string(a.peers_with_data) +
                              ",\"degrading\":" + std::to_string(a.peers_degrading) + "}"});
  }
  if (!q.node_peers.empty()) {
    v.evidence.push_back({"n*", "node_peers", "other selected pods on the node",
                          "{\"with_data\":" + std::to_string(a.node_peers_with_data) +
                              ",\"degrading\":" + std::to_string(a.node_peers_degrading) + "}"});
  }
  if (q.pod || q.workload_object)
    v.evidence.push_back({"k1", "state", std::string(q.target), state_json(q)});
  for (const auto& e : q.events) {
    v.evidence.push_back({e.id, "event", e.event->reason,
                          "{\"type\":\"" + base::json_escape(e.event->type) +
                              "\",\"count\":" + std::to_string(e.event->count) + ",\"message\":\"" +
                              base::json_escape(e.event->message) + "\"}"});
  }

  std::string situation = signal + " " + v.trend;
  if (t.shape != analysis::Shape::Insufficient) {
    situation += " (slope " + figure(t.slope_per_s) + "/s, R\xC2\xB2 " + figure(t.r2, 2) + ", " +
                 std::to_string(t.samples) + " samples over " +
                 span_text(static_cast<double>(t.span_ms) / 1000) + ")";
  } else {
    situation += " (" + std::to_string(t.samples) + " samples)";
  }
  if (has_threshold) {
    situation += v.time_to_threshold_s
                     ? (*v.time_to_threshold_s <= 0
                            ? ", at or above " + figure(q.request->threshold, 6) + " now"
                            : ", forecast to reach " + figure(q.request->threshold, 6) + " in " +
                                  span_text(*v.time_to_threshold_s))
                     : ", no crossing of " + figure(q.request->threshold, 6) + " within " +
                           span_text(static_cast<double>(q.request->horizon_ms) / 1000);
  }
  if (a.peers_with_data > 0)
    situation += "; " + std::to_string(a.peers_degrading) + " of " +
                 std::to_string(a.peers_with_data) + " other targets of the workload degrading";
  if (a.node_peers_degrading > 0)
    situation += "; " + std::to_string(a.node_peers_degrading) + " of " +
                 std::to_string(a.node_peers_with_data) + " other pods on the node degrading";

  v.numbers = "{\"trend\":" + trend_json(t) + ",\"scope\":\"" + a.scope +
              "\",\"peers_with_data\":" + std::to_string(a.peers_with_data) +
              ",\"peers_degrading\":" + std::to_string(a.peers_degrading) +
              ",\"node_peers_with_data\":" + std::to_string(a.node_peers_with_data) +
              ",\"node_peers_degrading\":" + std::to_string(a.node_peers_degrading) + "}";

  if (!a.degrading && a.scope == "target") {
    v.reason = situation + ": nothing to do";
    return v;
  }

  // The choice: the scope's preferred actions, then the rest the site allows; an action
  // whose recent attempts all failed to help is passed over.
  std::vector<std::string_view> allowed;  // the engine gives one outcome item per allowed action
  for (const auto& o : q.outcomes) allowed.push_back(o.action_name);
  std::vector<std::string_view> order;
  for (auto name : preferred_actions(a.scope)) {
    if (std::find(allowed.begin(), allowed.end(), name) != allowed.end()) order.push_back(name);
  }
  for (auto name : allowed) {
    if (std::find(order.begin(), order.end(), name) == order.end()) order.push_back(name);
  }
  std::string skipped;
  const engine::OutcomeEvidence* chosen = nullptr;
  for (auto name : order) {
    const auto* o = &*std::find_if(q.outcomes.begin(), q.outcomes.end(),
                                   [&](const auto& x) { return x.action_name == name; });
    if (o->stats.attempts >= kUnhelpfulAttempts && o->stats.healed == 0) {
      skipped += (skipped.empty() ? "" : ", ") + std::string(name) + " (" + o->id + ": " +
                 std::to_string(o->stats.attempts) + " attempts, none healed)";
      continue;
    }
    chosen = o;
    break;
  }
  if (!chosen) {
    v.reason = situation + (order.empty() ? ": no action to choose from"
                                          : ": passed over " + skipped + "; none left");
    return v;
  }
  v.action = chosen->action_name;
  v.evidence.push_back({chosen->id, "outcome", chosen->action_name, outcome_json(chosen->stats)});

  // Confidence = fit x data x scope x history (docs/ai.md):
  //   fit     = R² of the first signal's line (1 when it is at or above the threshold now);
  //   data    = min(1, samples / 20);
  //   scope   = for the target, 1 - degrading peers / peers with data; for the workload or the
  //             node, the share of its targets with data that degrade; 1 without peers;
  //   history = (healed + 1) / (attempts + 1) of the chosen action in the last day; 1 with none.
  const bool at_threshold = v.time_to_threshold_s && *v.time_to_threshold_s <= 0;
  const double fit_q = at_threshold ? 1.0 : std::clamp(std::isfinite(t.r2) ? t.r2 : 0.0, 0.0, 1.0);
  const double data_q = std::min(1.0, static_cast<double>(t.samples) / 20.0);
  double scope_q = 1.0;
  if (a.scope == "workload")
    scope_q = static_cast<double>(a.peers_degrading + (a.degrading ? 1 : 0)) /
              static_cast<double>(a.peers_with_data + 1);
  else if (a.scope == "node")
    scope_q = static_cast<double>(a.node_peers_degrading + (a.degrading ? 1 : 0)) /
              static_cast<double>(a.node_peers_with_data + 1);
  else if (a.peers_with_data > 0)
    scope_q = 1.0 - static_cast<double>(a.peers_degrading) / static_cast<double>(a.peers_with_data);
  const auto& h = chosen->stats;
  const double history_q =
      h.attempts == 0 ? 1.0
                      : static_cast<double>(h.healed + 1) / static_cast<double>(h.attempts + 1);
  v.confidence = std::round(fit_q * data_q * scope_q * history_q * 100) / 100;
  v.reason = situation + ": " + std::string(v.action) + " the " + a.scope +
             (skipped.empty() ? "" : " (passed over " + skipped + ")") + ", confidence " +
             figure(v.confidence, 2) + " = fit " + figure(fit_q, 2) + " x data " +
             figure(data_q, 2) + " x scope " + figure(scope_q, 2) + " x history " +
             figure(history_q, 2);
  return v;
}

}  // namespace skippy::stdlib
