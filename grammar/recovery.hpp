// Custom PEGTL rules for error recovery and nesting limits, and the state they record into.
//
// A parse never stops at the first mistake: `recover<R, Skip>` catches the syntax error R
// raised, records it as a diagnostic, and skips to a point where parsing can resume, so one
// run reports every error in a file. `expect<R>` records a missing R (a closing brace) and
// goes on as if it were there. `nested<R>` bounds recursion so deeply nested input gets an
// error instead of exhausting the stack.
#pragma once

#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include <tao/pegtl.hpp>
#include <tao/pegtl/contrib/analyze_traits.hpp>

#include "dsl/ast.hpp"
#include "dsl/diagnostics.hpp"

namespace skippy::grammar {

// How deep expressions, blocks and `else if` chains may nest.
inline constexpr std::size_t kMaxNesting = 64;
// How many syntax errors one file may report before the parser stops.
inline constexpr std::size_t kMaxSyntaxErrors = 50;

// What a rule's failure means to the user; declared per rule in errors.hpp.
struct ErrorText {
  dsl::DiagCode code;
  const char* message;
};

// Thrown by the control's raise(); caught only by recover<>. Never escapes parse().
struct SyntaxError {
  ErrorText text;
  std::uint32_t offset;
};

struct TooManyErrors {
  std::uint32_t offset;
};

struct RawDiagnostic {
  ErrorText text;
  std::uint32_t offset;
};

// The parser's own state, passed to every rule beside the parse tree's.
struct ParseState {
  const char* base = nullptr;
  std::vector<RawDiagnostic> diagnostics;
  std::vector<dsl::Comment> comments;

  std::uint32_t offset_of(const char* p) const { return static_cast<std::uint32_t>(p - base); }
  void record(ErrorText text, std::uint32_t offset) {
    if (diagnostics.size() >= kMaxSyntaxErrors) throw TooManyErrors{offset};
    diagnostics.push_back(RawDiagnostic{text, offset});
  }
};

template <typename First, typename... Rest>
ParseState& find_parse_state(First& first, Rest&... rest) {
  if constexpr (std::is_same_v<std::remove_cvref_t<First>, ParseState>) {
    return first;
  } else {
    static_assert(sizeof...(Rest) > 0, "no ParseState among the parser's states");
    return find_parse_state(rest...);
  }
}

// ---- Skipping: a small scanner that steps over whole tokens ---------------------------------

namespace skip {

enum class Stop : std::uint8_t {
  Declaration,  // at `policy`, `defaults` or `import`
  Clause,       // also at a clause keyword or an unmatched `}`
  Line,         // also at the end of a line outside brackets
};

// Advances past one token starting at p (p < end); returns the new position.
const char* next_token(const char* p, const char* end);
// True when the word starting at p is one where skipping stops for `stop`.
bool is_sync_word(const char* p, const char* end, Stop stop);
// Skips at least one token, then up to the next sync point for `stop`.
const char* skip(const char* p, const char* end, Stop stop);

}  // namespace skip

template <skip::Stop S>
struct skip_rule {
  using rule_t = skip_rule;
  using subs_t = tao::pegtl::empty_list;

  template <tao::pegtl::apply_mode, tao::pegtl::rewind_mode, template <typename...> class,
            template <typename...> class, typename ParseInput, typename... States>
  static bool match(ParseInput& in, States&&...) {
    if (in.empty()) return false;
    const char* to = skip::skip(in.current(), in.end(), S);
    in.bump(static_cast<std::size_t>(to - in.current()));
    return true;
  }
};

using skip_declaration = skip_rule<skip::Stop::Declaration>;
using skip_clause = skip_rule<skip::Stop::Clause>;
using skip_line = skip_rule<skip::Stop::Line>;

// ---- recover<Rule, Skip>: report Rule's syntax error, then skip ----------------------------

template <typename Rule, typename Skip>
struct recover {
  using rule_t = recover;
  using subs_t = tao::pegtl::type_list<Rule, Skip>;

  template <tao::pegtl::apply_mode A, tao::pegtl::rewind_mode M,
            template <typename...> class Action, template <typename...> class Control,
            typename ParseInput, typename... States>
  static bool match(ParseInput& in, States&&... st) {
    const auto start = in.iterator();
    try {
      return Control<Rule>::template match<A, tao::pegtl::rewind_mode::required, Action, Control>(
          in, st...);
    } catch (const SyntaxError& error) {
      find_parse_state(st...).record(error.text, error.offset);
    }
    in.iterator() = start;
    return Control<Skip>::template match<A, M, Action, Control>(in, st...);
  }
};

// ---- expect<Rule>: Rule, or a recorded error and carry on -----------------------------------

template <typename Rule>
struct expect {
  using rule_t = expect;
  using subs_t = tao::pegtl::type_list<Rule>;

  template <tao::pegtl::apply_mode A, tao::pegtl::rewind_mode M,
            template <typename...> class Action, template <typename...> class Control,
            typename ParseInput, typename... States>
  static bool match(ParseInput& in, States&&... st) {
    if (Control<Rule>::template match<A, M, Action, Control>(in, st...)) return true;
    auto& state = find_parse_state(st...);
    state.record(Control<Rule>::error_text(), state.offset_of(in.current()));
    return true;
  }
};

// ---- nested<Rule>: Rule, one level deeper; too deep is a syntax error -----------------------

struct nesting_limit {};

template <typename Rule>
struct nested {
  using rule_t = nested;
  using subs_t = tao::pegtl::type_list<Rule>;

  template <tao::pegtl::apply_mode A, tao::pegtl::rewind_mode M,
            template <typename...> class Action, template <typename...> class Control,
            typename ParseInput, typename... States>
  static bool match(ParseInput& in, States&&... st) {
    struct Guard {
      std::size_t& depth;
      ~Guard() { --depth; }
    } guard{++in.private_depth};
    if (in.private_depth > kMaxNesting) {
      throw SyntaxError{ErrorText{dsl::DiagCode::NestingTooDeep,
                                  "nesting is too deep: at most 64 levels of parentheses, lists, "
                                  "calls, `not`, signs and action blocks"},
                        find_parse_state(st...).offset_of(in.current())};
    }
    return Control<Rule>::template match<A, M, Action, Control>(in, st...);
  }
};

}  // namespace skippy::grammar

namespace tao::pegtl {

template <typename Name, typename Rule, typename Skip>
struct analyze_traits<Name, skippy::grammar::recover<Rule, Skip>> : analyze_sor_traits<Rule, Skip> {
};

template <typename Name, typename Rule>
struct analyze_traits<Name, skippy::grammar::expect<Rule>> : analyze_opt_traits<Rule> {};

template <typename Name, typename Rule>
struct analyze_traits<Name, skippy::grammar::nested<Rule>> : analyze_seq_traits<Rule> {};

template <typename Name, skippy::grammar::skip::Stop S>
struct analyze_traits<Name, skippy::grammar::skip_rule<S>> : analyze_any_traits<> {};

}  // namespace tao::pegtl
