#include "simulator/selectors.hpp"

#include <algorithm>
#include <cctype>

namespace skippy::sim {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Splits at commas outside parentheses: "a in (x,y),b" is two requirements.
std::vector<std::string_view> split_requirements(std::string_view text) {
  std::vector<std::string_view> out;
  int depth = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i < text.size() && text[i] == '(') ++depth;
    if (i < text.size() && text[i] == ')') --depth;
    if (i == text.size() || (text[i] == ',' && depth == 0)) {
      out.push_back(trim(text.substr(start, i - start)));
      start = i + 1;
    }
  }
  return out;
}

bool valid_key(std::string_view key) {
  if (key.empty()) return false;
  return std::all_of(key.begin(), key.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
           c == '/';
  });
}

std::variant<Requirement, std::string> parse_requirement(std::string_view text) {
  auto fail = [&](std::string_view why) {
    return "unable to parse requirement: " + std::string(why) + ": \"" + std::string(text) + "\"";
  };
  Requirement r;
  if (text.starts_with("!")) {
    r.key = std::string(trim(text.substr(1)));
    r.op = Requirement::Op::DoesNotExist;
    if (!valid_key(r.key)) return fail("invalid label key");
    return r;
  }
  // Set-based: key in (a,b) / key notin (a,b).
  for (auto [word, op] : {std::pair{std::string_view(" notin "), Requirement::Op::NotIn},
                          std::pair{std::string_view(" in "), Requirement::Op::In}}) {
    auto at = text.find(word);
    if (at == std::string_view::npos) continue;
    r.key = std::string(trim(text.substr(0, at)));
    r.op = op;
    std::string_view rest = trim(text.substr(at + word.size()));
    if (!rest.starts_with("(") || !rest.ends_with(")")) return fail("expected a list in ( )");
    rest = rest.substr(1, rest.size() - 2);
    std::size_t start = 0;
    for (std::size_t i = 0; i <= rest.size(); ++i) {
      if (i == rest.size() || rest[i] == ',') {
        std::string_view v = trim(rest.substr(start, i - start));
        if (!v.empty()) r.values.emplace_back(v);
        start = i + 1;
      }
    }
    if (!valid_key(r.key)) return fail("invalid label key");
    return r;
  }
  for (auto [sign, op] : {std::pair{std::string_view("!="), Requirement::Op::NotEquals},
                          std::pair{std::string_view("=="), Requirement::Op::Equals},
                          std::pair{std::string_view("="), Requirement::Op::Equals}}) {
    auto at = text.find(sign);
    if (at == std::string_view::npos) continue;
    r.key = std::string(trim(text.substr(0, at)));
    r.op = op;
    r.values.emplace_back(trim(text.substr(at + sign.size())));
    if (!valid_key(r.key)) return fail("invalid label key");
    return r;
  }
  r.key = std::string(text);
  r.op = Requirement::Op::Exists;
  if (!valid_key(r.key)) return fail("invalid label key");
  return r;
}

bool holds(const Requirement& r, const Json& labels) {
  auto it = labels.find(r.key);
  bool present = it != labels.end() && it->is_string();
  std::string value = present ? it->get<std::string>() : "";
  bool listed = std::find(r.values.begin(), r.values.end(), value) != r.values.end();
  switch (r.op) {
    case Requirement::Op::Equals:
    case Requirement::Op::In:
      return present && listed;
    case Requirement::Op::NotEquals:
    case Requirement::Op::NotIn:
      return !present || !listed;
    case Requirement::Op::Exists:
      return present;
    case Requirement::Op::DoesNotExist:
      return !present;
  }
  return false;
}

}  // namespace

bool LabelSelector::matches(const Json& labels) const {
  return std::all_of(requirements.begin(), requirements.end(),
                     [&](const Requirement& r) { return holds(r, labels); });
}

std::variant<LabelSelector, std::string> parse_label_selector(std::string_view text) {
  LabelSelector selector;
  if (trim(text).empty()) return selector;
  for (auto part : split_requirements(text)) {
    auto r = parse_requirement(part);
    if (auto* why = std::get_if<std::string>(&r)) return *why;
    selector.requirements.push_back(std::get<Requirement>(std::move(r)));
  }
  return selector;
}

std::variant<LabelSelector, std::string> label_selector_of(const Json& selector) {
  LabelSelector out;
  if (selector.is_null()) return out;
  if (!selector.is_object()) return std::string("a selector must be an object");
  if (auto m = selector.find("matchLabels"); m != selector.end() && !m->is_null()) {
    if (!m->is_object()) return std::string("matchLabels must be a map of strings");
    for (auto& [k, v] : m->items()) {
      if (!v.is_string()) return "matchLabels." + k + " must be a string";
      out.requirements.push_back({k, Requirement::Op::Equals, {v.get<std::string>()}});
    }
  }
  if (auto e = selector.find("matchExpressions"); e != selector.end() && !e->is_null()) {
    if (!e->is_array()) return std::string("matchExpressions must be a list");
    for (const auto& x : *e) {
      if (!x.is_object() || !x.contains("key") || !x["key"].is_string() ||
          !x.contains("operator") || !x["operator"].is_string())
        return std::string("a match expression needs a key and an operator");
      Requirement r{x["key"].get<std::string>(), Requirement::Op::Exists, {}};
      std::string op = x["operator"].get<std::string>();
      if (op == "In")
        r.op = Requirement::Op::In;
      else if (op == "NotIn")
        r.op = Requirement::Op::NotIn;
      else if (op == "Exists")
        r.op = Requirement::Op::Exists;
      else if (op == "DoesNotExist")
        r.op = Requirement::Op::DoesNotExist;
      else
        return "unknown operator \"" + op + "\": In, NotIn, Exists or DoesNotExist";
      if (auto v = x.find("values"); v != x.end() && v->is_array()) {
        for (const auto& s : *v) {
          if (s.is_string()) r.values.push_back(s.get<std::string>());
        }
      }
      out.requirements.push_back(std::move(r));
    }
  }
  return out;
}

bool FieldSelector::matches(const Json& object) const {
  return std::all_of(terms.begin(), terms.end(), [&](const Term& t) {
    Json::json_pointer p(t.path);
    std::string value;
    if (object.contains(p)) {
      const Json& v = object.at(p);
      value = v.is_string() ? v.get<std::string>() : v.is_null() ? "" : v.dump();
    }
    return (value == t.value) == t.equal;
  });
}

std::variant<FieldSelector, std::string> parse_field_selector(std::string_view text) {
  FieldSelector selector;
  if (trim(text).empty()) return selector;
  for (auto part : split_requirements(text)) {
    FieldSelector::Term term;
    std::size_t at = part.find("!=");
    std::size_t width = 2;
    if (at != std::string_view::npos) {
      term.equal = false;
    } else if ((at = part.find("==")) == std::string_view::npos) {
      at = part.find('=');
      width = 1;
    }
    if (at == std::string_view::npos || at == 0)
      return "invalid selector: '" + std::string(text) + "'; can't understand '" +
             std::string(part) + "'";
    std::string_view path = trim(part.substr(0, at));
    term.value = std::string(trim(part.substr(at + width)));
    for (char c : path) {
      if (c == '~' || c == '/') return "invalid field path \"" + std::string(path) + "\"";
    }
    term.path = "/" + std::string(path);
    std::replace(term.path.begin(), term.path.end(), '.', '/');
    selector.terms.push_back(std::move(term));
  }
  return selector;
}

}  // namespace skippy::sim
