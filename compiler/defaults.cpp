#include "compiler/defaults.hpp"

#include <set>

namespace skippy::compiler {
namespace {

class Resolver {
 public:
  Resolver(const dsl::Program& program, dsl::Diagnostics& diagnostics) : d_(diagnostics) {
    for (const auto& m : program.modules) modules_[m.file] = &m;
  }

  const VisibleDefaults& visible(dsl::FileId file) {
    if (auto it = done_.find(file); it != done_.end()) return it->second;
    VisibleDefaults out;
    if (!in_progress_.insert(file).second) return done_[file];  // a cycle, reported by the loader
    auto found = modules_.find(file);
    if (found != modules_.end()) {
      const dsl::Module& m = *found->second;
      VisibleDefaults own;
      for (const auto& decl : m.declarations) {
        if (const auto* d = std::get_if<dsl::DefaultsDecl>(&decl)) {
          apply_own(own, *d);
          break;  // a second block is reported by the front end
        }
      }
      // The file's own block settles what it sets; imported blocks conflict only elsewhere.
      for (auto imported : m.imports) merge_imported(out, visible(imported), own);
      if (own.mode) out.mode = own.mode;
      if (own.every) out.every = own.every;
      for (const auto& [key, rule] : own.safety) out.safety[key] = rule;
    }
    in_progress_.erase(file);
    return done_[file] = std::move(out);
  }

 private:
  template <typename T>
  void merge_one(const T*& into, const T* from, bool settled, const std::string& what) {
    if (!from || into == from || settled) return;
    if (into) {
      // Report each conflicting pair once, however many files import both.
      if (reported_.insert({from->span.file, from->span.begin}).second) {
        d_.report(dsl::DiagCode::ConflictingDefaults, from->span,
                  "two imported defaults set " + what +
                      "; set it in the importing file's own `defaults`, or in only one of them")
            .notes.push_back({into->span, "also set here"});
      }
      return;
    }
    into = from;
  }

  void merge_imported(VisibleDefaults& out, const VisibleDefaults& in, const VisibleDefaults& own) {
    merge_one(out.mode, in.mode, own.mode != nullptr, "`mode`");
    merge_one(out.every, in.every, own.every != nullptr, "`every`");
    for (const auto& [key, rule] : in.safety) {
      const dsl::SafetyRule*& slot = out.safety[key];
      merge_one(slot, rule, own.safety.count(key) > 0, "`" + key + "`");
    }
  }

  static void apply_own(VisibleDefaults& out, const dsl::DefaultsDecl& d) {
    for (const auto& item : d.items) {
      if (const auto* m = std::get_if<dsl::ModeClause>(&item)) out.mode = m;
      if (const auto* e = std::get_if<dsl::EveryClause>(&item)) out.every = e;
      if (const auto* s = std::get_if<dsl::SafetyBlock>(&item)) {
        for (const auto& rule : s->rules) out.safety[safety_rule_key(rule)] = &rule;
      }
    }
  }

  dsl::Diagnostics& d_;
  std::map<dsl::FileId, const dsl::Module*> modules_;
  std::map<dsl::FileId, VisibleDefaults> done_;
  std::set<dsl::FileId> in_progress_;
  std::set<std::pair<dsl::FileId, std::uint32_t>> reported_;
};

}  // namespace

std::string safety_rule_key(const dsl::SafetyRule& rule) {
  using Kind = dsl::SafetyRule::Kind;
  switch (rule.kind) {
    case Kind::Cooldown:
      return rule.scope == dsl::SafetyRule::Scope::Policy ? "cooldown per policy"
                                                          : "cooldown per target";
    case Kind::MaxActions:
      return "max_actions";
    case Kind::MaxUnavailable:
      return "max_unavailable";
    case Kind::MaxConcurrent:
      return "max_concurrent";
    case Kind::Approve:
      return "approve";
    case Kind::AllowSystemNamespaces:
      return "allow system_namespaces";
  }
  return "?";
}

std::map<dsl::FileId, VisibleDefaults> resolve_defaults(const dsl::Program& program,
                                                        dsl::Diagnostics& diagnostics) {
  Resolver resolver(program, diagnostics);
  std::map<dsl::FileId, VisibleDefaults> out;
  for (const auto& m : program.modules) out[m.file] = resolver.visible(m.file);
  return out;
}

}  // namespace skippy::compiler
