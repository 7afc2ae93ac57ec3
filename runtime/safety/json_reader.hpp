// A small, strict JSON reader for the journal's records: objects, arrays, strings, numbers,
// true, false and null. It never throws, bounds its nesting, and reports the byte offset of
// the first thing it cannot read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace skippy::safety {

struct JsonMember;

struct JsonValue {
  enum class Kind : std::uint8_t { Null, Bool, Number, String, Array, Object };
  Kind kind = Kind::Null;
  bool boolean = false;
  bool is_integer = false;  // Number: written as a whole number that fits 64 bits
  std::int64_t integer = 0;
  std::string string;  // String: unescaped
  std::vector<JsonValue> items;
  std::vector<JsonMember> members;  // in the order written
  std::string_view raw;             // the value's text in the input

  const JsonValue* member(std::string_view name) const;
};

struct JsonMember {
  std::string name;
  JsonValue value;
};

struct JsonError {
  std::size_t offset = 0;  // in the text read
  std::string message;
};

inline constexpr std::size_t kMaxJsonDepth = 16;

// Reads one JSON value that must fill `text` (white space aside).
std::optional<JsonError> read_json(std::string_view text, JsonValue& out);

}  // namespace skippy::safety
