// The journal on disk: read whole; written whole to PATH.tmp, fsynced, renamed over PATH, and
// the directory fsynced, so that PATH always holds one complete journal, old or new.
#include <fcntl.h>
#include <simdjson.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>

#include "runtime/safety/journal.hpp"

namespace skippy::safety {
namespace {

std::string failure(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// The journal is UTF-8, and its reader accepts nothing else: a state holding other bytes (a
// name read from a file that is not UTF-8) must not be written, or the next start could not
// read it. Returns the first record with such text.
std::optional<std::size_t> record_not_utf8(std::string_view bytes) {
  if (simdjson::validate_utf8(bytes)) return std::nullopt;
  std::size_t record = 0;
  for (std::size_t start = bytes.find('\n') + 1; start < bytes.size(); ++record) {
    std::size_t end = std::min(bytes.find('\n', start), bytes.size());
    if (!simdjson::validate_utf8(bytes.substr(start, end - start))) return record + 1;
    start = end + 1;
  }
  return record;
}

}  // namespace

JournalLoad load_journal(const std::string& path) {
  JournalLoad out;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno != ENOENT) out.error = JournalError{0, 0, failure("cannot open", path)};
    return out;
  }
  out.found = true;
  std::string bytes;
  char buf[65536];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      out.error = JournalError{bytes.size(), 0, failure("cannot read", path)};
      ::close(fd);
      return out;
    }
    if (n == 0) break;
    bytes.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  auto decoded = decode_journal(bytes);
  out.state = std::move(decoded.state);
  out.error = std::move(decoded.error);
  return out;
}

std::optional<std::string> save_journal(const std::string& path, const SafetyState& state) {
  std::string bytes = encode_journal(state);
  if (auto record = record_not_utf8(bytes))
    return "not saved: record " + std::to_string(*record) +
           " holds text that is not UTF-8, which the journal cannot carry; " + path +
           " keeps the previous state";
  std::string temporary = path + ".tmp";
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return failure("cannot create", temporary);
  if (!write_all(fd, bytes) || ::fsync(fd) != 0) {
    auto error = failure("cannot write", temporary);
    ::close(fd);
    ::unlink(temporary.c_str());
    return error;
  }
  if (::close(fd) != 0) return failure("cannot close", temporary);
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    auto error = failure("cannot rename to", path);
    ::unlink(temporary.c_str());
    return error;
  }
  auto directory = std::filesystem::path(path).parent_path();
  std::string dir = directory.empty() ? "." : directory.string();
  int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0) return failure("cannot open directory", dir);
  int synced = ::fsync(dir_fd);
  ::close(dir_fd);
  if (synced != 0) return failure("cannot sync directory", dir);
  return std::nullopt;
}

}  // namespace skippy::safety
