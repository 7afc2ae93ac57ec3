#include "runtime/model/answer.hpp"

#include <simdjson.h>

#include <algorithm>
#include <cmath>

#include "runtime/http/retry_after.hpp"

namespace skippy::model {
namespace {

namespace dom = simdjson::dom;

std::string cut(std::string_view s, std::size_t n = 200) {
  std::string out(s.substr(0, n));
  for (char& c : out) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return out + (s.size() > n ? "..." : "");
}

// A number field of an object as a whole count, 0 when absent or not a count.
std::int64_t count_field(dom::object o, std::string_view name) {
  dom::element e;
  if (o.at_key(name).get(e) != simdjson::SUCCESS) return 0;
  std::int64_t i = 0;
  if (e.get_int64().get(i) == simdjson::SUCCESS) return std::max<std::int64_t>(0, i);
  std::uint64_t u = 0;
  if (e.get_uint64().get(u) == simdjson::SUCCESS) return static_cast<std::int64_t>(u >> 1);
  return 0;
}

std::string string_field(dom::object o, std::string_view name) {
  std::string_view v;
  if (o.at_key(name).get_string().get(v) != simdjson::SUCCESS) return {};
  return std::string(v);
}

// The error message of an error body: Ollama's {"error": "..."} or OpenAI's
// {"error": {"message", "type", "code"}}; the body's start otherwise. `code` gets the type or
// code when there is one.
std::string error_text(dom::element doc, std::string_view body, std::string& code) {
  dom::object o;
  if (doc.get_object().get(o) == simdjson::SUCCESS) {
    dom::element e;
    if (o.at_key("error").get(e) == simdjson::SUCCESS) {
      std::string_view s;
      if (e.get_string().get(s) == simdjson::SUCCESS) return cut(s);
      dom::object eo;
      if (e.get_object().get(eo) == simdjson::SUCCESS) {
        code = string_field(eo, "code");
        if (code.empty()) code = string_field(eo, "type");
        std::string type = string_field(eo, "type");
        if (type == "insufficient_quota") code = type;
        return cut(string_field(eo, "message")) + (code.empty() ? "" : " (" + code + ")");
      }
    }
  }
  return cut(body);
}

void read_ollama(dom::object o, Reply& r) {
  r.prompt_tokens = count_field(o, "prompt_eval_count");
  r.completion_tokens = count_field(o, "eval_count");
  dom::object message;
  std::string_view content;
  if (o.at_key("message").get_object().get(message) != simdjson::SUCCESS ||
      message.at_key("content").get_string().get(content) != simdjson::SUCCESS) {
    r.outcome = CallOutcome::BadEnvelope;
    r.problem = "no message.content in the response";
    return;
  }
  bool done = false;
  if (o.at_key("done").get_bool().get(done) != simdjson::SUCCESS || !done) {
    r.outcome = CallOutcome::BadEnvelope;
    r.problem = "the response is not done (a streamed answer?)";
    return;
  }
  std::string reason = string_field(o, "done_reason");
  if (reason == "length") {
    r.outcome = CallOutcome::Truncated;
    r.problem = "the answer was cut at the token limit (done_reason \"length\")";
    return;
  }
  r.outcome = CallOutcome::Answered;
  r.content = std::string(content);
}

void read_openai(dom::object o, Reply& r) {
  dom::object usage;
  if (o.at_key("usage").get_object().get(usage) == simdjson::SUCCESS) {
    r.prompt_tokens = count_field(usage, "prompt_tokens");
    r.completion_tokens = count_field(usage, "completion_tokens");
  }
  dom::array choices;
  dom::object choice, message;
  if (o.at_key("choices").get_array().get(choices) != simdjson::SUCCESS ||
      choices.at(0).get_object().get(choice) != simdjson::SUCCESS ||
      choice.at_key("message").get_object().get(message) != simdjson::SUCCESS) {
    r.outcome = CallOutcome::BadEnvelope;
    r.problem = "no choices[0].message in the response";
    return;
  }
  std::string finish = string_field(choice, "finish_reason");
  std::string refusal = string_field(message, "refusal");
  if (!refusal.empty()) {
    r.outcome = CallOutcome::Refused;
    r.problem = "the model refused: " + cut(refusal);
    return;
  }
  if (finish == "content_filter") {
    r.outcome = CallOutcome::Refused;
    r.problem = "the answer was withheld by the content filter (finish_reason \"content_filter\")";
    return;
  }
  if (finish == "length") {
    r.outcome = CallOutcome::Truncated;
    r.problem = "the answer was cut at the token limit (finish_reason \"length\")";
    return;
  }
  std::string_view content;
  if (message.at_key("content").get_string().get(content) != simdjson::SUCCESS) {
    r.outcome = CallOutcome::BadEnvelope;
    r.problem = "choices[0].message.content is not a string";
    return;
  }
  r.outcome = CallOutcome::Answered;
  r.content = std::string(content);
}

}  // namespace

std::string_view outcome_name(CallOutcome outcome) {
  switch (outcome) {
    case CallOutcome::Answered:
      return "answered";
    case CallOutcome::Truncated:
      return "truncated";
    case CallOutcome::Refused:
      return "refused";
    case CallOutcome::RateLimited:
      return "rate_limited";
    case CallOutcome::Quota:
      return "quota";
    case CallOutcome::HttpError:
      return "http_error";
    case CallOutcome::Unreachable:
      return "unreachable";
    case CallOutcome::BadEnvelope:
      return "bad_response";
  }
  return "unknown";
}

Reply read_reply(Backend backend, const http::Response& response) {
  Reply r;
  if (!response.error.empty() || response.status == 0) {
    r.outcome = CallOutcome::Unreachable;
    r.problem = response.error.empty() ? "no response" : response.error;
    return r;
  }
  r.retry_after_ms = http::retry_after_ms(response.retry_after, {}, response.retry_after_ms);
  dom::parser parser;
  dom::element doc;
  const bool json = parser.parse(response.body).get(doc) == simdjson::SUCCESS;
  if (response.status < 200 || response.status >= 300) {
    std::string code;
    std::string text = json ? error_text(doc, response.body, code) : cut(response.body);
    r.problem = "HTTP " + std::to_string(response.status) + (text.empty() ? "" : ": " + text);
    if (code == "insufficient_quota") {
      r.outcome = CallOutcome::Quota;
    } else if (response.status == 429) {
      r.outcome = CallOutcome::RateLimited;
    } else {
      r.outcome = CallOutcome::HttpError;
    }
    return r;
  }
  dom::object o;
  if (!json || doc.get_object().get(o) != simdjson::SUCCESS) {
    r.outcome = CallOutcome::BadEnvelope;
    r.problem = "the response is not a JSON object: " + cut(response.body, 80);
    return r;
  }
  if (dom::element e; o.at_key("error").get(e) == simdjson::SUCCESS) {
    std::string code;
    r.outcome = CallOutcome::HttpError;
    r.problem = "error: " + error_text(doc, response.body, code);
    if (code == "insufficient_quota") r.outcome = CallOutcome::Quota;
    return r;
  }
  if (backend == Backend::Ollama) {
    read_ollama(o, r);
  } else {
    read_openai(o, r);
  }
  return r;
}

Validation validate_answer(std::string_view content, std::span<const std::string> choices,
                           std::span<const std::string> ids) {
  Validation v;
  dom::parser parser;
  dom::element doc;
  if (auto error = parser.parse(content.data(), content.size()).get(doc); error) {
    v.problem = std::string("not JSON: ") + simdjson::error_message(error);
    return v;
  }
  dom::object o;
  if (doc.get_object().get(o) != simdjson::SUCCESS) {
    v.problem = "not a JSON object";
    return v;
  }
  bool seen[4] = {false, false, false, false};
  for (auto field : o) {
    const std::string_view key = field.key;
    int which = key == "action"       ? 0
                : key == "confidence" ? 1
                : key == "reason"     ? 2
                : key == "evidence"   ? 3
                                      : -1;
    if (which < 0) {
      v.problem = "an unexpected field `" + cut(key, 40) + "`";
      return v;
    }
    if (seen[which]) {
      v.problem = "the field `" + std::string(key) + "` twice";
      return v;
    }
    seen[which] = true;
    const dom::element& value = field.value;
    if (which == 0) {
      std::string_view action;
      if (value.get_string().get(action) != simdjson::SUCCESS) {
        v.problem = "action is not a string";
        return v;
      }
      if (std::find(choices.begin(), choices.end(), action) == choices.end()) {
        v.problem = "action `" + cut(action, 40) + "` is not one of the allowed actions";
        return v;
      }
      v.answer.action = std::string(action);
    } else if (which == 1) {
      double c = 0;
      std::int64_t i = 0;
      if (value.get_double().get(c) != simdjson::SUCCESS) {
        if (value.get_int64().get(i) != simdjson::SUCCESS) {
          v.problem = "confidence is not a number";
          return v;
        }
        c = static_cast<double>(i);
      }
      if (!std::isfinite(c) || c < 0 || c > 1) {
        v.problem = "confidence " + std::to_string(c) + " is not between 0 and 1";
        return v;
      }
      v.answer.confidence = c;
    } else if (which == 2) {
      std::string_view reason;
      if (value.get_string().get(reason) != simdjson::SUCCESS) {
        v.problem = "reason is not a string";
        return v;
      }
      if (reason.size() > kMaxReasonBytes) {
        v.problem = "reason is longer than " + std::to_string(kMaxReasonBytes) + " bytes";
        return v;
      }
      v.answer.reason = std::string(reason);
    } else {
      dom::array items;
      if (value.get_array().get(items) != simdjson::SUCCESS) {
        v.problem = "evidence is not an array";
        return v;
      }
      for (auto item : items) {
        std::string_view id;
        if (item.get_string().get(id) != simdjson::SUCCESS) {
          v.problem = "evidence holds something other than ids";
          return v;
        }
        if (std::find(ids.begin(), ids.end(), id) == ids.end()) {
          v.problem = "evidence id `" + cut(id, 40) + "` was never sent";
          return v;
        }
        if (std::find(v.answer.evidence.begin(), v.answer.evidence.end(), id) !=
            v.answer.evidence.end()) {
          v.problem = "evidence id `" + std::string(id) + "` twice";
          return v;
        }
        v.answer.evidence.emplace_back(id);
      }
    }
  }
  for (int i = 0; i < 4; ++i) {
    if (!seen[i]) {
      static const char* names[] = {"action", "confidence", "reason", "evidence"};
      v.problem = std::string("no ") + names[i] + " field";
      return v;
    }
  }
  v.ok = true;
  return v;
}

}  // namespace skippy::model
