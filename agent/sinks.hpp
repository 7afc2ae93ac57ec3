// Where a tick's output goes, handed to it by whoever drives it: audit records (JSON lines),
// the runtime's own metrics, and log lines. `skippy run` hands a file, /metrics and the log;
// `skippy test` and `skippy replay` collect the audit records and keep no log. Each may be
// absent.
#pragma once

#include <functional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace skippy::monitor {
class RuntimeMetrics;
}

namespace skippy::agent {

enum class LogLevel { Debug, Info, Warn, Error };

// Takes audit records, one JSON object each, in the order they are made.
class AuditSink {
 public:
  virtual ~AuditSink() = default;
  virtual void record(std::string_view json) = 0;
  // Called once a batch of records is complete (a tick's decisions, its executions).
  virtual void flush() {}
};

// An audit sink that keeps the records, for tests and replays.
class CollectedAudit final : public AuditSink {
 public:
  void record(std::string_view json) override { records.emplace_back(json); }
  std::vector<std::string> records;
};

// An audit sink that writes JSON lines to a stream (`skippy run --audit.file`, stdout).
class StreamAudit final : public AuditSink {
 public:
  explicit StreamAudit(std::ostream& out) : out_(out) {}
  void record(std::string_view json) override { out_ << json << '\n'; }
  void flush() override { out_.flush(); }

 private:
  std::ostream& out_;
};

struct Sinks {
  AuditSink* audit = nullptr;
  monitor::RuntimeMetrics* metrics = nullptr;
  std::function<void(LogLevel, std::string_view)> log;

  void write_log(LogLevel level, std::string_view message) const {
    if (log) log(level, message);
  }
  void info(std::string_view message) const { write_log(LogLevel::Info, message); }
  void warn(std::string_view message) const { write_log(LogLevel::Warn, message); }
  void error(std::string_view message) const { write_log(LogLevel::Error, message); }
  void audit_record(std::string_view json) const {
    if (audit) audit->record(json);
  }
  void audit_flush() const {
    if (audit) audit->flush();
  }
};

}  // namespace skippy::agent
