#include "runtime/monitor/status_board.hpp"

#include <simdjson.h>

#include <unordered_map>
#include <utility>

namespace skippy::monitor {

const char* leadership_name(Leadership l) {
  switch (l) {
    case Leadership::Leading:
      return "leading";
    case Leadership::StandingBy:
      return "standing by";
    case Leadership::NoElection:
      break;
  }
  return "no election";
}

const DecisionStatus* StatusSnapshot::decision(std::string_view id) const {
  if (id.empty()) return nullptr;
  const DecisionStatus* found = nullptr;
  for (const auto& d : decisions) {
    if (d.id == id) return &d;
    if (d.id.starts_with(id)) {
      if (found && found->id != d.id) return nullptr;  // ambiguous
      found = &d;
    }
  }
  return found;
}

namespace {

// "all N passed", or "GATE VERDICT, ..." for the gates that did not pass.
std::string gates_summary(simdjson::dom::element record) {
  simdjson::dom::array gates;
  if (record["gates"].get(gates)) return {};
  std::string out;
  std::size_t passed = 0;
  for (auto g : gates) {
    std::string_view gate, verdict;
    if (g["gate"].get(gate) || g["verdict"].get(verdict)) continue;
    if (verdict == "passed") {
      ++passed;
      continue;
    }
    out += (out.empty() ? "" : ", ") + std::string(gate) + " " + std::string(verdict);
  }
  return out.empty() ? "all " + std::to_string(passed) + " passed" : out;
}

}  // namespace

void StatusBoard::publish(std::int64_t now_ms, std::vector<PolicyStatus> policies,
                          Leadership leadership, const std::vector<std::string>& audit_records,
                          SafetyStatus safety) {
  std::lock_guard lock(mutex_);
  std::unordered_map<std::string, std::int64_t> last;
  for (const auto& p : current_.policies) last[p.name] = p.last_evaluation_ms;
  for (auto& p : policies) {
    if (p.evaluated) {
      p.last_evaluation_ms = now_ms;
    } else if (auto it = last.find(p.name); it != last.end()) {
      p.last_evaluation_ms = it->second;
    }
  }
  current_.time_ms = now_ms;
  current_.leadership = leadership;
  current_.policies = std::move(policies);
  current_.safety = std::move(safety);
  simdjson::dom::parser parser;
  for (const auto& json : audit_records) {
    simdjson::dom::element record;
    if (parser.parse(json).get(record)) continue;
    auto text = [&](const char* key) {
      std::string_view s;
      return record[key].get(s) ? std::string() : std::string(s);
    };
    std::string id = text("id");
    if (id.empty()) continue;
    std::string event = text("event");
    if (event == "execution" || event == "health-check") {
      for (auto it = current_.decisions.rbegin(); it != current_.decisions.rend(); ++it) {
        if (it->id == id) {
          it->followups.push_back(json);
          break;
        }
      }
      continue;
    }
    current_.decisions.push_back({id,
                                  text("time"),
                                  text("policy"),
                                  text("trigger"),
                                  text("action"),
                                  text("target"),
                                  text("outcome"),
                                  gates_summary(record),
                                  json,
                                  {}});
    while (current_.decisions.size() > max_decisions_) current_.decisions.pop_front();
  }
}

StatusSnapshot StatusBoard::snapshot() const {
  std::lock_guard lock(mutex_);
  return current_;
}

}  // namespace skippy::monitor
