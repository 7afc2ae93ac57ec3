// One description of the .skpc layout, used both ways: `transfer(archive, x)` writes x with a
// Writer and reads it with a Reader, so the writer and the loader cannot disagree.
// Internal to the bytecode library.
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include "runtime/bytecode/program.hpp"

namespace skippy::bytecode::detail {

class Writer {
 public:
  static constexpr bool kReading = false;
  std::vector<std::uint8_t> bytes;

  template <typename T>
  void scalar(const T& value, const char*) {
    static_assert(std::is_trivially_copyable_v<T>);
    std::uint8_t raw[sizeof(T)];
    std::memcpy(raw, &value, sizeof(T));
    if constexpr (std::endian::native == std::endian::big) std::reverse(raw, raw + sizeof(T));
    bytes.insert(bytes.end(), raw, raw + sizeof(T));
  }
  bool count(std::uint32_t& n, std::size_t, const char* what) {
    scalar(n, what);
    return true;
  }
  void text(std::string& s, const char* what) {
    auto n = static_cast<std::uint32_t>(s.size());
    scalar(n, what);
    bytes.insert(bytes.end(), s.begin(), s.end());
  }
  bool ok() const { return true; }
};

class Reader {
 public:
  static constexpr bool kReading = true;
  Reader(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}

  template <typename T>
  void scalar(T& value, const char* what) {
    if (failed_) return;
    if (size_ - pos_ < sizeof(T)) return fail(what);
    std::uint8_t raw[sizeof(T)];
    std::memcpy(raw, data_ + pos_, sizeof(T));
    if constexpr (std::endian::native == std::endian::big) std::reverse(raw, raw + sizeof(T));
    std::memcpy(&value, raw, sizeof(T));
    pos_ += sizeof(T);
  }
  // Reads a count, refusing one that the remaining bytes cannot hold at `min_size` each:
  // a corrupt count never becomes a huge allocation.
  bool count(std::uint32_t& n, std::size_t min_size, const char* what) {
    scalar(n, what);
    if (failed_) return false;
    if (min_size > 0 && n > (size_ - pos_) / min_size) {
      fail(what);
      return false;
    }
    return true;
  }
  void text(std::string& s, const char* what) {
    std::uint32_t n = 0;
    if (!count(n, 1, what)) return;
    s.assign(reinterpret_cast<const char*>(data_ + pos_), n);
    pos_ += n;
  }
  bool ok() const { return !failed_; }
  std::size_t position() const { return pos_; }
  const char* failed_at() const { return what_; }
  std::size_t failed_offset() const { return fail_pos_; }

 private:
  void fail(const char* what) {
    if (failed_) return;
    failed_ = true;
    what_ = what;
    fail_pos_ = pos_;
  }
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
  bool failed_ = false;
  const char* what_ = "";
  std::size_t fail_pos_ = 0;
};

template <typename A, typename E>
void enum8(A& a, E& e, const char* what) {
  auto raw = static_cast<std::uint8_t>(e);
  a.scalar(raw, what);
  e = static_cast<E>(raw);
}

inline void flag(Writer& a, bool& b, const char* what) {
  std::uint8_t raw = b ? 1 : 0;
  a.scalar(raw, what);
}
inline void flag(Reader& a, bool& b, const char* what) {
  std::uint8_t raw = 0;
  a.scalar(raw, what);
  b = raw != 0;
}

// A vector: u32 count, then each element through `each`. `min_size` bounds the count.
template <typename A, typename T, typename F>
void list(A& a, std::vector<T>& v, std::size_t min_size, const char* what, F&& each) {
  auto n = static_cast<std::uint32_t>(v.size());
  if (!a.count(n, min_size, what)) return;
  if constexpr (A::kReading) v.resize(n);
  for (auto& item : v) {
    if (!a.ok()) return;
    each(item);
  }
}

template <typename A, typename T>
void scalars(A& a, std::vector<T>& v, const char* what) {
  list(a, v, sizeof(T), what, [&](T& x) { a.scalar(x, what); });
}

template <typename A>
void transfer(A& a, SourcePos& p) {
  a.scalar(p.file, "source position");
  a.scalar(p.line, "source position");
  a.scalar(p.column, "source position");
}

template <typename A>
void transfer(A& a, Selection& s) {
  enum8(a, s.kind, "selection kind");
  flag(a, s.all_namespaces, "selection namespaces");
  scalars(a, s.namespaces, "selection namespaces");
  list(a, s.labels, 9, "label requirements", [&](LabelRequirement& r) {
    enum8(a, r.op, "label requirement");
    a.scalar(r.key, "label requirement");
    scalars(a, r.values, "label values");
  });
  scalars(a, s.excluded_names, "excluded names");
}

template <typename A>
void transfer(A& a, SafetyConfig& s) {
  a.scalar(s.cooldown_target_ms, "safety");
  a.scalar(s.cooldown_policy_ms, "safety");
  a.scalar(s.max_actions, "safety");
  a.scalar(s.max_actions_window_ms, "safety");
  a.scalar(s.max_unavailable, "safety");
  flag(a, s.max_unavailable_percent, "safety");
  a.scalar(s.max_concurrent, "safety");
  a.scalar(s.approve_mask, "safety");
  flag(a, s.allow_system_namespaces, "safety");
}

template <typename A>
void transfer(A& a, InputSlot& s) {
  enum8(a, s.kind, "input slot");
  a.scalar(s.name, "input slot");
  a.scalar(s.query, "input slot");
  scalars(a, s.by_labels, "input slot labels");
  enum8(a, s.aggregation, "input slot");
  enum8(a, s.missing, "input slot");
  a.scalar(s.hold_ms, "input slot");
  a.scalar(s.id, "input slot");
  a.scalar(s.reason, "input slot");
  a.scalar(s.event_type, "input slot");
  a.scalar(s.window_ms, "input slot");
  a.scalar(s.source, "input slot");
  a.scalar(s.parameter, "input slot");
}

template <typename A>
void transfer(A& a, Policy& p) {
  a.scalar(p.name, "policy");
  transfer(a, p.pos);
  enum8(a, p.mode, "policy mode");
  a.scalar(p.interval_ms, "policy interval");
  transfer(a, p.selection);
  transfer(a, p.safety);
  list(a, p.inputs, 40, "input slots", [&](InputSlot& s) { transfer(a, s); });
  list(a, p.advice, 51, "advice requests", [&](AdviceRequest& r) {
    scalars(a, r.signal_slots, "advice signals");
    a.scalar(r.events_window_ms, "advice request");
    a.scalar(r.question, "advice request");
    scalars(a, r.allowed_actions, "advice actions");
    a.scalar(r.handler, "advice request");
    flag(a, r.has_threshold, "advice request");
    a.scalar(r.threshold, "advice request");
    a.scalar(r.horizon_ms, "advice request");
    a.scalar(r.history_ms, "advice request");
    transfer(a, r.pos);
  });
  list(a, p.constants, 18, "constants", [&](Constant& c) {
    enum8(a, c.kind, "constant");
    a.scalar(c.number, "constant");
    flag(a, c.boolean, "constant");
    a.scalar(c.string, "constant");
    scalars(a, c.items, "constant list");
  });
  list(a, p.triggers, 41, "triggers", [&](Trigger& t) {
    a.scalar(t.name, "trigger");
    a.scalar(t.for_ms, "trigger");
    flag(a, t.has_clear, "trigger");
    a.scalar(t.clear_for_ms, "trigger");
    a.scalar(t.keep_firing_for_ms, "trigger");
    transfer(a, t.pos);
  });
  list(a, p.handlers, 6, "handlers", [&](Handler& h) {
    a.scalar(h.trigger, "handler");
    a.scalar(h.entry, "handler");
  });
  list(a, p.templates, 24, "proposal templates", [&](ProposalTemplate& t) {
    a.scalar(t.action, "proposal template");
    a.scalar(t.trigger, "proposal template");
    a.scalar(t.priority, "proposal template");
    scalars(a, t.argument_names, "proposal arguments");
    transfer(a, t.pos);
  });
  a.scalar(p.conditions_entry, "policy entry");
  a.scalar(p.locals, "policy locals");
  a.scalar(p.max_stack, "policy stack");
  a.scalar(p.cost_bound, "policy cost");
  list(a, p.code, 4, "code", [&](Instruction& i) {
    enum8(a, i.op, "instruction");
    a.scalar(i.a, "instruction");
    a.scalar(i.b, "instruction");
  });
  if constexpr (A::kReading) p.code_pos.resize(p.code.size());
  if (p.code_pos.size() != p.code.size()) return;  // the writer's caller checks this
  for (auto& pos : p.code_pos) {
    if (!a.ok()) return;
    transfer(a, pos);
  }
}

template <typename A>
void transfer_body(A& a, Program& program) {
  list(a, program.strings, 4, "string pool", [&](std::string& s) { a.text(s, "string"); });
  scalars(a, program.files, "source files");
  list(a, program.policies, 64, "policies", [&](Policy& p) { transfer(a, p); });
}

}  // namespace skippy::bytecode::detail
