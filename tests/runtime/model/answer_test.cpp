// Reading what a model's server answered: each API's envelope (answers, truncation, refusals,
// content filter, error bodies, 429 with Retry-After, an exhausted quota, garbage) and the
// answer itself held to the closed choice, field by field.
#include <boost/test/unit_test.hpp>

#include <ostream>

#include "runtime/model/answer.hpp"

using namespace skippy;
using model::Backend;
using model::CallOutcome;

namespace skippy::model {
// For Boost.Test's messages.
inline std::ostream& operator<<(std::ostream& out, CallOutcome o) {
  return out << outcome_name(o);
}
}  // namespace skippy::model

namespace {

http::Response response(int status, std::string body, std::string retry_after = "",
                        std::string retry_after_ms = "") {
  http::Response r;
  r.status = status;
  r.body = std::move(body);
  r.retry_after = std::move(retry_after);
  r.retry_after_ms = std::move(retry_after_ms);
  return r;
}

const std::vector<std::string> kChoices = {"restart", "scale", "none"};
const std::vector<std::string> kIds = {"s1", "p1", "e1", "o1"};

model::Validation check(std::string_view answer) {
  return model::validate_answer(answer, kChoices, kIds);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(answers)

BOOST_AUTO_TEST_CASE(ollama_envelopes) {
  auto ok = model::read_reply(
      Backend::Ollama,
      response(200,
               R"({"model":"m","message":{"role":"assistant","content":"{\"a\":1}"},)"
               R"("done":true,"done_reason":"stop","prompt_eval_count":120,"eval_count":30})"));
  BOOST_TEST(ok.outcome == CallOutcome::Answered);
  BOOST_TEST(ok.content == R"({"a":1})");
  BOOST_TEST(ok.prompt_tokens == 120);
  BOOST_TEST(ok.completion_tokens == 30);
  auto cut = model::read_reply(
      Backend::Ollama,
      response(200, R"({"message":{"content":"{\"act"},"done":true,"done_reason":"length"})"));
  BOOST_TEST(cut.outcome == CallOutcome::Truncated);
  auto error = model::read_reply(
      Backend::Ollama, response(404, R"({"error":"model \"x\" not found, try pulling it first"})"));
  BOOST_TEST(error.outcome == CallOutcome::HttpError);
  BOOST_TEST(error.problem == R"(HTTP 404: model "x" not found, try pulling it first)");
  auto streamed = model::read_reply(Backend::Ollama,
                                    response(200, R"({"message":{"content":"x"},"done":false})"));
  BOOST_TEST(streamed.outcome == CallOutcome::BadEnvelope);
}

BOOST_AUTO_TEST_CASE(openai_envelopes) {
  auto ok = model::read_reply(
      Backend::OpenAI,
      response(200, R"({"choices":[{"index":0,"message":{"role":"assistant","content":"{}",)"
                    R"("refusal":null},"finish_reason":"stop"}],"usage":{"prompt_tokens":200,)"
                    R"("completion_tokens":20,"total_tokens":220}})"));
  BOOST_TEST(ok.outcome == CallOutcome::Answered);
  BOOST_TEST(ok.prompt_tokens + ok.completion_tokens == 220);
  auto refused = model::read_reply(
      Backend::OpenAI,
      response(200,
               R"({"choices":[{"message":{"content":null,"refusal":"I can't help with that."},)"
               R"("finish_reason":"stop"}]})"));
  BOOST_TEST(refused.outcome == CallOutcome::Refused);
  BOOST_TEST(refused.problem == "the model refused: I can't help with that.");
  auto filtered = model::read_reply(
      Backend::OpenAI,
      response(200,
               R"({"choices":[{"message":{"content":""},"finish_reason":"content_filter"}]})"));
  BOOST_TEST(filtered.outcome == CallOutcome::Refused);
  auto cut = model::read_reply(
      Backend::OpenAI,
      response(200, R"({"choices":[{"message":{"content":"{\"ac"},"finish_reason":"length"}]})"));
  BOOST_TEST(cut.outcome == CallOutcome::Truncated);
  auto limited = model::read_reply(
      Backend::OpenAI,
      response(
          429,
          R"({"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}})",
          "20", "19500"));
  BOOST_TEST(limited.outcome == CallOutcome::RateLimited);
  BOOST_TEST(limited.retry_after_ms == 19500);  // retry-after-ms wins over retry-after
  auto quota = model::read_reply(
      Backend::OpenAI,
      response(
          429,
          R"({"error":{"message":"You exceeded your current quota","type":"insufficient_quota","code":"insufficient_quota"}})"));
  BOOST_TEST(quota.outcome == CallOutcome::Quota);
  auto garbage = model::read_reply(Backend::OpenAI, response(200, "<html>bad gateway</html>"));
  BOOST_TEST(garbage.outcome == CallOutcome::BadEnvelope);
  http::Response none;
  none.error = "timed out after 200 ms";
  BOOST_TEST(model::read_reply(Backend::OpenAI, none).outcome == CallOutcome::Unreachable);
}

BOOST_AUTO_TEST_CASE(a_valid_answer_is_accepted) {
  auto v = check(
      R"({"action":"restart","confidence":0.8,"reason":"s1 rises on <pod-1>","evidence":["s1","o1"]})");
  BOOST_TEST_REQUIRE(v.ok, v.problem);
  BOOST_TEST(v.answer.action == "restart");
  BOOST_TEST(v.answer.confidence == 0.8);
  BOOST_TEST(v.answer.evidence == (std::vector<std::string>{"s1", "o1"}));
  BOOST_TEST(check(R"({"action":"none","confidence":1,"reason":"","evidence":[]})").ok);
}

BOOST_AUTO_TEST_CASE(every_broken_rule_is_rejected_with_why) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"action":"delete","confidence":0.5,"reason":"x","evidence":[]})",
       "action `delete` is not one of the allowed actions"},
      {R"({"action":"Restart","confidence":0.5,"reason":"x","evidence":[]})",
       "action `Restart` is not one of the allowed actions"},
      {R"({"action":"restart","confidence":0.5,"reason":"x","evidence":[],"arguments":{"replicas":100}})",
       "an unexpected field `arguments`"},
      {R"({"action":"restart","confidence":5,"reason":"x","evidence":[]})",
       "confidence 5.000000 is not between 0 and 1"},
      {R"({"action":"restart","confidence":-0.1,"reason":"x","evidence":[]})",
       "confidence -0.100000 is not between 0 and 1"},
      {R"({"action":"restart","confidence":"0.9","reason":"x","evidence":[]})",
       "confidence is not a number"},
      {R"({"action":"restart","confidence":1e999,"reason":"x","evidence":[]})", "not JSON"},
      {R"({"action":"restart","confidence":NaN,"reason":"x","evidence":[]})", "not JSON"},
      {R"({"action":"restart","confidence":0.5,"reason":"x","evidence":["s99"]})",
       "evidence id `s99` was never sent"},
      {R"({"action":"restart","confidence":0.5,"reason":"x","evidence":"s1"})",
       "evidence is not an array"},
      {R"({"action":"restart","confidence":0.5,"reason":"x","evidence":["s1","s1"]})",
       "evidence id `s1` twice"},
      {R"({"action":"none","action":"restart","confidence":0.5,"reason":"x","evidence":[]})",
       "the field `action` twice"},
      {R"({"action":"restart","confidence":0.5,"evidence":[]})", "no reason field"},
      {R"({"action":"restart","confidence":0.5,"reason":7,"evidence":[]})",
       "reason is not a string"},
      {R"(["restart"])", "not a JSON object"},
      {R"({"action":"restart","confidence":0.5,"rea)", "not JSON"},
      {"", "not JSON"},
      {"Sure! Here is my answer: restart", "not JSON"},
  };
  for (const auto& [answer, why] : cases) {
    auto v = check(answer);
    BOOST_TEST(!v.ok, answer);
    BOOST_TEST(v.problem.rfind(why, 0) == 0, answer << " -> " << v.problem);
  }
  auto essay = check(R"({"action":"restart","confidence":0.5,"reason":")" + std::string(5000, 'a') +
                     R"(","evidence":[]})");
  BOOST_TEST(!essay.ok);
  std::string deep(100000, '[');
  BOOST_TEST(!check(deep).ok);
}

BOOST_AUTO_TEST_SUITE_END()
