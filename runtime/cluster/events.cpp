#include "runtime/cluster/events.hpp"

#include <algorithm>

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

std::vector<const Event*> recent_events(std::span<const Event> events,
                                        std::string_view namespace_name, std::string_view kind,
                                        std::string_view name, std::int64_t since_ms,
                                        std::int64_t until_ms, std::size_t limit) {
  std::vector<const Event*> out;
  for (const auto& e : events) {
    if (e.namespace_name != namespace_name || e.involved_kind != kind || e.involved_name != name ||
        e.last_seen_ms <= since_ms || e.last_seen_ms > until_ms)
      continue;
    out.push_back(&e);
  }
  std::stable_sort(out.begin(), out.end(), [](const Event* a, const Event* b) {
    return a->last_seen_ms > b->last_seen_ms;
  });
  if (out.size() > limit) out.resize(limit);
  return out;
}

std::string capped_event_message(std::string_view message) {
  if (message.size() <= kEventMessageBytes) return std::string(message);
  std::size_t cut = kEventMessageBytes - 3;  // room for "…" (3 bytes)
  while (cut > 0 && (static_cast<unsigned char>(message[cut]) & 0xC0) == 0x80) --cut;
  return std::string(message.substr(0, cut)) + "\u2026";
}

}  // namespace skippy::cluster
