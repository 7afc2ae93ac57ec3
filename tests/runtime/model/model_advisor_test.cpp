// The model advisor against the loopback stand-in of both chat APIs (simulator/
// model_stand_in.hpp), as harmless as the issue asks when the model is wrong, hostile, slow
// or absent: no hostile answer among 10,000 (and none over HTTP) yields an action outside the
// site's set; a hanging model costs a tick --ai.timeout in all; answers that come late are
// cached; Retry-After, quota, the breaker and the budgets hold under a storm of questions;
// the key travels only as a header. Time is the questions' clock; only the model's own wait
// is real.
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <map>
#include <mutex>
#include <set>

#include "agent/model_metrics.hpp"
#include "runtime/engine/audit.hpp"
#include "runtime/engine/tick.hpp"
#include "runtime/model/model_advisor.hpp"
#include "simulator/model_stand_in.hpp"
#include "simulator/model_wire.hpp"
#include "stdlib/analyzer.hpp"
#include "tests/runtime/model/question_fixture.hpp"

using namespace skippy;
using model::Backend;
using sim::ModelMode;

namespace {

const std::string kKey = "sk-test-5f1c0ffee";

// Counts what the advisor reports, as /metrics would.
class Counts final : public model::ModelObserver {
 public:
  void call_ended(const model::CallReport& r) override {
    std::lock_guard lock(mutex_);
    ++calls[std::string(model::outcome_name(r.outcome))];
  }
  void cache_hit() override { ++hits; }
  void fell_back(std::string_view reason) override {
    std::lock_guard lock(mutex_);
    ++fallbacks[std::string(reason)];
  }
  void budget_left(std::int64_t c, std::int64_t) override { calls_left = c; }
  std::map<std::string, int> calls, fallbacks;
  int hits = 0;
  std::int64_t calls_left = -2;

 private:
  std::mutex mutex_;
};

struct Rig {
  sim::ModelStandIn standin;
  stdlib::DeterministicAnalyzer deterministic;
  Counts counts;
  std::unique_ptr<model::ModelAdvisor> advisor;

  explicit Rig(Backend backend, sim::ModelOptions options = {},
               std::function<void(model::ModelSettings&)> tune = {})
      : standin([&] {
          options.api_key = kKey;
          return options;
        }()) {
    auto error = standin.start();
    BOOST_REQUIRE_MESSAGE(!error, error.value_or(""));
    model::ModelSettings s;
    s.backend = backend;
    s.url = standin.url();
    s.generation.model = backend == Backend::Ollama ? "llama3.1:8b" : "gpt-4o-mini";
    s.api_key = kKey;
    s.timeout_ms = 5'000;
    if (tune) tune(s);
    advisor = std::make_unique<model::ModelAdvisor>(s, deterministic, &counts);
  }
  ~Rig() {
    standin.shutdown();  // wakes a hanging request, so the advisor's workers end
    advisor.reset();
  }
  engine::Verdict ask(const test::QuestionFixture& f) { return advisor->analyze(f.q); }
};

// A question whose evidence (and so its prompt) differs by `n`.
test::QuestionFixture question(int n, std::int64_t now = test::kNow) {
  test::QuestionFixture f;
  f.q.now_ms = now;
  f.pod.restarts = n;
  return f;
}

sim::ModelOptions in_mode(ModelMode mode, std::int64_t delay_ms = 0, std::uint64_t seed = 42,
                          std::int64_t retry_after_s = 2) {
  sim::ModelOptions o;
  o.mode = mode;
  o.delay_ms = delay_ms;
  o.seed = seed;
  o.retry_after_s = retry_after_s;
  return o;
}

bool allowed(const std::string& action) {
  return action == "restart" || action == "scale" || action == "none";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(model_advisor)

BOOST_AUTO_TEST_CASE(both_apis_answer_in_the_clusters_words_with_the_key_only_in_a_header) {
  for (auto backend : {Backend::Ollama, Backend::OpenAI}) {
    Rig rig(backend);
    test::QuestionFixture f;
    auto v = rig.ask(f);
    BOOST_TEST(v.analyzer == std::string(model::backend_name(backend)));
    BOOST_TEST(v.action == "restart");
    BOOST_TEST(v.confidence == 0.8);
    // The stand-in wrote "... on <pod-1>": mapped back.
    BOOST_TEST(v.reason.find("on " + f.names.pod) != std::string::npos, v.reason);
    BOOST_TEST_REQUIRE(v.evidence.size() == 1u);
    BOOST_TEST(v.evidence[0].id == "s1");
    BOOST_TEST_REQUIRE(v.model.has_value());
    BOOST_TEST(v.model->validation == "accepted");
    BOOST_TEST(v.model->fallback.empty());
    BOOST_TEST(v.model->tokens > 0);
    BOOST_TEST(v.trend == "rising");  // the deterministic figures stay
    auto requests = rig.standin.requests();
    BOOST_TEST_REQUIRE(requests.size() == 1u);
    BOOST_TEST(requests[0].path ==
               (backend == Backend::Ollama ? "/api/chat" : "/v1/chat/completions"));
    BOOST_TEST(requests[0].headers["authorization"] == "Bearer " + kKey);
    BOOST_TEST(requests[0].body.find(kKey) == std::string::npos);
    for (const auto& name : f.all_names())
      BOOST_TEST(requests[0].body.find(name) == std::string::npos, name);
    // Nor is the key in the audit record.
    engine::VerdictRecord record;
    record.verdict = v;
    const std::string audit = engine::analysis_json(f.program, record);
    BOOST_TEST(audit.find(kKey) == std::string::npos);
    BOOST_TEST(audit.find("\"validation\":\"accepted\"") != std::string::npos, audit);
    BOOST_TEST(audit.find("<pod-1>") != std::string::npos);  // the evidence as sent
  }
}

BOOST_AUTO_TEST_CASE(no_hostile_answer_of_ten_thousand_escapes_the_closed_choice) {
  test::QuestionFixture f;
  model::Redactor redactor;
  auto prompt = model::build_prompt(f.q, &redactor);
  std::size_t accepted = 0, rejected = 0;
  std::set<std::string> shapes;
  for (std::uint64_t n = 0; n < 10'000; ++n) {
    auto hostile = sim::ModelStandIn::hostile_answer(7, n, {"restart", "scale"}, prompt.ids);
    shapes.insert(hostile.shape);
    for (auto api : {sim::ChatApi::ollama, sim::ChatApi::openai}) {
      auto reply = sim::answer_reply(api, {"m", "", 400}, hostile, n);
      http::Response response;
      response.status = reply.status;
      response.body = reply.body;
      auto read = model::read_reply(api == sim::ChatApi::ollama ? Backend::Ollama : Backend::OpenAI,
                                    response);
      if (read.outcome != model::CallOutcome::Answered) {
        ++rejected;
        continue;
      }
      auto v = model::validate_answer(read.content, prompt.choices, prompt.ids);
      if (!v.ok) {
        ++rejected;
        continue;
      }
      ++accepted;
      BOOST_TEST_REQUIRE(allowed(v.answer.action), hostile.shape << ": " << hostile.text);
      BOOST_TEST_REQUIRE((v.answer.confidence >= 0 && v.answer.confidence <= 1));
    }
  }
  BOOST_TEST_MESSAGE("hostile answers: " << accepted << " accepted, " << rejected << " rejected, "
                                         << shapes.size() << " shapes");
  BOOST_TEST(shapes.size() == sim::hostile_shape_count());
  BOOST_TEST(accepted > 0u);             // the valid but over-confident ones
  BOOST_TEST(rejected > 9u * accepted);  // everything else
}

BOOST_AUTO_TEST_CASE(over_http_a_hostile_model_never_widens_the_choice) {
  for (auto backend : {Backend::Ollama, Backend::OpenAI}) {
    Rig rig(backend, in_mode(ModelMode::hostile, 0, 11), [](model::ModelSettings& s) {
      s.budget = {0, 0};
    });
    int by_model = 0;
    for (int n = 0; n < 200; ++n) {
      auto f = question(n, test::kNow + n * 1000);
      auto v = rig.ask(f);
      BOOST_TEST_REQUIRE(allowed(v.action), v.action);
      BOOST_TEST_REQUIRE(v.model.has_value());
      if (v.analyzer != "deterministic") {
        ++by_model;
        BOOST_TEST(v.model->validation == "accepted");
      } else {
        BOOST_TEST(!v.model->fallback.empty());
      }
    }
    BOOST_TEST(rig.standin.request_count() == 200u);
    BOOST_TEST(by_model < 40);
    BOOST_TEST(rig.counts.fallbacks["invalid"] > 100);
  }
}

BOOST_AUTO_TEST_CASE(a_hanging_model_costs_a_tick_its_timeout_in_all) {
  Rig rig(Backend::Ollama, in_mode(ModelMode::hang),
          [](model::ModelSettings& s) { s.timeout_ms = 400; });
  const auto started = std::chrono::steady_clock::now();
  double waited = 0;
  for (int n = 0; n < 4; ++n) {  // four questions in one tick
    auto v = rig.ask(question(n));
    BOOST_TEST(v.analyzer == "deterministic");
    BOOST_TEST_REQUIRE(v.model.has_value());
    BOOST_TEST(v.model->fallback.find("--ai.timeout (400ms)") != std::string::npos,
               v.model->fallback);
    BOOST_TEST(v.cacheable == false);
    waited += v.waited_s;
  }
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  BOOST_TEST_MESSAGE("four questions, hanging model, --ai.timeout 400ms: " << elapsed << " s");
  BOOST_TEST(waited >= 0.35);
  BOOST_TEST(elapsed < 4 * 0.4);  // sequential timeouts would take 1.6 s
  BOOST_TEST(rig.counts.fallbacks["timeout"] == 4);
}

BOOST_AUTO_TEST_CASE(an_answer_that_comes_late_is_cached_for_the_same_evidence) {
  Rig rig(Backend::OpenAI, in_mode(ModelMode::slow, 300), [](model::ModelSettings& s) {
    s.timeout_ms = 150;
    s.call_timeout_ms = 10'000;  // the call outlives its tick's wait
  });
  test::QuestionFixture f;
  auto first = rig.ask(f);  // waits 150 ms; the answer takes 300
  BOOST_TEST(first.analyzer == "deterministic");
  BOOST_TEST(rig.advisor->drain(std::chrono::seconds(5)));
  auto second = rig.ask(f);
  BOOST_TEST(second.analyzer == "openai");
  BOOST_TEST_REQUIRE(second.model.has_value());
  BOOST_TEST(second.model->cached);
  BOOST_TEST(rig.standin.request_count() == 1u);
  BOOST_TEST(rig.counts.hits == 1);
  // The cache forgets after --ai.cache-ttl (10m by default) of the questions' clock.
  f.q.now_ms += 11 * 60'000;
  rig.advisor->analyze(f.q);
  BOOST_TEST(rig.standin.request_count() == 2u);
}

BOOST_AUTO_TEST_CASE(retry_after_is_honoured_before_any_other_call) {
  Rig rig(Backend::OpenAI, in_mode(ModelMode::ratelimit, 0, 42, 30));
  auto v = rig.ask(question(0));
  BOOST_TEST(v.analyzer == "deterministic");
  BOOST_TEST(v.model->fallback.find("HTTP 429") != std::string::npos, v.model->fallback);
  rig.standin.set_mode(ModelMode::sensible);
  for (int s = 1; s < 30; s += 7) {
    auto held = rig.ask(question(s, test::kNow + s * 1000));
    BOOST_TEST(held.model->fallback.find("Retry-After") != std::string::npos, held.model->fallback);
  }
  BOOST_TEST(rig.standin.request_count() == 1u);
  auto after = rig.ask(question(99, test::kNow + 30'000));
  BOOST_TEST(after.analyzer == "openai");
  BOOST_TEST(rig.standin.request_count() == 2u);
  BOOST_TEST(rig.counts.fallbacks["rate_limited"] == 1);
  BOOST_TEST(rig.counts.fallbacks["retry_after"] == 5);
}

BOOST_AUTO_TEST_CASE(an_exhausted_quota_stops_calls_for_an_hour) {
  Rig rig(Backend::OpenAI, in_mode(ModelMode::quota));
  rig.ask(question(0));
  rig.standin.set_mode(ModelMode::sensible);
  auto held = rig.ask(question(1, test::kNow + 59 * 60'000));
  BOOST_TEST(held.model->fallback.find("quota is exhausted") != std::string::npos,
             held.model->fallback);
  BOOST_TEST(rig.standin.request_count() == 1u);
  BOOST_TEST(rig.ask(question(2, test::kNow + 60 * 60'000)).analyzer == "openai");
}

BOOST_AUTO_TEST_CASE(failing_calls_open_the_breaker) {
  for (auto mode : {ModelMode::error, ModelMode::garbage, ModelMode::truncated}) {
    Rig rig(Backend::Ollama, in_mode(mode));
    for (int n = 0; n < 12; ++n) {
      auto v = rig.ask(question(n, test::kNow + n * 1000));
      BOOST_TEST(v.analyzer == "deterministic");
    }
    BOOST_TEST(rig.standin.request_count() == std::size_t(model::kFailuresToOpen),
               sim::model_mode_name(mode));
    BOOST_TEST(rig.counts.fallbacks["breaker"] == 12 - model::kFailuresToOpen);
  }
}

BOOST_AUTO_TEST_CASE(budgets_hold_under_a_storm_of_questions) {
  Rig rig(Backend::Ollama, {}, [](model::ModelSettings& s) { s.budget = {5, 0}; });
  for (int n = 0; n < 300; ++n) {  // one question every 10 s for 50 minutes
    auto v = rig.ask(question(n, test::kNow + n * 10'000));
    BOOST_TEST_REQUIRE(allowed(v.action));
  }
  BOOST_TEST(rig.standin.request_count() == 5u);
  BOOST_TEST(rig.counts.fallbacks["budget_calls"] == 295);
  BOOST_TEST(rig.counts.calls_left == 0);

  Rig tokens(Backend::OpenAI, {}, [](model::ModelSettings& s) { s.budget = {0, 1500}; });
  auto first = tokens.ask(question(0));
  const std::int64_t per_call = first.model->tokens;  // prompt and answer, as the server counts
  BOOST_TEST_REQUIRE(per_call > 100);
  for (int n = 1; n < 50; ++n) tokens.ask(question(n, test::kNow + n * 10'000));
  // Calls go out while the hour's tokens are under 1500; the last one may pass it.
  const auto expected = static_cast<std::size_t>((1500 + per_call - 1) / per_call);
  BOOST_TEST(tokens.standin.request_count() == expected);
  BOOST_TEST(tokens.counts.fallbacks["budget_tokens"] == int(50 - expected));
}

BOOST_AUTO_TEST_CASE(what_the_model_did_is_on_metrics) {
  bytecode::Program program;
  monitor::RuntimeMetrics metrics(program, "");
  agent::ModelMetrics observer(metrics, Backend::Ollama);
  sim::ModelStandIn standin(in_mode(ModelMode::sensible));
  BOOST_TEST_REQUIRE(!standin.start());
  stdlib::DeterministicAnalyzer deterministic;
  model::ModelSettings s;
  s.url = standin.url();
  s.generation.model = "m";
  s.budget = {2, 0};
  {
    model::ModelAdvisor advisor(s, deterministic, &observer);
    test::QuestionFixture f;
    advisor.analyze(f.q);
    advisor.analyze(f.q);  // the cache
    advisor.analyze(question(1).q);
    advisor.analyze(question(2).q);  // the budget of 2 calls is spent
  }
  const std::string text = metrics.exposition();
  auto value = [&](const std::string& series) {
    auto at = text.find("\n" + series + " ");
    BOOST_TEST_REQUIRE(at != std::string::npos, series << " is not exported:\n" << text);
    return std::stod(text.substr(at + series.size() + 2));
  };
  BOOST_TEST(
      value(
          "skippy_model_calls_total{accepted=\"true\",backend=\"ollama\",outcome=\"answered\"}") ==
      2);
  BOOST_TEST(value("skippy_model_cache_hits_total{backend=\"ollama\"}") == 1);
  BOOST_TEST(value("skippy_model_fallbacks_total{reason=\"budget_calls\"}") == 1);
  BOOST_TEST(value("skippy_model_budget_remaining{budget=\"calls\"}") == 0);
  BOOST_TEST(value("skippy_model_tokens_total{backend=\"ollama\",kind=\"prompt\"}") > 100);
  BOOST_TEST(value("skippy_model_call_duration_seconds_count{backend=\"ollama\"}") == 2);
  standin.shutdown();
}

BOOST_AUTO_TEST_SUITE_END()
