#include "runtime/safety/outcomes.hpp"

#include <iterator>

namespace skippy::safety {

const char* outcome_result_name(OutcomeResult result) {
  switch (result) {
    case OutcomeResult::Healed:
      return "healed";
    case OutcomeResult::Failed:
      return "failed";
    case OutcomeResult::Recurred:
      return "recurred";
  }
  return "?";
}

bool parse_outcome_result(std::string_view name, OutcomeResult& out) {
  for (auto r : {OutcomeResult::Healed, OutcomeResult::Failed, OutcomeResult::Recurred}) {
    if (name == outcome_result_name(r)) {
      out = r;
      return true;
    }
  }
  return false;
}

std::string OutcomeLedger::key(std::string_view policy, std::string_view workload) {
  std::string out(policy);
  out += '\x1f';
  out += workload;
  return out;
}

std::string OutcomeLedger::workload_of(const ActionRequest& request) {
  std::string out = workload_key(request.target);
  return out.empty() ? target_key(request.target) : out;
}

void OutcomeLedger::record(const ActionRequest& request, bool healed, std::int64_t decided_ms,
                           std::int64_t now_ms) {
  auto& list = records[key(request.policy, workload_of(request))];
  list.push_back(OutcomeRecord{request.action, request.trigger, target_key(request.target),
                               request.fired_at_ms, decided_ms, now_ms,
                               healed ? OutcomeResult::Healed : OutcomeResult::Failed});
  while (list.size() > kOutcomesPerKey) list.pop_front();
}

std::size_t OutcomeLedger::note_firing(const ActionRequest& request, std::int64_t window_ms) {
  auto it = records.find(key(request.policy, workload_of(request)));
  if (it == records.end()) return 0;
  std::size_t changed = 0;
  std::string target;
  for (auto& r : it->second) {
    if (r.result != OutcomeResult::Healed || r.trigger != request.trigger ||
        request.fired_at_ms <= r.fired_at_ms || request.fired_at_ms > r.ended_ms + window_ms)
      continue;
    if (target.empty()) target = target_key(request.target);
    if (r.target != target) continue;
    r.result = OutcomeResult::Recurred;
    ++changed;
  }
  return changed;
}

OutcomeCounts OutcomeLedger::counts(std::string_view policy, std::string_view action,
                                    std::string_view workload, std::int64_t within_ms,
                                    std::int64_t now_ms) const {
  OutcomeCounts out;
  auto it = records.find(key(policy, workload));
  if (it == records.end()) return out;
  for (const auto& r : it->second) {
    if (r.action == action && r.ended_ms >= now_ms - within_ms && r.ended_ms <= now_ms)
      tally(out, r);
  }
  return out;
}

void tally(OutcomeCounts& c, const OutcomeRecord& r) {
  ++c.attempts;
  switch (r.result) {
    case OutcomeResult::Healed:
      ++c.healed;
      c.recovery_ms_total += r.ended_ms - r.decided_ms;
      break;
    case OutcomeResult::Failed:
      ++c.failed;
      break;
    case OutcomeResult::Recurred:
      ++c.recurred;
      break;
  }
}

void OutcomeLedger::sweep(std::int64_t now_ms) {
  for (auto it = records.begin(); it != records.end();) {
    auto& list = it->second;
    while (!list.empty() && list.front().ended_ms + kOutcomeRetentionMs <= now_ms) list.pop_front();
    it = list.empty() ? records.erase(it) : std::next(it);
  }
}

}  // namespace skippy::safety
