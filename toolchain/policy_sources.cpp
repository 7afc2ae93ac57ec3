#include "toolchain/policy_sources.hpp"

#include <set>

#include "compiler/defaults.hpp"

namespace skippy::toolchain {

// The `description` of every policy of the parsed files.
std::map<std::string, std::string> policy_descriptions(const dsl::Program& program) {
  std::map<std::string, std::string> out;
  for (const auto& m : program.modules) {
    for (const auto& d : m.declarations) {
      const auto* p = std::get_if<dsl::Policy>(&d);
      if (!p) continue;
      for (const auto& c : p->clauses)
        if (const auto* text = std::get_if<dsl::DescriptionClause>(&c))
          out[p->name.name] = text->text.value;
    }
  }
  return out;
}

// Where each setting a policy of the parsed files does not write comes from: the `defaults`
// it sees (docs/language.md, defaults resolution), or Skippy's own default.
std::map<std::string, std::map<std::string, std::string>> policy_settings_from(
    const dsl::Program& program, const dsl::SourceManager& sources) {
  dsl::Diagnostics ignored;  // conflicts were reported when the files were compiled
  auto visible = compiler::resolve_defaults(program, ignored);
  auto at = [&](dsl::Span span) {
    const auto& file = sources.file(span.file);
    return "the defaults at " + file.path() + ":" +
           std::to_string(file.line_column(span.begin).line);
  };
  std::map<std::string, std::map<std::string, std::string>> out;
  for (const auto& m : program.modules) {
    const auto& defaults = visible[m.file];
    for (const auto& d : m.declarations) {
      const auto* p = std::get_if<dsl::Policy>(&d);
      if (!p) continue;
      std::set<std::string> written;
      for (const auto& c : p->clauses) {
        if (std::holds_alternative<dsl::ModeClause>(c)) written.insert("mode");
        if (std::holds_alternative<dsl::EveryClause>(c)) written.insert("every");
        if (const auto* block = std::get_if<dsl::SafetyBlock>(&c))
          for (const auto& rule : block->rules) written.insert(compiler::safety_rule_key(rule));
      }
      auto& from = out[p->name.name];
      from["mode"] = defaults.mode ? at(defaults.mode->span) : "Skippy's default";
      from["every"] = defaults.every ? at(defaults.every->span) : "Skippy's default";
      for (const auto& [key, rule] : defaults.safety) from[key] = at(rule->span);
      for (const auto& key : written) from.erase(key);
    }
  }
  return out;
}

}  // namespace skippy::toolchain
