#include "grammar/parse.hpp"

#include <tao/pegtl.hpp>
#include <tao/pegtl/contrib/parse_tree.hpp>

#include "grammar/build_ast.hpp"
#include "grammar/errors.hpp"
#include "grammar/grammar.hpp"
#include "grammar/parse_tree_selector.hpp"

namespace skippy::grammar {
namespace {

namespace pegtl = tao::pegtl;

// Collects comments for the formatter. Backtracking can match a comment twice; offsets only
// grow in a successful parse, so a comment at or before the last one is a repeat.
template <typename Rule>
struct collect : pegtl::nothing<Rule> {};

template <>
struct collect<rules::comment> {
  template <typename ActionInput, typename... States>
  static void apply(const ActionInput& in, States&... st) {
    auto& state = find_parse_state(st...);
    auto offset = state.offset_of(in.begin());
    if (!state.comments.empty() && state.comments.back().offset >= offset) return;
    std::string_view text = in.string_view();
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    state.comments.push_back(dsl::Comment{offset, std::string(text)});
  }
};

// "found `x`" for a syntax error at `offset`: the token there, shortened.
std::string found_text(std::string_view text, std::uint32_t offset) {
  if (offset >= text.size()) return "the end of the file";
  const char* p = text.data() + offset;
  const char* end = text.data() + text.size();
  std::size_t length = static_cast<std::size_t>(skip::next_token(p, end) - p);
  std::string token(p, std::min<std::size_t>(length, 24));
  if (length > 24) token += "...";
  for (char& c : token) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  return "`" + token + "`";
}

bool wants_found(dsl::DiagCode code) {
  switch (code) {
    case dsl::DiagCode::UnterminatedString:
    case dsl::DiagCode::UnterminatedRawString:
    case dsl::DiagCode::NestingTooDeep:
    case dsl::DiagCode::InvalidEscape:
    case dsl::DiagCode::ReservedWord:
      return false;
    default:
      return true;
  }
}

// An unterminated string is reported where it starts, not where the line or file ends.
void point_at_opening_quote(std::string_view text, RawDiagnostic& raw) {
  char quote = raw.text.code == dsl::DiagCode::UnterminatedString      ? '"'
               : raw.text.code == dsl::DiagCode::UnterminatedRawString ? '`'
                                                                       : 0;
  if (!quote) return;
  std::size_t from = std::min<std::size_t>(raw.offset, text.size());
  std::size_t at = from == 0 ? std::string_view::npos : text.rfind(quote, from - 1);
  if (at != std::string_view::npos) raw.offset = static_cast<std::uint32_t>(at);
}

dsl::Span token_span(const dsl::SourceFile& file, std::uint32_t offset) {
  const auto& text = file.text();
  if (offset >= text.size()) return dsl::Span{file.id(), offset, offset};
  const char* p = text.data() + offset;
  auto length = static_cast<std::uint32_t>(skip::next_token(p, text.data() + text.size()) - p);
  return dsl::Span{file.id(), offset, offset + std::min<std::uint32_t>(length, 200)};
}

}  // namespace

dsl::Module parse_module(const dsl::SourceFile& file, dsl::Diagnostics& diagnostics) {
  dsl::Module module;
  module.file = file.id();
  ParseState state;
  state.base = file.text().data();
  pegtl::memory_input<pegtl::tracking_mode::lazy, pegtl::eol::lf_crlf> input(
      file.text().data(), file.text().size(), "");

  std::unique_ptr<pt::node> root;
  bool stopped_early = false;
  std::uint32_t stop_offset = 0;
  try {
    root = pt::parse<rules::file, selector, collect, control>(input, state);
  } catch (const SyntaxError& error) {
    // Only possible for an error outside every recover<>; record it like the others.
    state.diagnostics.push_back(RawDiagnostic{error.text, error.offset});
  } catch (const TooManyErrors& error) {
    stopped_early = true;
    stop_offset = error.offset;
  }

  for (auto& raw : state.diagnostics) {
    point_at_opening_quote(file.text(), raw);
    std::string message = raw.text.message;
    if (wants_found(raw.text.code)) message += "; found " + found_text(file.text(), raw.offset);
    diagnostics.report(raw.text.code, token_span(file, raw.offset), std::move(message));
  }
  if (stopped_early) {
    diagnostics.report(dsl::DiagCode::TooManyErrors, token_span(file, stop_offset),
                       "too many errors (" + std::to_string(kMaxSyntaxErrors) +
                           "); the rest of the file was not checked");
  }
  module.comments = std::move(state.comments);
  if (root) build_module(*root, file, module, diagnostics);
  return module;
}

}  // namespace skippy::grammar
