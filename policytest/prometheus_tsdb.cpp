#include "policytest/prometheus_tsdb.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "base/label_escape.hpp"
#include "runtime/http/exchange.hpp"

namespace skippy::policytest {
namespace {

namespace fs = std::filesystem;

std::string format_value(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::string format_timestamp(std::int64_t ms) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s%lld.%03lld", ms < 0 ? "-" : "",
                static_cast<long long>(std::llabs(ms) / 1000),
                static_cast<long long>(std::llabs(ms) % 1000));
  return buf;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Runs `argv` with its output appended to `log`; its pid, or -1 with `error`. The child gets
// SIGTERM when this process dies, however it dies: an interrupted `skippy test` leaves no
// Prometheus behind.
pid_t spawn(const std::vector<std::string>& argv, const fs::path& log, std::string& error) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) {
    error = "cannot start " + argv[0] + ": " + std::strerror(errno);
    return -1;
  }
  if (pid == 0) {  // only async-signal-safe calls until exec
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(127);  // the parent is already gone
    int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    int in = ::open("/dev/null", O_RDONLY);
    if (out < 0 || in < 0) ::_exit(127);
    ::dup2(out, 1);
    ::dup2(out, 2);
    ::dup2(in, 0);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  return pid;
}

int wait_exit(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

// Protocol buffers, as much as a remote-write request needs.
void varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
}
void bytes_field(std::string& out, int field, const std::string& data) {
  varint(out, static_cast<std::uint64_t>(field) << 3 | 2);
  varint(out, data.size());
  out += data;
}

// A snappy block of literals only: valid, uncompressed.
std::string snappy_literal(const std::string& data) {
  std::string out;
  varint(out, data.size());
  for (std::size_t at = 0; at < data.size(); at += 65536) {
    std::size_t n = std::min<std::size_t>(65536, data.size() - at);
    if (n <= 60) {
      out += static_cast<char>((n - 1) << 2);
    } else {
      out += static_cast<char>(61 << 2);  // the length in the next two bytes
      out += static_cast<char>((n - 1) & 0xff);
      out += static_cast<char>((n - 1) >> 8);
    }
    out.append(data, at, n);
  }
  return out;
}

// A prometheus.WriteRequest holding the series' staleness markers; empty when there are none.
std::string stale_markers(const std::vector<TimedSeries>& series) {
  constexpr std::uint64_t kStaleNaN = 0x7ff0000000000002ull;
  std::string request;
  for (const auto& s : series) {
    std::string samples;
    for (const auto& [t, sample] : s.samples) {
      if (sample.kind != Sample::Stale) continue;
      std::string one;
      varint(one, 1 << 3 | 1);  // double value, fixed 64 bits
      for (int i = 0; i < 8; ++i) one += static_cast<char>((kStaleNaN >> (8 * i)) & 0xff);
      varint(one, 2 << 3 | 0);  // int64 timestamp
      varint(one, static_cast<std::uint64_t>(t));
      bytes_field(samples, 2, one);
    }
    if (samples.empty()) continue;
    std::string ts;
    for (const auto& [name, value] : s.labels) {
      std::string label;
      bytes_field(label, 1, name);
      bytes_field(label, 2, value);
      bytes_field(ts, 1, label);
    }
    bytes_field(request, 1, ts + samples);
  }
  return request;
}

}  // namespace

std::string openmetrics_text(const std::vector<TimedSeries>& series) {
  // A metric family's series stay together, as OpenMetrics wants.
  std::vector<const TimedSeries*> order;
  for (const auto& s : series) order.push_back(&s);
  std::stable_sort(order.begin(), order.end(), [](const TimedSeries* a, const TimedSeries* b) {
    return a->labels.front().second < b->labels.front().second;
  });
  std::string out;
  for (const auto* s : order) {
    std::string name = s->labels.front().second;
    std::string labels;
    for (std::size_t i = 1; i < s->labels.size(); ++i) {
      labels += (labels.empty() ? "" : ",") + s->labels[i].first + "=\"" +
                base::label_value_escape(s->labels[i].second) + "\"";
    }
    std::string head = name + (labels.empty() ? "" : "{" + labels + "}") + " ";
    for (const auto& [t, sample] : s->samples) {
      if (sample.kind != Sample::Value) continue;
      out += head + format_value(sample.value) + " " + format_timestamp(t) + "\n";
    }
  }
  return out + "# EOF\n";
}

bool program_exists(const std::string& program) {
  if (program.find('/') != std::string::npos) return ::access(program.c_str(), X_OK) == 0;
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  std::size_t at = 0;
  while (at <= dirs.size()) {
    std::size_t end = dirs.find(':', at);
    if (end == std::string::npos) end = dirs.size();
    std::string dir = dirs.substr(at, end - at);
    if (::access(((dir.empty() ? "." : dir) + "/" + program).c_str(), X_OK) == 0) return true;
    at = end + 1;
  }
  return false;
}

std::unique_ptr<TestPrometheus> TestPrometheus::start(const std::vector<TimedSeries>& series,
                                                      const Tools& tools, std::string& error) {
  auto p = launch(series, tools, error);
  if (p && !p->ready(error)) return nullptr;
  return p;
}

std::unique_ptr<TestPrometheus> TestPrometheus::launch(const std::vector<TimedSeries>& series,
                                                       const Tools& tools, std::string& error) {
  for (const auto* tool : {&tools.promtool, &tools.prometheus}) {
    if (!program_exists(*tool)) {
      error = "`" + *tool +
              "` is not installed (or not on PATH): skippy test evaluates PromQL with a real "
              "Prometheus and backfills it with promtool";
      return nullptr;
    }
  }
  std::unique_ptr<TestPrometheus> p(new TestPrometheus());
  const char* base = std::getenv("TMPDIR");
  std::string pattern = std::string(base && *base ? base : "/tmp") + "/skippy-test-XXXXXX";
  if (!::mkdtemp(pattern.data())) {
    error = "cannot make a temporary directory under " + pattern;
    return nullptr;
  }
  p->dir_ = pattern;
  p->prometheus_ = tools.prometheus;
  p->markers_ = stale_markers(series);
  const fs::path dir = p->dir_;
  {
    std::ofstream(dir / "series.om") << openmetrics_text(series);
    std::ofstream(dir / "prometheus.yml")
        << "global:\n  scrape_interval: 1h\nscrape_configs: []\n"
           "storage:\n  tsdb:\n    out_of_order_time_window: 87600h\n";
  }
  fs::create_directories(dir / "data");
  bool any_value = false;
  for (const auto& s : series) {
    for (const auto& [t, sample] : s.samples) any_value = any_value || sample.kind == Sample::Value;
  }
  if (any_value) {
    pid_t pid = spawn({tools.promtool, "tsdb", "create-blocks-from", "openmetrics",
                       (dir / "series.om").string(), (dir / "data").string()},
                      dir / "promtool.log", error);
    if (pid < 0) return nullptr;
    if (int rc = wait_exit(pid); rc != 0) {
      error = "promtool tsdb create-blocks-from openmetrics failed (exit " + std::to_string(rc) +
              "): " + read_text(dir / "promtool.log");
      return nullptr;
    }
  }
  if (!p->spawn_prometheus(error)) return nullptr;
  return p;
}

bool TestPrometheus::spawn_prometheus(std::string& error) {
  const fs::path dir = dir_;
  port_ = free_port();
  pid_ =
      spawn({prometheus_, "--config.file=" + (dir / "prometheus.yml").string(),
             "--storage.tsdb.path=" + (dir / "data").string(), "--storage.tsdb.retention.time=100y",
             "--web.listen-address=" + std::string("127.0.0.1:") + std::to_string(port_),
             "--web.enable-remote-write-receiver", "--log.level=warn"},
            dir / "prometheus.log", error);
  return pid_ > 0;
}

bool TestPrometheus::ready(std::string& error) {
  if (ready_) return true;
  const fs::path log = fs::path(dir_) / "prometheus.log";
  // A port free a moment ago may be taken meanwhile: try a few.
  for (int attempt = 0; attempt < 5 && !ready_; ++attempt) {
    if (pid_ < 0 && !spawn_prometheus(error)) return false;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!ready_ && std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        break;
      }
      http::Request probe;
      probe.url = url() + "/-/ready";
      probe.timeout_ms = 1000;
      if (http::exchange(probe).status == 200) {
        ready_ = true;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (!ready_ && pid_ > 0) {
      ::kill(pid_, SIGKILL);
      wait_exit(pid_);
      pid_ = -1;
      error = "prometheus did not get ready within 60 s: " + read_text(log);
      return false;
    }
  }
  if (!ready_) {
    error = "prometheus did not start: " + read_text(log);
    return false;
  }
  if (!markers_.empty()) {
    http::Request write;
    write.method = "POST";
    write.url = url() + "/api/v1/write";
    write.content_type = "application/x-protobuf";
    write.headers = {"Content-Encoding: snappy", "X-Prometheus-Remote-Write-Version: 0.1.0"};
    write.body = snappy_literal(markers_);
    auto response = http::exchange(write);
    if (!response.ok()) {
      error = "prometheus refused the staleness markers: " + http::describe(write, response);
      return false;
    }
  }
  return true;
}

TestPrometheus::~TestPrometheus() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    wait_exit(pid_);
  }
  std::error_code ignored;
  if (!dir_.empty()) fs::remove_all(dir_, ignored);
}

}  // namespace skippy::policytest
