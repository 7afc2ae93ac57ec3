// Decoding Prometheus API responses with simdjson's On-Demand front end.
//
// The walk reads strings and numbers straight from the padded body: a string's bytes are found
// with a 16-byte scan for its closing quote, and only strings with backslashes are unescaped,
// in place (an unescaped string is never longer than its escaped form). Labels are recorded as
// (offset, size) pairs into the body, samples in one flat table, series as ranges of both.
#include "runtime/prometheus/decode.hpp"

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace skippy::prometheus {

namespace od = simdjson::ondemand;

std::string_view to_string(ResultType type) {
  switch (type) {
    case ResultType::Vector:
      return "vector";
    case ResultType::Matrix:
      return "matrix";
    case ResultType::Scalar:
      return "scalar";
    case ResultType::String:
      return "string";
  }
  return "?";
}

std::string to_string(const DecodeError& error) {
  return "byte " + std::to_string(error.offset) + ": " + error.message;
}

std::size_t decode_padding() {
  return simdjson::SIMDJSON_PADDING;
}

std::optional<std::string_view> Labels::get(std::string_view name) const {
  for (Label label : *this) {
    if (label.name == name) return label.value;
  }
  return std::nullopt;
}

std::string Labels::to_string() const {
  std::string out = "{";
  bool first = true;
  for (Label label : *this) {
    if (!first) out += ", ";
    first = false;
    out.append(label.name);
    out += "=\"";
    for (char c : label.value) {
      if (c == '"' || c == '\\') out += '\\';
      if (c == '\n') {
        out += "\\n";
        continue;
      }
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

Series QueryResult::operator[](std::size_t i) const {
  const detail::SeriesRef& s = series_[i];
  return {Labels(buffer_.data(), std::span(labels_).subspan(s.first_label, s.label_count)),
          std::span(samples_).subspan(s.first_sample, s.sample_count)};
}

std::size_t QueryResult::memory_bytes() const {
  std::size_t bytes = buffer_.capacity() + labels_.capacity() * sizeof(detail::LabelRef) +
                      samples_.capacity() * sizeof(Sample) +
                      series_.capacity() * sizeof(detail::SeriesRef);
  for (const auto& w : warnings_) bytes += sizeof(w) + w.capacity();
  return bytes;
}

namespace {

// Offsets into the body are 32-bit.
constexpr std::size_t kMaxBody =
    std::numeric_limits<std::uint32_t>::max() - 2 * simdjson::SIMDJSON_PADDING;

// Up to 24 bytes at p, printable, for "found ..." in messages.
std::string excerpt(const char* p, const char* end) {
  std::string out;
  std::size_t n = std::min<std::size_t>(static_cast<std::size_t>(end - p), 24);
  for (std::size_t i = 0; i < n; ++i) {
    unsigned char c = static_cast<unsigned char>(p[i]);
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      static constexpr char hex[] = "0123456789abcdef";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  if (static_cast<std::size_t>(end - p) > n) out += "...";
  return out;
}

// Locates the errors simdjson's first stage reports without a position (error path only).
std::size_t locate_utf8_error(const unsigned char* s, std::size_t n) {
  std::size_t i = 0;
  while (i < n) {
    unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if ((c & 0xe0) == 0xc0)
      len = 2, cp = c & 0x1f;
    else if ((c & 0xf0) == 0xe0)
      len = 3, cp = c & 0x0f;
    else if ((c & 0xf8) == 0xf0)
      len = 4, cp = c & 0x07;
    else
      return i;
    if (i + len > n) return i;
    for (std::size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xc0) != 0x80) return i;
      cp = (cp << 6) | (s[i + k] & 0x3f);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
      return i;
    i += len;
  }
  return n;
}

// The opening quote of the unclosed string, or of the first control character in a string.
std::size_t locate_string_error(const char* s, std::size_t n, bool control) {
  bool in_string = false;
  std::size_t open = 0;
  for (std::size_t i = 0; i < n; ++i) {
    char c = s[i];
    if (!in_string) {
      if (c == '"') in_string = true, open = i;
      continue;
    }
    if (c == '\\') {
      ++i;
    } else if (c == '"') {
      in_string = false;
    } else if (control && static_cast<unsigned char>(c) < 0x20) {
      return i;
    }
  }
  return in_string ? open : n;
}

bool is_json_space(char c) {
  return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

bool is_digit(char c) {
  return static_cast<unsigned char>(c - '0') < 10;
}

// A JSON number -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?. The mantissa holds its digits
// (integer then fraction) while there are at most 19 of them.
struct Decimal {
  std::uint64_t mantissa = 0;
  int int_digits = 0;
  int frac_digits = 0;
  bool negative = false;
  bool exponent = false;
};

constexpr std::uint64_t kPow10Int[] = {1,      10,      100,      1000,     10000,
                                       100000, 1000000, 10000000, 100000000};

// Reads the run of digits at q (at most up to e), eight bytes at a time without a branch per
// digit: bytes are classified and converted as one 64-bit word. Loads 8 bytes at q, which the
// padding keeps in bounds. Adds the digits to `mantissa` while the total stays within 19.
const char* scan_digits(const char* q, const char* e, std::uint64_t& mantissa_io, int before,
                        int& count_out) {
  std::uint64_t mantissa = mantissa_io;
  int count = 0;
  for (;;) {
    std::uint64_t chunk;
    std::memcpy(&chunk, q, 8);
    const std::uint64_t x = chunk ^ 0x3030303030303030;  // digits become 0..9
    const std::uint64_t non_digit =
        (((x & 0x7f7f7f7f7f7f7f7f) + 0x7676767676767676) | x) & 0x8080808080808080;
    auto n =
        static_cast<int>(non_digit ? static_cast<unsigned>(__builtin_ctzll(non_digit)) / 8 : 8);
    n = static_cast<int>(std::min<std::ptrdiff_t>(n, e - q));
    if (n <= 0) break;
    // Keep the first n digits, moved to the top (the most significant end holds the last).
    std::uint64_t v = n == 8 ? x : x << (8 * (8 - n));
    v = (v * 10) + (v >> 8);
    v = (((v & 0x000000ff000000ff) * (100 + (1000000ULL << 32))) +
         (((v >> 16) & 0x000000ff000000ff) * (1 + (10000ULL << 32)))) >>
        32;
    if (before + count + n <= 19) mantissa = mantissa * kPow10Int[n] + v;
    count += n;
    q += n;
    if (n < 8) break;
  }
  mantissa_io = mantissa;
  count_out = count;
  return q;
}

// Reads a JSON number starting at p (not past e); returns where it ends, or nullptr if the
// text there is not a number.
const char* scan_number(const char* p, const char* e, Decimal& d) {
  const char* q = p;
  if (q < e && *q == '-') d.negative = true, ++q;
  const char* int_begin = q;
  q = scan_digits(q, e, d.mantissa, 0, d.int_digits);
  if (d.int_digits == 0 || (d.int_digits > 1 && *int_begin == '0')) return nullptr;
  if (q < e && *q == '.') {
    q = scan_digits(q + 1, e, d.mantissa, d.int_digits, d.frac_digits);
    if (d.frac_digits == 0) return nullptr;
  }
  if (q < e && (*q == 'e' || *q == 'E')) {
    d.exponent = true;
    ++q;
    if (q < e && (*q == '+' || *q == '-')) ++q;
    const char* exp_begin = q;
    while (q < e && is_digit(*q)) ++q;
    if (q == exp_begin) return nullptr;
  }
  return q;
}

bool scan_decimal(const char* p, const char* e, Decimal& d) {
  return scan_number(p, e, d) == e;
}

// Bracket structure outside strings (error path only): how many arrays and objects are
// still open at the end, and where the first top-level value ends.
struct Structure {
  std::size_t open_at_end = 0;
  std::size_t first_value_end = 0;  // one past the '}' or ']' closing the first value; 0 if none
};

Structure scan_structure(const char* s, std::size_t n) {
  Structure out;
  std::size_t depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < n; ++i) {
    char c = s[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if ((c == '}' || c == ']') && depth > 0) {
      if (--depth == 0 && out.first_value_end == 0) out.first_value_end = i + 1;
    }
  }
  out.open_at_end = depth;
  return out;
}

std::string unclosed(std::size_t n) {
  return "truncated JSON: " + std::to_string(n) +
         (n == 1 ? " array or object" : " arrays or objects") + " not closed";
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool hex4(const char* p, const char* end, std::uint32_t& out) {
  if (end - p < 4) return false;
  out = 0;
  for (int i = 0; i < 4; ++i) {
    int d = hex_digit(p[i]);
    if (d < 0) return false;
    out = (out << 4) | static_cast<std::uint32_t>(d);
  }
  return true;
}

// How a string scan ended: at `end` (the closing quote); `escaped` if it had a backslash.
struct RawString {
  const char* begin;
  const char* end;
  bool escaped;
};

}  // namespace

namespace detail {

class Walker {
 public:
  Walker(char* base, std::size_t size, QueryResult& out, od::document& doc)
      : base_(base), size_(size), end_(base + size), out_(out), doc_(doc) {}

  bool run();
  DecodeError take_error() { return std::move(error_); }

  // Set by run() for the caller.
  std::string status;
  std::string error_type;
  std::string error_message;
  std::vector<std::string> warnings;

 private:
  bool fail(const char* at, std::string message) {
    if (!failed_) {
      failed_ = true;
      error_.offset = at ? static_cast<std::size_t>(
                               std::clamp(at, static_cast<const char*>(base_), end_) - base_)
                         : size_;
      error_.message = std::move(message);
    }
    return false;
  }
  // A simdjson error while reading `what`.
  bool fail(simdjson::error_code code, std::string_view what) {
    const char* at = nullptr;
    const char* loc = nullptr;
    if (!doc_.current_location().get(loc)) at = loc;
    Structure structure = scan_structure(base_, size_);
    if (structure.open_at_end > 0) {
      return fail(end_,
                  unclosed(structure.open_at_end) + " (while reading " + std::string(what) + ")");
    }
    std::string message;
    switch (code) {
      case simdjson::INCOMPLETE_ARRAY_OR_OBJECT:
        message = "truncated JSON: an array or object is not closed";
        at = end_;
        break;
      case simdjson::TAPE_ERROR:
        message = "malformed JSON";
        break;
      case simdjson::DEPTH_ERROR:
        message = "JSON nested too deeply";
        break;
      case simdjson::INCORRECT_TYPE:
        message = "wrong JSON type";
        break;
      default:
        message = simdjson::error_message(code);
        break;
    }
    message += " while reading ";
    message += what;
    if (at && at < end_ && code != simdjson::INCOMPLETE_ARRAY_OR_OBJECT)
      message += " (at '" + excerpt(at, end_) + "')";
    return fail(at, std::move(message));
  }
  bool expected(const char* at, std::string_view what) {
    std::string message = at && at >= end_ ? "truncated JSON: expected " : "expected ";
    message += what;
    if (at && at < end_) message += ", found '" + excerpt(at, end_) + "'";
    return fail(at, std::move(message));
  }

  std::uint32_t offset_of(const char* p) const { return static_cast<std::uint32_t>(p - base_); }

  // Finds the extent of the string whose opening quote precedes p. Stage 1 has checked that
  // every string is closed, so the scan stops at the closing quote it found; the bound is a
  // second guard. Reads at most 15 bytes past the quote: within the padding.
  bool scan_string(const char* p, RawString& out) {
    const char* q = p;
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i slash = _mm_set1_epi8('\\');
    for (;;) {
      if (q >= end_) return fail(p - 1, "unclosed string");
      __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(q));
      unsigned mq = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, quote)));
      unsigned ms = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, slash)));
      if ((mq | ms) == 0) {
        q += 16;
        continue;
      }
      unsigned first_quote = mq ? static_cast<unsigned>(__builtin_ctz(mq)) : 16;
      unsigned first_slash = ms ? static_cast<unsigned>(__builtin_ctz(ms)) : 16;
      if (first_quote < first_slash) {
        out = {p, q + first_quote, false};
        return true;
      }
      q += first_slash;
      break;
    }
#endif
    bool escaped = false;
    while (q < end_) {
      char c = *q;
      if (c == '"') {
        out = {p, q, escaped};
        return true;
      }
      if (c == '\\') {
        escaped = true;
        q += 2;
      } else {
        ++q;
      }
    }
    return fail(p - 1, "unclosed string");
  }

  // Unescapes [s.begin, s.end) in place; returns the new end.
  bool unescape(const RawString& s, const char*& new_end) {
    char* w = const_cast<char*>(s.begin);  // the body is ours (Decoder made it mutable)
    const char* r = s.begin;
    while (r < s.end) {
      char c = *r;
      if (c != '\\') {
        *w++ = c;
        ++r;
        continue;
      }
      if (r + 1 >= s.end) return fail(r, "invalid escape at the end of a string");
      char e = r[1];
      char simple = 0;
      switch (e) {
        case '"':
          simple = '"';
          break;
        case '\\':
          simple = '\\';
          break;
        case '/':
          simple = '/';
          break;
        case 'b':
          simple = '\b';
          break;
        case 'f':
          simple = '\f';
          break;
        case 'n':
          simple = '\n';
          break;
        case 'r':
          simple = '\r';
          break;
        case 't':
          simple = '\t';
          break;
        case 'u':
          break;
        default:
          return fail(r, "invalid escape '\\" + excerpt(r + 1, r + 2) + "' in string");
      }
      if (simple) {
        *w++ = simple;
        r += 2;
        continue;
      }
      std::uint32_t cp = 0;
      if (!hex4(r + 2, s.end, cp)) return fail(r, "invalid \\u escape in string");
      const char* escape_start = r;
      r += 6;
      if (cp >= 0xdc00 && cp <= 0xdfff)
        return fail(escape_start, "unpaired low surrogate in string");
      if (cp >= 0xd800 && cp <= 0xdbff) {
        std::uint32_t low = 0;
        if (s.end - r < 6 || r[0] != '\\' || r[1] != 'u' || !hex4(r + 2, s.end, low) ||
            low < 0xdc00 || low > 0xdfff)
          return fail(escape_start, "unpaired high surrogate in string");
        cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
        r += 6;
      }
      if (cp < 0x80) {
        *w++ = static_cast<char>(cp);
      } else if (cp < 0x800) {
        *w++ = static_cast<char>(0xc0 | (cp >> 6));
        *w++ = static_cast<char>(0x80 | (cp & 0x3f));
      } else if (cp < 0x10000) {
        *w++ = static_cast<char>(0xe0 | (cp >> 12));
        *w++ = static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
        *w++ = static_cast<char>(0x80 | (cp & 0x3f));
      } else {
        *w++ = static_cast<char>(0xf0 | (cp >> 18));
        *w++ = static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
        *w++ = static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
        *w++ = static_cast<char>(0x80 | (cp & 0x3f));
      }
    }
    new_end = w;
    return true;
  }

  // A string's content as a view of the body (unescaped in place when needed).
  bool string_at(const char* after_quote, std::string_view& out,
                 const char** closing_quote = nullptr) {
    RawString raw;
    if (!scan_string(after_quote, raw)) return false;
    if (closing_quote) *closing_quote = raw.end;
    const char* e = raw.end;
    if (raw.escaped && !unescape(raw, e)) return false;
    out = std::string_view(raw.begin, static_cast<std::size_t>(e - raw.begin));
    return true;
  }

  bool string_value(od::value& v, std::string_view& out, std::string_view what) {
    od::raw_json_string raw;
    if (v.get_raw_json_string().get(raw)) return expected(token_start(v), what);
    return string_at(raw.raw(), out);
  }

  // An owned copy of a string (envelope fields, warnings).
  bool owned_string(od::value& v, std::string& out, std::string_view what) {
    std::string_view s;
    if (!string_value(v, s, what)) return false;
    out.assign(s);
    return true;
  }

  const char* token_start(od::value& v) {
    return v.raw_json_token().data();
  }

  bool parse_time(od::value& v, std::int64_t& ms);
  bool parse_time_text(const char* p, const char* e, std::int64_t& ms);
  bool time_from(const Decimal& d, const char* p, const char* e, std::int64_t& ms);
  bool pair_at(const char*& p, Sample& sample);
  bool samples_at(const char* p);
  const char* skip_space(const char* p) const {
    while (is_json_space(*p)) ++p;  // the padding's zeros stop it
    return p;
  }
  bool parse_value(std::string_view text, double& value);
  bool read_pair(od::value& v, Sample& sample, std::string_view* text);
  bool read_series(od::value& v);
  bool read_result(od::value& v);
  bool read_data(od::value& v);
  bool read_warnings(od::value& v);
  void reserve_from_first_series(const char* position);

  char* base_;
  std::size_t size_;
  const char* end_;
  QueryResult& out_;
  od::document& doc_;
  DecodeError error_;
  bool failed_ = false;

  // What read_result found.
  enum class Shape { None, Series, Pair } shape_ = Shape::None;
  bool any_value_ = false;   // some series had "value"
  bool any_values_ = false;  // some series had "values"
  const char* result_at_ = nullptr;
  const char* result_type_at_ = nullptr;
  std::string result_type_;
  bool have_result_type_ = false;
  bool have_result_ = false;
  Sample pair_{};
  std::string_view pair_text_;
  bool reserved_ = false;

 public:
  bool have_data = false;
  const char* status_at = nullptr;
};

// Seconds as a JSON number -> milliseconds. "1700000000.123" is read exactly; other forms
// (exponents, more than 3 decimals) through a double, rounded to the millisecond.
bool Walker::parse_time(od::value& v, std::int64_t& ms) {
  std::string_view tok = v.raw_json_token();
  const char* e = tok.data() + tok.size();
  while (e > tok.data() && is_json_space(e[-1])) --e;
  return parse_time_text(tok.data(), e, ms);
}

bool Walker::parse_time_text(const char* p, const char* e, std::int64_t& ms) {
  Decimal d;
  if (!scan_decimal(p, e, d)) return expected(p, "a sample time (a JSON number of seconds)");
  return time_from(d, p, e, ms);
}

bool Walker::time_from(const Decimal& d, const char* p, const char* e, std::int64_t& ms) {
  if (!d.exponent && d.frac_digits <= 3 && d.int_digits <= 15) {
    std::uint64_t scaled = d.mantissa;
    for (int i = d.frac_digits; i < 3; ++i) scaled *= 10;
    ms = d.negative ? -static_cast<std::int64_t>(scaled) : static_cast<std::int64_t>(scaled);
    return true;
  }
  double seconds = 0;
  auto [ptr, ec] = std::from_chars(p, e, seconds);
  double scaled = seconds * 1000.0;
  if (ec != std::errc() || ptr != e || !(std::fabs(scaled) < 9.2e18))
    return fail(p, "sample time out of range: '" + excerpt(p, e) + "'");
  ms = std::llround(scaled);
  return true;
}

// A sample value: a float as Prometheus formats it, or NaN, +Inf, -Inf. Exactly what
// std::from_chars gives; plain decimals with at most 15 significant digits take Clinger's
// fast path (mantissa / 10^k with both exact is correctly rounded), the rest from_chars.
bool Walker::parse_value(std::string_view text, double& value) {
  const char* b = text.data();
  const char* e = b + text.size();
  Decimal d;
  if (scan_decimal(b, e, d) && !d.exponent && d.mantissa <= (std::uint64_t{1} << 53) &&
      d.int_digits + d.frac_digits <= 19) {
    static constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                        1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                        1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    value = static_cast<double>(d.mantissa) / kPow10[d.frac_digits];
    if (d.negative) value = -value;
    return true;
  }
  if (text == "+Inf") {
    value = std::numeric_limits<double>::infinity();
    return true;
  }
  auto [ptr, ec] = std::from_chars(b, e, value);
  if (ec == std::errc::result_out_of_range && ptr == e) {
    // Beyond double's range: what Go's ParseFloat gives (±Inf, or 0 for underflow).
    value = std::strtod(std::string(text).c_str(), nullptr);
    return true;
  }
  if (ec != std::errc() || ptr != e || text.empty())
    return fail(b, "invalid sample value \"" + excerpt(b, e) + "\"");
  return true;
}

// [time, "value"] read from the text at p (simdjson has checked the document's strings, UTF-8
// and brackets in its first stage; this checks the grammar). Leaves p after the ']'.
bool Walker::pair_at(const char*& p, Sample& sample) {
  if (*p != '[') return expected(p, "a sample [time, \"value\"]");
  const char* t = skip_space(p + 1);
  Decimal d;
  const char* te = scan_number(t, end_, d);
  if (!te) return expected(t, "a sample time (a JSON number of seconds)");
  if (!time_from(d, t, te, sample.time_ms)) return false;
  const char* q = skip_space(te);
  if (*q != ',') return expected(q, "',' after a sample's time");
  q = skip_space(q + 1);
  if (*q != '"') return expected(q, "a sample value (a string)");
  std::string_view text;
  const char* closing = nullptr;
  if (!string_at(q + 1, text, &closing)) return false;
  if (!parse_value(text, sample.value)) return false;
  q = skip_space(closing + 1);
  if (*q != ']') return expected(q, "']' after a sample's time and value");
  p = q + 1;
  return true;
}

// [[time, "value"], ...] at p.
bool Walker::samples_at(const char* p) {
  if (*p != '[') return expected(p, "the series' samples (an array)");
  p = skip_space(p + 1);
  if (*p == ']') return true;
  for (;;) {
    Sample sample;
    if (!pair_at(p, sample)) return false;
    out_.samples_.push_back(sample);
    p = skip_space(p);
    if (*p == ']') return true;
    if (*p != ',') return expected(p, "',' or ']' after a sample");
    p = skip_space(p + 1);
  }
}

// [time, "value"]. With `text`, the value's string is returned unparsed (scalar/string).
bool Walker::read_pair(od::value& v, Sample& sample, std::string_view* text) {
  const char* start = token_start(v);
  od::array arr;
  if (v.get_array().get(arr)) return expected(start, "a sample [time, \"value\"]");
  std::size_t n = 0;
  for (auto element : arr) {
    od::value el;
    if (auto code = std::move(element).get(el)) return fail(code, "a sample");
    if (n == 0) {
      if (!parse_time(el, sample.time_ms)) return false;
    } else if (n == 1) {
      std::string_view s;
      if (!string_value(el, s, "a sample value (a string)")) return false;
      if (text) {
        *text = s;
      } else if (!parse_value(s, sample.value)) {
        return false;
      }
    } else {
      return expected(token_start(el), "']' after a sample's time and value");
    }
    ++n;
  }
  if (n != 2) return expected(start, "a sample [time, \"value\"] with two elements");
  return true;
}

// After the first series of a large response, size the tables for the rest.
void Walker::reserve_from_first_series(const char* position) {
  reserved_ = true;
  std::size_t used = static_cast<std::size_t>(position - result_at_);
  if (size_ < (1u << 16) || used == 0) return;
  std::size_t series = (size_ - static_cast<std::size_t>(result_at_ - base_)) / used + 16;
  out_.series_.reserve(series);
  out_.labels_.reserve(series * std::max<std::size_t>(out_.labels_.size(), 1));
  out_.samples_.reserve(series * std::max<std::size_t>(out_.samples_.size(), 1));
}

bool Walker::read_series(od::value& v) {
  const char* start = token_start(v);
  od::object obj;
  if (v.get_object().get(obj))
    return expected(start, "a series object {\"metric\": ..., \"value\": ...}");
  const auto first_label = static_cast<std::uint32_t>(out_.labels_.size());
  const auto first_sample = static_cast<std::uint32_t>(out_.samples_.size());
  bool seen_metric = false, seen_value = false, seen_values = false;
  const char* last = start;
  for (auto member : obj) {
    od::field field;
    if (auto code = std::move(member).get(field)) return fail(code, "a series");
    std::string_view key;
    if (!string_at(field.key().raw(), key)) return false;
    od::value& value = field.value();
    if (key == "metric") {
      if (seen_metric) return fail(key.data(), "duplicate \"metric\" in a series");
      seen_metric = true;
      const char* metric_at = token_start(value);
      od::object metric;
      if (value.get_object().get(metric))
        return expected(metric_at, "the series' labels (an object)");
      for (auto label_member : metric) {
        od::field label;
        if (auto code = std::move(label_member).get(label)) return fail(code, "a series' labels");
        std::string_view name, label_value;
        if (!string_at(label.key().raw(), name)) return false;
        if (!string_value(label.value(), label_value, "a label value (a string)")) return false;
        out_.labels_.push_back({offset_of(name.data()), static_cast<std::uint32_t>(name.size()),
                                offset_of(label_value.data()),
                                static_cast<std::uint32_t>(label_value.size())});
      }
    } else if (key == "value") {
      if (seen_value || seen_values)
        return fail(key.data(), "a series has more than one \"value\"/\"values\"");
      seen_value = true;
      // Samples are read straight from the text (left unconsumed, simdjson skips them).
      const char* p = token_start(value);
      Sample sample;
      if (!pair_at(p, sample)) return false;
      out_.samples_.push_back(sample);
    } else if (key == "values") {
      if (seen_value || seen_values)
        return fail(key.data(), "a series has more than one \"value\"/\"values\"");
      seen_values = true;
      if (!samples_at(token_start(value))) return false;
    } else if (key == "histogram" || key == "histograms") {
      return fail(key.data(), "native histogram samples are not supported (series has \"" +
                                  std::string(key) + "\")");
    }
    last = key.data();
  }
  if (!seen_value && !seen_values)
    return fail(start, "a series has neither \"value\" nor \"values\"");
  any_value_ |= seen_value;
  any_values_ |= seen_values;
  if (any_value_ && any_values_)
    return fail(start, "the result mixes instant (\"value\") and range (\"values\") series");

  // Labels sorted by name, names unique. Prometheus sends them sorted; others may not.
  auto* labels = out_.labels_.data() + first_label;
  const auto count = static_cast<std::uint32_t>(out_.labels_.size() - first_label);
  const char* base = base_;
  auto name = [base](const detail::LabelRef& r) {
    return std::string_view(base + r.name_offset, r.name_size);
  };
  bool sorted = true;
  for (std::uint32_t i = 1; i < count; ++i) {
    if (!(name(labels[i - 1]) < name(labels[i]))) {
      sorted = false;
      break;
    }
  }
  if (!sorted) {
    std::sort(labels, labels + count,
              [&](const auto& a, const auto& b) { return name(a) < name(b); });
    for (std::uint32_t i = 1; i < count; ++i) {
      if (name(labels[i - 1]) == name(labels[i]))
        return fail(base_ + std::max(labels[i - 1].name_offset, labels[i].name_offset),
                    "duplicate label name \"" + std::string(name(labels[i])) + "\"");
    }
  }
  out_.series_.push_back({first_label, count, first_sample,
                          static_cast<std::uint32_t>(out_.samples_.size() - first_sample)});
  if (!reserved_) {
    const char* next = nullptr;
    reserve_from_first_series(doc_.current_location().get(next) ? last : next);
  }
  return true;
}

bool Walker::read_result(od::value& v) {
  result_at_ = token_start(v);
  od::array arr;
  if (v.get_array().get(arr)) return expected(result_at_, "data.result to be an array");
  std::size_t n = 0;
  for (auto element : arr) {
    od::value el;
    if (auto code = std::move(element).get(el)) return fail(code, "data.result");
    if (n == 0) {
      od::json_type type;
      if (auto code = el.type().get(type)) return fail(code, "data.result");
      shape_ = type == od::json_type::object ? Shape::Series : Shape::Pair;
    }
    if (shape_ == Shape::Series) {
      if (!read_series(el)) return false;
    } else if (n == 0) {
      if (!parse_time(el, pair_.time_ms)) return false;
    } else if (n == 1) {
      if (!string_value(el, pair_text_, "the result's value (a string)")) return false;
    } else {
      return expected(token_start(el), "']' after a scalar or string result's time and value");
    }
    ++n;
  }
  if (shape_ == Shape::Pair && n != 2)
    return expected(result_at_, "a result [time, \"value\"] with two elements");
  return true;
}

bool Walker::read_data(od::value& v) {
  const char* at = token_start(v);
  od::object obj;
  if (v.get_object().get(obj)) return expected(at, "\"data\" to be an object");
  for (auto member : obj) {
    od::field field;
    if (auto code = std::move(member).get(field)) return fail(code, "data");
    std::string_view key;
    if (!string_at(field.key().raw(), key)) return false;
    if (key == "resultType") {
      if (have_result_type_) return fail(key.data(), "duplicate \"resultType\"");
      have_result_type_ = true;
      result_type_at_ = token_start(field.value());
      if (!owned_string(field.value(), result_type_, "data.resultType (a string)")) return false;
    } else if (key == "result") {
      if (have_result_) return fail(key.data(), "duplicate \"result\"");
      have_result_ = true;
      if (!read_result(field.value())) return false;
    }
  }
  if (!have_result_type_) return fail(at, "data has no \"resultType\"");
  if (!have_result_) return fail(at, "data has no \"result\"");
  const char* where = result_at_;
  if (result_type_ == "vector" || result_type_ == "matrix") {
    bool vector = result_type_ == "vector";
    out_.type_ = vector ? ResultType::Vector : ResultType::Matrix;
    if (shape_ == Shape::Pair)
      return fail(where, "a " + result_type_ + " result must be an array of series");
    if (vector && any_values_) return fail(where, "a vector result has range (\"values\") series");
    if (!vector && any_value_) return fail(where, "a matrix result has instant (\"value\") series");
  } else if (result_type_ == "scalar" || result_type_ == "string") {
    bool scalar = result_type_ == "scalar";
    out_.type_ = scalar ? ResultType::Scalar : ResultType::String;
    if (shape_ != Shape::Pair)
      return fail(where, "a " + result_type_ + " result must be [time, \"value\"]");
    out_.scalar_ = pair_;
    if (scalar) {
      if (!parse_value(pair_text_, out_.scalar_.value)) return false;
    } else {
      out_.scalar_.value = std::numeric_limits<double>::quiet_NaN();
      out_.text_ = pair_text_;
    }
  } else {
    return fail(result_type_at_, "unknown resultType \"" + result_type_ + "\"");
  }
  return true;
}

bool Walker::read_warnings(od::value& v) {
  const char* at = token_start(v);
  od::array arr;
  if (v.get_array().get(arr)) return expected(at, "\"warnings\" to be an array of strings");
  for (auto element : arr) {
    od::value el;
    if (auto code = std::move(element).get(el)) return fail(code, "warnings");
    std::string w;
    if (!owned_string(el, w, "a warning (a string)")) return false;
    warnings.push_back(std::move(w));
  }
  return true;
}

bool Walker::run() {
  od::object root;
  if (doc_.get_object().get(root)) {
    const char* p = base_;
    while (p < end_ && is_json_space(*p)) ++p;
    if (p == end_ || *p != '{') return expected(p, "a JSON object");
    // simdjson checks that the last token closes the object: what follows or what is missing?
    Structure structure = scan_structure(base_, size_);
    if (structure.open_at_end > 0) return fail(end_, unclosed(structure.open_at_end));
    const char* after = base_ + structure.first_value_end;
    while (after < end_ && is_json_space(*after)) ++after;
    return fail(after, "unexpected content after the JSON object: '" + excerpt(after, end_) + "'");
  }
  bool have_status = false, have_error_type = false, have_error = false, have_warnings = false;
  for (auto member : root) {
    od::field field;
    if (auto code = std::move(member).get(field)) return fail(code, "the response object");
    std::string_view key;
    if (!string_at(field.key().raw(), key)) return false;
    od::value& value = field.value();
    auto once = [&](bool& seen) {
      if (seen) return fail(key.data(), "duplicate \"" + std::string(key) + "\"");
      seen = true;
      return true;
    };
    if (key == "status") {
      if (!once(have_status)) return false;
      status_at = token_start(value);
      if (!owned_string(value, status, "\"status\" (a string)")) return false;
    } else if (key == "data") {
      if (!once(have_data)) return false;
      if (!read_data(value)) return false;
    } else if (key == "errorType") {
      if (!once(have_error_type)) return false;
      if (!owned_string(value, error_type, "\"errorType\" (a string)")) return false;
    } else if (key == "error") {
      if (!once(have_error)) return false;
      if (!owned_string(value, error_message, "\"error\" (a string)")) return false;
    } else if (key == "warnings") {
      if (!once(have_warnings)) return false;
      if (!read_warnings(value)) return false;
    }
  }
  // current_location() is OUT_OF_BOUNDS exactly when every token has been read.
  const char* loc = nullptr;
  if (auto code = doc_.current_location().get(loc); code != simdjson::OUT_OF_BOUNDS) {
    const char* at = code ? end_ : loc;
    return fail(at, "unexpected content after the JSON object: '" + excerpt(at, end_) + "'");
  }
  if (!have_status) return fail(base_, "the response has no \"status\"");
  return true;
}

}  // namespace detail

struct Decoder::State {
  od::parser parser;
};

Decoder::Decoder() : state_(std::make_unique<State>()) {}
Decoder::~Decoder() = default;
Decoder::Decoder(Decoder&&) noexcept = default;
Decoder& Decoder::operator=(Decoder&&) noexcept = default;

DecodeResult Decoder::decode(std::string_view body) {
  if (body.size() > kMaxBody)
    return DecodeError{0, "response too large (" + std::to_string(body.size()) + " bytes)"};
  std::string buffer;
  try {
    buffer.reserve(body.size() + simdjson::SIMDJSON_PADDING);
    buffer.append(body);
  } catch (const std::bad_alloc&) {
    return DecodeError{0, "out of memory"};
  }
  return decode(std::move(buffer));
}

DecodeResult Decoder::decode(std::string&& body) {
  const std::size_t n = body.size();
  if (n > kMaxBody) return DecodeError{0, "response too large (" + std::to_string(n) + " bytes)"};
  try {
    QueryResult result;
    result.buffer_ = std::move(body);
    result.buffer_.append(simdjson::SIMDJSON_PADDING, '\0');
    char* base = result.buffer_.data();

    od::document doc;
    if (auto code = state_->parser.iterate(base, n, result.buffer_.size()).get(doc)) {
      switch (code) {
        case simdjson::EMPTY:
          return DecodeError{0, "empty body"};
        case simdjson::UTF8_ERROR:
          return DecodeError{locate_utf8_error(reinterpret_cast<const unsigned char*>(base), n),
                             "invalid UTF-8"};
        case simdjson::UNCLOSED_STRING:
          return DecodeError{locate_string_error(base, n, false),
                             "truncated JSON: unclosed string"};
        case simdjson::UNESCAPED_CHARS:
          return DecodeError{locate_string_error(base, n, true),
                             "control character in a string (must be escaped)"};
        case simdjson::CAPACITY:
          return DecodeError{0, "response too large"};
        default:
          return DecodeError{0, std::string("invalid JSON: ") + simdjson::error_message(code)};
      }
    }
    detail::Walker walker(base, n, result, doc);
    if (!walker.run()) return walker.take_error();
    if (walker.status == "error") {
      return ApiError{std::move(walker.error_type), std::move(walker.error_message),
                      std::move(walker.warnings)};
    }
    if (walker.status != "success")
      return DecodeError{
          static_cast<std::size_t>(walker.status_at - base),
          "\"status\" is \"" + walker.status + "\", expected \"success\" or \"error\""};
    if (!walker.have_data) return DecodeError{0, "a successful response has no \"data\""};
    result.warnings_ = std::move(walker.warnings);
    return result;
  } catch (const std::bad_alloc&) {
    return DecodeError{0, "out of memory"};
  } catch (const std::length_error&) {
    return DecodeError{0, "out of memory"};
  }
}

namespace {
Decoder& thread_decoder() {
  thread_local Decoder decoder;
  return decoder;
}
}  // namespace

DecodeResult decode_response(std::string_view body) {
  return thread_decoder().decode(body);
}
DecodeResult decode_response(std::string&& body) {
  return thread_decoder().decode(std::move(body));
}

}  // namespace skippy::prometheus
