#include "explain/decision_explanation.hpp"

#include <simdjson.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace skippy::explain {
namespace {

std::string text_of(simdjson::dom::element e) {
  std::string_view s;
  if (!e.get(s)) return std::string(s);
  return simdjson::minify(e);
}

// "FILE:LINE:COLUMN" and that line of FILE, if it can be read.
void print_source(std::ostream& out, std::string_view source) {
  out << "  written at " << source << "\n";
  auto last = source.rfind(':');
  auto before = last == std::string_view::npos ? last : source.rfind(':', last - 1);
  if (before == std::string_view::npos) return;
  std::string file(source.substr(0, before));
  long line_number = std::strtol(std::string(source.substr(before + 1)).c_str(), nullptr, 10);
  std::ifstream in(file);
  std::string line;
  for (long n = 1; n <= line_number && std::getline(in, line); ++n) {
    if (n == line_number) out << "    " << n << " | " << line << "\n";
  }
}

// What ai.analyze() answered: the analyzer, its choice among the allowed set, its reason, and
// every piece of evidence it cites with its value.
void print_analysis(std::ostream& out, simdjson::dom::element a) {
  auto get = [&](const char* key) {
    simdjson::dom::element e;
    return a[key].get(e) ? std::string() : text_of(e);
  };
  out << "  analysis (ai.analyze at " << get("source") << ", " << get("analyzer") << "):\n";
  std::string allowed;
  simdjson::dom::array list;
  if (!a["allowed"].get(list)) {
    for (auto x : list) allowed += (allowed.empty() ? "" : ", ") + text_of(x);
  }
  out << "    chose " << get("action") << " among [" << allowed << "], confidence "
      << get("confidence") << "\n";
  out << "    trend " << get("trend") << ", scope " << get("scope");
  if (auto t = get("time_to_threshold_s"); !t.empty() && t != "null")
    out << ", threshold in " << t << " s";
  out << "\n    reason: " << get("reason") << "\n";
  if (auto why = get("rejected"); !why.empty())
    out << "    its answer was refused: " << why << "\n";
  simdjson::dom::element model;
  if (!a["model"].get(model)) {
    auto field = [&](const char* key) {
      simdjson::dom::element e;
      return model[key].get(e) ? std::string() : text_of(e);
    };
    out << "    model: " << field("backend") << " " << field("model") << ", prompt "
        << field("prompt_digest");
    if (field("cached") == "true") out << " (answered from the cache)";
    if (auto latency = field("latency_s"); !latency.empty() && latency != "0")
      out << ", " << latency << " s, " << field("tokens") << " tokens";
    out << "\n";
    if (auto v = field("validation"); !v.empty())
      out << "      answer " << field("answer_digest") << ": " << v << "\n";
    if (auto f = field("fallback"); !f.empty())
      out << "      the deterministic analyzer answered: " << f << "\n";
    out << "      sent: " << field("evidence_sent") << "\n";
  }
  simdjson::dom::array evidence;
  if (!a["evidence"].get(evidence)) {
    out << "    evidence:\n";
    for (auto e : evidence) {
      out << "      " << text_of(e["id"]) << " " << text_of(e["kind"]) << " " << text_of(e["name"])
          << " = " << text_of(e["value"]) << "\n";
    }
  }
}

void print_decision(std::ostream& out, simdjson::dom::element d) {
  auto get = [&](const char* key) {
    simdjson::dom::element e;
    return d[key].get(e) ? std::string() : text_of(e);
  };
  out << "decision " << get("id") << " at " << get("time") << "\n";
  out << "  policy " << get("policy") << ", trigger " << get("trigger") << " (firing since "
      << get("fired_at") << ")\n";
  out << "  proposed " << get("action") << "(";
  simdjson::dom::object args;
  if (!d["arguments"].get(args)) {
    bool first = true;
    for (auto [name, value] : args) {
      out << (first ? "" : ", ") << name << ": " << text_of(value);
      first = false;
    }
  }
  out << ") priority " << get("priority") << " on " << get("target")
      << (get("destructive") == "true" ? " (destructive)" : "") << ", mode " << get("mode") << "\n";
  simdjson::dom::object signals;
  if (!d["signals"].get(signals)) {
    out << "  signals:\n";
    for (auto [name, value] : signals) out << "    " << name << " = " << text_of(value) << "\n";
  }
  simdjson::dom::array analyses;
  if (!d["analysis"].get(analyses)) {
    for (auto a : analyses) print_analysis(out, a);
  }
  simdjson::dom::array gates;
  if (!d["gates"].get(gates)) {
    out << "  gates, in order:\n";
    for (auto g : gates) {
      std::string gate = text_of(g["gate"]), verdict = text_of(g["verdict"]);
      gate.resize(std::max<std::size_t>(gate.size(), 16), ' ');
      out << "    " << gate << verdict;
      simdjson::dom::element reason;
      if (!g["reason"].get(reason)) out << ": " << text_of(reason);
      out << "\n";
    }
  }
  out << "  outcome: " << get("outcome");
  if (auto would = get("would"); !would.empty()) out << " (would have been: " << would << ")";
  if (auto reason = get("reason"); !reason.empty()) out << ": " << reason;
  out << "\n";
  if (auto source = get("source"); !source.empty()) print_source(out, source);
}

// "executed at T: attempt 1: success: delete Pod demo/a (now succeeded)".
void print_execution(std::ostream& out, simdjson::dom::element x) {
  auto get = [&](const char* key) {
    simdjson::dom::element e;
    return x[key].get(e) ? std::string() : text_of(e);
  };
  out << "  executed at " << get("time") << ": attempt " << get("attempt") << ": " << get("status")
      << ": " << get("message") << " (now " << get("state");
  if (auto retry = get("retry_at"); !retry.empty()) out << ", next attempt at " << retry;
  out << ")\n";
}

// "health check at T: succeeded: Deployment demo/web ready: 2/2 replicas".
void print_health(std::ostream& out, simdjson::dom::element x) {
  auto get = [&](const char* key) {
    simdjson::dom::element e;
    return x[key].get(e) ? std::string() : text_of(e);
  };
  out << "  health check at " << get("time") << ": " << get("state") << ": " << get("reason")
      << "\n";
}

}  // namespace

std::string explain_decision(std::string_view decision, std::span<const std::string> followups) {
  simdjson::dom::parser parser;
  simdjson::dom::element record;
  std::ostringstream out;
  if (parser.parse(decision.data(), decision.size()).get(record)) return {};
  print_decision(out, record);
  for (const auto& e : followups) {
    simdjson::dom::element x;
    if (parser.parse(e).get(x)) continue;
    std::string_view event;
    if (!x["event"].get(event) && event == "health-check") {
      print_health(out, x);
    } else {
      print_execution(out, x);
    }
  }
  return out.str();
}

}  // namespace skippy::explain
