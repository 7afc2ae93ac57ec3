#include "runtime/cluster/manifest.hpp"

#include <ctime>
#include <unordered_map>

namespace skippy::cluster {
namespace {

// The number of `n` digits at `s[at]`, or -1.
int digits(std::string_view s, std::size_t at, std::size_t n) {
  if (at + n > s.size()) return -1;
  int v = 0;
  for (std::size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

}  // namespace

std::optional<std::int64_t> parse_rfc3339_ms(std::string_view s) {
  // 2026-01-01T00:00:10[.123456]Z or ...+02:00
  if (s.size() < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') ||
      s[13] != ':' || s[16] != ':')
    return std::nullopt;
  std::tm tm{};
  int fields[6] = {digits(s, 0, 4),  digits(s, 5, 2),  digits(s, 8, 2),
                   digits(s, 11, 2), digits(s, 14, 2), digits(s, 17, 2)};
  for (int f : fields) {
    if (f < 0) return std::nullopt;
  }
  tm.tm_year = fields[0] - 1900;
  tm.tm_mon = fields[1] - 1;
  tm.tm_mday = fields[2];
  tm.tm_hour = fields[3];
  tm.tm_min = fields[4];
  tm.tm_sec = fields[5];
  std::size_t at = 19;
  std::int64_t ms = 0;
  if (at < s.size() && s[at] == '.') {
    int scale = 100;
    for (++at; at < s.size() && s[at] >= '0' && s[at] <= '9'; ++at, scale /= 10)
      ms += (s[at] - '0') * scale;
  }
  std::int64_t offset_s = 0;
  if (at < s.size() && (s[at] == 'Z' || s[at] == 'z')) {
    ++at;
  } else if (at + 6 == s.size() && (s[at] == '+' || s[at] == '-') && s[at + 3] == ':') {
    int h = digits(s, at + 1, 2), m = digits(s, at + 4, 2);
    if (h < 0 || m < 0) return std::nullopt;
    offset_s = (s[at] == '-' ? -1 : 1) * (h * 3600 + m * 60);
    at += 6;
  } else {
    return std::nullopt;
  }
  if (at != s.size()) return std::nullopt;
  return (static_cast<std::int64_t>(timegm(&tm)) - offset_s) * 1000 + ms;
}

void resolve_workloads(std::span<Pod> pods, std::span<const Workload> workloads) {
  std::unordered_map<std::string, const Workload*> replicasets;
  for (const auto& w : workloads) {
    if (w.kind == "ReplicaSet" && !w.owner_kind.empty())
      replicasets.emplace(w.meta.namespace_name + "/" + w.meta.name, &w);
  }
  if (replicasets.empty()) return;
  std::string key;
  for (auto& p : pods) {
    if (p.owner_kind != "ReplicaSet") continue;
    key.assign(p.meta.namespace_name).append("/").append(p.owner_name);
    auto it = replicasets.find(key);
    if (it == replicasets.end()) continue;
    p.workload_kind = it->second->owner_kind;
    p.workload_name = it->second->owner_name;
  }
}

}  // namespace skippy::cluster
