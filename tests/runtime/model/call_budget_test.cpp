// The model's budgets at fixed timestamps: calls and tokens per sliding hour, Retry-After,
// the quota breaker, and the failure breaker with its single probe.
#include <boost/test/unit_test.hpp>

#include "runtime/model/call_budget.hpp"

using namespace skippy;

namespace {
constexpr std::int64_t kT = 1'796'644'800'000;
constexpr std::int64_t kMinute = 60'000;
}  // namespace

BOOST_AUTO_TEST_SUITE(call_budget)

BOOST_AUTO_TEST_CASE(calls_per_hour_slide) {
  model::CallBudget b({3, 0});
  for (int i = 0; i < 3; ++i) {
    BOOST_TEST(b.refusal(kT + i * kMinute).empty());
    b.record_call(kT + i * kMinute);
  }
  std::string code;
  BOOST_TEST(b.refusal(kT + 10 * kMinute, &code) == "the budget of 3 calls per hour is spent");
  BOOST_TEST(code == "budget_calls");
  BOOST_TEST(b.calls_left(kT + 10 * kMinute) == 0);
  BOOST_TEST(b.refusal(kT + 60 * kMinute).empty());  // the first call left the window
  BOOST_TEST(b.calls_left(kT + 60 * kMinute) == 1);
  BOOST_TEST(b.tokens_left(kT) == -1);  // no token limit
}

BOOST_AUTO_TEST_CASE(tokens_per_hour) {
  model::CallBudget b({0, 1000});
  b.record_tokens(kT, 600);
  BOOST_TEST(b.refusal(kT + kMinute).empty());
  b.record_tokens(kT + kMinute, 400);
  std::string code;
  BOOST_TEST(!b.refusal(kT + 2 * kMinute, &code).empty());
  BOOST_TEST(code == "budget_tokens");
  BOOST_TEST(b.tokens_left(kT + 60 * kMinute) == 600);
}

BOOST_AUTO_TEST_CASE(retry_after_holds_every_call_until_it_passes) {
  model::CallBudget b;
  b.retry_after(kT, 20'000);
  std::string code;
  BOOST_TEST(b.refusal(kT + 19'999, &code) == "the backend asked to wait 1s more (Retry-After)");
  BOOST_TEST(code == "retry_after");
  BOOST_TEST(b.refusal(kT + 20'000).empty());
  b.retry_after(kT, 1'000'000'000);  // absurd: capped at an hour
  BOOST_TEST(b.refusal(kT + 60 * kMinute).empty());
}

BOOST_AUTO_TEST_CASE(an_exhausted_quota_opens_the_breaker_for_an_hour) {
  model::CallBudget b;
  b.quota_exhausted(kT);
  std::string code;
  BOOST_TEST(!b.refusal(kT + 59 * kMinute, &code).empty());
  BOOST_TEST(code == "breaker");
  BOOST_TEST(b.refusal(kT + 60 * kMinute).empty());
}

BOOST_AUTO_TEST_CASE(five_failures_open_the_breaker_and_one_probe_decides) {
  model::CallBudget b;
  for (int i = 0; i < 4; ++i) b.failure(kT);
  BOOST_TEST(b.refusal(kT).empty());
  b.failure(kT);
  BOOST_TEST(b.refusal(kT + 4 * kMinute) ==
             "the breaker is open for 60s more (5 calls in a row failed)");
  BOOST_TEST(b.refusal(kT + 5 * kMinute).empty());  // half-open: one call may go
  b.failure(kT + 5 * kMinute);                      // it failed: open again at once
  BOOST_TEST(!b.refusal(kT + 6 * kMinute).empty());
  BOOST_TEST(b.refusal(kT + 10 * kMinute).empty());
  b.success();  // an answer closes it
  for (int i = 0; i < 4; ++i) b.failure(kT + 10 * kMinute);
  BOOST_TEST(b.refusal(kT + 10 * kMinute).empty());
}

BOOST_AUTO_TEST_SUITE_END()
