// The values the VM computes with. Sixteen bytes, no heap: numbers (durations, quantities
// and percentages are numbers in canonical units), booleans, strings (views into the
// program's string pool or the runtime's input), and Unknown, which carries why.
//
// Three-valued logic: an expression over missing or NaN data is Unknown, not false and not
// zero. `and`/`or` follow Kleene (false and unknown = false; true or unknown = true), and an
// Unknown condition never selects a branch or fires a trigger.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <type_traits>

namespace skippy::bytecode {

enum class ValueTag : std::uint8_t { Unknown, Bool, Number, String };

// Why a value is Unknown; recorded in audit records to explain decisions.
enum class UnknownReason : std::uint8_t {
  Missing,         // no data for this target (and the missing-data rule said unknown)
  NotANumber,      // NaN from Prometheus or arithmetic
  DivisionByZero,  // x / 0
  NotApplicable,   // the field does not exist for this target (a pod field on a workload)
  Propagated,      // computed from another Unknown
};

// Trivially constructible, so the VM's stack and locals cost nothing to set up; make values
// with the factories below.
struct Value {
  ValueTag tag;
  std::uint8_t reason;   // UnknownReason when Unknown
  std::uint32_t length;  // String
  union {
    double number;
    bool boolean;
    const char* chars;
  };

  static Value unknown(UnknownReason why = UnknownReason::Missing) {
    Value v{};
    v.tag = ValueTag::Unknown;
    v.reason = static_cast<std::uint8_t>(why);
    return v;
  }
  static Value of_bool(bool b) {
    Value v{};
    v.tag = ValueTag::Bool;
    v.boolean = b;
    return v;
  }
  // NaN becomes Unknown: Prometheus's NaN means "no meaningful value".
  static Value of_number(double d) {
    if (std::isnan(d)) return unknown(UnknownReason::NotANumber);
    Value v{};
    v.tag = ValueTag::Number;
    v.number = d;
    return v;
  }
  static Value of_string(std::string_view s) {
    Value v{};
    v.tag = ValueTag::String;
    v.length = static_cast<std::uint32_t>(s.size());
    v.chars = s.data();
    return v;
  }

  bool is_unknown() const { return tag == ValueTag::Unknown; }
  bool is_true() const { return tag == ValueTag::Bool && boolean; }
  bool is_false() const { return tag == ValueTag::Bool && !boolean; }
  std::string_view string() const { return {chars, length}; }
  UnknownReason unknown_reason() const { return static_cast<UnknownReason>(reason); }
};

static_assert(sizeof(Value) == 16, "Value stays two words");
static_assert(std::is_trivially_default_constructible_v<Value>);

// The result of a condition: true, false or unknown.
enum class Truth : std::uint8_t { False, True, Unknown };

inline Truth truth_of(const Value& v) {
  if (v.tag != ValueTag::Bool) return Truth::Unknown;
  return v.boolean ? Truth::True : Truth::False;
}

const char* truth_name(Truth t);
const char* unknown_reason_name(UnknownReason r);

}  // namespace skippy::bytecode
