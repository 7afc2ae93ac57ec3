// The outcome ledger: what each action achieved, kept with the safety journal so that it
// survives a restart. Per policy and workload (the target itself for a bare pod), the last
// actions that ended: healed (the health check passed, or the action needs none), failed, or
// recurred (it succeeded, but the same trigger fired again on the same target within the
// recurrence window). Policies read it through outcomes(ACTION, within: D); the analyzer
// weighs it; /metrics shows it. Time is an argument.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>

#include "runtime/safety/action_request.hpp"
#include "runtime/safety/string_map.hpp"

namespace skippy::safety {

enum class OutcomeResult : std::uint8_t { Healed, Failed, Recurred };
const char* outcome_result_name(OutcomeResult result);
bool parse_outcome_result(std::string_view name, OutcomeResult& out);

struct OutcomeRecord {
  std::string action;
  std::string trigger;
  std::string target;  // its key, Kind/namespace/name
  std::int64_t fired_at_ms = 0;
  std::int64_t decided_ms = 0;
  std::int64_t ended_ms = 0;
  OutcomeResult result = OutcomeResult::Healed;
  friend bool operator==(const OutcomeRecord&, const OutcomeRecord&) = default;
};

struct OutcomeCounts {
  std::uint32_t attempts = 0, healed = 0, failed = 0, recurred = 0;
  std::int64_t recovery_ms_total = 0;  // over the healed: decision to end
};

// Counts one record.
void tally(OutcomeCounts& counts, const OutcomeRecord& record);

// Each key keeps its newest records, at most this many.
inline constexpr std::size_t kOutcomesPerKey = 32;
// Records older than this are dropped.
inline constexpr std::int64_t kOutcomeRetentionMs = 7 * 24 * 3'600'000LL;

struct OutcomeLedger {
  // "policy\x1fworkload" -> records, oldest first.
  StringMap<std::deque<OutcomeRecord>> records;

  static std::string key(std::string_view policy, std::string_view workload);
  // The workload key of a request's target: its workload, else the target itself.
  static std::string workload_of(const ActionRequest& request);

  // An action that ended at now: healed or failed.
  void record(const ActionRequest& request, bool healed, std::int64_t decided_ms,
              std::int64_t now_ms);
  // The request's trigger fired (again) on its target: healed actions of the same policy,
  // trigger and target from an earlier firing, no longer ago than `window_ms` before this
  // firing, become recurred. Returns how many did.
  std::size_t note_firing(const ActionRequest& request, std::int64_t window_ms);
  OutcomeCounts counts(std::string_view policy, std::string_view action, std::string_view workload,
                       std::int64_t within_ms, std::int64_t now_ms) const;
  void sweep(std::int64_t now_ms);
  bool empty() const { return records.empty(); }
};

}  // namespace skippy::safety
