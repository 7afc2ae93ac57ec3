// The two renderings of a policy explanation: text for a reviewer, JSON for tools.
#include <algorithm>

#include "base/json_escape.hpp"
#include "explain/policy_explanation.hpp"

namespace skippy::explain {
namespace {

// ---- text ----

class Text {
 public:
  std::string run(const PolicyExplanation& e) {
    line(0, "policy " + e.name + " (" + e.origin + ")");
    if (!e.description.empty()) line(1, e.description);
    line(0, "");
    line(0, "mode " + e.mode.value + ": " + e.mode.words);
    line(0, "every " + e.every.value + ": " + e.every.words);
    line(0, "");
    select(e);
    line(0, "");
    line(0, "signals");
    if (e.signals.empty()) line(1, "none");
    for (const auto& s : e.signals) signal(s);
    line(0, "");
    line(0,
         "triggers (each target has its own state, as each label set of an alert does; an "
         "unknown condition, from missing data, never fires a trigger and never stops a "
         "firing one)");
    if (e.triggers.empty()) line(1, "none");
    for (const auto& t : e.triggers) trigger(t);
    line(0, "");
    line(0, "actions (lower priority runs first; proposals go through the safety gates)");
    if (e.handlers.empty()) line(1, "none");
    for (const auto& h : e.handlers) {
      line(1, "on " + h.trigger);
      for (const auto& s : h.body) statement(2, s);
    }
    for (const auto& t : e.silent_triggers)
      line(1, "on " + t + ": no `on` block; nothing is proposed");
    line(0, "");
    line(0, "safety");
    for (const auto& s : e.safety) setting(s.name, s.explained);
    return std::move(out_);
  }

 private:
  void line(int depth, const std::string& text) {
    out_ += std::string(static_cast<std::size_t>(depth) * 2, ' ') + text + "\n";
  }
  // A query that may span lines: each line without its own indentation, the lines after the
  // first one step deeper.
  void query(int depth, const std::string& text) {
    std::size_t start = 0;
    for (bool first = true; start <= text.size(); first = false) {
      auto end = text.find('\n', start);
      std::string part = text.substr(start, end == std::string::npos ? end : end - start);
      auto from = part.find_first_not_of(" \t");
      line(first ? depth : depth + 1, from == std::string::npos ? "" : part.substr(from));
      if (end == std::string::npos) break;
      start = end + 1;
    }
  }

  void select(const PolicyExplanation& e) {
    line(0, "selects " + e.kind);
    line(1, "in " + e.namespaces.words);
    std::string selector;
    for (const auto& l : e.labels) selector += (selector.empty() ? "" : ",") + l.value;
    for (std::size_t i = 0; i < e.labels.size(); ++i)
      line(1, std::string(i ? "and " : "where ") + e.labels[i].words);
    if (!e.labels.empty()) line(1, "(kubectl -l '" + selector + "')");
    if (e.labels.empty()) line(1, "with any labels");
    std::string excluded;
    for (const auto& n : e.excluded) excluded += (excluded.empty() ? "\"" : ", \"") + n + "\"";
    line(1, e.excluded.empty() ? "no object left out by name"
                               : "except the objects named " + excluded);
  }

  void signal(const ExplainedSignal& s) {
    line(1, s.name);
    if (!s.query.empty()) {
      line(2, "promql:");
      query(3, s.query);
      std::string by;
      for (const auto& b : s.by) by += (by.empty() ? "" : ", ") + b;
      line(2, "by (" + by + ")" + (s.aggregation.empty() ? "" : " " + s.aggregation) +
                  " on missing " + s.on_missing);
    }
    for (const auto& w : s.words) line(2, "- " + w);
  }

  void trigger(const ExplainedTrigger& t) {
    line(1, t.name);
    line(2, "when " + t.condition);
    if (t.for_duration != "0s") line(2, "for " + t.for_duration);
    if (!t.clear_condition.empty()) line(2, "clear when " + t.clear_condition);
    if (!t.clear_condition.empty() && t.clear_for != "0s") line(2, "clear for " + t.clear_for);
    if (!t.keep_firing_for.empty()) line(2, "keep_firing_for " + t.keep_firing_for);
    for (const auto& w : t.words) line(2, "- " + w);
  }

  void statement(int depth, const ExplainedStatement& s) {
    switch (s.kind) {
      case ExplainedStatement::Kind::Let:
        line(depth, "let " + s.name + " = " + s.value);
        return;
      case ExplainedStatement::Kind::If:
        line(depth, "if " + s.value + ":");
        for (const auto& t : s.then_branch) statement(depth + 1, t);
        if (s.then_branch.empty()) line(depth + 1, "nothing");
        line(depth, "otherwise, when it is false:");
        for (const auto& t : s.else_branch) statement(depth + 1, t);
        if (s.else_branch.empty()) line(depth + 1, "nothing");
        line(depth, "when it is unknown: neither branch runs");
        return;
      case ExplainedStatement::Kind::Action:
        break;
    }
    std::string args;
    for (const auto& a : s.arguments) args += (args.empty() ? "" : ", ") + a.name + ": " + a.value;
    line(depth, s.name + "(" + args + ") priority " + std::to_string(s.priority) +
                    (s.default_priority ? " (" + s.name + "'s default)" : ""));
    line(depth + 1, "- " + s.does);
    for (const auto& a : s.left_out) line(depth + 1, "- " + a.name + " left out: " + a.value);
    if (s.destructive) line(depth + 1, "- destructive: it can take capacity away");
    if (s.needs_approval) line(depth + 1, "- waits for a human's approval");
  }

  void setting(const std::string& name, const Explained& s) {
    std::string head = name;
    head.resize(std::max<std::size_t>(head.size(), 25), ' ');
    line(1, head + (s.value.empty() ? "" : s.value + ": ") + s.words);
  }

  std::string out_;
};

// ---- JSON ----

std::string str(const std::string& s) {
  return "\"" + base::json_escape(s) + "\"";
}

std::string strings(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? "," : "") + str(items[i]);
  return out + "]";
}

// A setting: its value, or null when left out, and what it means.
std::string setting(const Explained& s) {
  return "{\"value\":" + (s.value.empty() ? std::string("null") : str(s.value)) +
         ",\"words\":" + str(s.words) + "}";
}

std::string arguments(const std::vector<ExplainedArgument>& args) {
  std::string out = "{";
  for (std::size_t i = 0; i < args.size(); ++i)
    out += (i ? "," : "") + str(args[i].name) + ":" + str(args[i].value);
  return out + "}";
}

std::string statements(const std::vector<ExplainedStatement>& body);

std::string statement(const ExplainedStatement& s) {
  switch (s.kind) {
    case ExplainedStatement::Kind::Let:
      return "{\"let\":" + str(s.name) + ",\"value\":" + str(s.value) + "}";
    case ExplainedStatement::Kind::If:
      return "{\"if\":" + str(s.value) + ",\"then\":" + statements(s.then_branch) +
             ",\"else\":" + statements(s.else_branch) + "}";
    case ExplainedStatement::Kind::Action:
      break;
  }
  return "{\"action\":" + str(s.name) + ",\"arguments\":" + arguments(s.arguments) +
         ",\"left_out\":" + arguments(s.left_out) + ",\"priority\":" + std::to_string(s.priority) +
         ",\"default_priority\":" + (s.default_priority ? "true" : "false") +
         ",\"destructive\":" + (s.destructive ? "true" : "false") +
         ",\"needs_approval\":" + (s.needs_approval ? "true" : "false") +
         ",\"does\":" + str(s.does) + "}";
}

std::string statements(const std::vector<ExplainedStatement>& body) {
  std::string out = "[";
  for (std::size_t i = 0; i < body.size(); ++i) out += (i ? "," : "") + statement(body[i]);
  return out + "]";
}

}  // namespace

std::string render_explanation_text(const PolicyExplanation& e) {
  return Text().run(e);
}

std::string render_explanation_json(const PolicyExplanation& e) {
  std::string out = "{\"policy\":" + str(e.name) + ",\"origin\":" + str(e.origin) +
                    ",\"description\":" + str(e.description) + ",\"mode\":" + setting(e.mode) +
                    ",\"every\":" + setting(e.every);
  out += ",\"select\":{\"kind\":" + str(e.kind) +
         ",\"namespaces\":{\"all\":" + (e.all_namespaces ? "true" : "false") +
         ",\"names\":" + strings(e.namespace_names) + ",\"words\":" + str(e.namespaces.words) +
         "}" + ",\"labels\":[";
  for (std::size_t i = 0; i < e.labels.size(); ++i)
    out += (i ? "," : "") + std::string("{\"selector\":") + str(e.labels[i].value) +
           ",\"words\":" + str(e.labels[i].words) + "}";
  out += "],\"except\":" + strings(e.excluded) + "}";
  out += ",\"signals\":[";
  for (std::size_t i = 0; i < e.signals.size(); ++i) {
    const auto& s = e.signals[i];
    out +=
        (i ? "," : "") + std::string("{\"name\":") + str(s.name) + ",\"source\":" + str(s.source);
    if (s.source == "promql")
      out += ",\"query\":" + str(s.query) + ",\"by\":" + strings(s.by) + ",\"aggregation\":" +
             (s.aggregation.empty() ? std::string("null") : str(s.aggregation)) +
             ",\"on_missing\":" + str(s.on_missing);
    out += ",\"words\":" + strings(s.words) + "}";
  }
  out += "],\"triggers\":[";
  for (std::size_t i = 0; i < e.triggers.size(); ++i) {
    const auto& t = e.triggers[i];
    auto or_null = [](const std::string& s) { return s.empty() ? std::string("null") : str(s); };
    out += (i ? "," : "") + std::string("{\"name\":") + str(t.name) +
           ",\"condition\":" + str(t.condition) + ",\"for\":" + str(t.for_duration) +
           ",\"clear_condition\":" + or_null(t.clear_condition) +
           ",\"clear_for\":" + or_null(t.clear_for) +
           ",\"keep_firing_for\":" + or_null(t.keep_firing_for) + ",\"words\":" + strings(t.words) +
           "}";
  }
  out += "],\"actions\":[";
  for (std::size_t i = 0; i < e.handlers.size(); ++i)
    out += (i ? "," : "") + std::string("{\"on\":") + str(e.handlers[i].trigger) +
           ",\"do\":" + statements(e.handlers[i].body) + "}";
  out += "],\"triggers_without_actions\":" + strings(e.silent_triggers);
  out += ",\"safety\":{";
  for (std::size_t i = 0; i < e.safety.size(); ++i) {
    std::string key = e.safety[i].name;
    std::replace(key.begin(), key.end(), ' ', '_');
    out += (i ? "," : "") + str(key) + ":" + setting(e.safety[i].explained);
  }
  out += "}}\n";
  return out;
}

}  // namespace skippy::explain
