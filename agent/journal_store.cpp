#include "agent/journal_store.hpp"

#include "runtime/safety/journal.hpp"

namespace skippy::agent {

std::optional<safety::SafetyState> FileJournal::load(bool& found, std::string& error) {
  auto loaded = safety::load_journal(path_);
  found = loaded.found;
  if (loaded.error) {
    error = path_ + ": " + loaded.error->text() +
            " (the journal is kept as it is: move it away to start with no safety state)";
    return std::nullopt;
  }
  return std::move(loaded.state);
}

std::optional<std::string> FileJournal::save(const safety::SafetyState& state) {
  return safety::save_journal(path_, state);
}

std::optional<safety::SafetyState> MemoryJournal::load(bool& found, std::string& error) {
  found = !bytes_.empty();
  if (bytes_.empty()) return safety::SafetyState{};
  auto decoded = safety::decode_journal(bytes_);
  if (decoded.error) {
    error = "the journal in memory: " + decoded.error->text();
    return std::nullopt;
  }
  return std::move(decoded.state);
}

std::optional<std::string> MemoryJournal::save(const safety::SafetyState& state) {
  bytes_ = safety::encode_journal(state);
  ++saves_;
  return std::nullopt;
}

}  // namespace skippy::agent
