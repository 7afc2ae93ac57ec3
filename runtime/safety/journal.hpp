// The journal: the SafetyState in a file, so that a restart can neither repeat an action nor
// forget a cooldown. JSON lines, each sealed by a CRC-32 that chains over every byte before
// it, and an end record that counts them; written whole to a temporary file, synced and
// renamed over the old one. A torn or corrupt journal is reported with the byte and record
// where it goes wrong, never silently reset. docs/safety.md describes the format.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "runtime/safety/safety_state.hpp"

namespace skippy::safety {

inline constexpr std::string_view kJournalMagic = "skippy-safety-journal";
inline constexpr int kJournalVersion = 1;

struct JournalError {
  std::size_t offset = 0;  // the byte of the file where the problem is
  std::size_t record = 0;  // the record (line after the header), from 1; 0: the header
  std::string message;
  // "byte 120 (record 3): checksum mismatch: ..."
  std::string text() const;
};

// The same state always gives the same bytes (records sorted by key).
std::string encode_journal(const SafetyState& state);

struct DecodedJournal {
  SafetyState state;
  std::optional<JournalError> error;  // the first problem; state is empty then
  bool ok() const { return !error; }
};

// Verifies the header, every record's checksum, every record's fields and the end record.
DecodedJournal decode_journal(std::string_view bytes);

// Recomputes every record's checksum of journal-like bytes, for tests and the fuzzer, which
// change records on purpose and want the decoder to look past the checksums.
void reseal_journal(std::string& bytes);

struct JournalLoad {
  SafetyState state;
  std::optional<JournalError> error;  // unreadable or corrupt: the caller must not go on
  bool found = false;                 // false: no journal yet, an empty state (first start)
};

JournalLoad load_journal(const std::string& path);

// Writes `path` atomically: PATH.tmp written, fsynced, renamed over PATH, directory fsynced.
// Returns what went wrong, if anything; the previous journal is then intact. A state holding
// text that is not UTF-8 is not written: the journal is UTF-8 and could not be read back.
std::optional<std::string> save_journal(const std::string& path, const SafetyState& state);

}  // namespace skippy::safety
