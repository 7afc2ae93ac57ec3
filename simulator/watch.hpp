// One watch (`?watch=1`) as the API server streams it: a JSON object per line,
// {"type":"ADDED|MODIFIED|DELETED|BOOKMARK|ERROR","object":...}. Without a resourceVersion (or
// with "0") it starts with the current objects as ADDED; with one it sends the changes after
// it, or, when those are no longer kept, one ERROR event carrying a 410 Expired Status and
// ends. The HTTP server calls poll() whenever the store changes; the stream remembers what it
// has sent.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "simulator/object_store.hpp"
#include "simulator/selectors.hpp"

namespace skippy::sim {

struct WatchSpec {
  const ResourceType* type = nullptr;
  std::string namespace_name;  // "" for all namespaces
  LabelSelector labels;
  FieldSelector fields;
  std::optional<std::int64_t> since;  // unset: start with the current state
  bool bookmarks = false;             // allowWatchBookmarks
  std::int64_t timeout_seconds = 0;   // 0: until the client goes
  bool table = false;                 // objects as meta.k8s.io/v1 Tables
  std::string include_object;         // for tables
};

class WatchStream {
 public:
  explicit WatchStream(WatchSpec spec) : spec_(std::move(spec)) {}

  // The lines to send now ("" when nothing happened), each ending in '\n'.
  std::string poll(const ObjectStore& store, std::int64_t now_ms);
  // A BOOKMARK event at the revision sent up to, "" unless bookmarks were asked for.
  std::string bookmark() const;
  // After an ERROR event, nothing more is sent.
  bool ended() const { return ended_; }
  const WatchSpec& spec() const { return spec_; }

 private:
  bool selected(const Json& object) const;
  std::string event(std::string_view type, const Json& object, std::int64_t revision,
                    std::int64_t now_ms) const;

  WatchSpec spec_;
  std::int64_t sent_up_to_ = 0;
  bool started_ = false;
  bool ended_ = false;
};

}  // namespace skippy::sim
