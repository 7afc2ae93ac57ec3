#include "runtime/cluster/events.hpp"

namespace skippy::cluster {

std::int64_t count_events(std::span<const Event> events, std::string_view namespace_name,
                          std::string_view kind, std::string_view name, std::string_view reason,
                          std::string_view type, std::int64_t since_ms, std::int64_t until_ms) {
  std::int64_t n = 0;
  for (const auto& e : events) {
    if (e.namespace_name != namespace_name || e.last_seen_ms <= since_ms ||
        e.last_seen_ms > until_ms)
      continue;
    if (!kind.empty() && (e.involved_kind != kind || e.involved_name != name)) continue;
    if (!reason.empty() && e.reason != reason) continue;
    if (!type.empty() && e.type != type) continue;
    n += e.count;
  }
  return n;
}

}  // namespace skippy::cluster
