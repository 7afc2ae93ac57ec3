// Where the safety loop keeps its journal: a file for `skippy run --safety.journal` (safety/
// journal.hpp writes it atomically), memory for `skippy test` and `skippy replay` and for a
// run without a journal. Both take the same protocol's saves, at the same points of a tick.
#pragma once

#include <optional>
#include <string>

#include "runtime/safety/safety_state.hpp"

namespace skippy::agent {

class JournalStore {
 public:
  virtual ~JournalStore() = default;
  // Loads the state kept so far: empty on first start (`found` false). A journal that cannot
  // be read is an error (the state it holds is never silently dropped): nothing, with why in
  // `error`.
  virtual std::optional<safety::SafetyState> load(bool& found, std::string& error) = 0;
  // Keeps `state`; what went wrong, if anything (the state kept before is then intact).
  virtual std::optional<std::string> save(const safety::SafetyState& state) = 0;
  // Where it is, for messages ("" in memory).
  virtual std::string where() const = 0;
};

class FileJournal final : public JournalStore {
 public:
  explicit FileJournal(std::string path) : path_(std::move(path)) {}
  std::optional<safety::SafetyState> load(bool& found, std::string& error) override;
  std::optional<std::string> save(const safety::SafetyState& state) override;
  std::string where() const override { return path_; }

 private:
  std::string path_;
};

// The journal's bytes in memory, encoded as the file would hold them.
class MemoryJournal final : public JournalStore {
 public:
  std::optional<safety::SafetyState> load(bool& found, std::string& error) override;
  std::optional<std::string> save(const safety::SafetyState& state) override;
  std::string where() const override { return ""; }
  std::size_t saves() const { return saves_; }

 private:
  std::string bytes_;
  std::size_t saves_ = 0;
};

}  // namespace skippy::agent
