// Decoding of Prometheus HTTP API responses (/api/v1/query, /api/v1/query_range), as sent by
// Prometheus and the servers that speak its API (Thanos, Mimir, VictoriaMetrics).
//
// A decoded result owns the response body (padded for simdjson) and refers into it: label
// names and values are views of the body's bytes (escaped strings are unescaped in place), so
// decoding 100,000 series allocates a handful of flat tables, not a string per label.
// Errors are values: nothing here throws.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace skippy::prometheus {

enum class ResultType : std::uint8_t { Vector, Matrix, Scalar, String };
std::string_view to_string(ResultType type);

// One sample. Times are milliseconds since the epoch (the API sends seconds with millisecond
// precision); values are exact (std::from_chars), including NaN, +Inf and -Inf.
struct Sample {
  std::int64_t time_ms = 0;
  double value = 0;
};

struct Label {
  std::string_view name;
  std::string_view value;
  friend bool operator==(const Label&, const Label&) = default;
};

namespace detail {
// Where one label's name and value lie in the result's buffer.
struct LabelRef {
  std::uint32_t name_offset;
  std::uint32_t name_size;
  std::uint32_t value_offset;
  std::uint32_t value_size;
};
class Walker;  // decode.cpp
struct SeriesRef {
  std::uint32_t first_label;
  std::uint32_t label_count;
  std::uint32_t first_sample;
  std::uint32_t sample_count;
};
}  // namespace detail

// The labels of one series, sorted by name, names unique. A view: valid while its result lives.
class Labels {
 public:
  class iterator {
   public:
    using iterator_category = std::random_access_iterator_tag;
    using value_type = Label;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = Label;
    iterator() = default;
    iterator(const char* base, const detail::LabelRef* ref) : base_(base), ref_(ref) {}
    Label operator*() const {
      return {{base_ + ref_->name_offset, ref_->name_size},
              {base_ + ref_->value_offset, ref_->value_size}};
    }
    Label operator[](difference_type n) const { return *(*this + n); }
    iterator& operator++() {
      ++ref_;
      return *this;
    }
    iterator operator++(int) {
      auto old = *this;
      ++ref_;
      return old;
    }
    iterator& operator--() {
      --ref_;
      return *this;
    }
    iterator operator--(int) {
      auto old = *this;
      --ref_;
      return old;
    }
    iterator& operator+=(difference_type n) {
      ref_ += n;
      return *this;
    }
    iterator& operator-=(difference_type n) {
      ref_ -= n;
      return *this;
    }
    friend iterator operator+(iterator it, difference_type n) { return it += n; }
    friend iterator operator+(difference_type n, iterator it) { return it += n; }
    friend iterator operator-(iterator it, difference_type n) { return it -= n; }
    friend difference_type operator-(const iterator& a, const iterator& b) {
      return a.ref_ - b.ref_;
    }
    friend bool operator==(const iterator& a, const iterator& b) { return a.ref_ == b.ref_; }
    friend auto operator<=>(const iterator& a, const iterator& b) { return a.ref_ <=> b.ref_; }

   private:
    const char* base_ = nullptr;
    const detail::LabelRef* ref_ = nullptr;
  };

  Labels() = default;
  Labels(const char* base, std::span<const detail::LabelRef> refs) : base_(base), refs_(refs) {}
  std::size_t size() const { return refs_.size(); }
  bool empty() const { return refs_.empty(); }
  iterator begin() const { return {base_, refs_.data()}; }
  iterator end() const { return {base_, refs_.data() + refs_.size()}; }
  Label operator[](std::size_t i) const { return begin()[static_cast<std::ptrdiff_t>(i)]; }
  // The value of label `name`, if the series has it.
  std::optional<std::string_view> get(std::string_view name) const;
  // "{a="x", b="y"}" with values escaped as PromQL strings: for messages and tests.
  std::string to_string() const;

 private:
  const char* base_ = nullptr;
  std::span<const detail::LabelRef> refs_;
};

// One series of a vector (exactly one sample) or matrix (samples in time order as sent).
struct Series {
  Labels labels;
  std::span<const Sample> samples;
};

class QueryResult {
 public:
  class iterator;

  QueryResult() = default;
  QueryResult(QueryResult&&) noexcept = default;
  QueryResult& operator=(QueryResult&&) noexcept = default;
  QueryResult(const QueryResult&) = delete;  // views would point into the other's buffer
  QueryResult& operator=(const QueryResult&) = delete;

  ResultType type() const { return type_; }
  // Vector and matrix: the series, in the order the server sent them.
  std::size_t size() const { return series_.size(); }
  bool empty() const { return series_.empty(); }
  Series operator[](std::size_t i) const;
  iterator begin() const;
  iterator end() const;
  // Scalar and string results: the one sample, and for a string result its text.
  Sample scalar() const { return scalar_; }
  std::string_view string_value() const { return text_; }
  // Warnings the server attached to the response (query succeeded regardless).
  const std::vector<std::string>& warnings() const { return warnings_; }
  // Total samples over all series.
  std::size_t sample_count() const { return samples_.size(); }
  // Approximate heap bytes held (body buffer and tables).
  std::size_t memory_bytes() const;

 private:
  friend class Decoder;
  friend class detail::Walker;
  ResultType type_ = ResultType::Vector;
  std::string buffer_;  // the body plus simdjson's padding; labels point into it
  std::vector<detail::LabelRef> labels_;
  std::vector<Sample> samples_;
  std::vector<detail::SeriesRef> series_;
  std::vector<std::string> warnings_;
  Sample scalar_{};
  std::string_view text_;
};

class QueryResult::iterator {
 public:
  using iterator_category = std::forward_iterator_tag;
  using value_type = Series;
  using difference_type = std::ptrdiff_t;
  using pointer = void;
  using reference = Series;
  iterator() = default;
  iterator(const QueryResult* result, std::size_t i) : result_(result), i_(i) {}
  Series operator*() const { return (*result_)[i_]; }
  iterator& operator++() {
    ++i_;
    return *this;
  }
  iterator operator++(int) {
    auto old = *this;
    ++i_;
    return old;
  }
  friend bool operator==(const iterator& a, const iterator& b) { return a.i_ == b.i_; }

 private:
  const QueryResult* result_ = nullptr;
  std::size_t i_ = 0;
};

inline QueryResult::iterator QueryResult::begin() const {
  return {this, 0};
}
inline QueryResult::iterator QueryResult::end() const {
  return {this, series_.size()};
}

// The response was well formed and said `"status": "error"`.
struct ApiError {
  std::string error_type;  // "bad_data", "execution", "timeout", "canceled", "internal", ...
  std::string message;     // the `error` field
  std::vector<std::string> warnings;
};

// The response was not a valid API response: where (byte offset into the body) and why.
struct DecodeError {
  std::size_t offset = 0;
  std::string message;
};
// "byte 123: expected ..."
std::string to_string(const DecodeError& error);

using DecodeResult = std::variant<QueryResult, ApiError, DecodeError>;

// Decodes one response body. Copies the body once into the result's padded buffer.
DecodeResult decode_response(std::string_view body);
// Takes the body over: no copy when its capacity already leaves room for the padding
// (decode_padding() bytes past its size; the client's buffers always do).
DecodeResult decode_response(std::string&& body);
inline DecodeResult decode_response(const char* body) {
  return decode_response(std::string_view(body));
}
// Bytes of spare capacity a body needs past its size for decoding it without a copy.
std::size_t decode_padding();

// Reusable decoding state (simdjson's parser and its buffers). decode_response() uses one
// per thread; a Decoder of your own keeps the buffers between calls. Not thread-safe.
class Decoder {
 public:
  Decoder();
  ~Decoder();
  Decoder(Decoder&&) noexcept;
  Decoder& operator=(Decoder&&) noexcept;
  DecodeResult decode(std::string_view body);
  DecodeResult decode(std::string&& body);
  DecodeResult decode(const char* body) { return decode(std::string_view(body)); }

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace skippy::prometheus
