#include "simulator/controllers/events.hpp"

#include <cstdio>

#include "simulator/names.hpp"
#include "simulator/object_meta.hpp"
#include "simulator/timestamps.hpp"

namespace skippy::sim {

void EventRecorder::record(ObjectStore& store, const Json& involved, const std::string& type,
                           const std::string& reason, const std::string& message,
                           const std::string& component, std::int64_t now_ms) {
  const ResourceType& events = resource("events");
  std::string ns = namespace_of(involved).empty() ? "default" : namespace_of(involved);
  char hash[20];
  std::snprintf(hash, sizeof hash, "%016llx",
                static_cast<unsigned long long>(fnv1a(uid_of(involved) + reason + message)));
  std::string name = name_of(involved) + "." + hash;
  std::string now = rfc3339(now_ms);
  if (const Json* seen = store.find(events, ns, name)) {
    Json again = *seen;
    again["count"] = int_at(again, "/count", 1) + 1;
    again["lastTimestamp"] = now;
    store.update(events, std::move(again));
    return;
  }
  Json event = {{"metadata", {{"name", name}, {"namespace", ns}}},
                {"involvedObject",
                 {{"kind", string_at(involved, "/kind")},
                  {"namespace", namespace_of(involved)},
                  {"name", name_of(involved)},
                  {"uid", uid_of(involved)},
                  {"apiVersion", string_at(involved, "/apiVersion")},
                  {"resourceVersion", string_at(involved, "/metadata/resourceVersion")}}},
                {"reason", reason},
                {"message", message},
                {"type", type},
                {"count", 1},
                {"firstTimestamp", now},
                {"lastTimestamp", now},
                {"source", {{"component", component}}},
                {"reportingComponent", component},
                {"reportingInstance", ""}};
  store.create(events, std::move(event), now_ms);
}

void EventRecorder::expire(ObjectStore& store, std::int64_t now_ms, std::int64_t ttl_ms) {
  const ResourceType& events = resource("events");
  std::vector<std::pair<std::string, std::string>> old;
  for (const Json* e : store.list(events)) {
    auto last = parse_rfc3339(string_at(*e, "/lastTimestamp"));
    if (last && now_ms - *last > ttl_ms) old.emplace_back(namespace_of(*e), name_of(*e));
  }
  for (const auto& [ns, name] : old) store.remove(events, ns, name, now_ms);
}

}  // namespace skippy::sim
