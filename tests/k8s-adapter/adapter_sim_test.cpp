// The adapter's reading and writing against the simulated API server over HTTP on loopback:
// an informer keeps step with pods created and deleted while it watches (its cache ends equal
// to the server's list, restart counts included); update() meets a conflicting writer between
// its read and its write, gets 409 Conflict, reads again and applies its change on the fresh
// object, losing neither change.
#define BOOST_TEST_MODULE adapter_sim
#include <boost/test/unit_test.hpp>

#include <nlohmann/json.hpp>

#include <atomic>
#include <set>
#include <thread>

#include "k8s-adapter/informer.hpp"
#include "k8s-adapter/objects.hpp"
#include "tests/k8s-adapter/sim_api.hpp"
#include "tests/runtime/prometheus/support.hpp"

using namespace skippy;
using namespace std::chrono_literals;
using Json = nlohmann::json;

namespace {

constexpr std::int64_t kT0 = 1'700'000'000'000;

std::string pod(const std::string& name) {
  return Json{{"apiVersion", "v1"},
              {"kind", "Pod"},
              {"metadata", {{"name", name}, {"namespace", "default"}, {"labels", {{"i", name}}}}},
              {"spec", {{"containers", {{{"name", "app"}, {"image", "app:1"}}}}}}}
      .dump();
}

std::set<std::string> server_pods(const k8s::ApiClient& client) {
  auto got = client.get("/api/v1/namespaces/default/pods");
  BOOST_REQUIRE_MESSAGE(got.ok(), got.error);
  Json list = Json::parse(got.body);
  std::set<std::string> names;
  for (const auto& item : list["items"]) names.insert(item["metadata"]["name"].get<std::string>());
  return names;
}

std::set<std::string> cached_pods(const k8s::Cache<cluster::Pod>& cache) {
  std::set<std::string> names;
  cache.read([&](const auto& items) {
    for (const auto& [key, p] : items) names.insert(p.meta.name);
  });
  return names;
}

}  // namespace

BOOST_AUTO_TEST_CASE(an_informer_keeps_step_with_pods_created_and_deleted_while_it_watches) {
  test::SimApi sim(kT0);
  for (int i = 0; i < 50; ++i)
    BOOST_REQUIRE(sim.client
                      ->send("POST", "/api/v1/namespaces/default/pods",
                             pod("before-" + std::to_string(i)), "application/json")
                      .ok());
  k8s::Cache<cluster::Pod> cache{k8s::decode_pod};
  k8s::InformerOptions options;
  options.page_size = 7;  // the first list comes in pages
  k8s::Informer informer(sim.connection(), "/api/v1/pods", cache, options);
  informer.start();
  BOOST_REQUIRE(informer.wait_synced(10s));
  BOOST_TEST(cache.size() == 50u);
  // Churn from two writers while the informer watches: 200 creations, 120 deletions. (Boost's
  // assertions are not for other threads: the writers count what failed.)
  std::atomic<int> failed{0};
  auto writer = [&](const std::string& prefix) {
    k8s::ApiClient client(sim.connection());
    for (int i = 0; i < 100; ++i) {
      std::string name = prefix + std::to_string(i);
      if (!client.send("POST", "/api/v1/namespaces/default/pods", pod(name), "application/json")
               .ok())
        ++failed;
      if (i % 5 < 3 && !client.send("DELETE", "/api/v1/namespaces/default/pods/" + name).ok())
        ++failed;
    }
  };
  std::thread a(writer, "a-"), b(writer, "b-");
  a.join();
  b.join();
  BOOST_REQUIRE(failed == 0);
  auto expected = server_pods(*sim.client);
  BOOST_TEST(expected.size() == 50u + 200u - 120u);
  BOOST_TEST(test::poll_until([&] { return cached_pods(cache) == expected; }, 10s));
  auto stats = informer.stats();
  BOOST_TEST(stats.lists == 1);  // no relist: every event arrived on the watch
  BOOST_TEST(stats.events >= 320);
  BOOST_TEST(stats.bad_lines == 0);
  informer.stop();
}

BOOST_AUTO_TEST_CASE(update_reads_again_after_a_conflict_and_keeps_both_changes) {
  test::SimApi sim(kT0);
  BOOST_REQUIRE(
      sim.client->send("POST", "/api/v1/namespaces/default/pods", pod("web"), "application/json")
          .ok());
  const std::string path = "/api/v1/namespaces/default/pods/web";
  int rounds = 0;
  auto result = sim.client->update(path, [&](std::string_view current, std::string&) {
    Json o = Json::parse(current);
    if (++rounds == 1) {
      // Another writer changes the pod after this read: the PUT below carries a stale
      // resourceVersion and is refused with 409.
      auto other = sim.client->send("PATCH", path, R"({"metadata":{"labels":{"team":"shop"}}})",
                                    "application/merge-patch+json");
      BOOST_REQUIRE_MESSAGE(other.ok(), other.error);
    }
    o["metadata"]["annotations"]["skippy.io/seen"] = "yes";
    return std::optional<std::string>(o.dump());
  });
  BOOST_TEST(result.ok(), result.error);
  BOOST_TEST(rounds == 2);
  Json after = Json::parse(sim.client->get(path).body);
  BOOST_TEST(after["metadata"]["labels"]["team"] == "shop");
  BOOST_TEST(after["metadata"]["annotations"]["skippy.io/seen"] == "yes");
}
