#include "translate/translate.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "dsl/yaml_size.hpp"
#include "translate/kinds.hpp"
#include "translate/names.hpp"
#include "translate/read_policy.hpp"
#include "translate/write_policy.hpp"

namespace skippy::translate {
namespace {

// The byte offset of the first invalid UTF-8 sequence, or npos. Skippy source is UTF-8, and
// every string of the manifest may end up in it.
std::size_t invalid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80                 ? 0
                    : c >= 0xC2 && c <= 0xDF ? 1
                    : c >= 0xE0 && c <= 0xEF ? 2
                    : c >= 0xF0 && c <= 0xF4 ? 3
                                             : 4;
    if (n == 4 || i + n >= s.size()) return i;
    // The second byte's range excludes overlong forms, surrogates and code points past U+10FFFF.
    unsigned char lo = c == 0xE0 ? 0xA0 : c == 0xF0 ? 0x90 : 0x80;
    unsigned char hi = c == 0xED ? 0x9F : c == 0xF4 ? 0x8F : 0xBF;
    for (std::size_t k = 1; k <= n; ++k) {
      auto b = static_cast<unsigned char>(s[i + k]);
      if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xBF)) return i;
    }
    i += n + 1;
  }
  return std::string_view::npos;
}

std::uint32_t line_of(std::string_view s, std::size_t offset) {
  std::uint32_t line = 1;
  for (std::size_t i = 0; i < offset && i < s.size(); ++i) line += s[i] == '\n';
  return line;
}

// One HealingPolicy document: the source of its policies, one per kind, or nothing.
void translate_document(const YAML::Node& doc, Findings& findings, Translation& out) {
  std::size_t errors_before = 0;
  for (const auto& f : findings.all()) errors_before += f.severity == Severity::Error;
  YamlReader reader(findings);
  HealingPolicy policy = read_policy(doc, reader);
  if (!policy.name.present || policy.name.value.empty()) {
    findings.error(policy.name.where, "a HealingPolicy without a name");
    return;
  }
  // The kinds Skippy can select, in the order of selector.resources.
  std::vector<Kind> kinds;
  for (const auto& r : policy.selector.resources) {
    auto kind = kind_from_upstream(r.kind.value);
    if (!kind) {
      findings.warning(r.kind.where,
                       "Skippy selects pods, deployments, statefulsets, "
                       "daemonsets and replicasets; kind `" +
                           r.kind.value + "` is left out");
      continue;
    }
    if (std::find(kinds.begin(), kinds.end(), *kind) == kinds.end()) kinds.push_back(*kind);
  }
  if (kinds.empty()) {
    findings.error(policy.selector.resources_where,
                   "no resource kind that Skippy selects; nothing to translate");
    return;
  }
  std::string stem = identifier(policy.name.value, "healing_policy");
  if (kinds.size() > 1) {
    std::string names;
    for (auto k : kinds)
      names += (names.empty() ? "" : ", ") + stem + "_" + std::string(kind_word(k));
    findings.note(policy.selector.resources_where,
                  "a Skippy policy selects one kind: one policy per kind, " + names);
  }
  TranslatedPolicy t;
  t.name = policy.name.value;
  t.file_stem = stem;
  t.line = policy.where.line;
  t.source = comment_lines(
      "HealingPolicy " +
          (policy.namespace_name.present ? policy.namespace_name.value + "/" : std::string()) +
          policy.name.value + ", translated by `skippy translate`.",
      "");
  if (!policy.unknown_fields.empty()) {
    std::string list;
    for (const auto& u : policy.unknown_fields) list += (list.empty() ? "" : ", ") + u;
    t.source += comment_lines(
        "Fields the HealingPolicy schema does not define, which upstream "
        "ignored and so does this translation: " +
            list + ".",
        "");
  }
  bool any = false;
  for (auto kind : kinds) {
    std::string name = kinds.size() > 1 ? stem + "_" + std::string(kind_word(kind)) : stem;
    auto written = write_policy(policy, kind, name, findings);
    if (!written.ok) continue;
    t.source += "\n" + written.text;
    any = true;
  }
  if (!any) findings.error(policy.where, "no policy could be written for any kind it selects");
  std::size_t errors_after = 0;
  for (const auto& f : findings.all()) errors_after += f.severity == Severity::Error;
  if (errors_after == errors_before) out.policies.push_back(std::move(t));
}

// Far more than any real manifest holds (the largest of the upstream corpus is a few KB), once
// its YAML aliases are followed (dsl/yaml_size.hpp), and nested deeper than any.
constexpr std::size_t kMaxDocumentBytes = 4 << 20;
constexpr std::size_t kMaxDocumentDepth = 128;

}  // namespace

Translation translate_manifests(const std::string& path, std::string_view text) {
  Translation out;
  Findings findings(path);
  if (auto bad = invalid_utf8(text); bad != std::string_view::npos) {
    findings.error({line_of(text, bad), ""}, "the file is not UTF-8");
    out.unreadable = true;
    out.findings = findings.all();
    return out;
  }
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(std::string(text));
  } catch (const YAML::Exception& e) {
    // The one place the YAML library throws: text that is not YAML.
    findings.error({static_cast<std::uint32_t>(e.mark.line + 1), ""}, "not valid YAML: " + e.msg);
    out.unreadable = true;
    out.findings = findings.all();
    return out;
  }
  for (std::size_t i = 0; i < documents.size(); ++i) {
    const YAML::Node& doc = documents[i];
    if (!doc.IsDefined() || doc.IsNull()) continue;
    Where where = YamlReader::at(doc, "");
    if (dsl::yaml_expanded_size(doc, kMaxDocumentBytes, kMaxDocumentDepth) > kMaxDocumentBytes) {
      findings.error(where, "document " + std::to_string(i + 1) +
                                " is larger than 4 MiB once its YAML aliases are followed, or "
                                "is nested more than 128 deep; not translated");
      continue;
    }
    if (!doc.IsMap()) {
      findings.note(where, "document " + std::to_string(i + 1) + " is not an object; skipped");
      continue;
    }
    Field<std::string> kind, api;
    YamlReader reader(findings);
    reader.read(doc, "kind", "", kind);
    reader.read(doc, "apiVersion", "", api);
    if (kind.value != "HealingPolicy") {
      findings.note(kind.present ? kind.where : where,
                    (kind.present ? "a " + kind.value : std::string("a document without a kind")) +
                        ", not a HealingPolicy; skipped");
      continue;
    }
    if (api.value.rfind("kubeskippy.io/", 0) != 0)
      findings.warning(api.where, "apiVersion `" + api.value +
                                      "` is not kubeskippy.io/v1alpha1; read as v1alpha1");
    try {
      translate_document(doc, findings, out);
    } catch (const YAML::Exception& e) {
      // Only a bug in the reader gets here; report it against the document, and go on.
      findings.error(where, std::string("internal error while reading the document: ") + e.what());
    }
  }
  out.findings = findings.all();
  return out;
}

bool translates_cleanly(const Translation& translation) {
  for (const auto& f : translation.findings)
    if (f.severity != Severity::Note) return false;
  return !translation.unreadable;
}

}  // namespace skippy::translate
