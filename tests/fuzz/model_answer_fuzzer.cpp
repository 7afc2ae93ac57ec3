// Fuzzes what comes back from a model's server: the first byte picks the API and the status,
// the rest is the response body. Whatever it is, reading it never crashes, and an answer that
// passes validation names an allowed action, a confidence from 0 to 1 and ids that were sent.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "runtime/model/answer.hpp"

using namespace skippy;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static const std::vector<std::string> choices = {"restart", "scale", "none"};
  static const std::vector<std::string> ids = {"s1", "p1", "k1", "e1", "o1", "o2"};
  static const int statuses[] = {200, 200, 200, 200, 400, 429, 500, 503};
  http::Response response;
  response.status = statuses[(data[0] >> 1) % 8];
  response.body.assign(reinterpret_cast<const char*>(data + 1), size - 1);
  if (data[0] & 0x10) response.retry_after = "7";
  const auto backend = (data[0] & 1) ? model::Backend::OpenAI : model::Backend::Ollama;
  auto reply = model::read_reply(backend, response);
  // The body itself as an answer too: a model may return anything as its content.
  for (const std::string* content : {&reply.content, &response.body}) {
    auto v = model::validate_answer(*content, choices, ids);
    if (!v.ok) continue;
    if (std::find(choices.begin(), choices.end(), v.answer.action) == choices.end()) std::abort();
    if (!(v.answer.confidence >= 0 && v.answer.confidence <= 1)) std::abort();
    for (const auto& id : v.answer.evidence)
      if (std::find(ids.begin(), ids.end(), id) == ids.end()) std::abort();
    if (v.answer.reason.size() > model::kMaxReasonBytes) std::abort();
  }
  return 0;
}
