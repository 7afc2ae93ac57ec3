// An informer against a scripted API server on loopback: it lists (in pages), watches from
// the list's version with bookmarks, applies events to its cache, lists again when the server
// has forgotten its version (410 Gone), watches again from the last version when a watch
// breaks, and survives lines that are not watch events without touching its cache.
#define BOOST_TEST_MODULE informer
#include <boost/test/unit_test.hpp>

#include "k8s-adapter/informer.hpp"
#include "k8s-adapter/objects.hpp"
#include "tests/k8s-adapter/api_script.hpp"

using namespace skippy;
using namespace std::chrono_literals;

namespace {

const std::string kPods = "/api/v1/pods";

struct Fixture {
  test::ApiScript api;
  test::FaultServer server{api.handler()};
  k8s::Cache<cluster::Pod> cache{k8s::decode_pod};
  std::vector<std::string> logged;
  std::mutex log_mutex;
  std::unique_ptr<k8s::Informer> informer;

  void start(std::size_t page_size = 500) {
    k8s::Connection c;
    c.server = server.url();
    k8s::InformerOptions o;
    o.page_size = page_size;
    o.backoff_initial_ms = 10;
    o.backoff_max_ms = 50;
    o.log = [this](const std::string& m) {
      std::lock_guard lock(log_mutex);
      logged.push_back(m);
    };
    informer = std::make_unique<k8s::Informer>(c, kPods, cache, o);
    informer->start();
    BOOST_REQUIRE(informer->wait_synced(5s));
  }
  ~Fixture() {
    if (informer) informer->stop();
  }

  // The cached pods' names and restarts: "a:0 c:2".
  std::string cached() const {
    std::map<std::string, std::int64_t> sorted;
    cache.read([&](const auto& items) {
      for (const auto& [key, pod] : items) sorted[pod.meta.name] = pod.restarts;
    });
    std::string out;
    for (const auto& [name, restarts] : sorted)
      out += (out.empty() ? "" : " ") + name + ":" + std::to_string(restarts);
    return out;
  }
  // How long stop() takes, in milliseconds.
  std::int64_t stop_ms() {
    auto before = std::chrono::steady_clock::now();
    informer->stop();
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 before)
        .count();
  }
  bool eventually(const std::function<bool()>& check) { return test::poll_until(check, 5s); }
  std::vector<std::string> watch_paths() const {
    std::vector<std::string> out;
    for (const auto& r : server.requests())
      if (r.path.find("watch=1") != std::string::npos) out.push_back(r.path);
    return out;
  }
  std::vector<std::string> list_paths() const {
    std::vector<std::string> out;
    for (const auto& r : server.requests())
      if (r.path.find("watch=1") == std::string::npos) out.push_back(r.path);
    return out;
  }
};

}  // namespace

BOOST_FIXTURE_TEST_CASE(lists_then_applies_watch_events_and_bookmarks, Fixture) {
  api.list(kPods, test::list_body("10", {test::pod_json("a", "5"), test::pod_json("b", "6")}));
  api.watch(kPods, {test::watch_line("ADDED", test::pod_json("c", "11", 2)),
                    test::watch_line("MODIFIED", test::pod_json("a", "12", 1)),
                    test::watch_line("DELETED", test::pod_json("b", "13")),
                    test::watch_line("BOOKMARK", R"({"metadata":{"resourceVersion":"20"}})")});
  start();
  BOOST_TEST(informer->synced());
  BOOST_TEST(eventually([&] { return informer->resource_version() == "20"; }));
  BOOST_TEST(cached() == "a:1 c:2");
  auto stats = informer->stats();
  BOOST_TEST(stats.lists == 1);
  BOOST_TEST(stats.events == 3);
  BOOST_TEST(stats.bookmarks == 1);
  BOOST_TEST(stats.relists == 0);
  auto watches = watch_paths();
  BOOST_REQUIRE(watches.size() == 1u);
  BOOST_TEST(watches[0].find("/api/v1/pods?watch=1&allowWatchBookmarks=true&resourceVersion=10") ==
             0u);
  cache.read([](const auto& items) {
    const cluster::Pod& c = items.at("demo/c");
    BOOST_TEST(c.ready);
    BOOST_TEST(c.node == "node-1");
    BOOST_TEST(c.meta.labels.at("app") == "web");
  });
}

BOOST_FIXTURE_TEST_CASE(lists_in_pages, Fixture) {
  api.list(kPods,
           test::list_body("10", {test::pod_json("a", "1"), test::pod_json("b", "2")}, "p2"));
  api.list(kPods, test::list_body("10", {test::pod_json("c", "3")}));
  start(2);
  BOOST_TEST(cached() == "a:0 b:0 c:0");
  auto lists = list_paths();
  BOOST_REQUIRE(lists.size() == 2u);
  BOOST_TEST(lists[0] == "/api/v1/pods?limit=2");
  BOOST_TEST(lists[1] == "/api/v1/pods?limit=2&continue=p2");
  BOOST_TEST(informer->resource_version() == "10");
}

BOOST_FIXTURE_TEST_CASE(a_410_error_event_or_response_lists_again, Fixture) {
  api.list(kPods, test::list_body("10", {test::pod_json("a", "1"), test::pod_json("b", "2")}));
  api.list(kPods, test::list_body("30", {test::pod_json("b", "2"), test::pod_json("d", "25")}));
  api.list(kPods, test::list_body("40", {test::pod_json("e", "35")}));
  api.watch(
      kPods,
      {test::watch_line(
          "ERROR",
          R"j({"kind":"Status","status":"Failure","message":"too old resource version: 10 (25)","reason":"Expired","code":410})j")});
  test::Response gone;
  gone.status = 410;
  gone.body = R"({"kind":"Status","reason":"Gone","code":410})";
  api.watch(kPods, gone);
  start();
  BOOST_TEST(eventually([&] { return informer->stats().relists == 2; }));
  BOOST_TEST(cached() == "e:0");  // what the last list said, nothing older
  BOOST_TEST(informer->resource_version() == "40");
  auto watches = watch_paths();
  BOOST_TEST(eventually([&] { return watch_paths().size() == 3u; }));
  watches = watch_paths();
  BOOST_TEST(watches[1].find("resourceVersion=30") != std::string::npos);
  BOOST_TEST(watches[2].find("resourceVersion=40") != std::string::npos);
  BOOST_TEST(informer->stats().reconnects == 0);  // each watch followed a list
}

BOOST_FIXTURE_TEST_CASE(a_dropped_watch_resumes_from_the_last_version, Fixture) {
  api.list(kPods, test::list_body("10", {test::pod_json("a", "1")}));
  // The connection breaks in the middle of an event: its half line is not applied.
  std::string half = test::watch_line("ADDED", test::pod_json("z", "12"));
  api.watch(kPods, {test::watch_line("ADDED", test::pod_json("b", "11")), half.substr(0, 40)},
            true);
  api.watch(kPods, {test::watch_line("ADDED", test::pod_json("c", "13"))});
  start();
  BOOST_TEST(eventually([&] { return informer->resource_version() == "13"; }));
  BOOST_TEST(cached() == "a:0 b:0 c:0");
  auto watches = watch_paths();
  BOOST_REQUIRE(watches.size() == 2u);
  BOOST_TEST(watches[1].find("resourceVersion=11") != std::string::npos);
  auto stats = informer->stats();
  BOOST_TEST(stats.reconnects == 1);
  BOOST_TEST(stats.lists == 1);
  BOOST_TEST(stats.events == 2);
}

BOOST_FIXTURE_TEST_CASE(garbage_lines_are_reported_and_leave_the_cache_as_it_was, Fixture) {
  api.list(kPods, test::list_body("10", {test::pod_json("a", "1", 3)}));
  api.watch(kPods, {"this is not json\n"});
  api.watch(kPods, {R"({"type":"MODIFIED","object":{"metadata":{"name":"a","namespace":)"
                    "\n"});
  api.watch(kPods, {R"({"type":"ADDED"})"
                    "\n"});
  api.watch(kPods, {test::watch_line("MODIFIED", test::pod_json("a", "14", 4))});
  start();
  BOOST_TEST(eventually([&] { return informer->resource_version() == "14"; }));
  BOOST_TEST(cached() == "a:4");
  auto stats = informer->stats();
  BOOST_TEST(stats.bad_lines == 3);
  BOOST_TEST(stats.events == 1);
  BOOST_TEST(stats.lists == 1);  // nothing was lost, so nothing is listed again
  auto watches = watch_paths();
  BOOST_REQUIRE(watches.size() == 4u);
  for (const auto& w : watches) BOOST_TEST(w.find("resourceVersion=10") != std::string::npos);
  std::lock_guard lock(log_mutex);
  BOOST_REQUIRE(logged.size() >= 3u);
  BOOST_TEST(logged[0].find("/api/v1/pods: watch: a line that is not JSON (") == 0u, logged[0]);
  BOOST_TEST(logged[2] == "/api/v1/pods: watch: a ADDED event without an object");
}

BOOST_FIXTURE_TEST_CASE(a_wrong_field_is_reported_and_the_rest_kept, Fixture) {
  api.list(
      kPods,
      test::list_body(
          "10",
          {R"({"metadata":{"name":"a","namespace":"demo"},"status":{"phase":"Running","containerStatuses":[{"restartCount":"many"}]}})"}));
  start();
  BOOST_TEST(cached() == "a:0");
  BOOST_TEST(informer->stats().decode_errors == 1);
  BOOST_TEST(informer->last_error() ==
             "/api/v1/pods: list: demo/a: status.containerStatuses[0].restartCount: expected a "
             "whole number");
}

BOOST_FIXTURE_TEST_CASE(a_failing_list_is_retried_and_stop_is_prompt, Fixture) {
  test::Response down;
  down.status = 403;
  down.body = R"({"kind":"Status","reason":"Forbidden","message":"pods is forbidden"})";
  api.list(kPods, down);
  k8s::Connection c;
  c.server = server.url();
  k8s::InformerOptions o;
  o.backoff_initial_ms = 10;
  o.backoff_max_ms = 20;
  informer = std::make_unique<k8s::Informer>(c, kPods, cache, o);
  informer->start();
  BOOST_TEST(!informer->wait_synced(300ms));
  BOOST_TEST(informer->last_error() ==
             "/api/v1/pods: list: GET /api/v1/pods?limit=500: 403 Forbidden: pods is forbidden");
  BOOST_TEST(list_paths().size() >= 3u);
  BOOST_TEST(stop_ms() < 500);
}

BOOST_FIXTURE_TEST_CASE(stop_ends_an_open_watch_promptly, Fixture) {
  api.list(kPods, test::list_body("10", {}));
  start();
  BOOST_TEST(eventually([&] { return watch_paths().size() == 1u; }));
  std::this_thread::sleep_for(100ms);
  BOOST_TEST(stop_ms() < 500);
}
