#include "grammar/recovery.hpp"

#include <array>
#include <string_view>

namespace skippy::grammar::skip {
namespace {

bool is_word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

constexpr std::array<std::string_view, 3> kDeclarationWords = {"policy", "defaults", "import"};
constexpr std::array<std::string_view, 8> kClauseWords = {
    "description", "select", "mode", "every", "signal", "trigger", "safety", "on"};

template <std::size_t N>
bool in_list(std::string_view word, const std::array<std::string_view, N>& list) {
  for (auto w : list) {
    if (w == word) return true;
  }
  return false;
}

}  // namespace

const char* next_token(const char* p, const char* end) {
  char c = *p;
  if (is_word_char(c)) {
    while (p < end && is_word_char(*p)) ++p;
    return p;
  }
  if (c == '#') {
    while (p < end && *p != '\n') ++p;
    return p;
  }
  if (c == '"') {
    ++p;
    while (p < end && *p != '"' && *p != '\n') p += (*p == '\\' && p + 1 < end) ? 2 : 1;
    return p < end && *p == '"' ? p + 1 : p;
  }
  if (c == '`') {
    ++p;
    while (p < end && *p != '`') ++p;
    return p < end ? p + 1 : p;
  }
  return p + 1;
}

bool is_sync_word(const char* p, const char* end, Stop stop) {
  const char* q = p;
  while (q < end && is_word_char(*q)) ++q;
  std::string_view word(p, static_cast<std::size_t>(q - p));
  if (in_list(word, kDeclarationWords)) return true;
  if (stop == Stop::Declaration || !in_list(word, kClauseWords)) return false;
  if (word == "on") {
    // `on missing` continues a signal; it does not start an `on` clause.
    while (q < end && (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r')) ++q;
    return std::string_view(q, static_cast<std::size_t>(end - q)).substr(0, 7) != "missing";
  }
  return true;
}

const char* skip(const char* p, const char* end, Stop stop) {
  int braces = 0;    // { }
  int brackets = 0;  // ( ) [ ]
  bool first = true;
  while (p < end) {
    char c = *p;
    if (!first) {
      // An unmatched `}` ends the enclosing block even when parentheses were left open.
      if (stop != Stop::Declaration && braces == 0 && c == '}') return p;
      if (is_word_char(c) && !(c >= '0' && c <= '9') && is_sync_word(p, end, stop)) return p;
      if (stop == Stop::Line && braces == 0 && brackets == 0 && c == '\n') return p;
    }
    if (c == '{') ++braces;
    if (c == '}' && braces > 0) --braces;
    if (c == '(' || c == '[') ++brackets;
    if ((c == ')' || c == ']') && brackets > 0) --brackets;
    p = next_token(p, end);
    first = false;
  }
  return p;
}

}  // namespace skippy::grammar::skip
