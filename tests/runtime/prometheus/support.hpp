// Test support for the Prometheus client: child processes, temporary directories, free ports
// on 127.0.0.1, and a small fault-injecting HTTP/1.1 server (plain POSIX sockets, a thread per
// connection, keep-alive) whose answers each test scripts.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace skippy::test {

namespace fs = std::filesystem;

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it on destruction.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix) {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base && *base ? base : "/tmp") + "/" + prefix + "-XXXXXX";
    std::vector<char> buf(pattern.begin(), pattern.end());
    buf.push_back('\0');
    if (!mkdtemp(buf.data())) throw std::runtime_error("mkdtemp failed");
    path_ = buf.data();
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

inline void write_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

inline std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// A port on 127.0.0.1 that was free a moment ago.
inline int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    throw std::runtime_error("bind failed");
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

// A child process with stdout and stderr appended to `log`; killed (SIGKILL) and reaped on
// destruction if still running.
class Process {
 public:
  Process(const std::vector<std::string>& argv, const fs::path& log) {
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    int rc = posix_spawnp(&pid_, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(rc));
  }
  ~Process() { stop(SIGKILL); }
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  bool running() {
    if (pid_ <= 0) return false;
    int status = 0;
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      exit_status_ = status;
      pid_ = -1;
      return false;
    }
    return true;
  }
  // Sends `sig` and waits for the process to end.
  void stop(int sig = SIGTERM) {
    if (pid_ <= 0) return;
    ::kill(pid_, sig);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    exit_status_ = status;
    pid_ = -1;
  }
  // Waits for the process to end by itself; its exit code (or 128 + signal).
  int wait() {
    if (pid_ > 0) {
      int status = 0;
      ::waitpid(pid_, &status, 0);
      exit_status_ = status;
      pid_ = -1;
    }
    if (WIFEXITED(exit_status_)) return WEXITSTATUS(exit_status_);
    return 128 + WTERMSIG(exit_status_);
  }

 private:
  pid_t pid_ = -1;
  int exit_status_ = 0;
};

// Polls `check` every 20 ms until it holds or `limit` passes.
inline bool poll_until(const std::function<bool()>& check, std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (check()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return check();
}

inline std::string gzip(const std::string& data) {
  z_stream z{};
  deflateInit2(&z, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, static_cast<uLong>(data.size())) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

// One HTTP request as the fault server saw it.
struct Request {
  std::string method;
  std::string path;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  int connection = 0;  // which accepted connection carried it (1, 2, ...)

  // A form field of an application/x-www-form-urlencoded body, decoded.
  std::string form(const std::string& name) const {
    std::size_t pos = 0;
    while (pos <= body.size()) {
      std::size_t end = body.find('&', pos);
      if (end == std::string::npos) end = body.size();
      std::string pair = body.substr(pos, end - pos);
      std::size_t eq = pair.find('=');
      if (eq != std::string::npos && pair.substr(0, eq) == name) return decode(pair.substr(eq + 1));
      pos = end + 1;
    }
    return {};
  }
  static std::string decode(const std::string& s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '+') {
        out += ' ';
      } else if (s[i] == '%' && i + 2 < s.size()) {
        out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
        i += 2;
      } else {
        out += s[i];
      }
    }
    return out;
  }
};

// What the fault server does with one request.
struct Response {
  int status = 200;
  std::vector<std::string> headers;  // "Name: value"
  std::string body;
  std::chrono::milliseconds delay{0};  // before answering (interrupted when the server stops)
  bool gzip = false;                   // gzip the body, with Content-Encoding
  std::size_t declared_length = 0;     // > body.size(): claim more than is sent, then close
  bool close = false;                  // close the connection after answering
  bool hang_up = false;                // close without answering at all
  // A streamed body (a Kubernetes watch): sent chunked, each piece after its delay, then kept
  // open for `hold` (or until the server stops), then ended and the connection closed. With
  // drop_stream the connection is closed after the pieces instead, mid-stream.
  struct Piece {
    std::chrono::milliseconds delay{0};
    std::string data;
  };
  std::vector<Piece> stream;
  std::chrono::milliseconds hold{0};
  bool drop_stream = false;
  bool streams() const { return !stream.empty() || hold.count() > 0 || drop_stream; }
};

class FaultServer {
 public:
  using Handler = std::function<Response(const Request&)>;

  explicit FaultServer(Handler handler) : handler_(std::move(handler)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(listen_fd_, 64) != 0)
      throw std::runtime_error("fault server: bind/listen failed");
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
  }
  ~FaultServer() { stop(); }
  FaultServer(const FaultServer&) = delete;
  FaultServer& operator=(const FaultServer&) = delete;

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // Stops accepting, drops every connection, waits for the threads. The port is then closed.
  void stop() {
    {
      std::lock_guard lock(mutex_);
      if (stopped_) return;
      stopped_ = true;
      for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
    }
    wake_.notify_all();
    ::shutdown(listen_fd_, SHUT_RDWR);
    ::close(listen_fd_);
    acceptor_.join();
    std::vector<std::thread> threads;
    {
      std::lock_guard lock(mutex_);
      threads.swap(workers_);
    }
    for (auto& t : threads) t.join();
  }

  std::vector<Request> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  int connections() const {
    std::lock_guard lock(mutex_);
    return connections_;
  }
  int max_in_flight() const { return max_in_flight_.load(); }

 private:
  void accept_loop() {
    for (;;) {
      int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) return;
      std::lock_guard lock(mutex_);
      if (stopped_) {
        ::close(fd);
        return;
      }
      int id = ++connections_;
      open_fds_.push_back(fd);
      workers_.emplace_back([this, fd, id] { serve(fd, id); });
    }
  }

  static bool send_all(int fd, const std::string& data) {
    std::size_t sent = 0;
    while (sent < data.size()) {
      ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<std::size_t>(n);
    }
    return true;
  }

  void serve(int fd, int id) {
    std::string buffer;
    char chunk[65536];
    for (;;) {
      // Read one request: headers, then Content-Length bytes of body.
      std::size_t header_end;
      while ((header_end = buffer.find("\r\n\r\n")) == std::string::npos) {
        ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
        if (n <= 0) return finish(fd);
        buffer.append(chunk, static_cast<std::size_t>(n));
      }
      Request request;
      request.connection = id;
      std::string head = buffer.substr(0, header_end);
      std::size_t line_end = head.find("\r\n");
      std::string first = head.substr(0, line_end);
      request.method = first.substr(0, first.find(' '));
      request.path = first.substr(first.find(' ') + 1, first.rfind(' ') - first.find(' ') - 1);
      std::size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
      while (pos < head.size()) {
        std::size_t end = head.find("\r\n", pos);
        if (end == std::string::npos) end = head.size();
        std::string line = head.substr(pos, end - pos);
        std::size_t colon = line.find(':');
        if (colon != std::string::npos) {
          std::string name = line.substr(0, colon);
          for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          std::size_t v = line.find_first_not_of(' ', colon + 1);
          request.headers[name] = v == std::string::npos ? "" : line.substr(v);
        }
        pos = end + 2;
      }
      std::size_t length = 0;
      if (auto it = request.headers.find("content-length"); it != request.headers.end())
        length = std::stoul(it->second);
      buffer.erase(0, header_end + 4);
      while (buffer.size() < length) {
        ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
        if (n <= 0) return finish(fd);
        buffer.append(chunk, static_cast<std::size_t>(n));
      }
      request.body = buffer.substr(0, length);
      buffer.erase(0, length);
      {
        std::lock_guard lock(mutex_);
        requests_.push_back(request);
      }
      int now = ++in_flight_;
      int seen = max_in_flight_.load();
      while (now > seen && !max_in_flight_.compare_exchange_weak(seen, now)) {
      }
      Response response = handler_(request);
      if (response.delay.count() > 0) {
        std::unique_lock lock(mutex_);
        wake_.wait_for(lock, response.delay, [this] { return stopped_; });
      }
      --in_flight_;
      if (response.hang_up) return finish(fd);
      if (response.streams()) return stream(fd, response);
      std::string body = response.gzip ? gzip(response.body) : response.body;
      std::string out = "HTTP/1.1 " + std::to_string(response.status) + " Fault\r\n";
      out += "Content-Type: application/json\r\n";
      std::size_t declared = std::max(response.declared_length, body.size());
      out += "Content-Length: " + std::to_string(declared) + "\r\n";
      if (response.gzip) out += "Content-Encoding: gzip\r\n";
      for (const auto& h : response.headers) out += h + "\r\n";
      if (response.close) out += "Connection: close\r\n";
      out += "\r\n" + body;
      if (!send_all(fd, out) || response.close || declared > body.size()) return finish(fd);
    }
  }

  // Waits `d` unless the server stops first; whether it is still running.
  bool pause(std::chrono::milliseconds d) {
    std::unique_lock lock(mutex_);
    return !wake_.wait_for(lock, d, [this] { return stopped_; });
  }

  void stream(int fd, const Response& response) {
    std::string out = "HTTP/1.1 " + std::to_string(response.status) + " Fault\r\n";
    out += "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n";
    for (const auto& h : response.headers) out += h + "\r\n";
    if (!send_all(fd, out + "\r\n")) return finish(fd);
    for (const auto& piece : response.stream) {
      if (piece.delay.count() > 0 && !pause(piece.delay)) return finish(fd);
      char size[32];
      std::snprintf(size, sizeof size, "%zx\r\n", piece.data.size());
      if (!send_all(fd, size + piece.data + "\r\n")) return finish(fd);
    }
    if (response.drop_stream) return finish(fd);
    if (response.hold.count() > 0 && !pause(response.hold)) return finish(fd);
    send_all(fd, "0\r\n\r\n");
    finish(fd);
  }

  void finish(int fd) {
    std::lock_guard lock(mutex_);
    std::erase(open_fds_, fd);
    ::close(fd);
  }

  Handler handler_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::thread acceptor_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopped_ = false;
  std::vector<int> open_fds_;
  std::vector<std::thread> workers_;
  std::vector<Request> requests_;
  int connections_ = 0;
  std::atomic<int> in_flight_{0};
  std::atomic<int> max_in_flight_{0};
};

// Records the waits a client asks for and returns at once.
struct RecordingSleep {
  std::shared_ptr<std::vector<std::int64_t>> waits = std::make_shared<std::vector<std::int64_t>>();
  std::function<void(std::chrono::milliseconds)> fn() const {
    auto w = waits;
    return [w](std::chrono::milliseconds d) { w->push_back(d.count()); };
  }
};

}  // namespace skippy::test
