// Reading the journal: every byte is accounted for before anything is believed. The first
// problem is reported with its byte offset and record; nothing is guessed or skipped.
//
// Each record's JSON is read by simdjson's On-Demand front end, with error codes only (nothing
// here throws), twice over the same document: the first pass reads every value once, so that
// simdjson has checked the whole record (syntax, escapes, numbers, UTF-8) and its nesting is
// bounded before any field is believed; the second reads the fields by name. simdjson points
// into the file's bytes, so a problem with a value is reported at the value's own byte; what
// simdjson finds before it has a document (a string not closed, a control character in a
// string, bytes that are not UTF-8) is reported at the start of the record.
#include <simdjson.h>

#include <limits>
#include <memory>

#include "runtime/safety/journal.hpp"
#include "runtime/safety/journal_checksum.hpp"

namespace skippy::safety {

std::string JournalError::text() const {
  std::string where = "byte " + std::to_string(offset);
  where += record ? " (record " + std::to_string(record) + ")" : " (header)";
  return where + ": " + message;
}

namespace {

namespace od = simdjson::ondemand;

// Arrays and objects in a record, its own object counted, nest at most this deep.
constexpr std::size_t kMaxDepth = 16;

std::string problem(simdjson::error_code code) {
  switch (code) {
    case simdjson::EMPTY:
      return "the record is empty";
    case simdjson::UTF8_ERROR:
      return "the record is not valid UTF-8";
    case simdjson::UNCLOSED_STRING:
      return "a string without its closing quote";
    case simdjson::UNESCAPED_CHARS:
      return "a control character in a string";
    case simdjson::STRING_ERROR:
      return "a string with an invalid escape";
    case simdjson::NUMBER_ERROR:
      return "a number that is malformed or out of range";
    case simdjson::T_ATOM_ERROR:
    case simdjson::F_ATOM_ERROR:
    case simdjson::N_ATOM_ERROR:
    case simdjson::INCORRECT_TYPE:
      return "expected a JSON value";
    case simdjson::TAPE_ERROR:
      return "malformed JSON: a comma, colon, quote or bracket is missing or out of place";
    case simdjson::INCOMPLETE_ARRAY_OR_OBJECT:
      return "an array or object is not closed";
    default:
      return std::string("simdjson: ") + simdjson::error_message(code);
  }
}

// JSON white space after a value, which simdjson's raw tokens include.
std::string_view trimmed(std::string_view raw) {
  while (!raw.empty() &&
         (raw.back() == ' ' || raw.back() == '\t' || raw.back() == '\n' || raw.back() == '\r'))
    raw.remove_suffix(1);
  return raw;
}

// A value written as a whole number that fits 64 bits.
bool whole_number(od::value& v, std::int64_t& out) {
  od::json_type type{};
  od::number_type kind{};
  return !v.type().get(type) && type == od::json_type::number && !v.get_number_type().get(kind) &&
         kind == od::number_type::signed_integer && !v.get_int64().get(out);
}

// The text of a value as the record has it.
simdjson::error_code raw_text(od::value v, std::string_view& out) {
  od::json_type type{};
  if (auto code = v.type().get(type)) return code;
  simdjson::error_code code = simdjson::SUCCESS;
  if (type == od::json_type::object) {
    od::object object;
    if (!(code = v.get_object().get(object))) code = object.raw_json().get(out);
  } else if (type == od::json_type::array) {
    od::array array;
    if (!(code = v.get_array().get(array))) code = array.raw_json().get(out);
  } else {
    out = v.raw_json_token();
  }
  out = trimmed(out);
  return code;
}

// One record: where its JSON lies in the file (padded for simdjson), and the decoder's error.
class Record {
 public:
  Record(const char* file, std::size_t start, std::size_t size, std::size_t number,
         std::optional<JournalError>& error)
      : file_(file), begin_(file + start), end_(begin_ + size), number_(number), error_(error) {}

  const char* begin() const { return begin_; }
  std::size_t size() const { return static_cast<std::size_t>(end_ - begin_); }
  std::size_t number() const { return number_; }

  // Reports at the byte simdjson points at; at the record's start if it points outside it.
  bool fail(const char* at, std::string message) const {
    if (!at || at < begin_ || at > end_) at = begin_;
    if (!error_)
      error_ = JournalError{static_cast<std::size_t>(at - file_), number_, std::move(message)};
    return false;
  }

 private:
  const char* file_;
  const char* begin_;
  const char* end_;
  std::size_t number_;
  std::optional<JournalError>& error_;
};

// The first pass: reads every value of the record once, nested at most kMaxDepth deep.
class Checker {
 public:
  Checker(const Record& record, od::document& doc) : record_(record), doc_(doc) {}

  bool record() {
    od::object object;
    if (auto code = doc_.get_object().get(object)) {
      if (code == simdjson::INCORRECT_TYPE)
        return record_.fail(record_.begin(), "a record must be an object");
      if (code == simdjson::INCOMPLETE_ARRAY_OR_OBJECT)  // simdjson looks at the last byte
        return record_.fail(record_.begin(), "the record does not end with its object's '}'");
      return fail(code, nullptr);
    }
    if (!members(object, 0)) return false;
    const char* rest = nullptr;
    if (doc_.current_location().get(rest) != simdjson::OUT_OF_BOUNDS)
      return record_.fail(rest, "unexpected text after the record's object");
    return true;
  }

 private:
  // at: where the problem is; nullptr: where simdjson stopped.
  bool fail(simdjson::error_code code, const char* at) {
    if (!at && doc_.current_location().get(at)) at = nullptr;
    return record_.fail(at, problem(code));
  }

  bool members(od::object object, std::size_t depth) {
    for (auto member : object) {
      od::field field;
      if (auto code = std::move(member).get(field)) return fail(code, nullptr);
      const char* key_at = field.key().raw() - 1;  // its quote (unescaping consumes the key)
      std::string_view key;
      if (auto code = field.unescaped_key().get(key)) return fail(code, key_at);
      if (!value(field.value(), depth + 1)) return false;
    }
    return true;
  }

  bool items(od::array array, std::size_t depth) {
    for (auto item : array) {
      od::value v;
      if (auto code = std::move(item).get(v)) return fail(code, nullptr);
      if (!value(v, depth + 1)) return false;
    }
    return true;
  }

  bool value(od::value v, std::size_t depth) {
    const char* at = v.raw_json_token().data();
    od::json_type type{};
    if (auto code = v.type().get(type)) return fail(code, at);
    simdjson::error_code code = simdjson::SUCCESS;
    switch (type) {
      case od::json_type::object: {
        if (depth >= kMaxDepth) return record_.fail(at, "nested too deeply");
        od::object object;
        if ((code = v.get_object().get(object))) break;
        return members(object, depth);
      }
      case od::json_type::array: {
        if (depth >= kMaxDepth) return record_.fail(at, "nested too deeply");
        od::array array;
        if ((code = v.get_array().get(array))) break;
        return items(array, depth);
      }
      case od::json_type::string: {
        std::string_view text;
        code = v.get_string().get(text);
        break;
      }
      case od::json_type::number: {
        double number = 0;  // any JSON number, however many digits
        code = v.get_double().get(number);
        break;
      }
      case od::json_type::boolean: {
        bool flag = false;
        code = v.get_bool().get(flag);
        break;
      }
      case od::json_type::null: {
        bool null = false;
        if (!(code = v.is_null().get(null)) && !null) code = simdjson::N_ATOM_ERROR;
        break;
      }
    }
    return code ? fail(code, at) : true;
  }

  const Record& record_;
  od::document& doc_;
};

// The second pass: one object of a record, read by field name, each value once. Names are
// matched as written (the writer never escapes them); of a repeated name, the first counts.
class Fields {
 public:
  Fields(const Record& record, od::object object, const char* at)
      : record_(record), object_(object), at_(at) {}

  bool fail(const char* at, std::string message) const {
    return record_.fail(at, std::move(message));
  }

  bool has(std::string_view name) {
    od::value v;
    return find(name, v) == simdjson::SUCCESS;
  }

  bool text(std::string_view name, std::string& out, const char** where = nullptr) {
    od::value v;
    const char* at = nullptr;
    std::string_view text;
    if (!get(name, od::json_type::string, "a string", v, at)) return false;
    if (auto code = v.get_string().get(text)) return fail(at, problem(code));
    out = text;
    if (where) *where = at;
    return true;
  }

  bool flag(std::string_view name, bool& out) {
    od::value v;
    const char* at = nullptr;
    if (!get(name, od::json_type::boolean, "true or false", v, at)) return false;
    if (auto code = v.get_bool().get(out)) return fail(at, problem(code));
    return true;
  }

  template <class Int>
  bool number(std::string_view name, Int& out, const char** where = nullptr) {
    od::value v;
    const char* at = nullptr;
    if (!get(name, od::json_type::number, "a whole number", v, at)) return false;
    std::int64_t n = 0;
    if (!whole_number(v, n) || n < static_cast<std::int64_t>(std::numeric_limits<Int>::min()) ||
        (n > 0 && static_cast<std::uint64_t>(n) >
                      static_cast<std::uint64_t>(std::numeric_limits<Int>::max())))
      return fail(at, "field \"" + std::string(name) + "\" is out of range");
    out = static_cast<Int>(n);
    if (where) *where = at;
    return true;
  }

  bool times(std::string_view name, SlidingWindow& out) {
    od::value v;
    const char* at = nullptr;
    od::array array;
    if (!get(name, od::json_type::array, "a list of times", v, at)) return false;
    if (auto code = v.get_array().get(array)) return fail(at, problem(code));
    for (auto item : array) {
      od::value t;
      if (auto code = std::move(item).get(t)) return fail(at, problem(code));
      const char* time_at = t.raw_json_token().data();
      std::int64_t time = 0;
      if (!whole_number(t, time))
        return fail(time_at, "a time must be a whole number of milliseconds");
      if (!out.empty() && time < out.times().back())
        return fail(time_at, "times must not go backwards");
      out.add(time);
    }
    return true;
  }

  bool labels(std::string_view name, cluster::Labels& out) {
    return members(name, [&](std::string key, od::value& v, const char* at) {
      std::string_view text;
      od::json_type type{};
      if (v.type().get(type) || type != od::json_type::string || v.get_string().get(text))
        return fail(at, "a label value must be a string");
      if (!out.emplace(key, text).second) return fail(at, "label " + key + " repeats");
      return true;
    });
  }

  // Each argument's value is kept as the JSON text the record has.
  bool arguments(std::string_view name, std::vector<Argument>& out) {
    return members(name, [&](std::string key, od::value& v, const char* at) {
      std::string_view raw;
      if (auto code = raw_text(v, raw)) return fail(at, problem(code));
      out.push_back({std::move(key), std::string(raw)});
      return true;
    });
  }

  // Calls read(Fields&) with the object in field `name`.
  template <class Read>
  bool object(std::string_view name, Read&& read) {
    od::value v;
    const char* at = nullptr;
    od::object object;
    if (!get(name, od::json_type::object, "an object", v, at)) return false;
    if (auto code = v.get_object().get(object)) return fail(at, problem(code));
    Fields nested(record_, object, at);
    return read(nested);
  }

 private:
  simdjson::error_code find(std::string_view name, od::value& out) {
    bool any = false;
    if (auto code = object_.reset().get(any)) return code;
    return object_.find_field(name).get(out);
  }

  // The value of field `name`, which must be of `type`, and where it is.
  bool get(std::string_view name, od::json_type type, const char* what, od::value& out,
           const char*& at) {
    auto code = find(name, out);
    if (code == simdjson::NO_SUCH_FIELD)
      return fail(at_, "missing field \"" + std::string(name) + "\"");
    if (code) return fail(at_, problem(code));
    at = out.raw_json_token().data();
    od::json_type found{};
    if (out.type().get(found) || found != type)
      return fail(at, "field \"" + std::string(name) + "\" must be " + what);
    return true;
  }

  // Calls read(key, value, where) for each member of the object in field `name`, in order.
  template <class Read>
  bool members(std::string_view name, Read&& read) {
    return object(name, [&](Fields& nested) {
      for (auto member : nested.object_) {
        od::field field;
        std::string_view key;
        if (auto code = std::move(member).get(field)) return fail(nested.at_, problem(code));
        if (auto code = field.unescaped_key().get(key)) return fail(nested.at_, problem(code));
        od::value value = field.value();
        if (!read(std::string(key), value, value.raw_json_token().data())) return false;
      }
      return true;
    });
  }

  const Record& record_;
  od::object object_;
  const char* at_;  // the object's '{'
};

bool read_mode(Fields& f, bytecode::Mode& out) {
  std::string name;
  const char* at = nullptr;
  if (!f.text("mode", name, &at)) return false;
  for (auto m : {bytecode::Mode::Monitor, bytecode::Mode::DryRun, bytecode::Mode::Manual,
                 bytecode::Mode::Automatic}) {
    if (name == bytecode::mode_name(m)) {
      out = m;
      return true;
    }
  }
  return f.fail(at, "unknown mode \"" + name + "\"");
}

bool read_target(Fields& t, Target& tg) {
  return t.text("kind", tg.kind) && t.text("namespace", tg.namespace_name) &&
         t.text("name", tg.name) && t.text("workload_kind", tg.workload_kind) &&
         t.text("workload_name", tg.workload_name) && t.labels("labels", tg.labels) &&
         t.labels("annotations", tg.annotations);
}

bool read_limits(Fields& l, PolicyLimits& lm) {
  return l.number("cooldown_target_ms", lm.cooldown_target_ms) &&
         l.number("cooldown_policy_ms", lm.cooldown_policy_ms) &&
         l.number("max_actions", lm.max_actions) &&
         l.number("max_actions_window_ms", lm.max_actions_window_ms) &&
         l.number("max_unavailable", lm.max_unavailable) &&
         l.flag("max_unavailable_percent", lm.max_unavailable_percent) &&
         l.number("max_concurrent", lm.max_concurrent) &&
         l.flag("allow_system_namespaces", lm.allow_system_namespaces);
}

bool read_request(Fields& f, ActionRequest& r) {
  return f.text("policy", r.policy) && f.text("trigger", r.trigger) && f.text("action", r.action) &&
         f.flag("destructive", r.destructive) && f.number("priority", r.priority) &&
         f.object("target", [&](Fields& t) { return read_target(t, r.target); }) &&
         f.arguments("arguments", r.arguments) &&
         f.flag("unknown_arguments", r.unknown_arguments) && read_mode(f, r.mode) &&
         f.object("limits", [&](Fields& l) { return read_limits(l, r.limits); }) &&
         f.flag("approval_required", r.approval_required) && f.number("fired_at_ms", r.fired_at_ms);
}

bool read_action(Fields& f, const char* at, SafetyState& state) {
  std::string id, state_name;
  const char *id_at = nullptr, *state_at = nullptr;
  ActionEntry e;
  bool ok = f.text("id", id, &id_at) && f.text("state", state_name, &state_at) &&
            f.number("decided_ms", e.decided_ms) && f.number("updated_ms", e.updated_ms) &&
            f.number("last_seen_ms", e.last_seen_ms) && f.number("deadline_ms", e.deadline_ms) &&
            f.number("attempts", e.attempts);
  if (!ok) return false;
  if (!parse_action_state(state_name, e.state))
    return f.fail(state_at, "unknown action state \"" + state_name + "\"");
  if (f.has("request")) {
    auto r = std::make_shared<ActionRequest>();
    if (!f.object("request", [&](Fields& q) { return read_request(q, *r); })) return false;
    r->id = id;
    e.request = std::move(r);
  } else if (is_open(e.state)) {
    return f.fail(at,
                  std::string("an action ") + action_state_name(e.state) + " needs its request");
  }
  if (!state.actions.emplace(id, std::move(e)).second)
    return f.fail(id_at, "action " + id + " repeats");
  return true;
}

bool read_window(Fields& f, SafetyState& state) {
  std::string scope;
  const char* scope_at = nullptr;
  std::int64_t length = 0;
  if (!f.text("scope", scope, &scope_at) || !f.number("length_ms", length)) return false;
  SlidingWindow window(length);
  if (!f.times("times", window)) return false;
  if (scope == "global") {
    state.global_window = std::move(window);
    return true;
  }
  if (scope != "policy") return f.fail(scope_at, "unknown scope \"" + scope + "\"");
  std::string policy;
  const char* policy_at = nullptr;
  if (!f.text("policy", policy, &policy_at)) return false;
  if (!state.policy_windows.emplace(policy, std::move(window)).second)
    return f.fail(policy_at, "the window of policy " + policy + " repeats");
  return true;
}

bool read_cooldown(Fields& f, SafetyState& state) {
  std::string scope, key;
  const char *scope_at = nullptr, *key_at = nullptr;
  std::int64_t until = 0;
  if (!f.text("scope", scope, &scope_at) || !f.text("key", key, &key_at) ||
      !f.number("until_ms", until))
    return false;
  StringMap<std::int64_t>* map = scope == "target"   ? &state.target_cooldowns
                                 : scope == "policy" ? &state.policy_cooldowns
                                                     : nullptr;
  if (!map) return f.fail(scope_at, "unknown scope \"" + scope + "\"");
  if (!map->emplace(key, until).second) return f.fail(key_at, "cooldown " + key + " repeats");
  return true;
}

bool read_outcome(Fields& f, SafetyState& state) {
  std::string policy, workload, result;
  OutcomeRecord r;
  const char* result_at = nullptr;
  if (!f.text("policy", policy) || !f.text("workload", workload) || !f.text("action", r.action) ||
      !f.text("trigger", r.trigger) || !f.text("target", r.target) ||
      !f.number("fired_at_ms", r.fired_at_ms) || !f.number("decided_ms", r.decided_ms) ||
      !f.number("ended_ms", r.ended_ms) || !f.text("result", result, &result_at))
    return false;
  if (!parse_outcome_result(result, r.result))
    return f.fail(result_at, "unknown outcome \"" + result + "\" (healed, failed or recurred)");
  auto& list = state.outcomes.records[OutcomeLedger::key(policy, workload)];
  if (list.size() >= kOutcomesPerKey)
    return f.fail(result_at, "more than " + std::to_string(kOutcomesPerKey) +
                                 " outcomes for one policy and workload");
  list.push_back(std::move(r));
  return true;
}

bool read_breaker(Fields& f, SafetyState& state) {
  std::int64_t length = 0;
  if (!f.number("open_until_ms", state.breaker_open_until_ms) || !f.number("length_ms", length))
    return false;
  state.failures = SlidingWindow(length);
  return f.times("failures", state.failures);
}

class Decoder {
 public:
  explicit Decoder(std::string_view bytes) : bytes_(bytes), padded_(bytes) {}

  DecodedJournal run() {
    DecodedJournal out;
    if (padded_.size() != bytes_.size())
      fail(0, 0, "not enough memory to read the journal");
    else if (header())
      records(out.state);
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
      if (!read_record(Record(padded_.data(), start, tab, record, error_), state)) return;
      if (at_end_) {
        if (pos_ != bytes_.size()) fail(pos_, record + 1, "data after the end record");
        return;
      }
    }
  }

  // One record's JSON into `state`: checked whole first, then read field by field.
  bool read_record(const Record& r, SafetyState& state) {
    std::size_t offset = static_cast<std::size_t>(r.begin() - padded_.data());
    std::size_t capacity = padded_.size() - offset + simdjson::SIMDJSON_PADDING;
    od::document doc;
    if (auto code = parser_.iterate(r.begin(), r.size(), capacity).get(doc))
      return r.fail(r.begin(), problem(code));
    if (!Checker(r, doc).record()) return false;
    doc.rewind();
    const char* at = r.begin();
    std::string_view token;
    if (!doc.raw_json_token().get(token)) at = token.data();
    od::object object;
    if (auto code = doc.get_object().get(object)) return r.fail(at, problem(code));
    Fields f(r, object, at);
    std::string type;
    const char* type_at = nullptr;
    if (!f.text("record", type, &type_at)) return false;
    if (type == "end") return end_record(f, r.number());
    return type == "action"     ? read_action(f, at, state)
           : type == "window"   ? read_window(f, state)
           : type == "cooldown" ? read_cooldown(f, state)
           : type == "breaker"  ? read_breaker(f, state)
           : type == "outcome"  ? read_outcome(f, state)
                                : f.fail(type_at, "unknown record type \"" + type + "\"");
  }

  bool end_record(Fields& f, std::size_t record) {
    std::size_t count = 0;
    const char* at = nullptr;
    if (!f.number("records", count, &at)) return false;
    if (count != record - 1)
      return f.fail(at, "the end record counts " + std::to_string(count) +
                            " records, the file has " + std::to_string(record - 1));
    at_end_ = true;
    return true;
  }

  std::string_view bytes_;
  simdjson::padded_string padded_;  // the same bytes, padded for simdjson, which points into them
  od::parser parser_;
  bool at_end_ = false;
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
