// The engine's side of ai.analyze(): gathering a site's evidence for one target, asking the
// advisor (or the cache), holding the answer to the site's closed choice, and setting the
// verdict's slots before the handler runs.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>

#include "runtime/engine/tick.hpp"

namespace skippy::engine {

namespace {

// How many peers and events a question carries at most: evidence, not an inventory.
constexpr std::size_t kMaxPeers = 64;
constexpr std::size_t kMaxEvents = 10;

// FNV-1a, 64 bits.
struct Digest {
  std::uint64_t h = 1469598103934665603ull;
  void bytes(const void* data, std::size_t n) {
    const auto* p = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < n; ++i) {
      h ^= p[i];
      h *= 1099511628211ull;
    }
  }
  template <class T>
  void value(const T& v) {
    bytes(&v, sizeof v);
  }
  void text(std::string_view s) {
    value(s.size());
    bytes(s.data(), s.size());
  }
};

void digest_series(Digest& d, const SeriesEvidence& s, std::int64_t now_ms) {
  d.text(s.name);
  d.text(s.node);
  d.value(s.samples.size());
  for (const auto& x : s.samples) {
    d.value(now_ms - x.time_ms);
    d.value(x.value);
  }
}

}  // namespace

std::uint64_t evidence_digest(const AdviceQuestion& q) {
  Digest d;
  d.value(q.policy);
  d.value(q.site);
  d.text(q.target);
  for (const auto* list : {&q.signals, &q.peers, &q.node_peers}) {
    d.value(list->size());
    for (const auto& s : *list) digest_series(d, s, q.now_ms);
  }
  d.value(q.events.size());
  for (const auto& e : q.events) {
    d.text(e.event->reason);
    d.text(e.event->type);
    d.text(e.event->message);
    d.value(e.event->count);
    d.value(q.now_ms - e.event->last_seen_ms);
  }
  for (const auto& o : q.outcomes) {
    d.value(o.action);
    d.value(o.stats.attempts);
    d.value(o.stats.healed);
    d.value(o.stats.failed);
    d.value(o.stats.recurred);
    d.value(o.stats.recovery_ms_total);
  }
  if (q.pod) {
    d.text(q.pod->phase);
    d.value(q.pod->ready);
    d.value(q.pod->restarts);
    d.text(q.pod->waiting_reason);
  }
  if (q.workload_object) {
    d.value(q.workload_object->replicas);
    d.value(q.workload_object->ready_replicas);
  }
  return d.h;
}

std::string Engine::workload_key(const Target& t) const {
  if (t.workload) {
    std::string key = t.workload->kind;
    key.append("/")
        .append(t.workload->meta.namespace_name)
        .append("/")
        .append(t.workload->meta.name);
    return key;
  }
  std::string key(kind_name(t.kind));
  key.append("/").append(t.namespace_name).append("/").append(t.name);
  return key;
}

void Engine::advise(std::size_t index, std::uint16_t site, const Target& t, std::uint32_t row,
                    std::int64_t now_ms, const cluster::ClusterView& cluster, TickResult& out) {
  const bytecode::Policy& policy = program_.policies[index];
  const bytecode::AdviceRequest& request = policy.advice[site];
  PolicyState& state = state_[index];
  if (!services_.advisor || !builtins_.verdict_field) {  // nobody answers: the fields are unknown
    for (auto slot : site_slots_[index][site])
      inputs_[slot] = bytecode::Value::unknown(bytecode::UnknownReason::NotApplicable);
    return;
  }
  VerdictRecord& record = out.verdicts.emplace_back();
  record.policy = index;
  record.site = site;
  record.target = t.key;
  for (auto a : request.allowed_actions) {
    if (a < builtins_.action_names.size()) record.allowed.push_back(builtins_.action_names[a]);
  }
  {
    series_.clear();
    const std::int64_t since = now_ms - request.history_ms;
    auto window = [&](std::deque<HistorySample>* h) -> std::span<const HistorySample> {
      auto& copy = series_.emplace_back();
      if (h) {
        for (const auto& x : *h) {
          if (x.time_ms >= since && x.time_ms <= now_ms) copy.push_back(x);
        }
      }
      return copy;
    };
    AdviceQuestion q;
    q.program = &program_;
    q.policy = index;
    q.site = site;
    q.request = &request;
    q.target = t.key;
    std::string workload = t.workload ? workload_key(t) : std::string();
    q.workload = workload;
    q.pod = t.pod;
    q.workload_object = t.workload;
    q.now_ms = now_ms;
    for (std::size_t k = 0; k < request.signal_slots.size(); ++k) {
      auto slot = request.signal_slots[k];
      const auto& s = policy.inputs[slot];
      q.signals.push_back({"s" + std::to_string(k + 1),
                           s.name == bytecode::kNoString ? "#" + std::to_string(slot)
                                                         : std::string(program_.string(s.name)),
                           "", window(state.advice_history(row, slot))});
    }
    // The first signal on the other selected targets of the same workload, and of the same
    // node: one bad pod, or many degrading together.
    if (!request.signal_slots.empty()) {
      const auto first = request.signal_slots[0];
      const auto all = targets_.targets();
      const std::string_view node = t.pod ? std::string_view(t.pod->node) : std::string_view();
      for (auto i : selection(index)) {
        const Target& other = all[i];
        if (other.id == t.id) continue;
        const bool same_workload = t.workload && other.workload == t.workload;
        const bool same_node =
            !same_workload && !node.empty() && other.pod && other.pod->node == node;
        if (!same_workload && !same_node) continue;
        auto& list = same_workload ? q.peers : q.node_peers;
        if (list.size() >= kMaxPeers) continue;
        auto other_row = state.find(other.id);
        if (!other_row) continue;
        list.push_back({(same_workload ? "p" : "n") + std::to_string(list.size() + 1),
                        std::string(other.key), other.pod ? other.pod->node : std::string(),
                        window(state.advice_history(*other_row, first))});
      }
    }
    if (request.events_window_ms > 0) {
      auto events = cluster.recent_events(t.namespace_name, kind_name(t.kind), t.name,
                                          now_ms - request.events_window_ms, now_ms, kMaxEvents);
      for (const auto* e : events)
        q.events.push_back({"e" + std::to_string(q.events.size() + 1), e});
    }
    // One item per allowed action, with what it achieved here in the last day (nothing known
    // without a ledger).
    const std::string key = workload_key(t);
    for (auto a : request.allowed_actions) {
      if (a >= builtins_.action_names.size()) continue;
      OutcomeEvidence o;
      o.id = "o" + std::to_string(q.outcomes.size() + 1);
      o.action = a;
      o.action_name = builtins_.action_names[a];
      o.within_ms = kOutcomeEvidenceWindowMs;
      if (services_.outcomes)
        o.stats = services_.outcomes->outcomes(program_.string(policy.name), o.action_name, key,
                                               kOutcomeEvidenceWindowMs, now_ms);
      q.outcomes.push_back(std::move(o));
    }

    record.digest = evidence_digest(q);
    const std::uint64_t cache_key = record.digest * 31 + index * 7919 + site;
    auto cached = verdict_cache_.find(cache_key);
    const auto started = std::chrono::steady_clock::now();
    if (cached != verdict_cache_.end()) {
      record.verdict = cached->second;
      record.cached = true;
    } else if (analysis_seconds_ * 1000 >= static_cast<double>(options_.analysis_budget_ms)) {
      // The tick's budget is spent: no answer (so no action on one) rather than a late tick.
      record.verdict.analyzer = "none: the tick's analysis budget of " +
                                std::to_string(options_.analysis_budget_ms) + "ms was spent";
      record.verdict.reason = record.verdict.analyzer;
    } else {
      record.verdict = services_.advisor->analyze(q);
      // The closed choice, held here whatever the advisor: an action the site cannot reach
      // becomes none.
      Verdict& v = record.verdict;
      bool allowed = v.action == "none";
      for (auto a : request.allowed_actions)
        allowed =
            allowed || (a < builtins_.action_names.size() && builtins_.action_names[a] == v.action);
      if (!allowed) {
        record.rejected = "chose `" + v.action + "`, which this site does not allow";
        v.action = "none";
        v.confidence = 0;
      }
      if (!std::isfinite(v.confidence)) v.confidence = 0;
      v.confidence = std::clamp(v.confidence, 0.0, 1.0);
      if (v.cacheable) {
        if (verdict_cache_.size() >= 4096)
          verdict_cache_.clear();  // bounded: old evidence never recurs
        verdict_cache_.emplace(cache_key, v);
      }
    }
    record.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    // Waiting for a model is bounded by its own timeout, not by the tick's analysis budget.
    analysis_seconds_ += std::max(0.0, record.seconds - record.verdict.waited_s);
  }

  for (auto slot : site_slots_[index][site])
    inputs_[slot] = builtins_.verdict_field(policy.inputs[slot].id, record.verdict);
}

}  // namespace skippy::engine
