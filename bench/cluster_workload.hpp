// The workload of the Prometheus comparison (prometheus_compare.cpp): a synthetic cluster of
// pods whose cAdvisor, kube-state-metrics and application series move between scrapes, the 20
// expression shapes an operator alerts on, and the same alerting intent written twice: as a
// Prometheus rule file (20 shapes x 5 thresholds = 100 alerting rules) and as 100 Skippy
// policies, with the cluster snapshot `skippy run` reads. Deterministic (SplitMix64 seeded
// per pod); the clock is never read.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace skippy::bench {

// One expression shape: its PromQL returns one series per (namespace, pod); the alerting rules
// compare it with each of five thresholds (written the same in PromQL and in Skippy).
struct Shape {
  std::string_view name;
  std::string_view promql;
  std::array<std::string_view, 5> thresholds;
};

// The 20 shapes, and the `for` of each threshold's rule (warnings wait longer than pages).
std::span<const Shape> alert_shapes();
inline constexpr std::array<std::string_view, 5> kThresholdFor = {"10m", "5m", "5m", "2m", "1m"};

// "s01_memory_limit_ratio_1": the alert's name and the policy's, for shape s, threshold t.
std::string alert_name(std::size_t shape, std::size_t threshold);

// One group, `bench`, evaluated every `interval` (a Prometheus duration such as "15s"): for
// each shape and threshold, `alert: NAME`, `expr: (SHAPE) > T`, `for:`, a severity label and a
// summary annotation that names the pod and the value, as alerting rules usually do.
std::string prometheus_rules(std::string_view interval);

struct PolicyFile {
  std::string file_name;  // "s01_memory_limit_ratio_1.skippy"
  std::string text;
};
// The 100 equivalent policies: `every interval`, all pods, the shape as one PromQL signal
// joined by (namespace, pod), one trigger `value > T for F`, and an annotation to propose.
std::vector<PolicyFile> skippy_policies(std::string_view interval);

// The pods and their series. Pods are served in shards of kPodsPerShard (one scrape target
// each, as cAdvisor is per node); each scrape of a shard advances its pods by one step of
// `step_seconds` and renders the text exposition. Shards may be scraped concurrently.
class Cluster {
 public:
  static constexpr std::size_t kPodsPerShard = 1000;

  Cluster(std::size_t pods, std::uint64_t seed, double step_seconds);
  ~Cluster();
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  std::size_t pods() const;
  std::size_t shards() const;
  std::size_t series() const;  // series per scrape of all shards (a few vary)
  // The cluster snapshot (docs/runtime.md): the pods and their deployments, short form.
  std::string snapshot_yaml() const;
  // One scrape of a shard: advance, then render. Empty for a shard that does not exist.
  std::string scrape(std::size_t shard);
  std::size_t scrapes(std::size_t shard) const;

 private:
  struct Pod;
  struct Shard;
  std::vector<Pod> pods_;
  std::vector<std::unique_ptr<Shard>> shards_;
  double step_seconds_;
};

}  // namespace skippy::bench
