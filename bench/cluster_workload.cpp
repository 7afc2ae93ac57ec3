#include "bench/cluster_workload.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "bench/rng.hpp"

namespace skippy::bench {
namespace {

using sv = std::string_view;

// Each shape is driven by a few parameters of the pod model below (Cluster::Pod). The
// thresholds are about the 98th, 99th, 99.5th, 99.7th and 99.8th percentiles of the shape's
// values over 10,000 pods after 10 minutes of data (some grow with the data: the increases,
// the leaks), so that a few percent of the pods are in trouble, as in a cluster on a bad day.
constexpr std::array<Shape, 20> kShapes = {{
    {"memory_limit_ratio",
     R"(max by (namespace, pod) (container_memory_working_set_bytes{container!=""} / on (namespace, pod, container) kube_pod_container_resource_limits{resource="memory"}))",
     {"0.94", "0.96", "0.97", "0.98", "0.99"}},
    {"cpu_request_ratio",
     R"(sum by (namespace, pod) (rate(container_cpu_usage_seconds_total{container!=""}[5m])) / sum by (namespace, pod) (kube_pod_container_resource_requests{resource="cpu"}))",
     {"1.75", "1.85", "1.9", "1.95", "1.98"}},
    {"cpu_throttled_share",
     R"(sum by (namespace, pod) (rate(container_cpu_cfs_throttled_periods_total[5m])) / sum by (namespace, pod) (rate(container_cpu_cfs_periods_total[5m])))",
     {"0.4", "0.44", "0.46", "0.48", "0.49"}},
    {"restarts_1h",
     R"(sum by (namespace, pod) (increase(kube_pod_container_status_restarts_total[1h])))",
     {"1", "2", "3", "5", "10"}},
    {"error_ratio",
     R"(sum by (namespace, pod) (rate(http_requests_total{code=~"5.."}[5m])) / sum by (namespace, pod) (rate(http_requests_total[5m])))",
     {"0.15", "0.2", "0.25", "0.27", "0.28"}},
    {"latency_p99",
     R"(histogram_quantile(0.99, sum by (namespace, pod, le) (rate(http_request_duration_seconds_bucket[5m]))))",
     {"0.5", "1", "1.5", "2", "2.4"}},
    {"latency_mean",
     R"(sum by (namespace, pod) (rate(http_request_duration_seconds_sum[5m])) / sum by (namespace, pod) (rate(http_request_duration_seconds_count[5m])))",
     {"0.1", "0.2", "0.3", "0.4", "0.5"}},
    {"memory_forecast_1h",
     R"(max by (namespace, pod) (predict_linear(container_memory_working_set_bytes{container!=""}[15m], 3600) / on (namespace, pod, container) kube_pod_container_resource_limits{resource="memory"}))",
     {"1.5", "2", "2.5", "2.8", "3"}},
    {"network_receive_rate",
     R"(sum by (namespace, pod) (rate(container_network_receive_bytes_total[5m])))",
     {"60000000", "80000000", "88000000", "92000000", "95000000"}},
    {"network_transmit_15m",
     R"(sum by (namespace, pod) (increase(container_network_transmit_bytes_total[15m])))",
     {"36000000000", "45000000000", "50000000000", "54000000000", "57000000000"}},
    {"unready_share",
     R"(max by (namespace, pod) (avg_over_time(kube_pod_status_ready{condition="false"}[10m]) * on (namespace, pod) group_left (node) kube_pod_info))",
     {"0.3", "0.5", "0.6", "0.7", "0.8"}},
    {"crashloop_restarts",
     R"(max by (namespace, pod) (kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff"}) * on (namespace, pod) sum by (namespace, pod) (increase(kube_pod_container_status_restarts_total[10m])))",
     {"2", "3", "4", "5", "6"}},
    {"oom_kills_30m",
     R"(sum by (namespace, pod) (increase(container_oom_events_total[30m])))",
     {"0.5", "1", "1.5", "2", "3"}},
    {"disk_forecast_4h",
     R"(max by (namespace, pod) (predict_linear(container_fs_usage_bytes{container!=""}[10m], 14400)))",
     {"12000000000", "15000000000", "17000000000", "18000000000", "19000000000"}},
    {"consumer_lag_growth",
     R"(max by (namespace, pod) (deriv(kafka_consumergroup_lag[5m])))",
     {"250", "350", "420", "450", "480"}},
    {"goroutines_peak",
     R"(max by (namespace, pod) (max_over_time(go_goroutines[10m])))",
     {"2500", "4000", "5000", "5500", "6000"}},
    {"fd_usage",
     R"(max by (namespace, pod) (process_open_fds / process_max_fds))",
     {"0.5", "0.6", "0.7", "0.8", "0.9"}},
    {"memory_request_ratio",
     R"(sum by (namespace, pod) (container_memory_working_set_bytes{container!=""}) / sum by (namespace, pod) (kube_pod_container_resource_requests{resource="memory"}))",
     {"1.88", "1.92", "1.95", "1.97", "1.98"}},
    {"cpu_peak_10m",
     R"(max by (namespace, pod) (max_over_time(rate(container_cpu_usage_seconds_total{container!=""}[1m])[10m:1m])))",
     {"1.2", "1.5", "1.7", "1.8", "1.9"}},
    {"errors_1h",
     R"(sum by (namespace, pod) (increase(http_requests_total{code=~"5.."}[1h])))",
     {"5000", "7500", "10000", "12000", "15000"}},
}};

// The histogram's finite bucket bounds (le), as a client library's defaults would be.
constexpr std::array<double, 7> kBuckets = {0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5};
constexpr std::array<sv, 7> kBucketLabels = {"0.01", "0.05", "0.1", "0.25", "0.5", "1", "2.5"};

constexpr sv kContainer = "app";
constexpr std::size_t kPodsPerDeployment = 10;
constexpr std::size_t kNamespaces = 50;
constexpr std::size_t kPodsPerNode = 100;

std::string two_digits(std::size_t n) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02zu", n % 100);
  return buf;
}

std::string padded(std::size_t n, int width) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%0*zu", width, n);
  return buf;
}

// Lower-case letters and digits as Kubernetes uses them in generated names.
std::string random_suffix(Rng& rng, std::size_t length) {
  static constexpr sv kAlphabet = "bcdfghjklmnpqrstvwxz2456789";
  std::string out;
  for (std::size_t i = 0; i < length; ++i) out += kAlphabet[rng.below(kAlphabet.size())];
  return out;
}

void append_number(std::string& out, double value) {
  char buf[32];
  auto end = std::to_chars(buf, buf + sizeof buf, value).ptr;
  out.append(buf, end);
}

}  // namespace

std::span<const Shape> alert_shapes() {
  return kShapes;
}

std::string alert_name(std::size_t shape, std::size_t threshold) {
  return "s" + two_digits(shape + 1) + "_" + std::string(kShapes[shape].name) + "_" +
         std::to_string(threshold + 1);
}

std::string prometheus_rules(std::string_view interval) {
  std::string out =
      "groups:\n  - name: bench\n    interval: " + std::string(interval) + "\n    rules:\n";
  for (std::size_t s = 0; s < kShapes.size(); ++s) {
    for (std::size_t t = 0; t < kShapes[s].thresholds.size(); ++t) {
      std::string threshold(kShapes[s].thresholds[t]);
      out += "      - alert: " + alert_name(s, t) + "\n";
      out += "        expr: |-\n          (" + std::string(kShapes[s].promql) + ") > " + threshold +
             "\n";
      out += "        for: " + std::string(kThresholdFor[t]) + "\n";
      out += "        labels:\n          severity: " + std::string(t < 3 ? "warning" : "critical") +
             "\n";
      out +=
          "        annotations:\n          summary: '{{ $labels.namespace }}/{{ $labels.pod }}: " +
          std::string(kShapes[s].name) + " is {{ $value }}, above " + threshold + "'\n";
    }
  }
  return out;
}

std::vector<PolicyFile> skippy_policies(std::string_view interval) {
  std::vector<PolicyFile> out;
  for (std::size_t s = 0; s < kShapes.size(); ++s) {
    for (std::size_t t = 0; t < kShapes[s].thresholds.size(); ++t) {
      std::string name = alert_name(s, t);
      std::string shape(kShapes[s].name);
      std::string threshold(kShapes[s].thresholds[t]);
      std::string text =
          "# The alerting rule " + name + " of the Prometheus comparison (generated by\n" +
          "# bench/cluster_workload.cpp).\npolicy " + name + " {\n" + "  description \"" + shape +
          " above " + threshold + " for " + std::string(kThresholdFor[t]) + "\"\n" +
          "  select pods in all namespaces\n  every " + std::string(interval) + "\n  signal " +
          shape + " = promql(`" + std::string(kShapes[s].promql) + "`) by (namespace, pod) max\n" +
          "  trigger high when " + shape + " > " + threshold + " for " +
          std::string(kThresholdFor[t]) + "\n" +
          "  on high do annotate(key: \"skippy.io/alert\", value: \"" + name + "\")\n}\n";
      out.push_back({name + ".skippy", std::move(text)});
    }
  }
  return out;
}

// ---- The pod model ---------------------------------------------------------------------------

// One pod with one container, `app`. Fixed parameters are drawn once; the moving part is
// advanced by step(). Rates are per second; counters start as if the pod had run for a while.
struct Cluster::Pod {
  std::string namespace_name, name, deployment, replicaset, node;
  std::string labels;            // namespace="...",pod="..."
  std::string container_labels;  // the same and container="app"
  Rng rng{0};

  // Fixed.
  double memory_limit = 0, memory_request = 0, cpu_request = 0;
  double memory_base = 0;  // working set, share of the limit, just after start
  double memory_leak = 0;  // share of the limit per second (3% of pods)
  double cpu_util = 0;     // usage / request
  double throttle = 0;     // share of CFS periods throttled
  double rx_rate = 0, tx_rate = 0, fs_growth = 0;
  bool crash_looping = false;  // 1% of pods: restarts about every 3 minutes (back-off)
  double unready_chance = 0;   // per scrape (3% of pods)
  double request_rate = 0, error_share = 0, latency_mean = 0;
  double lag_drift = 0, goroutine_leak = 0, fd_leak = 0, max_fds = 0;

  // Moving.
  double memory_share = 0, working_set = 0;
  double cpu_seconds = 0, periods = 0, throttled = 0, rx = 0, tx = 0, fs_bytes = 0;
  double oom_events = 0, restarts = 0;
  bool ready = true;
  double ok_requests = 0, error_requests = 0;
  std::array<double, kBuckets.size()> buckets{};
  double latency_sum = 0, latency_count = 0;
  double lag = 0, goroutines = 0, open_fds = 0;

  void draw(std::uint64_t seed, std::size_t index);
  void step(double dt);
};

void Cluster::Pod::draw(std::uint64_t seed, std::size_t index) {
  rng = Rng(seed ^ (0x9E3779B97F4A7C15ull * (index + 1)));
  static constexpr std::array<double, 4> kMemoryLimits = {256.0 * (1 << 20), 512.0 * (1 << 20),
                                                          1024.0 * (1 << 20), 2048.0 * (1 << 20)};
  static constexpr std::array<double, 4> kCpuRequests = {0.1, 0.25, 0.5, 1.0};
  memory_limit = rng.pick(kMemoryLimits);
  memory_request = memory_limit / 2;
  cpu_request = rng.pick(kCpuRequests);
  memory_base = 0.3 + 0.69 * std::pow(rng.unit(), 4);
  memory_leak = rng.percent(3) ? 0.0001 + 0.0006 * rng.unit() : 0.0;
  cpu_util = 0.1 + 1.9 * std::pow(rng.unit(), 8);
  throttle = 0.5 * std::pow(rng.unit(), 12);
  rx_rate = std::pow(10.0, 3 + 5 * std::pow(rng.unit(), 2));
  tx_rate = std::pow(10.0, 3 + 5 * std::pow(rng.unit(), 2));
  fs_growth = rng.percent(5) ? 1e5 + 9e5 * rng.unit() : 0.0;
  crash_looping = rng.percent(1);
  unready_chance = rng.percent(3) ? 0.1 + 0.8 * rng.unit() : 0.0;
  request_rate = 1 + 99 * rng.unit();
  error_share = 0.3 * std::pow(rng.unit(), 30);
  latency_mean = 0.01 * std::pow(10.0, 1.8 * std::pow(rng.unit(), 20));
  lag_drift = rng.percent(5) ? 5 + 495 * rng.unit() : 0.0;
  goroutine_leak = rng.percent(3) ? 0.5 + 9.5 * rng.unit() : 0.0;
  max_fds = rng.percent(50) ? 1024 : 65536;
  fd_leak = rng.percent(2) ? max_fds * (0.0002 + 0.002 * rng.unit()) : 0.0;

  double uptime = 3600 * (1 + 240 * rng.unit());
  memory_share = memory_base;
  cpu_seconds = cpu_request * cpu_util * uptime;
  periods = 10 * uptime;
  throttled = periods * throttle;
  rx = rx_rate * uptime;
  tx = tx_rate * uptime;
  fs_bytes = 1e9 * (1 + 6 * rng.unit());
  restarts = static_cast<double>(rng.below(3));
  double requests = request_rate * uptime;
  error_requests = requests * error_share;
  ok_requests = requests - error_requests;
  for (std::size_t b = 0; b < kBuckets.size(); ++b)
    buckets[b] = requests * (1 - std::exp(-kBuckets[b] / latency_mean));
  latency_count = requests;
  latency_sum = requests * latency_mean;
  lag = 100 * rng.unit();
  goroutines = 50 + 450 * rng.unit();
  open_fds = max_fds * (0.01 + 0.3 * std::pow(rng.unit(), 4));
  step(0);
}

void Cluster::Pod::step(double dt) {
  auto jitter = [this] { return 0.95 + 0.1 * rng.unit(); };
  memory_share += memory_leak * dt;
  if (memory_share >= 1) {  // the OOM killer: the container starts again
    memory_share = memory_base;
    oom_events += 1;
    restarts += 1;
  }
  working_set = memory_limit * memory_share * (0.99 + 0.02 * rng.unit());
  cpu_seconds += cpu_request * cpu_util * jitter() * dt;
  periods += 10 * dt;
  throttled += 10 * dt * throttle * jitter();
  rx += rx_rate * jitter() * dt;
  tx += tx_rate * jitter() * dt;
  fs_bytes += fs_growth * dt;
  if (rng.unit() < dt / (crash_looping ? 180 : 36000)) restarts += 1;
  ready = !(unready_chance > 0 && rng.unit() < unready_chance);
  double requests = request_rate * jitter() * dt;
  double errors = requests * error_share * jitter();
  error_requests += errors;
  ok_requests += requests - errors;
  double latency = latency_mean * jitter();
  for (std::size_t b = 0; b < kBuckets.size(); ++b)
    buckets[b] += requests * (1 - std::exp(-kBuckets[b] / latency));
  latency_count += requests;
  latency_sum += requests * latency;
  lag = std::max(0.0, lag + lag_drift * dt + 20 * (rng.unit() - 0.5) * dt);
  goroutines += goroutine_leak * dt;
  open_fds = std::min(max_fds, open_fds + fd_leak * dt);
}

// ---- Shards and rendering --------------------------------------------------------------------

struct Cluster::Shard {
  std::size_t first = 0, end = 0;  // pods [first, end)
  mutable std::mutex mutex;
  std::size_t scrapes = 0;
};

Cluster::Cluster(std::size_t pods, std::uint64_t seed, double step_seconds)
    : pods_(pods), step_seconds_(step_seconds) {
  Rng names(seed);
  std::string replicaset;
  for (std::size_t i = 0; i < pods; ++i) {
    Pod& p = pods_[i];
    std::size_t d = i / kPodsPerDeployment;
    if (i % kPodsPerDeployment == 0)
      replicaset = "svc-" + padded(d, 4) + "-" + random_suffix(names, 9);
    p.namespace_name = "team-" + two_digits(d % kNamespaces);
    p.deployment = "svc-" + padded(d, 4);
    p.replicaset = replicaset;
    p.name = replicaset + "-" + random_suffix(names, 5);
    p.node = "node-" + padded(i / kPodsPerNode, 3);
    p.labels = "namespace=\"" + p.namespace_name + "\",pod=\"" + p.name + "\"";
    p.container_labels = p.labels + ",container=\"" + std::string(kContainer) + "\"";
    p.draw(seed, i);
  }
  for (std::size_t first = 0; first < pods; first += kPodsPerShard) {
    auto& shard = shards_.emplace_back(std::make_unique<Shard>());
    shard->first = first;
    shard->end = std::min(pods, first + kPodsPerShard);
  }
}

Cluster::~Cluster() = default;

std::size_t Cluster::pods() const {
  return pods_.size();
}
std::size_t Cluster::shards() const {
  return shards_.size();
}

std::size_t Cluster::series() const {
  // 20 families: 14 with one series per pod (the waiting reason only for crash-looping
  // pods); limits, requests, readiness and the request counter with two; the histogram with
  // its finite buckets, +Inf, _sum and _count.
  std::size_t looping = 0;
  for (const auto& p : pods_) looping += p.crash_looping ? 1 : 0;
  return pods_.size() * (13 + 4 * 2 + kBuckets.size() + 3) + looping;
}

std::size_t Cluster::scrapes(std::size_t shard) const {
  if (shard >= shards_.size()) return 0;
  std::lock_guard lock(shards_[shard]->mutex);
  return shards_[shard]->scrapes;
}

std::string Cluster::snapshot_yaml() const {
  std::string out =
      "# The pods of the Prometheus comparison (generated by bench/cluster_workload.cpp).\npods:\n";
  for (const auto& p : pods_) {
    out += "  - {namespace: " + p.namespace_name + ", name: " + p.name +
           ", labels: {app: " + p.deployment + "}, owner: Deployment/" + p.deployment +
           ", node: " + p.node + ", phase: Running, ready: true, restarts: 0}\n";
  }
  out += "deployments:\n";
  for (std::size_t i = 0; i < pods_.size(); i += kPodsPerDeployment) {
    std::size_t replicas = std::min(kPodsPerDeployment, pods_.size() - i);
    out += "  - {namespace: " + pods_[i].namespace_name + ", name: " + pods_[i].deployment +
           ", replicas: " + std::to_string(replicas) + "}\n";
  }
  return out;
}

std::string Cluster::scrape(std::size_t index) {
  if (index >= shards_.size()) return {};
  Shard& shard = *shards_[index];
  std::lock_guard lock(shard.mutex);
  if (shard.scrapes++ > 0) {
    for (std::size_t i = shard.first; i < shard.end; ++i) pods_[i].step(step_seconds_);
  }
  std::span<const Pod> pods(pods_.data() + shard.first, shard.end - shard.first);

  std::string out;
  out.reserve(pods.size() * 4096);
  auto family = [&](sv name, sv type, sv help) {
    out += "# HELP ";
    out += name;
    out += ' ';
    out += help;
    out += "\n# TYPE ";
    out += name;
    out += ' ';
    out += type;
    out += '\n';
  };
  auto sample = [&](sv name, sv labels, sv extra, double value) {
    out += name;
    out += '{';
    out += labels;
    out += extra;
    out += "} ";
    append_number(out, value);
    out += '\n';
  };
  auto each = [&](sv name, sv type, sv help, bool container, auto value) {
    family(name, type, help);
    for (const auto& p : pods)
      sample(name, container ? p.container_labels : p.labels, "", value(p));
  };

  // cAdvisor (the kubelet).
  each("container_memory_working_set_bytes", "gauge", "Current working set in bytes.", true,
       [](const Pod& p) { return p.working_set; });
  each("container_cpu_usage_seconds_total", "counter", "Cumulative CPU time consumed in seconds.",
       true, [](const Pod& p) { return p.cpu_seconds; });
  each("container_cpu_cfs_periods_total", "counter", "Number of elapsed enforcement periods.", true,
       [](const Pod& p) { return p.periods; });
  each("container_cpu_cfs_throttled_periods_total", "counter", "Number of throttled periods.", true,
       [](const Pod& p) { return p.throttled; });
  each("container_network_receive_bytes_total", "counter", "Cumulative bytes received.", true,
       [](const Pod& p) { return p.rx; });
  each("container_network_transmit_bytes_total", "counter", "Cumulative bytes transmitted.", true,
       [](const Pod& p) { return p.tx; });
  each("container_fs_usage_bytes", "gauge", "Bytes consumed by the container on this filesystem.",
       true, [](const Pod& p) { return p.fs_bytes; });
  each("container_oom_events_total", "counter", "Count of out of memory events.", true,
       [](const Pod& p) { return p.oom_events; });

  // kube-state-metrics.
  each("kube_pod_container_status_restarts_total", "counter",
       "The number of container restarts per container.", true,
       [](const Pod& p) { return p.restarts; });
  family("kube_pod_container_resource_limits", "gauge",
         "The number of requested limit resource by a container.");
  for (const auto& p : pods) {
    sample("kube_pod_container_resource_limits", p.container_labels,
           ",resource=\"cpu\",unit=\"core\"", 2 * p.cpu_request);
    sample("kube_pod_container_resource_limits", p.container_labels,
           ",resource=\"memory\",unit=\"byte\"", p.memory_limit);
  }
  family("kube_pod_container_resource_requests", "gauge",
         "The number of requested request resource by a container.");
  for (const auto& p : pods) {
    sample("kube_pod_container_resource_requests", p.container_labels,
           ",resource=\"cpu\",unit=\"core\"", p.cpu_request);
    sample("kube_pod_container_resource_requests", p.container_labels,
           ",resource=\"memory\",unit=\"byte\"", p.memory_request);
  }
  family("kube_pod_status_ready", "gauge", "Describes whether the pod is ready to serve requests.");
  for (const auto& p : pods) {
    sample("kube_pod_status_ready", p.labels, ",condition=\"true\"", p.ready ? 1 : 0);
    sample("kube_pod_status_ready", p.labels, ",condition=\"false\"", p.ready ? 0 : 1);
  }
  family("kube_pod_info", "gauge", "Information about pod.");
  for (const auto& p : pods) {
    sample("kube_pod_info", p.labels,
           ",node=\"" + p.node + "\",created_by_kind=\"ReplicaSet\",created_by_name=\"" +
               p.replicaset + "\"",
           1);
  }
  family("kube_pod_container_status_waiting_reason", "gauge",
         "Describes the reason the container is currently in waiting state.");
  for (const auto& p : pods) {
    if (p.crash_looping)
      sample("kube_pod_container_status_waiting_reason", p.container_labels,
             ",reason=\"CrashLoopBackOff\"", 1);
  }

  // The application's own metrics (a Prometheus client library's).
  family("http_requests_total", "counter", "Requests served, by status code.");
  for (const auto& p : pods) {
    sample("http_requests_total", p.container_labels, ",code=\"200\"", p.ok_requests);
    sample("http_requests_total", p.container_labels, ",code=\"500\"", p.error_requests);
  }
  family("http_request_duration_seconds", "histogram", "Request latency.");
  for (const auto& p : pods) {
    for (std::size_t b = 0; b < kBuckets.size(); ++b) {
      sample("http_request_duration_seconds_bucket", p.container_labels,
             ",le=\"" + std::string(kBucketLabels[b]) + "\"", p.buckets[b]);
    }
    sample("http_request_duration_seconds_bucket", p.container_labels, ",le=\"+Inf\"",
           p.latency_count);
    sample("http_request_duration_seconds_sum", p.container_labels, "", p.latency_sum);
    sample("http_request_duration_seconds_count", p.container_labels, "", p.latency_count);
  }
  each("kafka_consumergroup_lag", "gauge", "Messages the consumer is behind.", true,
       [](const Pod& p) { return std::round(p.lag); });
  each("go_goroutines", "gauge", "Number of goroutines that currently exist.", true,
       [](const Pod& p) { return std::round(p.goroutines); });
  each("process_open_fds", "gauge", "Number of open file descriptors.", true,
       [](const Pod& p) { return std::round(p.open_fds); });
  each("process_max_fds", "gauge", "Maximum number of open file descriptors.", true,
       [](const Pod& p) { return p.max_fds; });
  return out;
}

}  // namespace skippy::bench
