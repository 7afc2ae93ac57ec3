#include "simulator/behaviour.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "dsl/literals.hpp"

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
};

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
  dsl::ClassifiedLiteral literal = dsl::classify_literal(text);
  if (literal.kind == dsl::LiteralKind::Duration && literal.minutes_or_milli)
    return literal.value / 60'000;  // N minutes in seconds, as N thousandths
  if (literal.kind == dsl::LiteralKind::Number || literal.kind == dsl::LiteralKind::Quantity)
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
  if (kind == "memory-leak") {
    b.kind = BehaviourKind::MemoryLeak;
  } else if (kind == "crash-loop") {
    b.kind = BehaviourKind::CrashLoop;
  } else if (kind == "cpu-spike") {
    b.kind = BehaviourKind::CpuSpike;
  } else {
    return "sim.skippy.io/behaviour: unknown behaviour \"" + kind +
           "\" (memory-leak, crash-loop or cpu-spike)";
  }
  for (const auto& [key, value] : annotations.items()) {
    if (!std::string_view(key).starts_with(kPrefix) || key == "sim.skippy.io/behaviour") continue;
    std::string_view name = std::string_view(key).substr(kPrefix.size());
    const Parameter* p = std::find_if(std::begin(kParameters), std::end(kParameters),
                                      [&](const Parameter& q) { return q.key == name; });
    if (p == std::end(kParameters)) return key + ": not a behaviour parameter";
    auto n = value.is_string() ? number(value.get<std::string>()) : std::nullopt;
    if (!n || *n < p->min || *n > p->max)
      return key + ": must be a number from " + number_text(p->min) + " to " + number_text(p->max);
    b.*(p->field) = *n;
  }
  if (b.spike_seconds > b.period_seconds)
    return "sim.skippy.io/spike-seconds: a spike cannot be longer than its period";
  Json::json_pointer containers("/spec/containers");
  if (pod.contains(containers) && pod.at(containers).is_array()) {
    for (const auto& c : pod.at(containers)) {
      Limits limits = limits_of(c);
      std::string name = c.value("name", "");
      if (b.kind == BehaviourKind::MemoryLeak && limits.memory_bytes <= 0)
        return "sim.skippy.io/behaviour: memory-leak needs a memory limit on container \"" + name +
               "\"";
      if (b.kind == BehaviourKind::CpuSpike && limits.cpu_cores <= 0)
        return "sim.skippy.io/behaviour: cpu-spike needs a CPU limit on container \"" + name + "\"";
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
  } else {
    at.memory_bytes =
        limits.memory_bytes > 0 ? limits.memory_bytes * kSteadyMemoryShare : kSteadyMemoryBytes;
  }
  at.cpu_seconds =
      cpu_used(behaviour, limits, static_cast<double>(now_ms - pod_started_ms) / 1'000) -
      cpu_used(behaviour, limits, static_cast<double>(start - pod_started_ms) / 1'000);
  return at;
}

}  // namespace skippy::sim
