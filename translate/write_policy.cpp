#include "translate/write_policy.hpp"

#include <algorithm>

#include "base/literals.hpp"
#include "dsl/format.hpp"
#include "translate/write_action.hpp"
#include "translate/write_trigger.hpp"

namespace skippy::translate {
namespace {

// The largest count the language takes (max_actions, max_concurrent).
constexpr std::int64_t kMaxCount = 1'000'000'000;
// The most action calls one policy may hold (docs/language.md, Limits; E0347).
constexpr std::size_t kMaxActionCalls = 64;

bool alnum_lower(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}
bool alnum(char c) {
  return alnum_lower(c) || (c >= 'A' && c <= 'Z');
}

// A Kubernetes namespace name (RFC 1123 label).
bool namespace_name(std::string_view s) {
  if (s.empty() || s.size() > 63 || !alnum_lower(s.front()) || !alnum_lower(s.back())) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return alnum_lower(c) || c == '-'; });
}

// A Kubernetes object name (RFC 1123 subdomain).
bool object_name(std::string_view s) {
  if (s.empty() || s.size() > 253 || !alnum_lower(s.front()) || !alnum_lower(s.back()))
    return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return alnum_lower(c) || c == '-' || c == '.'; });
}

// A label value, or the name part of a label key: up to 63 of [A-Za-z0-9-_.], starting and
// ending with a letter or digit; a value may be empty.
bool label_part(std::string_view s, bool may_be_empty) {
  if (s.empty()) return may_be_empty;
  if (s.size() > 63 || !alnum(s.front()) || !alnum(s.back())) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return alnum(c) || c == '-' || c == '_' || c == '.'; });
}

bool label_key(std::string_view s) {
  auto slash = s.find('/');
  if (slash == std::string_view::npos) return label_part(s, false);
  auto prefix = s.substr(0, slash);
  return !prefix.empty() && prefix.size() <= 253 && object_name(prefix) &&
         label_part(s.substr(slash + 1), false);
}

// The lines of `text` after the first, indented by `width` more spaces, without trailing
// blanks: a query's lines under its first line.
std::string indent_lines(const std::string& text, std::size_t width) {
  std::string out;
  for (char c : text) {
    if (c == '\n') {
      while (!out.empty() && (out.back() == ' ' || out.back() == '\t')) out.pop_back();
      out += '\n';
      out.append(width, ' ');
      continue;
    }
    out += c;
  }
  return out;
}

bool system_namespace(std::string_view s) {
  return s == "kube-system" || s == "kube-public" || s == "kube-node-lease";
}

std::string string_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i)
    out += (i ? ", " : "") + dsl::quote_string(items[i]);
  return out + "]";
}

class PolicyWriter {
 public:
  PolicyWriter(const HealingPolicy& p, Kind kind, const std::string& name, Findings& f)
      : p_(p), kind_(kind), name_(name), f_(f), triggers_(kind, f) {}

  WrittenPolicy write() {
    WrittenPolicy out;
    std::string select = select_clause();
    if (select.empty()) return out;
    write_triggers();
    if (!write_actions()) return out;
    if (actions_written_ == 0 && !trigger_names_.empty()) {
      // Triggers with nothing to propose would only be noise (and a compiler warning).
      f_.warning(p_.actions_where, "no action applies to " + std::string(kind_word(kind_)) +
                                       ": no policy is written for them");
      return out;
    }
    std::string& t = out.text;
    t += "policy " + name_ + " {\n";
    std::string description = p_.description.present && !p_.description.value.empty()
                                  ? p_.description.value
                                  : "HealingPolicy " + qualified_name();
    t += "  description " + dsl::quote_string(description) + "\n";
    t += select_comments_ + select + "\n";
    t += mode_clause();
    t += every_clause();
    for (const auto& s : triggers_.signals()) {
      t += "\n" + comment_lines(s.comment, "  ");
      std::string head = "  signal " + s.name + " = promql(";
      std::string query = s.promql.find('`') == std::string::npos
                              ? "`" + indent_lines(s.promql, head.size() + 1) + "`"
                              : dsl::quote_string(s.promql);
      t += head + query + ") by (" + s.join_labels + ") max\n";
    }
    if (!trigger_text_.empty()) t += "\n" + trigger_text_;
    t += "\n" + safety_block();
    if (!on_text_.empty()) t += "\n" + on_text_;
    t += "}\n";
    out.ok = true;
    return out;
  }

 private:
  std::string qualified_name() const {
    return (p_.namespace_name.present ? p_.namespace_name.value + "/" : std::string()) +
           p_.name.value;
  }

  // Runs `write` while collecting the messages of the findings it reports, and returns them
  // as comment lines at `indent`.
  template <class F>
  std::string with_comments(const std::string& indent, F&& write, const std::string& lead = "") {
    std::vector<std::string> messages;
    f_.capture(&messages);
    write();
    f_.capture(nullptr);
    std::string out;
    for (const auto& m : messages) out += comment_lines(m, indent, lead);
    return out;
  }

  // `select KIND [in ...] [where ...] [except [...]]`; "" with an error when the selector
  // cannot be written.
  std::string select_clause() {
    bool ok = true;
    std::string clause;
    select_comments_ = with_comments("  ", [&] {
      clause =
          "  select " + std::string(kind_word(kind_)) + namespaces(ok) + labels(ok) + excluded();
    });
    return ok ? clause : "";
  }

  std::string namespaces(bool& ok) {
    const auto& ns = p_.selector.namespaces;
    std::vector<std::string> names;
    for (const auto& n : ns.value) {
      if (!namespace_name(n)) {
        f_.warning(ns.where, "`" + n + "` is not a namespace name; left out");
        continue;
      }
      if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
      if (system_namespace(n)) allow_system_ = true;
    }
    if (allow_system_)
      f_.note(ns.where,
              "the selector names a system namespace; Skippy acts there only with "
              "`allow system_namespaces`, which the safety block gives");
    if (names.empty()) {
      if (ns.present && !ns.value.empty()) {
        f_.error(ns.where,
                 "no valid namespace is left, and acting in every namespace instead "
                 "would reach further than upstream did");
        ok = false;
        return "";
      }
      f_.note(ns.where,
              "no namespaces: upstream acted in every namespace, and so does `in all "
              "namespaces` (system namespaces only with `allow system_namespaces`)");
      return " in all namespaces";
    }
    if (names.size() == 1) return " in namespace " + dsl::quote_string(names[0]);
    return " in namespaces " + string_list(names);
  }

  std::string labels(bool& ok) {
    std::vector<std::string> reqs;
    auto label = [](const std::string& k) { return "label(" + dsl::quote_string(k) + ")"; };
    for (const auto& [k, v] : p_.selector.match_labels) {
      if (!label_key(k) || !label_part(v, true)) {
        f_.error(p_.selector.match_labels_where,
                 "`" + k + ": " + v +
                     "` is not a valid label; the API server would refuse "
                     "this selector");
        ok = false;
        continue;
      }
      reqs.push_back(label(k) + " == " + dsl::quote_string(v));
    }
    for (const auto& e : p_.selector.match_expressions) {
      bool values_ok = std::all_of(e.values.begin(), e.values.end(),
                                   [](const std::string& v) { return label_part(v, true); });
      if (!label_key(e.key) || !values_ok) {
        f_.error(e.where, "key `" + e.key +
                              "` or one of its values is not a valid label; the "
                              "API server would refuse this selector");
        ok = false;
      } else if (e.op == "In" || e.op == "NotIn") {
        if (e.values.empty()) {
          f_.error(e.where, "`" + e.op +
                                "` without values; the API server would refuse this "
                                "selector");
          ok = false;
          continue;
        }
        std::vector<std::string> values;
        for (const auto& v : e.values)
          if (std::find(values.begin(), values.end(), v) == values.end()) values.push_back(v);
        if (values.size() == 1)
          reqs.push_back(label(e.key) + (e.op == "In" ? " == " : " != ") +
                         dsl::quote_string(values[0]));
        else
          reqs.push_back(label(e.key) + (e.op == "In" ? " in " : " not in ") + string_list(values));
      } else if (e.op == "Exists" || e.op == "DoesNotExist") {
        if (!e.values.empty())
          f_.warning(e.where, "`" + e.op + "` takes no values; they are left out");
        reqs.push_back(std::string(e.op == "Exists" ? "has " : "not has ") + label(e.key));
      } else {
        f_.error(e.where, "operator `" + e.op +
                              "` is not In, NotIn, Exists or DoesNotExist; "
                              "the API server would refuse this selector");
        ok = false;
      }
    }
    std::string out;
    for (std::size_t i = 0; i < reqs.size(); ++i) out += (i ? " and " : " where ") + reqs[i];
    return out;
  }

  // excludeNames of this kind's resource filter, and the names that protectedResources
  // protects for this kind.
  std::string excluded() {
    std::vector<std::string> names;
    auto add = [&](const Field<std::vector<std::string>>& list) {
      for (const auto& n : list.value) {
        if (!object_name(n)) {
          f_.warning(list.where, "`" + n +
                                     "` is not an object name (Skippy excludes exact "
                                     "names, without patterns); left out");
          continue;
        }
        if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
      }
    };
    for (const auto& r : p_.selector.resources)
      if (kind_from_upstream(r.kind.value) == kind_) add(r.exclude_names);
    for (const auto& r : p_.safety.protected_resources) {
      if (r.kind.present && kind_from_upstream(r.kind.value) != kind_) continue;
      if (r.exclude_names.value.empty()) {
        f_.warning(r.where, "protectedResources names no object" +
                                std::string(r.kind.present ? " of kind " + r.kind.value : "") +
                                ", and the schema does not say what protecting a whole kind "
                                "means; nothing is excluded (use the runtime's protected "
                                "namespaces and labels to keep objects out of reach)");
        continue;
      }
      f_.note(r.where, "protected names are excluded with `except`");
      add(r.exclude_names);
    }
    return names.empty() ? "" : " except " + string_list(names);
  }

  std::string mode_clause() {
    std::string mode = p_.mode.value;
    std::string comment;
    if (mode != "monitor" && mode != "dryrun" && mode != "automatic" && mode != "manual") {
      f_.warning(p_.mode.where, "mode `" + mode +
                                    "` is not monitor, dryrun, automatic or "
                                    "manual; monitor is used");
      mode = "monitor";
      comment = " # upstream mode `" + p_.mode.value + "` is unknown";
    } else if (!p_.mode.present) {
      comment = " # no mode: the schema's default";
    }
    return "  mode " + mode + comment + "\n";
  }

  // 30s, Skippy's default, or the shortest `for` when one is shorter: a trigger's `for` may
  // not be shorter than the interval.
  std::string every_clause() const {
    std::int64_t every = 30'000;
    for (auto ms : for_durations_)
      if (ms > 0) every = std::min(every, ms);
    return "  every " + base::format_duration(every) + "\n";
  }

  void write_triggers() {
    for (std::size_t i = 0; i < p_.triggers.size(); ++i) {
      WrittenTrigger w;
      std::string comments = with_comments("  ", [&] { w = triggers_.write(p_.triggers[i], i); });
      trigger_text_ += comments;
      if (!w.written) {
        trigger_text_ += "  # trigger `" + p_.triggers[i].name.value + "` is left out\n";
        continue;
      }
      trigger_text_ += "  trigger " + w.name + " when " + w.condition;
      if (w.for_ms > 0) {
        trigger_text_ += " for " + base::format_duration(w.for_ms);
        for_durations_.push_back(w.for_ms);
      }
      trigger_text_ += "\n";
      trigger_names_.push_back(w.name);
    }
    if (p_.triggers.empty()) f_.warning(p_.triggers_where, "no triggers: the policy never acts");
  }

  // False, with an error, when the policy would hold more action calls than the language takes.
  bool write_actions() {
    std::vector<WrittenAction> actions;
    std::string list;
    for (const auto& a : p_.actions) {
      WrittenAction w;
      std::string comments = with_comments(
          "  ", [&] { w = write_action(a, kind_, f_); }, "    ");
      list += comment_lines(w.comment + (w.written ? "" : ", left out:"), "  ", "  ");
      list += comments;
      if (!w.written) continue;
      if (w.action == "restart") {
        auto mc = a.restart.max_concurrent.value;
        mc = std::min(mc, kMaxCount);
        if (mc >= 1) max_concurrent_ = max_concurrent_ ? std::min(*max_concurrent_, mc) : mc;
      }
      if (a.requires_approval.value &&
          std::find(approve_.begin(), approve_.end(), w.action) == approve_.end())
        approve_.push_back(w.action);
      actions.push_back(std::move(w));
    }
    actions_written_ = actions.size();
    for (std::size_t i = 0; i < p_.actions.size(); ++i) {
      const auto& a = p_.actions[i];
      if (a.requires_approval.value) continue;
      if (std::find(approve_.begin(), approve_.end(), a.type.value) != approve_.end())
        f_.warning(a.requires_approval.where, "another " + a.type.value +
                                                  " action requires approval, and Skippy approves "
                                                  "by action: this one waits for a human too");
    }
    if (p_.actions.empty()) f_.warning(p_.actions_where, "no actions: the policy never acts");
    if (actions.empty() || trigger_names_.empty()) {
      on_text_ = "  # Actions:\n" + list + "  # (no trigger and action to join)\n";
      return true;
    }
    // Every trigger proposes every action: their product grows with the square of the
    // manifest (aliases repeat a trigger or an action in a few bytes), and past the language's
    // limit the policy could not compile.
    if (trigger_names_.size() * actions.size() > kMaxActionCalls) {
      f_.error(p_.actions_where, std::to_string(trigger_names_.size()) +
                                     " triggers each proposing " + std::to_string(actions.size()) +
                                     " actions make " +
                                     std::to_string(trigger_names_.size() * actions.size()) +
                                     " action calls, and a Skippy policy holds at most " +
                                     std::to_string(kMaxActionCalls) +
                                     "; no policy is written for " + std::string(kind_word(kind_)));
      return false;
    }
    on_text_ = comment_lines(
                   "Every trigger proposes every action, as upstream ran all the "
                   "actions whenever any trigger fired. The safety runtime takes them "
                   "in priority order, lower first; each priority is 100 minus the "
                   "upstream one, which ran higher first. Actions:",
                   "  ") +
               list;
    for (const auto& t : trigger_names_) {
      if (actions.size() == 1) {
        on_text_ += "  on " + t + " do " + actions[0].call + " priority " +
                    std::to_string(actions[0].priority) + "\n";
        continue;
      }
      on_text_ += "  on " + t + " do {\n";
      for (const auto& a : actions)
        on_text_ += "    " + a.call + " priority " + std::to_string(a.priority) + "\n";
      on_text_ += "  }\n";
    }
    return true;
  }

  std::string safety_block() {
    std::string s = "  safety {\n";
    // Upstream checked each trigger's cooldown against the policy's last action, whichever
    // target it was on: a cooldown per policy.
    std::int64_t cooldown = 0;
    for (const auto& t : p_.triggers) cooldown = std::max(cooldown, t.cooldown_ms.value);
    bool defaulted = true;
    for (const auto& t : p_.triggers) {
      if (t.cooldown_ms.present) defaulted = false;
      if (t.cooldown_ms.value != cooldown) {
        f_.warning(t.cooldown_ms.where,
                   "cooldownPeriod " + base::format_duration(t.cooldown_ms.value) +
                       " differs from the other triggers'; Skippy has one cooldown per policy, "
                       "and the longest, " +
                       base::format_duration(cooldown) + ", is used");
      }
    }
    if (cooldown <= 0) cooldown = 300'000;
    s += "    cooldown " + base::format_duration(cooldown) + " per policy # " +
         (defaulted ? "no cooldownPeriod: the schema's default"
                    : "the longest cooldownPeriod of the triggers") +
         "\n";
    auto per_hour = p_.safety.max_actions_per_hour;
    if (per_hour.value < 1) {
      f_.warning(per_hour.where, "maxActionsPerHour " + std::to_string(per_hour.value) +
                                     ": upstream read 0 as its default, 10, which is used");
      per_hour.value = 10;
      per_hour.present = false;
    }
    if (per_hour.value > kMaxCount) {
      f_.warning(per_hour.where, "maxActionsPerHour " + std::to_string(per_hour.value) +
                                     " is above the language's largest count; " +
                                     std::to_string(kMaxCount) + " is used");
      per_hour.value = kMaxCount;
    }
    s += "    max_actions " + std::to_string(per_hour.value) + " per 1h # " +
         (per_hour.present ? "maxActionsPerHour" : "no maxActionsPerHour: the schema's default") +
         "\n";
    if (max_concurrent_)
      s += "    max_concurrent " + std::to_string(*max_concurrent_) +
           " # restartAction.maxConcurrent\n";
    if (!approve_.empty()) {
      s += "    approve ";
      for (std::size_t i = 0; i < approve_.size(); ++i) s += (i ? ", " : "") + approve_[i];
      s += " # requiresApproval\n";
    }
    if (allow_system_) s += "    allow system_namespaces # the selector names a system namespace\n";
    if (p_.safety.require_health_check.value) {
      std::string message =
          "requireHealthCheck: the runtime checks every action's target "
          "after it, with one timeout for all policies (`safety.health_check.timeout` "
          "in `skippy run`'s config file), not this policy's " +
          base::format_duration(p_.safety.health_check_timeout_ms.value);
      f_.note(p_.safety.require_health_check.where, message);
      s += comment_lines(message, "    ");
    }
    return s + "  }\n";
  }

  const HealingPolicy& p_;
  Kind kind_;
  std::string name_;
  Findings& f_;
  TriggerWriter triggers_;
  std::string select_comments_;
  std::string trigger_text_;
  std::string on_text_;
  std::vector<std::string> trigger_names_;
  std::vector<std::int64_t> for_durations_;
  std::vector<std::string> approve_;
  std::optional<std::int64_t> max_concurrent_;
  bool allow_system_ = false;
  std::size_t actions_written_ = 0;
};

}  // namespace

std::string comment_lines(const std::string& text, const std::string& indent,
                          const std::string& lead) {
  constexpr std::size_t kWidth = 96;
  std::string out;
  std::string line;
  std::size_t start = 0;
  auto flush = [&] {
    out += indent + "#" + (line.empty() ? "" : " " + lead + line) + "\n";
    line.clear();
  };
  while (start <= text.size()) {
    auto end = text.find_first_of(" \n", start);
    if (end == std::string::npos) end = text.size();
    std::string word = text.substr(start, end - start);
    // A comment runs to the end of its line: no control character may end it early.
    for (char& c : word)
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
    if (!line.empty() && indent.size() + 2 + lead.size() + line.size() + 1 + word.size() > kWidth)
      flush();
    if (!word.empty()) line += (line.empty() ? "" : " ") + word;
    if (end < text.size() && text[end] == '\n') flush();
    start = end + 1;
  }
  if (!line.empty()) flush();
  return out;
}

WrittenPolicy write_policy(const HealingPolicy& policy, Kind kind, const std::string& name,
                           Findings& findings) {
  return PolicyWriter(policy, kind, name, findings).write();
}

}  // namespace skippy::translate
