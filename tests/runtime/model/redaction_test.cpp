// Names never leave the process: a property test over generated names (dotted, prefixes of
// one another, with regular-expression metacharacters) checks that no name appears in either
// API's request body, that placeholders are stable, and that the model's words are mapped
// back; unit cases pin the matching rules (longest name first, short names as whole words,
// numbers are not names, names kubelet's messages spell out).
#include <boost/test/unit_test.hpp>

#include "bench/rng.hpp"
#include "runtime/model/prompt.hpp"
#include "runtime/model/redaction.hpp"
#include "tests/runtime/model/question_fixture.hpp"

using namespace skippy;

namespace {

std::string word(bench::Rng& rng, std::size_t min, std::size_t max) {
  std::string out;
  std::size_t n = min + rng.below(max - min + 1);
  for (std::size_t i = 0; i < n; ++i) out += static_cast<char>('a' + rng.below(26));
  return out;
}

// Names as a cluster could hold them, drawn so that some are prefixes or parts of others.
test::Names draw(bench::Rng& rng) {
  static const std::array<std::string, 8> metas = {".", "+", "*", "(x)", "[0]", "?", "$", "|^"};
  test::Names n;
  n.namespace_name = word(rng, 5, 12);
  n.workload = word(rng, 5, 10);
  n.pod = n.workload + "-" + word(rng, 5, 9) + "-" + word(rng, 5, 5);
  n.peer = n.workload + "-" + word(rng, 5, 9) + "-" + word(rng, 5, 5);
  n.node = "ip-" + word(rng, 5, 6) + "." + word(rng, 5, 8) + ".internal";
  n.label = word(rng, 5, 8) + rng.pick(metas) + word(rng, 5, 6);
  n.image = "registry." + word(rng, 5, 7) + ".io/" + n.namespace_name + "/" + n.workload + ":" +
            std::to_string(rng.below(100)) + "." + std::to_string(rng.below(100));
  n.container = n.workload + "-" + word(rng, 5, 7);
  return n;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(redaction)

BOOST_AUTO_TEST_CASE(no_generated_name_appears_in_any_request_body) {
  bench::Rng rng(17);
  for (int round = 0; round < 500; ++round) {
    test::QuestionFixture f(draw(rng));
    model::Redactor redactor;
    auto prompt = model::build_prompt(f.q, &redactor);
    const std::string bodies = model::ollama_body(prompt, {"llama3.1"}) + "\n" +
                               model::openai_body(prompt, {"gpt-4o-mini"});
    for (const auto& name : f.all_names()) {
      BOOST_TEST_REQUIRE(bodies.find(name) == std::string::npos,
                         "round " << round << ": `" << name << "` was sent: " << prompt.question);
    }
    // What was redacted is still evidence: the events are there, as placeholders.
    BOOST_TEST(
        prompt.question.find("Back-off pulling image \\\"<image-1>\\\"") != std::string::npos,
        prompt.question);
  }
}

BOOST_AUTO_TEST_CASE(without_redaction_the_names_are_sent_as_they_are) {
  test::QuestionFixture f;
  auto prompt = model::build_prompt(f.q, nullptr);
  BOOST_TEST(prompt.question.find(f.names.pod) != std::string::npos);
  BOOST_TEST(prompt.question.find("<pod-") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(placeholders_are_stable_and_map_back) {
  test::QuestionFixture f;
  model::Redactor redactor;
  auto first = model::build_prompt(f.q, &redactor);
  auto second = model::build_prompt(f.q, &redactor);
  BOOST_TEST(first.question == second.question);  // the same evidence, the same request
  const std::string answer = "<pod-1> on <node-1> leaks; <workload-1> in <namespace-1> is fine";
  BOOST_TEST(redactor.restore(answer) == f.names.pod + " on " + f.names.node + " leaks; " +
                                             f.names.workload + " in " + f.names.namespace_name +
                                             " is fine");
  BOOST_TEST(redactor.restore("<pod-99> and <nonsense>") == "<pod-99> and <nonsense>");
  // A second question about another pod keeps the first pod's placeholder.
  test::Names other;
  other.pod = "checkout-7d9f8-zz9zz";
  test::QuestionFixture g(other);
  model::build_prompt(g.q, &redactor);
  BOOST_TEST(redactor.redact(f.names.pod) == "<pod-1>");
  BOOST_TEST(redactor.redact(other.pod) != "<pod-1>");
}

BOOST_AUTO_TEST_CASE(the_longest_name_wins_and_punctuation_is_literal) {
  model::Redactor r;
  r.learn("workload", "web");
  r.learn("pod", "web-1");
  r.learn("node", "a.b");
  r.learn("label", "x+y*");
  BOOST_TEST(r.redact("web-1 of web on a.b") == "<pod-1> of <workload-1> on <node-1>");
  BOOST_TEST(r.redact("axb and x+y* and xxy") == "axb and <label-1> and xxy");
  BOOST_TEST(r.restore(r.redact("web-10")) == "web-10");
}

BOOST_AUTO_TEST_CASE(short_names_only_as_whole_words_and_numbers_are_not_names) {
  model::Redactor r;
  r.learn("pod", "db");
  r.learn("label", "3");
  r.learn("label", "true");
  BOOST_TEST(r.redact("db is down; dbx and adb stay; 3 restarts, true") ==
             "<pod-1> is down; dbx and adb stay; 3 restarts, true");
}

BOOST_AUTO_TEST_CASE(kubelet_messages_name_images_and_containers) {
  model::Redactor r;
  r.learn_from_message("Failed to pull image \"quay.io/acme/api:v2\": rpc error");
  r.learn_from_message("Started container api-server");
  r.learn_from_message("Container image \"busybox:1.36\" already present on machine");
  BOOST_TEST(r.redact("pulling quay.io/acme/api:v2 for api-server, then busybox:1.36") ==
             "pulling <image-1> for <container-1>, then <image-2>");
}

BOOST_AUTO_TEST_SUITE_END()
