#include "agent/process/healing_policies.hpp"

#include <simdjson.h>

#include "base/json_escape.hpp"
#include "base/time_format.hpp"
#include "dsl/render.hpp"
#include "toolchain/inputs.hpp"
#include "toolchain/translation_output.hpp"
#include "translate/translate.hpp"

namespace skippy::agent {
namespace {

// What of the object the translation reads: its spec (and name). Not its resourceVersion:
// writing an object's status changes that, and must not recompile the policies.
std::string spec_of(const std::string& json) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc, spec;
  if (parser.parse(json).get(doc) || doc["spec"].get(spec)) return json;
  return simdjson::minify(spec);
}

// Every error and warning of a translation, one per line.
std::string findings_text(const translate::Translation& t, std::size_t& warnings) {
  std::string out;
  warnings = 0;
  for (const auto& f : t.findings) {
    if (f.severity == translate::Severity::Warning) ++warnings;
    if (f.severity == translate::Severity::Error) out += translate::render_finding(f) + "\n";
  }
  return out;
}

}  // namespace

std::string healing_policies_signature(std::span<const k8s::RawObject> objects) {
  std::string out;
  for (const auto& o : objects)
    out += o.namespace_name + "/" + o.name + " " + spec_of(o.json) + "\n";
  return out;
}

HealingPolicyTexts translate_healing_policies(std::span<const k8s::RawObject> objects,
                                              const std::set<std::string>& taken) {
  HealingPolicyTexts out;
  std::set<std::string> names = taken;
  for (const auto& o : objects) {
    PolicyVerdict v{o.namespace_name, o.name, false, "", ""};
    const std::string origin = "healingpolicy/" + o.namespace_name + "/" + o.name;
    auto translation = translate::translate_manifests(origin, o.json);
    std::size_t warnings = 0;
    std::string errors = findings_text(translation, warnings);
    if (translation.unreadable || translation.policies.empty() || !errors.empty()) {
      v.reason = "TranslationFailed";
      v.message = errors.empty() ? "the object does not translate" : errors;
      out.verdicts.push_back(std::move(v));
      continue;
    }
    std::vector<PolicyText> texts;
    for (const auto& policy : translation.policies) {
      auto output = toolchain::translation_output(policy);
      if (!output.problem.empty()) {
        v.reason = "CompileFailed";
        v.message = output.problem;
        break;
      }
      texts.push_back({origin + "/" + output.file_name, std::move(output.text)});
    }
    // The names the object's policies define, compiled alone.
    std::set<std::string> defined;
    if (v.reason.empty()) {
      dsl::SourceManager sources;
      dsl::Diagnostics diagnostics;
      std::string usage;
      std::vector<std::pair<std::string, std::string>> extra;
      for (const auto& t : texts) extra.emplace_back(t.name, t.text);
      auto compiled = toolchain::compile_inputs({}, 10'000, sources, diagnostics, usage, extra);
      if (!compiled.program) {
        v.reason = "CompileFailed";
        v.message = dsl::render_text(diagnostics, sources);
      } else {
        for (const auto& p : compiled.program->policies) {
          std::string name(compiled.program->string(p.name));
          if (names.contains(name) || !defined.insert(name).second) {
            v.reason = "NameClash";
            v.message = "policy " + name +
                        " is already defined by a policy file or an earlier "
                        "HealingPolicy";
            break;
          }
        }
      }
    }
    if (!v.reason.empty()) {
      out.verdicts.push_back(std::move(v));
      continue;
    }
    names.insert(defined.begin(), defined.end());
    v.ready = true;
    v.reason = "Compiled";
    v.message =
        "translated and compiled" + (warnings ? " with " + std::to_string(warnings) +
                                                    " warning(s): see `skippy translate` for them"
                                              : std::string());
    out.verdicts.push_back(std::move(v));
    for (auto& t : texts) out.texts.push_back(std::move(t));
  }
  return out;
}

std::vector<std::string> PolicyStatusReporter::report(const std::vector<PolicyVerdict>& verdicts,
                                                      std::int64_t now_ms) {
  std::vector<std::string> problems;
  for (const auto& v : verdicts) {
    const std::string key = v.namespace_name + "/" + v.name;
    const std::string said = v.reason + "\n" + v.message;
    auto it = reported_.find(key);
    if (it != reported_.end() && it->second == said) continue;
    std::string body = R"({"status":{"conditions":[{"type":"Ready","status":")" +
                       std::string(v.ready ? "True" : "False") + R"(","reason":")" + v.reason +
                       R"(","message":")" + base::json_escape(v.message) +
                       R"(","lastTransitionTime":")" + base::format_time(now_ms) + "\"}]}}";
    auto result = client_.send("PATCH",
                               "/apis/kubeskippy.io/v1alpha1/namespaces/" + v.namespace_name +
                                   "/healingpolicies/" + v.name + "/status",
                               body, "application/merge-patch+json");
    if (result.ok()) {
      reported_[key] = said;
    } else {
      problems.push_back("HealingPolicy " + key + ": cannot write its status: " + result.error);
    }
  }
  return problems;
}

}  // namespace skippy::agent
