// Writing the journal: the header line, one sealed JSON line per record, the end record.
#include <algorithm>
#include <vector>

#include "base/json_escape.hpp"
#include "runtime/safety/journal.hpp"
#include "runtime/safety/journal_checksum.hpp"

namespace skippy::safety {
namespace {

using base::json_escape;

// Appends `"name":` (after a comma unless first).
class Object {
 public:
  explicit Object(std::string& out) : out_(out) { out_ += "{"; }
  ~Object() { out_ += "}"; }
  Object(const Object&) = delete;
  Object& operator=(const Object&) = delete;

  std::string& key(std::string_view name) {
    out_.append(first_ ? "\"" : ",\"").append(json_escape(name)).append("\":");
    first_ = false;
    return out_;
  }
  void text(std::string_view name, std::string_view value) {
    key(name).append("\"").append(json_escape(value)).append("\"");
  }
  void number(std::string_view name, std::int64_t value) {
    key(name).append(std::to_string(value));
  }
  void flag(std::string_view name, bool value) { key(name).append(value ? "true" : "false"); }
  void times(std::string_view name, const SlidingWindow& window) {
    auto& out = key(name);
    out += "[";
    for (std::size_t i = 0; i < window.times().size(); ++i)
      out.append(i ? "," : "").append(std::to_string(window.times()[i]));
    out += "]";
  }
  void labels(std::string_view name, const cluster::Labels& labels) {
    Object o(key(name));
    for (const auto& [k, v] : labels) o.text(k, v);
  }

 private:
  std::string& out_;
  bool first_ = true;
};

void encode_request(std::string& out, const ActionRequest& r) {
  Object o(out);
  o.text("policy", r.policy);
  o.text("trigger", r.trigger);
  o.text("action", r.action);
  o.flag("destructive", r.destructive);
  o.number("priority", r.priority);
  {
    Object t(o.key("target"));
    t.text("kind", r.target.kind);
    t.text("namespace", r.target.namespace_name);
    t.text("name", r.target.name);
    t.text("workload_kind", r.target.workload_kind);
    t.text("workload_name", r.target.workload_name);
    t.labels("labels", r.target.labels);
    t.labels("annotations", r.target.annotations);
  }
  {
    Object a(o.key("arguments"));
    for (const auto& arg : r.arguments)
      a.key(arg.name).append(arg.json.empty() ? "null" : arg.json);
  }
  o.flag("unknown_arguments", r.unknown_arguments);
  o.text("mode", bytecode::mode_name(r.mode));
  {
    const auto& l = r.limits;
    Object s(o.key("limits"));
    s.number("cooldown_target_ms", l.cooldown_target_ms);
    s.number("cooldown_policy_ms", l.cooldown_policy_ms);
    s.number("max_actions", l.max_actions);
    s.number("max_actions_window_ms", l.max_actions_window_ms);
    s.number("max_unavailable", l.max_unavailable);
    s.flag("max_unavailable_percent", l.max_unavailable_percent);
    s.number("max_concurrent", l.max_concurrent);
    s.flag("allow_system_namespaces", l.allow_system_namespaces);
  }
  o.flag("approval_required", r.approval_required);
  o.number("fired_at_ms", r.fired_at_ms);
}

template <class Map>
std::vector<typename Map::const_pointer> sorted(const Map& map) {
  std::vector<typename Map::const_pointer> out;
  out.reserve(map.size());
  for (const auto& entry : map) out.push_back(&entry);
  std::sort(out.begin(), out.end(), [](auto* a, auto* b) { return a->first < b->first; });
  return out;
}

// Builds the file: each record is written, then sealed with the CRC of everything before.
class Writer {
 public:
  Writer() { out_ = std::string(kJournalMagic) + " " + std::to_string(kJournalVersion) + "\n"; }
  std::string& begin() { return out_; }
  void seal() {
    crc_ = journal_checksum::extend(crc_, std::string_view(out_).substr(sealed_));
    out_ += "\t" + journal_checksum::hex(crc_) + "\n";
    sealed_ = out_.size() - 10;  // the tab, checksum and newline count toward the next record
    ++records_;
  }
  std::size_t records() const { return records_; }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
  std::uint32_t crc_ = 0;
  std::size_t sealed_ = 0;
  std::size_t records_ = 0;
};

}  // namespace

std::string encode_journal(const SafetyState& state) {
  Writer w;
  {
    Object o(w.begin());
    o.text("record", "breaker");
    o.number("open_until_ms", state.breaker_open_until_ms);
    o.number("length_ms", state.failures.length_ms());
    o.times("failures", state.failures);
  }
  w.seal();
  {
    Object o(w.begin());
    o.text("record", "window");
    o.text("scope", "global");
    o.number("length_ms", state.global_window.length_ms());
    o.times("times", state.global_window);
  }
  w.seal();
  for (const auto* entry : sorted(state.policy_windows)) {
    {
      Object o(w.begin());
      o.text("record", "window");
      o.text("scope", "policy");
      o.text("policy", entry->first);
      o.number("length_ms", entry->second.length_ms());
      o.times("times", entry->second);
    }
    w.seal();
  }
  for (auto [scope, map] : {std::pair{"target", &state.target_cooldowns},
                            std::pair{"policy", &state.policy_cooldowns}}) {
    for (const auto* entry : sorted(*map)) {
      {
        Object o(w.begin());
        o.text("record", "cooldown");
        o.text("scope", scope);
        o.text("key", entry->first);
        o.number("until_ms", entry->second);
      }
      w.seal();
    }
  }
  for (const auto* entry : sorted(state.actions)) {
    const ActionEntry& e = entry->second;
    {
      Object o(w.begin());
      o.text("record", "action");
      o.text("id", entry->first);
      o.text("state", action_state_name(e.state));
      o.number("decided_ms", e.decided_ms);
      o.number("updated_ms", e.updated_ms);
      o.number("last_seen_ms", e.last_seen_ms);
      o.number("deadline_ms", e.deadline_ms);
      o.number("attempts", e.attempts);
      if (is_open(e.state) && e.request) encode_request(o.key("request"), *e.request);
    }
    w.seal();
  }
  for (const auto* entry : sorted(state.outcomes.records)) {
    const auto split = entry->first.find('\x1f');
    const std::string_view key = entry->first;
    for (const auto& r : entry->second) {
      {
        Object o(w.begin());
        o.text("record", "outcome");
        o.text("policy", key.substr(0, split));
        o.text("workload", split == std::string_view::npos ? "" : key.substr(split + 1));
        o.text("action", r.action);
        o.text("trigger", r.trigger);
        o.text("target", r.target);
        o.number("fired_at_ms", r.fired_at_ms);
        o.number("decided_ms", r.decided_ms);
        o.number("ended_ms", r.ended_ms);
        o.text("result", outcome_result_name(r.result));
      }
      w.seal();
    }
  }
  {
    Object o(w.begin());
    o.text("record", "end");
    o.number("records", static_cast<std::int64_t>(w.records()));
  }
  w.seal();
  return w.take();
}

void reseal_journal(std::string& bytes) {
  std::uint32_t crc = 0;
  std::size_t sealed = 0;
  std::size_t line = bytes.find('\n');  // the header is not sealed on its own
  while (line != std::string::npos && line + 1 < bytes.size()) {
    std::size_t start = line + 1;
    line = bytes.find('\n', start);
    std::size_t end = line == std::string::npos ? bytes.size() : line;
    std::size_t tab = bytes.rfind('\t', end);
    if (tab == std::string::npos || tab < start || end - tab != 9) continue;
    crc = journal_checksum::extend(crc, std::string_view(bytes).substr(sealed, tab - sealed));
    bytes.replace(tab + 1, 8, journal_checksum::hex(crc));
    sealed = tab;
  }
}

}  // namespace skippy::safety
