// Reading the journal: every byte is accounted for before anything is believed. The first
// problem is reported with its byte offset and record; nothing is guessed or skipped.
#include <limits>
#include <memory>

#include "runtime/safety/journal.hpp"
#include "runtime/safety/journal_checksum.hpp"
#include "runtime/safety/json_reader.hpp"

namespace skippy::safety {

std::string JournalError::text() const {
  std::string where = "byte " + std::to_string(offset);
  where += record ? " (record " + std::to_string(record) + ")" : " (header)";
  return where + ": " + message;
}

namespace {

using Kind = JsonValue::Kind;

// Reads the fields of one record, reporting the first problem at the field's own byte.
class Fields {
 public:
  Fields(const JsonValue& object, std::string_view line, std::size_t line_offset,
         std::size_t record, std::optional<JournalError>& error)
      : object_(object), line_(line), base_(line_offset), record_(record), error_(error) {}

  Fields nested(const JsonValue& object) const {
    return Fields(object, line_, base_, record_, error_);
  }

  bool fail(const JsonValue& at, std::string message) const {
    if (!error_) {
      std::size_t offset = base_;
      if (at.raw.data() >= line_.data() && at.raw.data() <= line_.data() + line_.size())
        offset += static_cast<std::size_t>(at.raw.data() - line_.data());
      error_ = JournalError{offset, record_, std::move(message)};
    }
    return false;
  }

  const JsonValue* get(std::string_view name, Kind kind, const char* what) const {
    const JsonValue* v = object_.member(name);
    if (!v) return fail(object_, "missing field \"" + std::string(name) + "\""), nullptr;
    if (v->kind != kind)
      return fail(*v, "field \"" + std::string(name) + "\" must be " + what), nullptr;
    return v;
  }

  bool text(std::string_view name, std::string& out) const {
    const JsonValue* v = get(name, Kind::String, "a string");
    if (v) out = v->string;
    return v;
  }
  bool flag(std::string_view name, bool& out) const {
    const JsonValue* v = get(name, Kind::Bool, "true or false");
    if (v) out = v->boolean;
    return v;
  }
  template <class Int>
  bool number(std::string_view name, Int& out) const {
    const JsonValue* v = get(name, Kind::Number, "a whole number");
    if (!v) return false;
    if (!v->is_integer || v->integer < static_cast<std::int64_t>(std::numeric_limits<Int>::min()) ||
        (v->integer > 0 && static_cast<std::uint64_t>(v->integer) >
                               static_cast<std::uint64_t>(std::numeric_limits<Int>::max())))
      return fail(*v, "field \"" + std::string(name) + "\" is out of range");
    out = static_cast<Int>(v->integer);
    return true;
  }
  bool times(std::string_view name, SlidingWindow& out) const {
    const JsonValue* v = get(name, Kind::Array, "a list of times");
    if (!v) return false;
    for (const auto& item : v->items) {
      if (item.kind != Kind::Number || !item.is_integer)
        return fail(item, "a time must be a whole number of milliseconds");
      if (!out.empty() && item.integer < out.times().back())
        return fail(item, "times must not go backwards");
      out.add(item.integer);
    }
    return true;
  }
  bool labels(std::string_view name, cluster::Labels& out) const {
    const JsonValue* v = get(name, Kind::Object, "an object");
    if (!v) return false;
    for (const auto& [key, value] : v->members) {
      if (value.kind != Kind::String) return fail(value, "a label value must be a string");
      if (!out.emplace(key, value.string).second) return fail(value, "label " + key + " repeats");
    }
    return true;
  }

 private:
  const JsonValue& object_;
  std::string_view line_;
  std::size_t base_;
  std::size_t record_;
  std::optional<JournalError>& error_;
};

bool read_mode(const Fields& f, const JsonValue& object, bytecode::Mode& out) {
  std::string name;
  if (!f.text("mode", name)) return false;
  for (auto m : {bytecode::Mode::Monitor, bytecode::Mode::DryRun, bytecode::Mode::Manual,
                 bytecode::Mode::Automatic}) {
    if (name == bytecode::mode_name(m)) {
      out = m;
      return true;
    }
  }
  return f.fail(*object.member("mode"), "unknown mode \"" + name + "\"");
}

bool read_request(const Fields& f, const JsonValue& object, ActionRequest& r) {
  const JsonValue* target = nullptr;
  const JsonValue* arguments = nullptr;
  const JsonValue* limits = nullptr;
  bool ok =
      f.text("policy", r.policy) && f.text("trigger", r.trigger) && f.text("action", r.action) &&
      f.flag("destructive", r.destructive) && f.number("priority", r.priority) &&
      (target = f.get("target", Kind::Object, "an object")) &&
      (arguments = f.get("arguments", Kind::Object, "an object")) &&
      f.flag("unknown_arguments", r.unknown_arguments) && read_mode(f, object, r.mode) &&
      (limits = f.get("limits", Kind::Object, "an object")) &&
      f.flag("approval_required", r.approval_required) && f.number("fired_at_ms", r.fired_at_ms);
  if (!ok) return false;
  Fields t = f.nested(*target);
  auto& tg = r.target;
  ok = t.text("kind", tg.kind) && t.text("namespace", tg.namespace_name) &&
       t.text("name", tg.name) && t.text("workload_kind", tg.workload_kind) &&
       t.text("workload_name", tg.workload_name) && t.labels("labels", tg.labels) &&
       t.labels("annotations", tg.annotations);
  if (!ok) return false;
  for (const auto& [name, value] : arguments->members)
    r.arguments.push_back({name, std::string(value.raw)});
  Fields l = f.nested(*limits);
  auto& lm = r.limits;
  return l.number("cooldown_target_ms", lm.cooldown_target_ms) &&
         l.number("cooldown_policy_ms", lm.cooldown_policy_ms) &&
         l.number("max_actions", lm.max_actions) &&
         l.number("max_actions_window_ms", lm.max_actions_window_ms) &&
         l.number("max_unavailable", lm.max_unavailable) &&
         l.flag("max_unavailable_percent", lm.max_unavailable_percent) &&
         l.number("max_concurrent", lm.max_concurrent) &&
         l.flag("allow_system_namespaces", lm.allow_system_namespaces);
}

bool read_action(const Fields& f, const JsonValue& object, SafetyState& state) {
  std::string id, state_name;
  ActionEntry e;
  bool ok = f.text("id", id) && f.text("state", state_name) &&
            f.number("decided_ms", e.decided_ms) && f.number("updated_ms", e.updated_ms) &&
            f.number("last_seen_ms", e.last_seen_ms) && f.number("deadline_ms", e.deadline_ms) &&
            f.number("attempts", e.attempts);
  if (!ok) return false;
  if (!parse_action_state(state_name, e.state))
    return f.fail(*object.member("state"), "unknown action state \"" + state_name + "\"");
  if (const JsonValue* request = object.member("request")) {
    if (request->kind != Kind::Object)
      return f.fail(*request, "field \"request\" must be an object");
    auto r = std::make_shared<ActionRequest>();
    if (!read_request(f.nested(*request), *request, *r)) return false;
    r->id = id;
    e.request = std::move(r);
  } else if (is_open(e.state)) {
    return f.fail(object,
                  std::string("an action ") + action_state_name(e.state) + " needs its request");
  }
  if (!state.actions.emplace(id, std::move(e)).second)
    return f.fail(*object.member("id"), "action " + id + " repeats");
  return true;
}

bool read_window(const Fields& f, const JsonValue& object, SafetyState& state) {
  std::string scope;
  std::int64_t length = 0;
  if (!f.text("scope", scope) || !f.number("length_ms", length)) return false;
  SlidingWindow window(length);
  if (!f.times("times", window)) return false;
  if (scope == "global") {
    state.global_window = std::move(window);
    return true;
  }
  if (scope != "policy") return f.fail(*object.member("scope"), "unknown scope \"" + scope + "\"");
  std::string policy;
  if (!f.text("policy", policy)) return false;
  if (!state.policy_windows.emplace(policy, std::move(window)).second)
    return f.fail(*object.member("policy"), "the window of policy " + policy + " repeats");
  return true;
}

bool read_cooldown(const Fields& f, const JsonValue& object, SafetyState& state) {
  std::string scope, key;
  std::int64_t until = 0;
  if (!f.text("scope", scope) || !f.text("key", key) || !f.number("until_ms", until)) return false;
  StringMap<std::int64_t>* map = scope == "target"   ? &state.target_cooldowns
                                 : scope == "policy" ? &state.policy_cooldowns
                                                     : nullptr;
  if (!map) return f.fail(*object.member("scope"), "unknown scope \"" + scope + "\"");
  if (!map->emplace(key, until).second)
    return f.fail(*object.member("key"), "cooldown " + key + " repeats");
  return true;
}

bool read_breaker(const Fields& f, SafetyState& state) {
  std::int64_t length = 0;
  if (!f.number("open_until_ms", state.breaker_open_until_ms) || !f.number("length_ms", length))
    return false;
  state.failures = SlidingWindow(length);
  return f.times("failures", state.failures);
}

class Decoder {
 public:
  explicit Decoder(std::string_view bytes) : bytes_(bytes) {}

  DecodedJournal run() {
    DecodedJournal out;
    if (header()) records(out.state);
    if (error_) {
      out.state = SafetyState{};
      out.error = std::move(error_);
    }
    return out;
  }

 private:
  bool fail(std::size_t offset, std::size_t record, std::string message) {
    if (!error_) error_ = JournalError{offset, record, std::move(message)};
    return false;
  }

  bool header() {
    std::string expected = std::string(kJournalMagic) + " ";
    if (bytes_.empty()) return fail(0, 0, "the file is empty: not a safety journal");
    std::size_t n = std::min(expected.size(), bytes_.size());
    for (std::size_t i = 0; i < n; ++i)
      if (bytes_[i] != expected[i])
        return fail(i, 0, "not a safety journal: expected \"" + expected + "<version>\"");
    std::size_t end = bytes_.find('\n');
    if (bytes_.size() < expected.size() || end == std::string_view::npos)
      return fail(bytes_.size(), 0, "the header is torn: the file ends inside it");
    std::string_view version = bytes_.substr(expected.size(), end - expected.size());
    if (version != std::to_string(kJournalVersion))
      return fail(expected.size(), 0,
                  "version \"" + std::string(version) + "\" is not supported: this build reads " +
                      std::to_string(kJournalVersion));
    pos_ = end + 1;
    return true;
  }

  void records(SafetyState& state) {
    std::size_t record = 0;
    while (true) {
      ++record;
      std::size_t start = pos_;
      if (start == bytes_.size())
        return void(fail(start, record,
                         "the journal is torn: it ends after record " + std::to_string(record - 1) +
                             " without its end record"));
      std::size_t end = bytes_.find('\n', start);
      if (end == std::string_view::npos)
        return void(fail(start, record,
                         "record is torn: the file ends at byte " + std::to_string(bytes_.size()) +
                             " before its end of line"));
      std::string_view line = bytes_.substr(start, end - start);
      std::size_t tab = line.rfind('\t');
      if (tab == std::string_view::npos)
        return void(fail(start, record, "record has no checksum (a tab and 8 hex digits)"));
      std::uint32_t stored = 0;
      if (!journal_checksum::parse_hex(line.substr(tab + 1), stored))
        return void(fail(start + tab + 1, record, "the checksum is not 8 lower-case hex digits"));
      crc_ = journal_checksum::extend(crc_, bytes_.substr(sealed_, start + tab - sealed_));
      sealed_ = start + tab;
      if (stored != crc_)
        return void(fail(start, record,
                         "checksum mismatch (stored " + journal_checksum::hex(stored) +
                             ", computed " + journal_checksum::hex(crc_) +
                             "): this record, or one before it, was changed"));
      pos_ = end + 1;
      std::string_view json = line.substr(0, tab);
      JsonValue value;
      if (auto e = read_json(json, value)) return void(fail(start + e->offset, record, e->message));
      if (value.kind != Kind::Object)
        return void(fail(start, record, "a record must be an object"));
      std::optional<JournalError>& error = error_;
      Fields f(value, json, start, record, error);
      std::string type;
      if (!f.text("record", type)) return;
      if (type == "end") return end_record(f, value, record);
      bool ok = type == "action"     ? read_action(f, value, state)
                : type == "window"   ? read_window(f, value, state)
                : type == "cooldown" ? read_cooldown(f, value, state)
                : type == "breaker"
                    ? read_breaker(f, state)
                    : f.fail(*value.member("record"), "unknown record type \"" + type + "\"");
      if (!ok) return;
    }
  }

  void end_record(const Fields& f, const JsonValue& value, std::size_t record) {
    std::size_t count = 0;
    if (!f.number("records", count)) return;
    if (count != record - 1)
      return void(f.fail(*value.member("records"),
                         "the end record counts " + std::to_string(count) +
                             " records, the file has " + std::to_string(record - 1)));
    if (pos_ != bytes_.size()) fail(pos_, record + 1, "data after the end record");
  }

  std::string_view bytes_;
  std::size_t pos_ = 0;
  std::uint32_t crc_ = 0;
  std::size_t sealed_ = 0;
  std::optional<JournalError> error_;
};

}  // namespace

DecodedJournal decode_journal(std::string_view bytes) {
  return Decoder(bytes).run();
}

}  // namespace skippy::safety
