#include "dsl/validate.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <set>
#include <string_view>
#include <vector>

namespace skippy::dsl {
namespace {

constexpr std::array<std::string_view, 5> kKinds = {"pods", "deployments", "statefulsets",
                                                    "daemonsets", "replicasets"};
constexpr std::array<std::string_view, 4> kModes = {"monitor", "dryrun", "manual", "automatic"};
constexpr std::array<std::string_view, 5> kAggregations = {"max", "min", "avg", "sum", "count"};

template <std::size_t N>
bool contains(const std::array<std::string_view, N>& list, std::string_view word) {
  return std::find(list.begin(), list.end(), word) != list.end();
}

template <std::size_t N>
std::string one_of(const std::array<std::string_view, N>& list) {
  std::string out;
  for (std::size_t i = 0; i < N; ++i) {
    if (i) out += i + 1 == N ? " or " : ", ";
    out += "`" + std::string(list[i]) + "`";
  }
  return out;
}

template <std::size_t N>
void suggest(Diagnostic& d, const std::array<std::string_view, N>& list, std::string_view word) {
  std::string_view best;
  std::size_t best_distance = 3;
  for (auto candidate : list) {
    std::size_t distance = edit_distance(word, candidate);
    if (distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  if (!best.empty()) d.notes.push_back({std::nullopt, "did you mean `" + std::string(best) + "`?"});
}

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// A Kubernetes label name segment or value: up to 63 of [A-Za-z0-9-_.], alphanumeric at
// both ends (a value may be empty).
bool valid_label_segment(std::string_view s, bool allow_empty) {
  if (s.empty()) return allow_empty;
  if (s.size() > 63 || !is_alnum(s.front()) || !is_alnum(s.back())) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return is_alnum(c) || c == '-' || c == '_' || c == '.'; });
}

// A DNS-1123 subdomain: lower case alphanumerics, '-' and '.', up to 253 characters.
bool valid_dns_subdomain(std::string_view s, std::size_t max) {
  if (s.empty() || s.size() > max) return false;
  auto lower_alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!lower_alnum(s.front()) || !lower_alnum(s.back())) return false;
  return std::all_of(s.begin(), s.end(),
                     [&](char c) { return lower_alnum(c) || c == '-' || c == '.'; });
}

bool valid_label_key(std::string_view key) {
  auto slash = key.find('/');
  if (slash == std::string_view::npos) return valid_label_segment(key, false);
  return valid_dns_subdomain(key.substr(0, slash), 253) &&
         valid_label_segment(key.substr(slash + 1), false);
}

class Validator {
 public:
  explicit Validator(Diagnostics& diagnostics) : d_(diagnostics) {}

  void program(const Program& program) {
    std::map<std::string, Span> policies;
    for (const auto& module : program.modules) {
      const DefaultsDecl* first_defaults = nullptr;
      for (const auto& decl : module.declarations) {
        if (const auto* p = std::get_if<Policy>(&decl)) {
          auto [it, inserted] = policies.emplace(p->name.name, p->name.span);
          if (!inserted) {
            d_.report(DiagCode::DuplicatePolicy, p->name.span,
                      "a policy named `" + p->name.name + "` is already defined")
                .notes.push_back({it->second, "first defined here"});
          }
          policy(*p);
        } else if (const auto* defaults = std::get_if<DefaultsDecl>(&decl)) {
          if (first_defaults) {
            d_.report(DiagCode::DuplicateDefaults, defaults->span,
                      "this file already has a `defaults` block; merge them into one")
                .notes.push_back({first_defaults->span, "the first `defaults` block"});
          }
          first_defaults = defaults;
          defaults_block(*defaults);
        }
      }
    }
  }

 private:
  void once(std::map<std::string_view, Span>& seen, std::string_view what, Span span) {
    auto [it, inserted] = seen.emplace(what, span);
    if (!inserted) {
      d_.report(DiagCode::DuplicateClause, span,
                "`" + std::string(what) + "` may appear once in a policy")
          .notes.push_back({it->second, "it appears here first"});
    }
  }

  void policy(const Policy& p) {
    std::map<std::string_view, Span> clauses;
    std::map<std::string, Span> signals;
    std::map<std::string, Span> triggers;
    bool has_select = false;
    for (const auto& clause : p.clauses) {
      if (const auto* description = std::get_if<DescriptionClause>(&clause)) {
        once(clauses, "description", description->span);
        if (description->text.value.empty()) {
          d_.report(DiagCode::EmptyDescription, description->text.span,
                    "the description is empty; say what the policy heals and why");
        }
      } else if (const auto* sel = std::get_if<SelectClause>(&clause)) {
        once(clauses, "select", sel->span);
        has_select = true;
        select(*sel);
      } else if (const auto* mode_clause = std::get_if<ModeClause>(&clause)) {
        once(clauses, "mode", mode_clause->span);
        mode(*mode_clause);
      } else if (const auto* every = std::get_if<EveryClause>(&clause)) {
        once(clauses, "every", every->span);
        positive(every->interval, "the evaluation interval");
      } else if (const auto* sig = std::get_if<SignalClause>(&clause)) {
        declare(signals, sig->name, DiagCode::DuplicateSignal, "signal");
        signal(*sig);
      } else if (const auto* trig = std::get_if<TriggerClause>(&clause)) {
        declare(triggers, trig->name, DiagCode::DuplicateTrigger, "trigger");
        no_promql(*trig->condition);
        if (trig->clear_condition) no_promql(*trig->clear_condition);
      } else if (const auto* safety_block = std::get_if<SafetyBlock>(&clause)) {
        once(clauses, "safety", safety_block->span);
        safety(*safety_block);
      } else if (const auto* on = std::get_if<OnClause>(&clause)) {
        std::map<std::string, Span> lets;
        statement(*on->body, lets);
      }
    }
    // A select clause that failed to parse was reported already; do not report it missing.
    if (!has_select && !has_error_within(p.span)) {
      d_.report(DiagCode::MissingSelect, p.name.span,
                "policy `" + p.name.name + "` selects no targets")
          .notes.push_back(
              {std::nullopt, "add a clause such as `select pods in namespace \"apps\"`"});
    }
  }

  bool has_error_within(Span span) const {
    for (const auto& x : d_.all()) {
      if (x.severity == Severity::Error && x.span.file == span.file && x.span.begin >= span.begin &&
          x.span.begin <= span.end) {
        return true;
      }
    }
    return false;
  }

  void defaults_block(const DefaultsDecl& d) {
    std::map<std::string_view, Span> clauses;
    for (const auto& item : d.items) {
      if (const auto* m = std::get_if<ModeClause>(&item)) {
        once(clauses, "mode", m->span);
        mode(*m);
      } else if (const auto* e = std::get_if<EveryClause>(&item)) {
        once(clauses, "every", e->span);
        positive(e->interval, "the evaluation interval");
      } else if (const auto* s = std::get_if<SafetyBlock>(&item)) {
        once(clauses, "safety", s->span);
        safety(*s);
      }
    }
  }

  void declare(std::map<std::string, Span>& seen, const Identifier& name, DiagCode code,
               const char* what) {
    auto [it, inserted] = seen.emplace(name.name, name.span);
    if (!inserted) {
      d_.report(code, name.span,
                std::string("a ") + what + " named `" + name.name +
                    "` is already defined in this policy")
          .notes.push_back({it->second, "first defined here"});
    }
  }

  void positive(const DurationLiteral& d, const char* what) {
    if (d.millis <= 0) {
      d_.report(DiagCode::NonPositiveDuration, d.span,
                std::string(what) + " must be greater than zero; found `" + d.text + "`");
    }
  }

  void mode(const ModeClause& m) {
    if (!contains(kModes, m.mode.name)) {
      auto& diag = d_.report(DiagCode::UnknownMode, m.mode.span,
                             "unknown mode `" + m.mode.name + "`; expected " + one_of(kModes));
      suggest(diag, kModes, m.mode.name);
    }
  }

  void non_empty(const std::vector<StringLiteral>& list, Span where, const char* what) {
    if (list.empty()) {
      d_.report(DiagCode::EmptyStringList, where, std::string("the list of ") + what + " is empty");
    }
  }

  void select(const SelectClause& s) {
    if (!contains(kKinds, s.kind.name)) {
      auto& diag =
          d_.report(DiagCode::UnknownKind, s.kind.span,
                    "unknown resource kind `" + s.kind.name + "`; expected " + one_of(kKinds));
      suggest(diag, kKinds, s.kind.name + (s.kind.name.ends_with('s') ? "" : "s"));
    }
    if (s.namespace_list) non_empty(s.namespaces, s.span, "namespaces");
    std::set<std::string> namespaces;
    for (const auto& ns : s.namespaces) {
      if (!valid_namespace_name(ns.value)) {
        d_.report(DiagCode::InvalidNamespaceName, ns.span,
                  "`" + ns.value +
                      "` is not a valid namespace name: lower case letters, digits "
                      "and `-`, up to 63 characters, starting and ending with a letter or digit");
      } else if (!namespaces.insert(ns.value).second) {
        d_.report(DiagCode::DuplicateNamespace, ns.span,
                  "namespace `" + ns.value + "` is listed twice");
      }
    }
    std::map<std::string, Span> equalities;
    for (const auto& r : s.labels) {
      if (r.op == LabelRequirement::Op::Equals) {
        auto [it, inserted] = equalities.emplace(r.key.value, r.span);
        if (!inserted) {
          d_.report(
                DiagCode::DuplicateLabel, r.span,
                "label `" + r.key.value + "` is required to equal two values; no object can match")
              .notes.push_back({it->second, "the first requirement"});
        }
      }
      if (!valid_label_key(r.key.value)) {
        d_.report(DiagCode::InvalidLabelName, r.key.span,
                  "`" + r.key.value +
                      "` is not a valid label name: an optional DNS prefix and "
                      "`/`, then up to 63 letters, digits, `-`, `_` or `.`, starting and ending "
                      "with a letter or digit");
      }
      if (r.op == LabelRequirement::Op::In || r.op == LabelRequirement::Op::NotIn) {
        non_empty(r.values, r.span, "label values");
      }
      for (const auto& v : r.values) {
        if (!valid_label_segment(v.value, true)) {
          d_.report(DiagCode::InvalidLabelName, v.span,
                    "`" + v.value +
                        "` is not a valid label value: up to 63 letters, digits, "
                        "`-`, `_` or `.`, starting and ending with a letter or digit");
        }
      }
    }
    if (s.except_written) non_empty(s.excluded_names, s.span, "excluded names");
    std::set<std::string> excluded;
    for (const auto& n : s.excluded_names) {
      if (!excluded.insert(n.value).second) {
        d_.report(DiagCode::DuplicateNamespace, n.span, "name `" + n.value + "` is listed twice");
      }
      if (!valid_dns_subdomain(n.value, 253)) {
        d_.report(DiagCode::InvalidNamespaceName, n.span,
                  "`" + n.value +
                      "` is not a valid object name: lower case letters, digits, "
                      "`-` and `.`, up to 253 characters");
      }
    }
  }

  static bool is_promql_call(const Expr& e) {
    return e.kind == ExprKind::Call && e.operands[0]->kind == ExprKind::Name &&
           e.operands[0]->text == "promql";
  }

  // promql() anywhere but as a signal's whole source.
  void no_promql(const Expr& e) {
    if (is_promql_call(e)) {
      d_.report(DiagCode::PromqlOutsideSignal, e.span,
                "promql() may only be the whole source of a signal: declare "
                "`signal name = promql(`...`)` and use the signal's name here");
      return;
    }
    for (const auto& o : e.operands) no_promql(*o);
    arguments(e.arguments);
  }

  void arguments(const std::vector<Argument>& args) {
    std::map<std::string, Span> names;
    const Argument* first_named = nullptr;
    for (const auto& a : args) {
      if (a.name) {
        if (!first_named) first_named = &a;
        auto [it, inserted] = names.emplace(a.name->name, a.name->span);
        if (!inserted) {
          d_.report(DiagCode::DuplicateArgument, a.name->span,
                    "argument `" + a.name->name + "` is given twice")
              .notes.push_back({it->second, "first given here"});
        }
      } else if (first_named) {
        d_.report(DiagCode::PositionalAfterNamed, a.span,
                  "a positional argument cannot follow a named one")
            .notes.push_back({first_named->span, "the first named argument"});
      }
      no_promql(*a.value);
    }
  }

  void signal(const SignalClause& s) {
    if (is_promql_call(*s.source)) {
      const auto& args = s.source->arguments;
      if (args.size() != 1 || args[0].name || args[0].value->kind != ExprKind::String) {
        d_.report(DiagCode::BadPromqlCall, s.source->span,
                  "promql() takes exactly one string: the query, best written as a raw string "
                  "in backticks");
      } else if (args[0].value->text.find_first_not_of(" \t\r\n") == std::string::npos) {
        d_.report(DiagCode::EmptyPromql, args[0].value->span, "the PromQL query is empty");
      }
    } else {
      no_promql(*s.source);
      if (s.has_by || s.aggregation) {
        Span where =
            s.has_by && !s.by_labels.empty() ? s.by_labels.front().span : s.aggregation->span;
        d_.report(DiagCode::ByWithoutPromql, where,
                  "`by` and aggregations join and combine PromQL series; signal `" + s.name.name +
                      "` reads Kubernetes state, which is already per target");
      }
    }
    std::set<std::string> labels;
    for (const auto& l : s.by_labels) {
      if (!labels.insert(l.name).second) {
        d_.report(DiagCode::DuplicateLabel, l.span,
                  "label `" + l.name + "` is named twice in `by`");
      }
    }
    if (s.aggregation && !contains(kAggregations, s.aggregation->name)) {
      auto& diag = d_.report(
          DiagCode::UnknownAggregation, s.aggregation->span,
          "unknown aggregation `" + s.aggregation->name + "`; expected " + one_of(kAggregations));
      suggest(diag, kAggregations, s.aggregation->name);
    }
    if (s.missing && s.missing->hold_for)
      positive(*s.missing->hold_for, "the hold time for missing data");
  }

  void safety(const SafetyBlock& b) {
    static const char* names[] = {"cooldown",       "max_actions", "max_unavailable",
                                  "max_concurrent", "approve",     "allow"};
    std::map<std::string_view, Span> seen;
    for (const auto& r : b.rules) {
      std::string key = names[static_cast<int>(r.kind)];
      if (r.kind == SafetyRule::Kind::Cooldown) {
        key += r.scope == SafetyRule::Scope::Policy ? " per policy" : " per target";
      }
      auto [it, inserted] = seen.emplace(std::string_view(*keys_.insert(key).first), r.span);
      if (!inserted) {
        d_.report(DiagCode::DuplicateSafetyRule, r.span,
                  "`" + key + "` is already set in this safety block")
            .notes.push_back({it->second, "first set here"});
      }
      std::set<std::string> approved;
      for (const auto& a : r.actions) {
        if (!approved.insert(a.name).second) {
          d_.report(DiagCode::DuplicateNamespace, a.span,
                    "action `" + a.name + "` is listed twice");
        }
      }
      switch (r.kind) {
        case SafetyRule::Kind::Cooldown:
          positive(*r.duration, "a cooldown");
          break;
        case SafetyRule::Kind::MaxActions:
          positive(*r.duration, "the rate limit's window");
          [[fallthrough]];
        case SafetyRule::Kind::MaxConcurrent:
          if (r.count < 1) {
            d_.report(
                DiagCode::ZeroCount, r.span,
                "the count must be at least 1; to evaluate without acting, use `mode monitor`");
          }
          break;
        case SafetyRule::Kind::MaxUnavailable:
          if (r.count < 1) {
            d_.report(DiagCode::ZeroCount, r.span,
                      "max_unavailable must allow at least one replica (or 1%); to evaluate "
                      "without acting, use `mode monitor`");
          } else if (r.percent && r.count > 100) {
            d_.report(DiagCode::PercentOutOfRange, r.span,
                      "max_unavailable is a share of replicas: at most 100%");
          }
          break;
        default:
          break;
      }
    }
  }

  void statement(const Statement& s, std::map<std::string, Span>& lets) {
    if (const auto* let = std::get_if<LetStatement>(&s.node)) {
      no_promql(*let->value);
      auto [it, inserted] = lets.emplace(let->name.name, let->name.span);
      if (!inserted) {
        d_.report(DiagCode::DuplicateLet, let->name.span,
                  "`" + let->name.name + "` is already bound in this action block")
            .notes.push_back({it->second, "first bound here"});
      }
    } else if (const auto* action = std::get_if<ActionCall>(&s.node)) {
      arguments(action->arguments);
    } else if (const auto* block = std::get_if<BlockStatement>(&s.node)) {
      std::map<std::string, Span> inner = lets;
      for (const auto& st : block->statements) statement(st, inner);
    } else if (const auto* if_stmt = std::get_if<IfStatement>(&s.node)) {
      no_promql(*if_stmt->condition);
      statement(*if_stmt->then_branch, lets);
      if (if_stmt->else_branch) statement(*if_stmt->else_branch, lets);
    }
  }

  Diagnostics& d_;
  std::set<std::string> keys_;
};

}  // namespace

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

void validate_program(const Program& program, Diagnostics& diagnostics) {
  Validator(diagnostics).program(program);
}

bool valid_namespace_name(std::string_view name) {
  return valid_dns_subdomain(name, 63) && name.find('.') == std::string_view::npos;
}

}  // namespace skippy::dsl
