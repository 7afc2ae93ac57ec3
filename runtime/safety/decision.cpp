#include "runtime/safety/decision.hpp"

namespace skippy::safety {

const char* gate_name(Gate gate) {
  static const char* names[kGateCount] = {
      "mode",         "arguments",       "protected",   "cooldown", "rate-limit",
      "blast-radius", "circuit-breaker", "concurrency", "approval"};
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
