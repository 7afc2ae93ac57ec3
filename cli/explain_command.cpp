// skippy explain ID: one decision of the audit file, as a person would want to read it:
// what was proposed, to whom, why (the trigger and the signal values), each safety gate's
// verdict, the outcome, and the policy's source line that wrote the action.
#include <simdjson.h>

#include <fstream>
#include <iostream>
#include <vector>

#include "cli/commands.hpp"
#include "explain/decision_explanation.hpp"

namespace skippy::cli {

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
  std::cout << options.audit_file << ":" << found_line << ":\n";
  std::string text = explain::explain_decision(found, executions);
  if (text.empty()) return kExitFindings;
  std::cout << text;
  return kExitOk;
}

}  // namespace skippy::cli
