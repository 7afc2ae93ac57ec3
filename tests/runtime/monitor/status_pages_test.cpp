// The status page rendered from a hand-made snapshot: what each page shows, that every string
// from the snapshot is escaped, the filters, the JSON, and the status board's bookkeeping.
#define BOOST_TEST_MODULE status_pages
#include <simdjson.h>
#include <boost/test/unit_test.hpp>

#include "runtime/monitor/status_board.hpp"
#include "runtime/monitor/status_pages.hpp"

namespace m = skippy::monitor;

namespace {

constexpr std::int64_t kT = 1'700'000'000'000;  // 2023-11-14T22:13:20Z

std::string decision_json(const std::string& id, const std::string& policy,
                          const std::string& target) {
  return R"({"id":")" + id + R"(","time":"2023-11-14T22:13:20Z","policy":")" + policy +
         R"(","trigger":"crashing","target":")" + target +
         R"(","action":"restart_pod","outcome":"executed","gates":[{"gate":"mode","verdict":"passed"},)"
         R"({"gate":"cooldown","verdict":"passed"}]})";
}

m::StatusSnapshot board_snapshot() {
  m::StatusBoard board(3);
  std::vector<m::PolicyStatus> policies(2);
  policies[0].name = "<script>alert(1)</script>";
  policies[0].source = "policies/a.skippy:3";
  policies[0].mode = "automatic";
  policies[0].evaluated = true;
  policies[0].targets = 2;
  policies[0].triggers = {
      {"crashing",
       "policies/a.skippy:7",
       {{"shop/web-1", "firing", kT - 60'000}, {"billing/api-1", "pending", kT - 5'000}}},
      {"quiet", "policies/a.skippy:9", {}}};
  policies[1].name = "memory";
  policies[1].source = "policies/b.skippy:1";
  policies[1].mode = "monitor";
  policies[1].healthy = false;
  policies[1].last_error = "query failed: <bad>";
  policies[1].triggers = {{"high", "policies/b.skippy:4", {{"shop/db-0", "clearing", kT}}}};
  m::SafetyStatus safety;
  safety.breaker_open = true;
  safety.breaker_open_until_ms = kT + 600'000;
  safety.actions = {{"d1", "verifying", "memory", "restart_pod", "shop/db-0", kT, kT + 60'000, 1},
                    {"d3", "pending", "<script>x</script>", "scale", "shop/web", kT, kT + 1, 0}};
  safety.cooldowns = {{"memory/restart_pod/Pod/shop/db-0", kT + 600'000}};
  board.publish(kT, policies, m::Leadership::Leading,
                {decision_json("d1", "memory", "shop/db-0"),
                 R"({"event":"execution","id":"d1","time":"x","status":"success"})",
                 decision_json("d2", "<script>alert(1)</script>", "shop/web-1")},
                safety);
  return board.snapshot();
}

std::string explained(const m::DecisionStatus& d) {
  return "decision " + d.id + " <explained> with " + std::to_string(d.followups.size()) +
         " followups";
}

m::StatusPage get(const std::string& path, const std::string& query = "") {
  return m::render_status(board_snapshot(), path, query, explained);
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_policies_page_lists_policies_triggers_and_target_states) {
  auto page = get("/");
  BOOST_TEST(page.status == 200);
  BOOST_TEST(page.content_type == "text/html; charset=utf-8");
  BOOST_TEST(contains(page.body, "<nav>"));
  BOOST_TEST(contains(page.body, "href=\"/decisions\""));
  BOOST_TEST(contains(page.body, "leader election: leading"));
  BOOST_TEST(contains(page.body, "policies/a.skippy:3"));
  BOOST_TEST(contains(page.body, "shop/web-1"));
  BOOST_TEST(contains(page.body, "class=\"firing\">firing"));
  BOOST_TEST(contains(page.body, "2023-11-14T22:12:20"));  // firing since a minute before
  BOOST_TEST(contains(page.body, "memory"));
  BOOST_TEST(contains(page.body, "unhealthy: query failed: &lt;bad&gt;"));
  BOOST_TEST(contains(page.body, "last evaluation never"));  // memory was not evaluated
  BOOST_TEST(!contains(page.body, "<script"));
}

BOOST_AUTO_TEST_CASE(every_string_from_the_snapshot_is_escaped) {
  for (const auto& path : {"/", "/decisions", "/decisions/d2", "/safety", "/nowhere<script>"}) {
    auto page = get(path);
    BOOST_TEST(!contains(page.body, "<script"), path);
  }
  BOOST_TEST(contains(get("/").body, "&lt;script&gt;alert(1)&lt;/script&gt;"));
  BOOST_TEST(contains(get("/decisions/d2").body, "&lt;explained&gt;"));
  // In a link, the name is URL-encoded.
  BOOST_TEST(contains(get("/").body, "href=\"/?policy=%3Cscript%3Ealert%281%29%3C%2Fscript%3E\""));
}

BOOST_AUTO_TEST_CASE(the_filters_keep_policies_namespaces_and_states) {
  auto by_policy = get("/", "policy=memory").body;
  BOOST_TEST(contains(by_policy, "shop/db-0"));
  BOOST_TEST(!contains(by_policy, "shop/web-1"));
  // The name is percent-decoded ('+' is a space).
  auto encoded = get("/", "policy=%3Cscript%3Ealert(1)%3C%2Fscript%3E").body;
  BOOST_TEST(contains(encoded, "shop/web-1"));
  BOOST_TEST(!contains(encoded, "shop/db-0"));
  auto by_namespace = get("/", "namespace=billing").body;
  BOOST_TEST(contains(by_namespace, "billing/api-1"));
  BOOST_TEST(!contains(by_namespace, "shop/web-1"));
  BOOST_TEST(!contains(by_namespace, "shop/db-0"));
  auto firing = get("/", "state=firing").body;
  BOOST_TEST(contains(firing, "shop/web-1"));
  BOOST_TEST(!contains(firing, "billing/api-1"));
  BOOST_TEST(!contains(firing, "memory"));
  auto inactive = get("/", "state=inactive").body;
  BOOST_TEST(contains(inactive, "quiet"));
  BOOST_TEST(!contains(inactive, "shop/web-1"));
  BOOST_TEST(contains(get("/", "namespace=nowhere").body, "No policies."));
  // The form shows the filters, escaped.
  BOOST_TEST(contains(get("/", "namespace=%22x").body, "value=\"&quot;x\""));
}

BOOST_AUTO_TEST_CASE(the_decisions_page_lists_the_newest_first_with_links) {
  auto page = get("/decisions");
  BOOST_TEST(page.status == 200);
  auto d1 = page.body.find("href=\"/decisions/d1\""), d2 = page.body.find("href=\"/decisions/d2\"");
  BOOST_TEST(d1 != std::string::npos);
  BOOST_TEST(d2 < d1);
  BOOST_TEST(contains(page.body, "restart_pod"));
  BOOST_TEST(contains(page.body, "<td>all 2 passed</td>"));
  BOOST_TEST(contains(page.body, "executed"));
  BOOST_TEST(!contains(get("/decisions", "policy=memory").body, "/decisions/d2"));
}

BOOST_AUTO_TEST_CASE(a_decision_page_shows_its_explanation_and_records) {
  auto page = get("/decisions/d1");
  BOOST_TEST(page.status == 200);
  BOOST_TEST(contains(page.body, "decision d1 &lt;explained&gt; with 1 followups"));
  BOOST_TEST(contains(page.body, "&quot;event&quot;:&quot;execution&quot;"));
  BOOST_TEST(get("/decisions/d").status == 404);  // a prefix of two decisions
  BOOST_TEST(get("/decisions/nope").status == 404);
  BOOST_TEST(get("/elsewhere").status == 404);
}

BOOST_AUTO_TEST_CASE(the_json_api_serves_the_same_data) {
  simdjson::dom::parser parser;
  auto policies = get("/api/v1/status/policies", "state=firing");
  BOOST_TEST(policies.content_type == "application/json");
  simdjson::dom::element doc;
  BOOST_REQUIRE(!parser.parse(policies.body).get(doc));
  BOOST_TEST(std::string_view(doc["data"]["leadership"]) == "leading");
  simdjson::dom::array list = doc["data"]["policies"];
  BOOST_TEST(list.size() == 1u);
  BOOST_TEST(std::string_view(list.at(0)["name"]) == "<script>alert(1)</script>");
  BOOST_TEST(std::string_view(list.at(0)["triggers"].at(0)["targets"].at(0)["state"]) == "firing");

  auto decisions = get("/api/v1/status/decisions");
  BOOST_REQUIRE(!parser.parse(decisions.body).get(doc));
  simdjson::dom::array ds = doc["data"]["decisions"];
  BOOST_TEST(ds.size() == 2u);
  BOOST_TEST(std::string_view(ds.at(0)["id"]) == "d2");

  auto one = get("/api/v1/status/decisions/d1");
  BOOST_REQUIRE(!parser.parse(one.body).get(doc));
  BOOST_TEST(std::string_view(doc["data"]["record"]["policy"]) == "memory");
  BOOST_TEST(std::string_view(doc["data"]["followups"].at(0)["status"]) == "success");
  BOOST_TEST(std::string_view(doc["data"]["explanation"]) ==
             "decision d1 <explained> with 1 followups");
  BOOST_TEST(get("/api/v1/status/decisions/nope").status == 404);
}

BOOST_AUTO_TEST_CASE(the_board_keeps_the_newest_decisions_and_last_evaluation_times) {
  m::StatusBoard board(2);
  std::vector<m::PolicyStatus> policies(1);
  policies[0].name = "p";
  policies[0].evaluated = true;
  board.publish(kT, policies, m::Leadership::NoElection,
                {decision_json("a", "p", "x/y"), decision_json("b", "p", "x/y")});
  policies[0].evaluated = false;  // not due at the next tick
  board.publish(kT + 10'000, policies, m::Leadership::StandingBy,
                {decision_json("c", "p", "x/y"), "not json"});
  auto s = board.snapshot();
  BOOST_TEST(s.time_ms == kT + 10'000);
  BOOST_TEST(s.policies[0].last_evaluation_ms == kT);
  BOOST_TEST(s.decisions.size() == 2u);
  BOOST_TEST(s.decisions.front().id == "b");
  BOOST_TEST(s.decisions.back().id == "c");
  // The gates that did not pass, in short.
  board.publish(kT + 20'000, policies, m::Leadership::NoElection,
                {R"({"id":"d","gates":[{"gate":"mode","verdict":"passed"},)"
                 R"({"gate":"cooldown","verdict":"blocked","reason":"until later"}]})"});
  BOOST_TEST(board.snapshot().decisions.back().gates == "cooldown blocked");
  BOOST_TEST(std::string(m::leadership_name(s.leadership)) == "standing by");
}

BOOST_AUTO_TEST_CASE(the_safety_page_shows_the_breaker_actions_approvals_and_cooldowns) {
  auto page = get("/safety");
  BOOST_TEST(page.status == 200);
  BOOST_TEST(contains(page.body, "class=\"error\">open</span> until 2023-11-14T22:23:20"),
             page.body);
  auto in_flight = page.body.find("<h2>Actions in flight</h2>");
  auto waiting = page.body.find("<h2>Waiting for approval</h2>");
  auto verifying = page.body.find("<td>verifying</td>");
  auto pending = page.body.find("<td>pending</td>");
  BOOST_TEST((in_flight < verifying && verifying < waiting && waiting < pending));
  BOOST_TEST(contains(page.body, "&lt;script&gt;x&lt;/script&gt;"));
  BOOST_TEST(contains(page.body, "memory/restart_pod/Pod/shop/db-0"));

  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  BOOST_REQUIRE(!parser.parse(get("/api/v1/status/safety").body).get(doc));
  BOOST_TEST(bool(doc["data"]["breaker_open"]));
  BOOST_TEST(std::string_view(doc["data"]["actions"].at(1)["policy"]) == "<script>x</script>");
  BOOST_TEST(std::string_view(doc["data"]["cooldowns"].at(0)["until"]) ==
             "2023-11-14T22:23:20.000Z");
}
