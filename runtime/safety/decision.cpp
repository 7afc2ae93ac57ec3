#include "runtime/safety/decision.hpp"

#include <limits>

namespace skippy::safety {

const char* gate_name(Gate gate) {
  static const char* names[kGateCount] = {
      "mode",       "arguments",    "protected",       "silence",     "cooldown",
      "rate-limit", "blast-radius", "circuit-breaker", "concurrency", "approval"};
  auto i = static_cast<std::size_t>(gate);
  return i < kGateCount ? names[i] : "?";
}

const char* verdict_name(Verdict verdict) {
  switch (verdict) {
    case Verdict::NotReached:
      return "not-reached";
    case Verdict::Passed:
      return "passed";
    case Verdict::Blocked:
      return "blocked";
  }
  return "?";
}

const char* outcome_name(Outcome outcome) {
  switch (outcome) {
    case Outcome::Execute:
      return "execute";
    case Outcome::DryRun:
      return "dry-run";
    case Outcome::Recorded:
      return "recorded";
    case Outcome::AwaitingApproval:
      return "awaiting-approval";
    case Outcome::Blocked:
      return "blocked";
    case Outcome::Duplicate:
      return "duplicate";
    case Outcome::Expired:
      return "expired";
  }
  return "?";
}

void GateLog::record(Gate g, Verdict verdict, std::string_view why, std::string& text) {
  auto i = static_cast<std::size_t>(g);
  if (i >= kGateCount || i < recorded_) return;  // in order, each once
  auto end = [&] { return static_cast<std::uint16_t>(text.size()); };
  for (; recorded_ < i; ++recorded_) ends_[recorded_] = end();
  text.append(why.substr(0, std::numeric_limits<std::uint16_t>::max() - text.size()));
  verdicts_[i] = verdict;
  ends_[i] = end();
  recorded_ = static_cast<std::uint8_t>(i + 1);
}

GateVerdict GateLog::gate(Gate g, std::string_view text) const {
  auto i = static_cast<std::size_t>(g);
  if (i >= recorded_) return {};
  std::size_t begin = i ? ends_[i - 1] : 0;
  return {verdicts_[i], text.substr(begin, ends_[i] - begin)};
}

namespace {

std::string text_of(Outcome outcome, Gate blocked_by) {
  if (outcome == Outcome::Blocked) return std::string("blocked:") + gate_name(blocked_by);
  return outcome_name(outcome);
}

}  // namespace

std::string outcome_text(const Decision& d) {
  return text_of(d.outcome, d.blocked_by);
}

std::string would_text(const Decision& d) {
  return text_of(d.would, d.blocked_by);
}

}  // namespace skippy::safety
