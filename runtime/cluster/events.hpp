// Counting events as ClusterView::count_events defines it, over a list of events: shared by
// every view that keeps its events in a vector (snapshots, the live cluster).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/cluster/cluster_view.hpp"

namespace skippy::cluster {

std::int64_t count_events(std::span<const Event> events, std::string_view namespace_name,
                          std::string_view kind, std::string_view name, std::string_view reason,
                          std::string_view type, std::int64_t since_ms, std::int64_t until_ms);

// ClusterView::recent_events over a list of events.
std::vector<const Event*> recent_events(std::span<const Event> events,
                                        std::string_view namespace_name, std::string_view kind,
                                        std::string_view name, std::int64_t since_ms,
                                        std::int64_t until_ms, std::size_t limit);

// `message` cut to kEventMessageBytes at a UTF-8 character boundary, "…" marking the cut.
std::string capped_event_message(std::string_view message);

}  // namespace skippy::cluster
