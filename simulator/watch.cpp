#include "simulator/watch.hpp"

#include "simulator/object_meta.hpp"
#include "simulator/tables.hpp"

namespace skippy::sim {

bool WatchStream::selected(const Json& object) const {
  if (!spec_.namespace_name.empty() && namespace_of(object) != spec_.namespace_name) return false;
  return spec_.labels.matches(labels_of(object)) && spec_.fields.matches(object);
}

std::string WatchStream::event(std::string_view type, const Json& object, std::int64_t revision,
                               std::int64_t now_ms) const {
  Json shown = object;
  if (spec_.table)
    shown =
        to_table(*spec_.type, {&object}, std::to_string(revision), now_ms, spec_.include_object);
  return Json{{"type", type}, {"object", shown}}.dump() + "\n";
}

std::string WatchStream::poll(const ObjectStore& store, std::int64_t now_ms) {
  if (ended_) return "";
  std::string out;
  if (!started_) {
    started_ = true;
    if (!spec_.since) {
      sent_up_to_ = store.revision();
      for (const Json* o : store.list(*spec_.type, spec_.namespace_name)) {
        if (selected(*o)) out += event("ADDED", *o, resource_version_of(*o), now_ms);
      }
      return out;
    }
    sent_up_to_ = *spec_.since;
  }
  auto changes = store.changes_after(spec_.type, sent_up_to_);
  if (!changes) {
    ended_ = true;
    ApiError gone = expired("too old resource version: " + std::to_string(sent_up_to_) + " (" +
                            std::to_string(store.oldest_revision()) + ")");
    return Json{{"type", "ERROR"}, {"object", gone.status()}}.dump() + "\n";
  }
  for (const auto& c : *changes) {
    if (selected(c.object)) out += event(change_name(c.type), c.object, c.revision, now_ms);
  }
  sent_up_to_ = store.revision();
  return out;
}

std::string WatchStream::bookmark() const {
  if (!spec_.bookmarks || ended_) return "";
  Json object = {{"kind", spec_.type->kind},
                 {"apiVersion", spec_.type->api_version()},
                 {"metadata", {{"resourceVersion", std::to_string(sent_up_to_)}}}};
  return Json{{"type", "BOOKMARK"}, {"object", object}}.dump() + "\n";
}

}  // namespace skippy::sim
