#include "runtime/safety/json_reader.hpp"

#include <limits>

namespace skippy::safety {

const JsonValue* JsonValue::member(std::string_view name) const {
  for (const auto& [key, value] : members)
    if (key == name) return &value;
  return nullptr;
}

namespace {

class Reader {
 public:
  explicit Reader(std::string_view text) : text_(text) {}

  std::optional<JsonError> document(JsonValue& out) {
    skip_space();
    if (!value(out, 0)) return error_;
    skip_space();
    if (pos_ != text_.size()) fail("unexpected text after the value");
    return error_;
  }

 private:
  bool fail(std::string message) {
    if (!error_) error_ = JsonError{pos_, std::move(message)};
    return false;
  }
  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }
  void skip_space() {
    while (!at_end() && (peek() == ' ' || peek() == '\n' || peek() == '\r' || peek() == '\t'))
      ++pos_;
  }
  bool literal(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return fail("expected a JSON value");
    pos_ += word.size();
    return true;
  }

  bool value(JsonValue& out, std::size_t depth) {
    std::size_t start = pos_;
    bool ok = false;
    switch (peek()) {
      case '{':
        ok = object(out, depth);
        break;
      case '[':
        ok = array(out, depth);
        break;
      case '"':
        out.kind = JsonValue::Kind::String;
        ok = string(out.string);
        break;
      case 't':
        out.kind = JsonValue::Kind::Bool;
        out.boolean = true;
        ok = literal("true");
        break;
      case 'f':
        out.kind = JsonValue::Kind::Bool;
        ok = literal("false");
        break;
      case 'n':
        ok = literal("null");
        break;
      default:
        ok = number(out);
    }
    out.raw = text_.substr(start, pos_ - start);
    return ok;
  }

  bool object(JsonValue& out, std::size_t depth) {
    if (depth >= kMaxJsonDepth) return fail("nested too deeply");
    out.kind = JsonValue::Kind::Object;
    ++pos_;
    skip_space();
    if (peek() == '}') return ++pos_, true;
    while (true) {
      skip_space();
      if (peek() != '"') return fail("expected a member name in quotes");
      std::string key;
      if (!string(key)) return false;
      skip_space();
      if (peek() != ':') return fail("expected ':' after a member name");
      ++pos_;
      skip_space();
      JsonValue v;
      if (!value(v, depth + 1)) return false;
      out.members.push_back(JsonMember{std::move(key), std::move(v)});
      skip_space();
      if (peek() == '}') return ++pos_, true;
      if (peek() != ',') return fail("expected ',' or '}' in an object");
      ++pos_;
    }
  }

  bool array(JsonValue& out, std::size_t depth) {
    if (depth >= kMaxJsonDepth) return fail("nested too deeply");
    out.kind = JsonValue::Kind::Array;
    ++pos_;
    skip_space();
    if (peek() == ']') return ++pos_, true;
    while (true) {
      skip_space();
      JsonValue v;
      if (!value(v, depth + 1)) return false;
      out.items.push_back(std::move(v));
      skip_space();
      if (peek() == ']') return ++pos_, true;
      if (peek() != ',') return fail("expected ',' or ']' in an array");
      ++pos_;
    }
  }

  static int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  bool hex4(std::uint32_t& out) {
    out = 0;
    for (int i = 0; i < 4; ++i) {
      int d = hex_digit(peek());
      if (d < 0) return fail("expected four hex digits after \\u");
      out = out * 16 + static_cast<std::uint32_t>(d);
      ++pos_;
    }
    return true;
  }

  static void append_utf8(std::string& out, std::uint32_t cp) {
    auto put = [&](std::uint32_t byte) { out.push_back(static_cast<char>(byte)); };
    if (cp < 0x80) {
      put(cp);
    } else if (cp < 0x800) {
      put(0xC0 | (cp >> 6)), put(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      put(0xE0 | (cp >> 12)), put(0x80 | ((cp >> 6) & 0x3F)), put(0x80 | (cp & 0x3F));
    } else {
      put(0xF0 | (cp >> 18)), put(0x80 | ((cp >> 12) & 0x3F));
      put(0x80 | ((cp >> 6) & 0x3F)), put(0x80 | (cp & 0x3F));
    }
  }

  bool escape(std::string& out) {
    char c = peek();
    ++pos_;
    switch (c) {
      case '"':
      case '\\':
      case '/':
        out.push_back(c);
        return true;
      case 'b':
        out.push_back('\b');
        return true;
      case 'f':
        out.push_back('\f');
        return true;
      case 'n':
        out.push_back('\n');
        return true;
      case 'r':
        out.push_back('\r');
        return true;
      case 't':
        out.push_back('\t');
        return true;
      case 'u':
        break;
      default:
        --pos_;
        return fail("unknown escape in a string");
    }
    std::uint32_t cp = 0;
    if (!hex4(cp)) return false;
    if (cp >= 0xD800 && cp < 0xDC00) {  // a high surrogate wants its low half
      std::uint32_t low = 0;
      if (text_.substr(pos_, 2) != "\\u") return fail("a high surrogate without its low half");
      pos_ += 2;
      if (!hex4(low)) return false;
      if (low < 0xDC00 || low > 0xDFFF) return fail("a high surrogate without its low half");
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    } else if (cp >= 0xDC00 && cp < 0xE000) {
      return fail("a low surrogate on its own");
    }
    append_utf8(out, cp);
    return true;
  }

  bool string(std::string& out) {
    ++pos_;  // the opening quote
    while (true) {
      if (at_end()) return fail("a string without its closing quote");
      char c = peek();
      if (c == '"') return ++pos_, true;
      if (static_cast<unsigned char>(c) < 0x20) return fail("a control character in a string");
      if (c == '\\') {
        ++pos_;
        if (!escape(out)) return false;
        continue;
      }
      out.push_back(c);
      ++pos_;
    }
  }

  bool digits() {
    std::size_t start = pos_;
    while (peek() >= '0' && peek() <= '9') ++pos_;
    return pos_ > start;
  }

  bool number(JsonValue& out) {
    std::size_t start = pos_;
    bool negative = peek() == '-';
    if (negative) ++pos_;
    if (peek() == '0') {
      ++pos_;
    } else if (!digits()) {
      pos_ = start;
      return fail("expected a JSON value");
    }
    std::size_t int_end = pos_;
    bool whole = true;
    if (peek() == '.') {
      ++pos_, whole = false;
      if (!digits()) return fail("expected digits after '.'");
    }
    if (peek() == 'e' || peek() == 'E') {
      ++pos_, whole = false;
      if (peek() == '+' || peek() == '-') ++pos_;
      if (!digits()) return fail("expected digits in an exponent");
    }
    out.kind = JsonValue::Kind::Number;
    if (!whole) return true;
    // Accumulate negatively so that the most negative int64 fits too.
    std::int64_t value = 0;
    constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
    for (std::size_t i = start + (negative ? 1 : 0); i < int_end; ++i) {
      int d = text_[i] - '0';
      if (value < (kMin + d) / 10) return true;  // too large: a number, not an integer
      value = value * 10 - d;
    }
    if (!negative && value == kMin) return true;
    out.integer = negative ? value : -value;
    out.is_integer = true;
    return true;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  std::optional<JsonError> error_;
};

}  // namespace

std::optional<JsonError> read_json(std::string_view text, JsonValue& out) {
  out = JsonValue{};
  return Reader(text).document(out);
}

}  // namespace skippy::safety
