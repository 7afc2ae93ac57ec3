// The informer's cache for 10,000 pods under 1,000 watch events a second (the issue's target:
// under 2 KB of memory a pod, no update dropped). Two cases:
//   CacheBytesPerPod:  10,000 realistic pods (about 2.3 KB of JSON each) decoded into a
//                      Cache<Pod>; the heap it holds (mallinfo2 before and after), a pod.
//   ListAndChurn:      a whole Informer against a loopback API server: a LIST of the 10,000
//                      pods in pages of 500, then a watch streaming MODIFIED events at 1,000 a
//                      second for --churn_seconds (default 5); the heap the informer holds
//                      (cache, parser, buffers: what destroying it frees) a pod, and events
//                      applied against sent.
// Each fails (SkipWithError) when an event was dropped or a pod's last state is not cached.
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <string>
#include <vector>

#include "k8s-adapter/informer.hpp"
#include "k8s-adapter/objects.hpp"
#include "tests/k8s-adapter/api_script.hpp"

using namespace skippy;
using namespace std::chrono_literals;

namespace {

constexpr int kPods = 10'000;
constexpr int kEventsPerSecond = 1'000;
int churn_seconds = 5;

// A Pod as a Deployment's ReplicaSet creates it, with the fields a real one has.
std::string pod_json(int i, int restarts, int version) {
  std::string n = std::to_string(i);
  std::string app = "app-" + std::to_string(i % 100);
  std::string name = app + "-7d4b9c8f6d-" + n;
  return R"({"metadata":{"name":")" + name + R"(","generateName":")" + app +
         R"(-7d4b9c8f6d-","namespace":"shop","uid":"0b6c3c1e-5a8e-4a8e-9d3c-)" + n +
         R"(","resourceVersion":")" + std::to_string(version) +
         R"(","creationTimestamp":"2026-01-01T00:00:00Z","labels":{"app":")" + app +
         R"(","pod-template-hash":"7d4b9c8f6d","tier":"backend","version":"v1.4.2"},)"
         R"("annotations":{"prometheus.io/scrape":"true","prometheus.io/port":"9090"},)"
         R"("ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":")" +
         app +
         R"(-7d4b9c8f6d","uid":"7f1b2c3d-0000-4000-8000-000000000001","controller":true,"blockOwnerDeletion":true}]},)"
         R"("spec":{"nodeName":"node-)" +
         std::to_string(i % 50) +
         R"(","serviceAccountName":"default","restartPolicy":"Always","containers":[{"name":"app","image":"registry.example.com/shop/)" +
         app +
         R"(:v1.4.2","ports":[{"containerPort":8080,"protocol":"TCP"}],"resources":{"limits":{"cpu":"500m","memory":"512Mi"},"requests":{"cpu":"100m","memory":"256Mi"}},"env":[{"name":"MODE","value":"production"}]},{"name":"sidecar","image":"registry.example.com/proxy:1.2","resources":{"limits":{"memory":"64Mi"}}}]},)"
         R"("status":{"phase":"Running","hostIP":"10.0.0.)" +
         std::to_string(i % 50) + R"(","podIP":"10.244.)" + std::to_string(i / 250) + "." +
         std::to_string(i % 250) +
         R"(","startTime":"2026-01-01T00:00:01Z","qosClass":"Burstable","conditions":[{"type":"Initialized","status":"True","lastTransitionTime":"2026-01-01T00:00:01Z"},{"type":"Ready","status":"True","lastTransitionTime":"2026-01-01T00:00:09Z"},{"type":"ContainersReady","status":"True","lastTransitionTime":"2026-01-01T00:00:09Z"},{"type":"PodScheduled","status":"True","lastTransitionTime":"2026-01-01T00:00:00Z"}],)"
         R"("containerStatuses":[{"name":"app","ready":true,"started":true,"restartCount":)" +
         std::to_string(restarts) +
         R"(,"image":"registry.example.com/shop/app:v1.4.2","imageID":"registry.example.com/shop/app@sha256:0123456789abcdef","containerID":"containerd://0123456789abcdef","state":{"running":{"startedAt":"2026-01-01T00:00:05Z"}},"lastState":{}},)"
         R"({"name":"sidecar","ready":true,"started":true,"restartCount":0,"image":"registry.example.com/proxy:1.2","imageID":"registry.example.com/proxy@sha256:abcdef","containerID":"containerd://abcdef0123","state":{"running":{"startedAt":"2026-01-01T00:00:04Z"}},"lastState":{}}]}})";
}

std::size_t heap_in_use() {
  return mallinfo2().uordblks;
}

void BM_CacheBytesPerPod(benchmark::State& state) {
  std::vector<std::string> pods;
  std::size_t json_bytes = 0;
  for (int i = 0; i < kPods; ++i) {
    pods.push_back(pod_json(i, 0, i + 1));
    json_bytes += pods.back().size();
  }
  simdjson::dom::parser parser;
  simdjson::dom::element object;
  if (parser.parse(pods[0]).get(object)) state.SkipWithError("a pod is not JSON");  // warm up
  for (auto _ : state) {
    std::size_t before = heap_in_use();
    auto cache = std::make_unique<k8s::Cache<cluster::Pod>>(k8s::decode_pod);
    for (const auto& json : pods) {
      if (parser.parse(json).get(object)) state.SkipWithError("a pod is not JSON");
      cache->put(k8s::object_key(object), object);
    }
    std::size_t after = heap_in_use();
    state.counters["bytes_per_pod"] = static_cast<double>(after - before) / kPods;
    state.counters["json_bytes_per_pod"] = static_cast<double>(json_bytes) / kPods;
    if (cache->size() != kPods) state.SkipWithError("pods missing from the cache");
  }
}
BENCHMARK(BM_CacheBytesPerPod)->Iterations(1)->Unit(benchmark::kMillisecond);

void BM_ListAndChurn(benchmark::State& state) {
  const int events = churn_seconds * kEventsPerSecond;
  const std::string path = "/api/v1/pods";
  test::ApiScript api;
  constexpr int kPage = 500;
  for (int page = 0; page * kPage < kPods; ++page) {
    std::vector<std::string> items;
    for (int i = page * kPage; i < (page + 1) * kPage; ++i) items.push_back(pod_json(i, 0, i + 1));
    bool last = (page + 1) * kPage >= kPods;
    api.list(path, test::list_body(std::to_string(kPods), items,
                                   last ? "" : "page-" + std::to_string(page + 1)));
  }
  // The churn: pod (k * 7919) % 10,000 restarts again, 10 events every 10 ms.
  std::vector<int> restarts(kPods, 0);
  test::Response watch;
  std::string batch;
  for (int k = 0; k < events; ++k) {
    int i = static_cast<int>((static_cast<long>(k) * 7919) % kPods);
    batch += test::watch_line("MODIFIED", pod_json(i, ++restarts[i], kPods + 1 + k));
    if (k % 10 == 9 || k + 1 == events) {
      watch.stream.push_back({10ms, std::move(batch)});
      batch.clear();
    }
  }
  watch.hold = 600s;
  api.watch(path, std::move(watch));
  test::FaultServer server(api.handler());
  k8s::Connection connection;
  connection.server = server.url();

  for (auto _ : state) {
    auto cache_ptr = std::make_unique<k8s::Cache<cluster::Pod>>(k8s::decode_pod);
    auto informer_ptr = std::make_unique<k8s::Informer>(connection, path, *cache_ptr);
    auto& cache = *cache_ptr;
    auto& informer = *informer_ptr;
    auto start = std::chrono::steady_clock::now();
    informer.start();
    if (!informer.wait_synced(60s)) {
      state.SkipWithError("the list did not complete");
      break;
    }
    auto listed = std::chrono::steady_clock::now();
    test::poll_until([&] { return informer.stats().events >= events; },
                     std::chrono::seconds(churn_seconds * 3 + 10));
    auto done = std::chrono::steady_clock::now();
    std::size_t after = heap_in_use();
    auto stats = informer.stats();
    informer.stop();
    bool right = true;
    cache.read([&](const auto& items) {
      for (int i = 0; i < kPods; ++i) {
        auto it =
            items.find("shop/app-" + std::to_string(i % 100) + "-7d4b9c8f6d-" + std::to_string(i));
        right = right && it != items.end() && it->second.restarts == restarts[i];
      }
    });
    // What the informer held is what destroying it gives back (the server's pages, some freed
    // while the list ran, are not in this difference).
    informer_ptr.reset();
    cache_ptr.reset();
    std::size_t released = heap_in_use();
    state.counters["bytes_per_pod"] = static_cast<double>(after - released) / kPods;
    state.counters["events_sent"] = events;
    state.counters["events_applied"] = static_cast<double>(stats.events);
    state.counters["list_ms"] = std::chrono::duration<double, std::milli>(listed - start).count();
    state.counters["churn_s"] = std::chrono::duration<double>(done - listed).count();
    state.counters["reconnects"] = static_cast<double>(stats.reconnects);
    if (stats.events != events || stats.bad_lines != 0)
      state.SkipWithError("watch events were dropped");
    else if (!right)
      state.SkipWithError("a pod's last state is not what the cache holds");
  }
}
BENCHMARK(BM_ListAndChurn)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
  // --churn_seconds=N, handled before Google Benchmark sees the arguments.
  std::vector<char*> rest;
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    if (a.starts_with("--churn_seconds="))
      churn_seconds = std::max(1, std::stoi(a.substr(16)));
    else
      rest.push_back(argv[i]);
  }
  int n = static_cast<int>(rest.size());
  benchmark::Initialize(&n, rest.data());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
}
