#include "runtime/model/redaction.hpp"

#include <algorithm>

namespace skippy::model {
namespace {

// Names shorter than this are replaced only as whole words.
constexpr std::size_t kShortName = 3;

bool word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.';
}

bool is_number(std::string_view s) {
  if (s.empty()) return false;
  bool digit = false;
  for (char c : s) {
    if (c >= '0' && c <= '9') {
      digit = true;
    } else if (c != '.' && c != '-' && c != '+' && c != 'e' && c != 'E') {
      return false;
    }
  }
  return digit;
}

// The token after `at` in `text`: a quoted string's contents, or the run of name characters
// (letters, digits, -_./:@ for image references).
std::string_view token_after(std::string_view text, std::size_t at) {
  while (at < text.size() && text[at] == ' ') ++at;
  if (at >= text.size()) return {};
  if (text[at] == '"') {
    auto end = text.find('"', at + 1);
    if (end == std::string_view::npos) return {};
    return text.substr(at + 1, end - at - 1);
  }
  std::size_t end = at;
  while (end < text.size() &&
         (word_char(text[end]) || text[end] == '/' || text[end] == ':' || text[end] == '@'))
    ++end;
  std::string_view t = text.substr(at, end - at);
  while (!t.empty() && (t.back() == '.' || t.back() == ':'))
    t.remove_suffix(1);  // a sentence's end
  return t;
}

}  // namespace

void Redactor::learn(std::string_view kind, std::string_view name) {
  if (name.empty() || names_.contains(name)) return;
  if (kind == "label" && (is_number(name) || name == "true" || name == "false")) return;
  if (name.find('<') != std::string_view::npos) return;  // a placeholder, or not a name
  std::string placeholder =
      "<" + std::string(kind) + "-" + std::to_string(++counters_[std::string(kind)]) + ">";
  names_.emplace(name, placeholder);
  placeholders_.emplace(placeholder, name);
  longest_ = std::max(longest_, name.size());
}

void Redactor::learn_from_message(std::string_view message) {
  // Images are quoted in kubelet's messages: `Pulling image "REF"`.
  for (auto at = message.find("image \""); at != std::string_view::npos;
       at = message.find("image \"", at + 1)) {
    auto token = token_after(message, at + 6);
    if (!token.empty()) learn("image", token);
  }
  // Containers are not: `Started container NAME`, `Container NAME failed liveness probe`.
  static constexpr std::string_view kNotNames[] = {"with", "in", "is",  "has",  "image", "runtime",
                                                   "the",  "of", "for", "that", "to"};
  for (std::string_view word : {std::string_view("container "), std::string_view("Container ")}) {
    for (auto at = message.find(word); at != std::string_view::npos;
         at = message.find(word, at + 1)) {
      if (at > 0 && word_char(message[at - 1])) continue;  // "sidecontainer ..." is not the word
      auto token = token_after(message, at + word.size());
      const bool dns_label = std::all_of(token.begin(), token.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
      });
      if (token.size() >= 2 && dns_label &&
          std::find(std::begin(kNotNames), std::end(kNotNames), token) == std::end(kNotNames))
        learn("container", token);
    }
  }
}

std::string Redactor::redact(std::string_view text) const {
  if (names_.empty()) return std::string(text);
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    // The longest known name starting here (names_ is ordered, so candidates sharing a first
    // character are contiguous).
    const std::pair<const std::string, std::string>* best = nullptr;
    const std::size_t room = std::min(longest_, text.size() - i);
    for (std::size_t n = room; n > 0 && !best; --n) {
      auto it = names_.find(text.substr(i, n));
      if (it == names_.end()) continue;
      if (n < kShortName) {
        const bool starts = i == 0 || !word_char(text[i - 1]);
        const bool ends = i + n == text.size() || !word_char(text[i + n]);
        if (!starts || !ends) continue;
      }
      best = &*it;
    }
    if (best) {
      out += best->second;
      i += best->first.size();
    } else {
      out += text[i++];
    }
  }
  return out;
}

std::string Redactor::restore(std::string_view text) const {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '<') {
      auto end = text.find('>', i);
      if (end != std::string_view::npos && end - i < 40) {
        auto it = placeholders_.find(text.substr(i, end - i + 1));
        if (it != placeholders_.end()) {
          out += it->second;
          i = end + 1;
          continue;
        }
      }
    }
    out += text[i++];
  }
  return out;
}

void Redactor::clear() {
  names_.clear();
  placeholders_.clear();
  counters_.clear();
  longest_ = 0;
}

}  // namespace skippy::model
