// What `ai.analyze(...)` asks and what it is answered: the engine gathers the evidence of a
// site for a target (the signals' history, the workload's other pods, events, the outcomes of
// earlier actions), each item with an id, and hands it to an Advisor, which chooses among the
// site's allowed actions or "none". The deterministic analyzer (stdlib/analyzer.hpp) is one;
// the engine knows only this interface. The outcome ledger reaches the engine through
// OutcomeSource, so the engine does not depend on the safety runtime that keeps it.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/bytecode/program.hpp"
#include "runtime/cluster/cluster_view.hpp"
#include "runtime/engine/policy_state.hpp"

namespace skippy::engine {

// What actions of one kind achieved on one workload over a window (runtime/safety keeps them).
struct OutcomeStats {
  std::uint32_t attempts = 0;          // ended in the window
  std::uint32_t healed = 0;            // health check passed, trigger did not fire again
  std::uint32_t failed = 0;            // failed, or the target never got ready
  std::uint32_t recurred = 0;          // succeeded, but the trigger fired again within the window
  std::int64_t recovery_ms_total = 0;  // over the healed: decision to passed health check
  friend bool operator==(const OutcomeStats&, const OutcomeStats&) = default;
};

class OutcomeSource {
 public:
  virtual ~OutcomeSource() = default;
  // What `action` of `policy` achieved on the workload `workload_key` (the target's key for a
  // target without one) in [now_ms - within_ms, now_ms].
  virtual OutcomeStats outcomes(std::string_view policy, std::string_view action,
                                std::string_view workload_key, std::int64_t within_ms,
                                std::int64_t now_ms) const = 0;
};

// One series the analyzer is shown.
struct SeriesEvidence {
  std::string id;                          // s1, s2, ... (own signals); p1, ... (peers)
  std::string name;                        // the signal's name, or the peer's key
  std::string node;                        // peers: the pod's node
  std::span<const HistorySample> samples;  // oldest first, within the site's history window
};

struct EventEvidence {
  std::string id;  // e1, e2, ...
  const cluster::Event* event = nullptr;
};

struct OutcomeEvidence {
  std::string id;  // o1, o2, ...
  std::uint16_t action = 0;
  std::string action_name;
  std::int64_t within_ms = 0;
  OutcomeStats stats;
};

// Everything one site is shown for one target at one tick.
struct AdviceQuestion {
  const bytecode::Program* program = nullptr;
  std::size_t policy = 0;
  std::uint16_t site = 0;  // the advice request
  const bytecode::AdviceRequest* request = nullptr;
  std::string_view target;    // its key
  std::string_view workload;  // the workload's key, "" when none
  const cluster::Pod* pod = nullptr;
  const cluster::Workload* workload_object = nullptr;
  std::int64_t now_ms = 0;
  std::vector<SeriesEvidence> signals;     // the request's signals, in order
  std::vector<SeriesEvidence> peers;       // the first signal on the workload's other targets
  std::vector<SeriesEvidence> node_peers;  // ... on other selected pods of the same node
  std::vector<EventEvidence> events;
  std::vector<OutcomeEvidence> outcomes;  // one per allowed action, in the site's order
};

// One item a verdict cites, with its value as JSON: what an audit record and `skippy
// explain` show.
struct CitedEvidence {
  std::string id;
  std::string kind;  // signal, peer, event, outcome, state
  std::string name;
  std::string json;  // the value: a number, a string or an object
  friend bool operator==(const CitedEvidence&, const CitedEvidence&) = default;
};

// What a call to a language model (runtime/model) was and did, for the audit record and
// `skippy explain`: never the API key, and the evidence only as it was sent (redacted).
struct ModelCall {
  std::string backend;        // ollama, openai
  std::string model;          // as configured
  std::string prompt_digest;  // 16 hex digits over what was sent (the cache key)
  std::string evidence;       // the question as sent: JSON text, names replaced
  std::string answer_digest;  // 16 hex digits over the answer's text, "" without one
  std::string validation;     // accepted, or why the answer was rejected
  std::string fallback;       // why the deterministic analyzer answered instead, or ""
  double latency_s = 0;       // of the HTTP call, 0 when none went out
  std::int64_t tokens = 0;    // prompt and completion, as the backend counted them
  bool cached = false;        // the answer came from the model's cache
  friend bool operator==(const ModelCall&, const ModelCall&) = default;
};

struct Verdict {
  std::string action = "none";  // one of the site's allowed actions, or none
  double confidence = 0;        // 0 to 1
  std::string reason;
  std::string analyzer;  // deterministic, ollama or openai: who chose
  std::string trend;     // the first signal's shape
  std::string scope;     // target, workload or node
  std::optional<double> time_to_threshold_s;
  std::vector<CitedEvidence> evidence;  // the items it cites
  std::string numbers;                  // the analysis's figures as a JSON object
  std::optional<ModelCall> model;       // when a model was asked (or would have been)
  // False for an answer that may change with the same evidence (a model that did not answer
  // in time, a budget spent): the engine does not cache it.
  bool cacheable = true;
  double waited_s = 0;  // time spent waiting for a model (bounded by its timeout, not the
                        // tick's analysis budget)
};

class Advisor {
 public:
  virtual ~Advisor() = default;
  // Answers one question; never throws. The engine checks the answer against the site's
  // allowed set (anything else becomes "none") before a handler reads it.
  virtual Verdict analyze(const AdviceQuestion& question) = 0;
};

// A digest of a question's evidence, values and times relative to now: the same evidence,
// the same digest (a cache of verdicts keys on it with the site).
std::uint64_t evidence_digest(const AdviceQuestion& question);

}  // namespace skippy::engine
