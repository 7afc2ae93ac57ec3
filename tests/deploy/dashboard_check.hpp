// Test support for deploy/grafana/skippy-dashboard.json: its panels' PromQL expressions
// (rows included), Grafana's variables replaced by concrete values, the metric and label names
// an expression uses, the names an exposition (Prometheus's text format) exports, and the
// check that an expression uses only exported names.
#pragma once

#include <simdjson.h>

#include <cctype>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace skippy::test {

// One panel target of a dashboard.
struct PanelExpr {
  std::string panel;  // the panel's title
  std::string expr;   // as written, Grafana variables included
};

// What the dashboard says beside its expressions: every datasource a panel or target names.
struct Dashboard {
  std::vector<PanelExpr> exprs;
  std::vector<std::string> datasource_uids;             // every panel's and target's datasource uid
  std::vector<std::string> datasource_variables;        // names of variables of type `datasource`
  std::map<std::string, std::string> variable_queries;  // variable name -> its query
};

namespace dashboard_detail {

inline void collect_datasource(simdjson::dom::element owner, Dashboard& out) {
  simdjson::dom::element ds;
  if (owner["datasource"].get(ds)) return;
  std::string_view uid;
  if (ds.is_string())
    out.datasource_uids.emplace_back(std::string_view(ds));
  else if (!ds["uid"].get(uid))
    out.datasource_uids.emplace_back(uid);
}

// The panels of `panels`, and those of rows nested in it, recursively.
inline void collect_panels(simdjson::dom::array panels, Dashboard& out) {
  for (simdjson::dom::element p : panels) {
    std::string_view title;
    if (p["title"].get(title)) title = "";
    collect_datasource(p, out);
    simdjson::dom::array targets;
    if (!p["targets"].get(targets)) {
      for (simdjson::dom::element t : targets) {
        collect_datasource(t, out);
        std::string_view expr;
        if (!t["expr"].get(expr)) out.exprs.push_back({std::string(title), std::string(expr)});
      }
    }
    simdjson::dom::array nested;
    if (!p["panels"].get(nested)) collect_panels(nested, out);
  }
}

}  // namespace dashboard_detail

// Parses a dashboard's JSON; throws std::runtime_error when it is not JSON with panels.
inline Dashboard parse_dashboard(const std::string& json) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto error = parser.parse(json).get(root))
    throw std::runtime_error(std::string("dashboard: ") + simdjson::error_message(error));
  Dashboard out;
  simdjson::dom::array panels;
  if (root["panels"].get(panels)) throw std::runtime_error("dashboard: no panels");
  dashboard_detail::collect_panels(panels, out);
  simdjson::dom::array variables;
  if (!root["templating"]["list"].get(variables)) {
    for (simdjson::dom::element v : variables) {
      std::string_view name, type, query;
      if (v["name"].get(name) || v["type"].get(type)) continue;
      if (type == "datasource" && !v["query"].get(query) && query == "prometheus")
        out.datasource_variables.emplace_back(name);
      if (!v["query"].get(query) || !v["query"]["query"].get(query))
        out.variable_queries[std::string(name)] = std::string(query);
    }
  }
  return out;
}

// `expr` with Grafana's variables ($name, ${name}, ${name:format}) replaced by `values`;
// throws std::runtime_error naming a variable `values` lacks.
inline std::string substitute(const std::string& expr,
                              const std::map<std::string, std::string>& values) {
  static const std::regex variable(R"(\$\{([A-Za-z0-9_]+)(:[^}]*)?\}|\$([A-Za-z0-9_]+))");
  std::string out;
  auto begin = expr.cbegin();
  for (std::sregex_iterator it(expr.begin(), expr.end(), variable), end; it != end; ++it) {
    const auto& m = *it;
    std::string name = m[1].matched ? m[1].str() : m[3].str();
    auto value = values.find(name);
    if (value == values.end())
      throw std::runtime_error("unknown variable $" + name + " in " + expr);
    out.append(begin, m[0].first);
    out += value->second;
    begin = m[0].second;
  }
  out.append(begin, expr.cend());
  return out;
}

// What one PromQL expression names: metric names and label names.
struct PromqlNames {
  std::set<std::string> metrics;
  std::set<std::string> labels;
};

// A small PromQL tokenizer, enough for a dashboard's expressions (not a parser; promtool
// judges validity). It skips string literals and what is inside [...] (ranges, subquery
// steps), and numbers with their units (5m, 0.9, 1e3). An identifier followed by `(` is a
// function or an aggregation; `by`, `without`, `on`, `ignoring`, `group_left` and
// `group_right` followed by `(` list label names; other keywords (and, or, unless, bool,
// offset, inf, nan) name nothing. Any other identifier is a metric name. Inside {...} each
// matcher's left side is a label name (`__name__` aside).
inline PromqlNames promql_names(std::string_view e) {
  static const std::set<std::string, std::less<>> label_lists = {
      "by", "without", "on", "ignoring", "group_left", "group_right"};
  // Keywords, and aggregations (which may come before their `by (...)`, not followed by `(`).
  static const std::set<std::string, std::less<>> keywords = {
      "and",  "or",      "unless",   "bool",         "offset", "inf",        "nan",    "atan2",
      "sum",  "min",     "max",      "avg",          "group",  "count",      "stddev", "stdvar",
      "topk", "bottomk", "quantile", "count_values", "limitk", "limit_ratio"};
  PromqlNames out;
  std::size_t i = 0;
  auto is_ident_start = [](char c) {
    return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':';
  };
  auto is_ident = [&](char c) {
    return is_ident_start(c) || std::isdigit(static_cast<unsigned char>(c));
  };
  auto skip_space = [&] {
    while (i < e.size() && std::isspace(static_cast<unsigned char>(e[i]))) ++i;
  };
  auto skip_string = [&] {
    char quote = e[i++];
    while (i < e.size() && e[i] != quote) i += e[i] == '\\' && quote != '`' ? 2 : 1;
    ++i;
  };
  auto identifier = [&] {
    std::size_t start = i;
    while (i < e.size() && is_ident(e[i])) ++i;
    return std::string(e.substr(start, i - start));
  };
  // Label names of a (...) list, i at '('.
  auto label_list = [&] {
    ++i;
    while (i < e.size() && e[i] != ')') {
      if (is_ident_start(e[i]))
        out.labels.insert(identifier());
      else
        ++i;
    }
    ++i;
  };
  // The matchers of a {...} selector, i at '{'.
  auto matchers = [&] {
    ++i;
    while (i < e.size() && e[i] != '}') {
      if (e[i] == '"' || e[i] == '\'' || e[i] == '`') {
        skip_string();
      } else if (is_ident_start(e[i])) {
        std::string name = identifier();
        if (name != "__name__") out.labels.insert(name);
      } else {
        ++i;
      }
    }
    ++i;
  };
  while (i < e.size()) {
    char c = e[i];
    if (c == '"' || c == '\'' || c == '`') {
      skip_string();
    } else if (c == '[') {
      while (i < e.size() && e[i] != ']') ++i;
      ++i;
    } else if (c == '{') {
      matchers();
    } else if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') {
      while (i < e.size() && (is_ident(e[i]) || e[i] == '.')) ++i;
    } else if (is_ident_start(c)) {
      std::string name = identifier();
      skip_space();
      bool call = i < e.size() && e[i] == '(';
      if (label_lists.contains(name) && call) {
        label_list();
      } else if (!call && !keywords.contains(name)) {
        out.metrics.insert(name);
      }
    } else {
      ++i;
    }
  }
  return out;
}

// What an exposition in Prometheus's text format exports: each series name (histograms'
// _bucket, _sum and _count included) with the label names its series carry.
using Vocabulary = std::map<std::string, std::set<std::string>>;

inline Vocabulary exposition_names(const std::string& text) {
  Vocabulary out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::size_t end = line.find_first_of("{ ");
    auto& labels = out[line.substr(0, end)];
    if (end == std::string::npos || line[end] != '{') continue;
    // name="value",... up to the closing brace; values may hold escaped quotes.
    std::size_t i = end + 1;
    while (i < line.size() && line[i] != '}') {
      std::size_t eq = line.find('=', i);
      if (eq == std::string::npos) break;
      labels.insert(line.substr(i, eq - i));
      i = eq + 2;  // past ="
      while (i < line.size() && line[i] != '"') i += line[i] == '\\' ? 2 : 1;
      i += 1;
      if (i < line.size() && line[i] == ',') ++i;
    }
  }
  return out;
}

inline void merge(Vocabulary& into, const Vocabulary& from) {
  for (const auto& [name, labels] : from) into[name].insert(labels.begin(), labels.end());
}

// The labels Prometheus attaches to every scraped series itself: allowed beside exported ones.
inline const std::set<std::string>& target_labels() {
  static const std::set<std::string> labels = {"job", "instance"};
  return labels;
}

// What is wrong with one expression against what the runtime exports: each metric it names
// that is not exported, and each label that none of its exported metrics carries (nor
// Prometheus's target labels). Empty when nothing is.
inline std::vector<std::string> unexported_names(const std::string& expr,
                                                 const Vocabulary& exported) {
  std::vector<std::string> problems;
  auto names = promql_names(expr);
  std::set<std::string> labels = target_labels();
  for (const auto& m : names.metrics) {
    auto it = exported.find(m);
    if (it == exported.end()) {
      problems.push_back("metric " + m + " is not exported");
      continue;
    }
    labels.insert(it->second.begin(), it->second.end());
  }
  for (const auto& l : names.labels) {
    if (!labels.contains(l)) problems.push_back("label " + l + " is not on its metrics");
  }
  return problems;
}

}  // namespace skippy::test
