#include "simulator/behaviour.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "base/literals.hpp"
#include "simulator/names.hpp"
#include "simulator/selectors.hpp"

namespace skippy::sim {
namespace {

constexpr std::string_view kPrefix = "sim.skippy.io/";
constexpr std::int64_t kFirstBackoffMs = 10'000;           // the kubelet's first restart back-off
constexpr std::int64_t kMaxBackoffMs = 300'000;            // and its cap
constexpr std::int64_t kBackoffResetRunMs = 600'000;       // a run this long resets the back-off
constexpr double kSteadyMemoryShare = 0.3;                 // of the limit, for steady containers
constexpr double kSteadyMemoryBytes = 64.0 * 1024 * 1024;  // without a limit
constexpr double kSteadyCpuShare = 0.05;                   // of the limit
constexpr double kSteadyCpuCores = 0.02;                   // without a limit
constexpr double kPi = 3.14159265358979323846;
constexpr std::int64_t kBurstCycle = 64;  // a flaky web app's bursts repeat after this many periods
// Every pod's network traffic, per second, and the size of its packets.
constexpr double kReceivePackets = 50, kReceivePacketBytes = 800;
constexpr double kTransmitPackets = 40, kTransmitPacketBytes = 1200;

// The behaviours by annotation value.
constexpr std::pair<std::string_view, BehaviourKind> kKinds[] = {
    {"memory-leak", BehaviourKind::MemoryLeak},
    {"crash-loop", BehaviourKind::CrashLoop},
    {"cpu-spike", BehaviourKind::CpuSpike},
    {"flaky-web-app", BehaviourKind::FlakyWebApp},
    {"memory-degradation", BehaviourKind::MemoryDegradation},
    {"cpu-oscillation", BehaviourKind::CpuOscillation},
    {"network-degradation", BehaviourKind::NetworkDegradation},
    {"chaos-monkey", BehaviourKind::ChaosMonkey},
};
constexpr std::string_view kTargetSelector = "target-selector";

// One numeric parameter: its annotation key without the prefix, its field, its bounds.
struct Parameter {
  std::string_view key;
  double Behaviour::*field;
  double min;
  double max;
};

constexpr Parameter kParameters[] = {
    {"start-percent", &Behaviour::start_percent, 0, 99.99},
    {"growth-percent-per-minute", &Behaviour::growth_percent_per_minute, 0.01, 10'000},
    {"exit-after-seconds", &Behaviour::exit_after_seconds, 1, 86'400},
    {"spike-percent", &Behaviour::spike_percent, 0, 100},
    {"idle-percent", &Behaviour::idle_percent, 0, 100},
    {"spike-seconds", &Behaviour::spike_seconds, 1, 86'400},
    {"period-seconds", &Behaviour::period_seconds, 1, 86'400},
    {"requests-per-second", &Behaviour::requests_per_second, 0, 100'000},
    {"error-percent", &Behaviour::error_percent, 0, 100},
    {"burst-error-percent", &Behaviour::burst_error_percent, 0, 100},
    {"burst-chance-percent", &Behaviour::burst_chance_percent, 0, 100},
    {"latency-ms", &Behaviour::latency_ms, 0.1, 600'000},
    {"burst-latency-ms", &Behaviour::burst_latency_ms, 0.1, 600'000},
    {"seed", &Behaviour::seed, 0, 1e15},
    {"ceiling-percent", &Behaviour::ceiling_percent, 1, 99.99},
    {"half-life-minutes", &Behaviour::half_life_minutes, 0.01, 10'000},
    {"base-percent", &Behaviour::base_percent, 0, 100},
    {"amplitude-percent", &Behaviour::amplitude_percent, 0, 50},
    {"step-seconds", &Behaviour::step_seconds, 1, 86'400},
    {"healthy-steps", &Behaviour::healthy_steps, 0, 1'000},
    {"degraded-steps", &Behaviour::degraded_steps, 1, 1'000},
    {"max-error-percent", &Behaviour::max_error_percent, 0, 100},
    {"interval-seconds", &Behaviour::interval_seconds, 1, 86'400},
};

// Parameters counted in whole steps.
bool whole(const Parameter& p) {
  return p.field == &Behaviour::healthy_steps || p.field == &Behaviour::degraded_steps;
}

std::optional<double> number(std::string_view text) {
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value))
    return std::nullopt;
  return value;
}

// A resource quantity ("256Mi", "1.5G", "500m", "2") in bytes or cores, read as the policy
// language reads quantities; "500m" reads there as minutes or millicores, here as millicores.
std::optional<double> quantity(const std::string& text) {
  base::ClassifiedLiteral literal = base::classify_literal(text);
  if (literal.kind == base::LiteralKind::Duration && literal.minutes_or_milli)
    return literal.value / 60'000;  // N minutes in seconds, as N thousandths
  if (literal.kind == base::LiteralKind::Number || literal.kind == base::LiteralKind::Quantity)
    return literal.value;
  return std::nullopt;
}

// The shortest text of `value` ("1", "99.99").
std::string number_text(double value) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  return ec == std::errc() ? std::string(buf, end) : "?";
}

// CPU seconds a container uses from the pod's start to `seconds` after it.
double cpu_used(const Behaviour& b, const Limits& limits, double seconds) {
  if (b.kind == BehaviourKind::CpuOscillation) {
    double w = 2 * kPi / b.period_seconds;  // the integral of base + amplitude * sin(w t)
    return limits.cpu_cores *
           (b.base_percent * seconds + b.amplitude_percent / w * (1 - std::cos(w * seconds))) / 100;
  }
  if (b.kind != BehaviourKind::CpuSpike) {
    double rate = limits.cpu_cores > 0 ? limits.cpu_cores * kSteadyCpuShare : kSteadyCpuCores;
    return rate * seconds;
  }
  double spike = limits.cpu_cores * b.spike_percent / 100;
  double idle = limits.cpu_cores * b.idle_percent / 100;
  double periods = std::floor(seconds / b.period_seconds);
  double into = seconds - periods * b.period_seconds;
  return periods * (spike * b.spike_seconds + idle * (b.period_seconds - b.spike_seconds)) +
         spike * std::min(into, b.spike_seconds) + idle * std::max(0.0, into - b.spike_seconds);
}

// SplitMix64's finaliser: a well-mixed 64-bit number from `x`.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// A number in [0, 1) from `x`.
double unit(std::uint64_t x) {
  return static_cast<double>(mix(x) >> 11) * 0x1.0p-53;
}

// What a web app does during one segment of its life: a flaky web app's period, a network
// degradation's step.
struct Segment {
  double error_share = 0;   // of requests answered 5xx, and of packets gone bad
  double latency_mean = 0;  // seconds
};

double segment_seconds(const Behaviour& b) {
  return b.kind == BehaviourKind::FlakyWebApp ? b.period_seconds : b.step_seconds;
}

// Segments after which a web app repeats itself.
std::int64_t segment_cycle(const Behaviour& b) {
  if (b.kind == BehaviourKind::FlakyWebApp) return kBurstCycle;
  if (b.kind == BehaviourKind::NetworkDegradation)
    return static_cast<std::int64_t>(b.healthy_steps + b.degraded_steps);
  return 1;
}

Segment segment(const Behaviour& b, std::uint64_t pod_seed, std::int64_t k) {
  k %= segment_cycle(b);
  if (b.kind == BehaviourKind::FlakyWebApp) {
    bool burst = unit(pod_seed ^ mix(static_cast<std::uint64_t>(k))) * 100 < b.burst_chance_percent;
    return burst ? Segment{b.burst_error_percent / 100, b.burst_latency_ms / 1'000}
                 : Segment{b.error_percent / 100, b.latency_ms / 1'000};
  }
  if (b.kind == BehaviourKind::NetworkDegradation) {
    double degraded = static_cast<double>(k) - b.healthy_steps + 1;
    double share = degraded > 0 ? b.max_error_percent / 100 * degraded / b.degraded_steps : 0;
    // Latency rises with the bad packets retransmitted: eleven times the base at half bad.
    return {share, b.latency_ms / 1'000 * (1 + 20 * share)};
  }
  return {};
}

// Adds `seconds` of segment `s`'s traffic to `h`.
void add_http(HttpAt& h, const Behaviour& b, const Segment& s, double seconds) {
  double n = b.requests_per_second * seconds;
  h.requests += n;
  h.errors += n * s.error_share;
  h.latency_sum_seconds += n * s.latency_mean;
  for (std::size_t i = 0; i < kLatencyBuckets.size(); ++i)
    h.latency_buckets[i] += n * (1 - std::exp(-kLatencyBuckets[i] / s.latency_mean));
}

void add_network(NetworkAt& n, const Segment& s, double seconds) {
  double in = kReceivePackets * seconds, out = kTransmitPackets * seconds;
  n.receive_packets += in;
  n.receive_bytes += in * kReceivePacketBytes;
  n.receive_errors += in * s.error_share / 5;
  n.receive_dropped += in * s.error_share / 5;
  n.transmit_packets += out;
  n.transmit_bytes += out * kTransmitPacketBytes;
  n.transmit_errors += out * s.error_share / 5;
  n.transmit_dropped += out * s.error_share / 5;
}

// The sum of `add(total, segment, length)` over `seconds` from a pod's start: whole cycles
// once, then the segments left and the part of the last one.
template <typename Total, typename Add>
Total over_segments(const Behaviour& b, std::uint64_t pod_seed, double seconds, Add add) {
  Total total{}, cycle{};
  if (seconds <= 0) return total;
  double length = segment_seconds(b);
  std::int64_t cycle_length = segment_cycle(b);
  auto whole_segments = static_cast<std::int64_t>(std::floor(seconds / length));
  std::int64_t cycles = whole_segments / cycle_length;
  if (cycles > 0) {
    for (std::int64_t k = 0; k < cycle_length; ++k)
      add(cycle, segment(b, pod_seed, k), length * static_cast<double>(cycles));
    total = cycle;
  }
  for (std::int64_t k = cycles * cycle_length; k < whole_segments; ++k)
    add(total, segment(b, pod_seed, k), length);
  add(total, segment(b, pod_seed, whole_segments),
      seconds - static_cast<double>(whole_segments) * length);
  return total;
}

// How long one run lasts before it ends, or nullopt when it does not end.
std::optional<std::int64_t> run_length_ms(const Behaviour& b) {
  if (b.kind == BehaviourKind::MemoryLeak)
    return static_cast<std::int64_t>((100 - b.start_percent) / b.growth_percent_per_minute *
                                     60'000);
  if (b.kind == BehaviourKind::CrashLoop)
    return static_cast<std::int64_t>(b.exit_after_seconds * 1'000);
  return std::nullopt;
}

}  // namespace

std::variant<Behaviour, std::string> behaviour_of(const Json& pod) {
  Behaviour b;
  Json::json_pointer at("/metadata/annotations");
  if (!pod.contains(at) || !pod.at(at).is_object()) return b;
  const Json& annotations = pod.at(at);
  std::string kind = annotations.value(std::string(kPrefix) + "behaviour", "");
  if (kind.empty()) return b;
  const auto* known = std::find_if(std::begin(kKinds), std::end(kKinds),
                                   [&](const auto& k) { return k.first == kind; });
  if (known == std::end(kKinds)) {
    std::string names;
    for (const auto& k : kKinds) names += (names.empty() ? "" : ", ") + std::string(k.first);
    return "sim.skippy.io/behaviour: unknown behaviour \"" + kind + "\" (" + names + ")";
  }
  b.kind = known->second;
  for (const auto& [key, value] : annotations.items()) {
    if (!std::string_view(key).starts_with(kPrefix) || key == "sim.skippy.io/behaviour") continue;
    std::string_view name = std::string_view(key).substr(kPrefix.size());
    if (name == kTargetSelector) {
      b.target_selector = value.is_string() ? value.get<std::string>() : "";
      auto parsed = parse_label_selector(b.target_selector);
      if (const auto* why = std::get_if<std::string>(&parsed)) return key + ": " + *why;
      continue;
    }
    const Parameter* p = std::find_if(std::begin(kParameters), std::end(kParameters),
                                      [&](const Parameter& q) { return q.key == name; });
    if (p == std::end(kParameters)) return key + ": not a behaviour parameter";
    auto n = value.is_string() ? number(value.get<std::string>()) : std::nullopt;
    if (!n || *n < p->min || *n > p->max || (whole(*p) && *n != std::floor(*n)))
      return key + ": must be a " + (whole(*p) ? "whole number" : "number") + " from " +
             number_text(p->min) + " to " + number_text(p->max);
    b.*(p->field) = *n;
  }
  if (b.spike_seconds > b.period_seconds)
    return "sim.skippy.io/spike-seconds: a spike cannot be longer than its period";
  if (b.kind == BehaviourKind::CpuOscillation &&
      (b.amplitude_percent > b.base_percent || b.base_percent + b.amplitude_percent > 100))
    return "sim.skippy.io/amplitude-percent: the wave must stay between 0 and 100% of the limit";
  if (b.kind == BehaviourKind::ChaosMonkey && b.target_selector.empty())
    return "sim.skippy.io/target-selector: a chaos monkey needs a label selector of the pods it "
           "kills";
  Json::json_pointer containers("/spec/containers");
  if (pod.contains(containers) && pod.at(containers).is_array()) {
    for (const auto& c : pod.at(containers)) {
      Limits limits = limits_of(c);
      std::string name = c.value("name", "");
      bool memory =
          b.kind == BehaviourKind::MemoryLeak || b.kind == BehaviourKind::MemoryDegradation;
      bool cpu = b.kind == BehaviourKind::CpuSpike || b.kind == BehaviourKind::CpuOscillation;
      if (memory && limits.memory_bytes <= 0)
        return "sim.skippy.io/behaviour: " + kind + " needs a memory limit on container \"" + name +
               "\"";
      if (cpu && limits.cpu_cores <= 0)
        return "sim.skippy.io/behaviour: " + kind + " needs a CPU limit on container \"" + name +
               "\"";
    }
  }
  return b;
}

bool has_behaviour(const Json& pod) {
  auto b = behaviour_of(pod);
  const auto* valid = std::get_if<Behaviour>(&b);
  return valid && valid->kind != BehaviourKind::Steady;
}

Limits limits_of(const Json& container) {
  Limits out;
  Json::json_pointer at("/resources/limits");
  if (!container.contains(at) || !container.at(at).is_object()) return out;
  const Json& limits = container.at(at);
  auto read = [&](const char* key) {
    if (!limits.contains(key)) return 0.0;
    const Json& v = limits[key];
    if (v.is_number()) return v.get<double>();
    if (v.is_string()) return quantity(v.get<std::string>()).value_or(0.0);
    return 0.0;
  };
  out.memory_bytes = read("memory");
  out.cpu_cores = read("cpu");
  return out;
}

ContainerAt container_at(const Behaviour& behaviour, const Limits& limits,
                         std::int64_t pod_started_ms, std::int64_t now_ms) {
  ContainerAt at;
  std::optional<std::int64_t> run = run_length_ms(behaviour);
  std::int64_t start = pod_started_ms;
  std::int64_t backoff = kFirstBackoffMs;
  while (run && now_ms >= start + *run) {
    std::int64_t end = start + *run;
    ++at.restarts;
    at.last_started_ms = start;
    at.last_exit_ms = end;
    if (*run >= kBackoffResetRunMs) backoff = kFirstBackoffMs;
    std::int64_t wait = backoff;
    backoff = std::min(backoff * 2, kMaxBackoffMs);
    if (now_ms < end + wait) {
      at.running = false;
      at.backoff_until_ms = end + wait;
      break;
    }
    start = end + wait;
  }
  at.run_started_ms = start;
  if (at.restarts > 0) {
    bool oom = behaviour.kind == BehaviourKind::MemoryLeak;
    at.last_reason = oom ? "OOMKilled" : "Error";
    at.last_exit_code = oom ? 137 : 1;
  }
  if (!at.running) return at;
  double ran_minutes = static_cast<double>(now_ms - start) / 60'000;
  if (behaviour.kind == BehaviourKind::MemoryLeak) {
    at.memory_bytes =
        limits.memory_bytes *
        (behaviour.start_percent + behaviour.growth_percent_per_minute * ran_minutes) / 100;
  } else if (behaviour.kind == BehaviourKind::MemoryDegradation) {
    double left = (behaviour.ceiling_percent - behaviour.start_percent) *
                  std::exp2(-ran_minutes / behaviour.half_life_minutes);
    at.memory_bytes = limits.memory_bytes * (behaviour.ceiling_percent - left) / 100;
  } else {
    at.memory_bytes =
        limits.memory_bytes > 0 ? limits.memory_bytes * kSteadyMemoryShare : kSteadyMemoryBytes;
  }
  at.cpu_seconds =
      cpu_used(behaviour, limits, static_cast<double>(now_ms - pod_started_ms) / 1'000) -
      cpu_used(behaviour, limits, static_cast<double>(start - pod_started_ms) / 1'000);
  return at;
}

bool serves_http(const Behaviour& behaviour) {
  return behaviour.kind == BehaviourKind::FlakyWebApp ||
         behaviour.kind == BehaviourKind::NetworkDegradation;
}

const char* error_code(const Behaviour& behaviour) {
  return behaviour.kind == BehaviourKind::NetworkDegradation ? "503" : "500";
}

std::uint64_t seed_of(const Behaviour& behaviour, std::string_view pod_name) {
  return fnv1a(pod_name) ^ mix(static_cast<std::uint64_t>(behaviour.seed));
}

HttpAt http_at(const Behaviour& behaviour, std::uint64_t pod_seed, std::int64_t pod_started_ms,
               std::int64_t run_started_ms, std::int64_t now_ms) {
  if (!serves_http(behaviour)) return {};
  auto upto = [&](std::int64_t ms) {
    return over_segments<HttpAt>(
        behaviour, pod_seed, static_cast<double>(ms - pod_started_ms) / 1'000,
        [&](HttpAt& h, const Segment& s, double seconds) { add_http(h, behaviour, s, seconds); });
  };
  HttpAt now = upto(now_ms), before = upto(run_started_ms);
  now.requests -= before.requests;
  now.errors -= before.errors;
  now.latency_sum_seconds -= before.latency_sum_seconds;
  for (std::size_t i = 0; i < now.latency_buckets.size(); ++i)
    now.latency_buckets[i] -= before.latency_buckets[i];
  return now;
}

NetworkAt network_at(const Behaviour& behaviour, std::int64_t pod_started_ms, std::int64_t now_ms) {
  double seconds = static_cast<double>(now_ms - pod_started_ms) / 1'000;
  if (behaviour.kind != BehaviourKind::NetworkDegradation) {
    NetworkAt n;
    add_network(n, {}, std::max(0.0, seconds));
    return n;
  }
  return over_segments<NetworkAt>(behaviour, 0, seconds, add_network);
}

std::int64_t chaos_rounds(const Behaviour& behaviour, std::int64_t started_ms,
                          std::int64_t now_ms) {
  if (behaviour.kind != BehaviourKind::ChaosMonkey || now_ms < started_ms) return 0;
  return static_cast<std::int64_t>(static_cast<double>(now_ms - started_ms) /
                                   (behaviour.interval_seconds * 1'000));
}

std::size_t chaos_victim(const Behaviour& behaviour, std::int64_t round, std::size_t candidates) {
  if (candidates == 0) return 0;
  std::uint64_t pick =
      mix(static_cast<std::uint64_t>(behaviour.seed) ^ mix(static_cast<std::uint64_t>(round)));
  return static_cast<std::size_t>(pick % candidates);
}

}  // namespace skippy::sim
