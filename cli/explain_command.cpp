// skippy explain ID: one decision of the audit file, as a person would want to read it:
// what was proposed, to whom, why (the trigger and the signal values), each safety gate's
// verdict, the outcome, and the policy's source line that wrote the action.
#include <simdjson.h>

#include <fstream>
#include <iostream>
#include <sstream>
#include <vector>

#include "cli/commands.hpp"

namespace skippy::cli {
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

void add_explain_command(CLI::App& app, ExplainOptions& options) {
  auto* cmd = app.add_subcommand(
      "explain", "Explain a decision of the audit file: the proposal, its signals and each gate");
  cmd->add_option("id", options.id, "The decision's id (or a unique prefix of it)")->required();
  cmd->add_option("--audit.file", options.audit_file, "The audit file skippy run wrote")
      ->capture_default_str();
}

int run_explain(const ExplainOptions& options) {
  std::ifstream in(options.audit_file);
  if (!in) {
    std::cerr << "skippy explain: cannot read the audit file `" << options.audit_file << "`\n";
    return kExitUsage;
  }
  simdjson::dom::parser parser;
  std::string line, found, other;
  std::vector<std::string> executions;
  std::size_t number = 0, found_line = 0;
  while (std::getline(in, line)) {
    ++number;
    simdjson::dom::element record;
    if (parser.parse(line).get(record)) {
      std::cerr << options.audit_file << ":" << number << ": not a JSON record; skipped\n";
      continue;
    }
    std::string_view id;
    if (record["id"].get(id) || !id.starts_with(options.id)) continue;
    if (!found.empty() && id != std::string_view(other)) {
      std::cerr << "skippy explain: `" << options.id << "` matches several decisions (" << other
                << ", " << id << "); give more of the id\n";
      return kExitUsage;
    }
    other = std::string(id);
    std::string_view event;
    if (!record["event"].get(event) && (event == "execution" || event == "health-check")) {
      executions.push_back(line);  // what became of it, in order
      continue;
    }
    found = line;  // the latest decision about it wins
    found_line = number;
  }
  if (found.empty() && !executions.empty()) {
    std::cerr << "skippy explain: `" << options.id << "` has execution records in `"
              << options.audit_file << "` but not its decision\n";
    return kExitFindings;
  }
  if (found.empty()) {
    std::cerr << "skippy explain: no decision `" << options.id << "` in `" << options.audit_file
              << "`\n";
    return kExitFindings;
  }
  simdjson::dom::element record;
  if (parser.parse(found).get(record)) return kExitFindings;
  std::cout << options.audit_file << ":" << found_line << ":\n";
  print_decision(std::cout, record);
  for (const auto& e : executions) {
    simdjson::dom::element x;
    if (parser.parse(e).get(x)) continue;
    std::string_view event;
    if (!x["event"].get(event) && event == "health-check") {
      print_health(std::cout, x);
    } else {
      print_execution(std::cout, x);
    }
  }
  return kExitOk;
}

}  // namespace skippy::cli
