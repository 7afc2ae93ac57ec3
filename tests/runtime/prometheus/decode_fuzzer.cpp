// Fuzzes the Prometheus response decoder: any bytes must give a result, an API error, or a
// DecodeError located inside the body; never a crash, a hang, or an exception. For results,
// every label and sample is read back (so views into the body are checked by ASan), labels
// must be sorted with unique names, and decoding the same bytes again (through the no-copy
// path) must give the same answer.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <variant>

#include "runtime/prometheus/decode.hpp"

namespace pm = skippy::prometheus;

namespace {

std::size_t digest(const pm::DecodeResult& r) {
  std::size_t h = r.index();
  if (const auto* q = std::get_if<pm::QueryResult>(&r)) {
    h = h * 31 + q->size() * 7 + q->sample_count();
    for (auto series : *q) {
      std::string_view previous;
      bool first = true;
      for (pm::Label label : series.labels) {
        if (!first && !(previous < label.name)) std::abort();  // sorted, unique
        first = false;
        previous = label.name;
        for (char c : label.name) h = h * 131 + static_cast<unsigned char>(c);
        for (char c : label.value) h = h * 131 + static_cast<unsigned char>(c);
      }
      for (const auto& s : series.samples) h = h * 31 + static_cast<std::size_t>(s.time_ms);
    }
    for (char c : q->string_value()) h = h * 131 + static_cast<unsigned char>(c);
  } else if (const auto* e = std::get_if<pm::DecodeError>(&r)) {
    h = h * 31 + e->offset;
    if (e->message.empty()) std::abort();
  }
  return h;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  pm::DecodeResult borrowed = pm::decode_response(body);
  if (const auto* e = std::get_if<pm::DecodeError>(&borrowed)) {
    if (e->offset > size) std::abort();
  }
  std::string owned;
  owned.reserve(size + pm::decode_padding());
  owned.append(body);
  pm::DecodeResult again = pm::decode_response(std::move(owned));
  if (digest(borrowed) != digest(again)) std::abort();
  return 0;
}
