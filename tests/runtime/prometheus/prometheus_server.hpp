// Test support: a real `prometheus` on a free 127.0.0.1 port, its storage backfilled from
// OpenMetrics text with `promtool tsdb create-blocks-from openmetrics` or scraping a target,
// stopped and removed with the object. Tests query it at the fixed times of their data.
#pragma once

#include <curl/curl.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <utility>

#include "tests/runtime/prometheus/support.hpp"

namespace skippy::test {

// One HTTP request: a GET, or with `form` a form-encoded POST of it; the status (0 when no
// answer came within `timeout_ms`) and the body.
inline std::pair<long, std::string> http_request(const std::string& url,
                                                 const std::string* form = nullptr,
                                                 long timeout_ms = 2000) {
  std::string body;
  CURL* curl = curl_easy_init();
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  if (form) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, form->c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(form->size()));
  }
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(
      curl, CURLOPT_WRITEFUNCTION, +[](char* p, std::size_t s, std::size_t n, void* out) {
        static_cast<std::string*>(out)->append(p, s * n);
        return s * n;
      });
  long status = 0;
  if (curl_easy_perform(curl) == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(curl);
  return {status, body};
}

inline std::pair<long, std::string> http_get(const std::string& url) {
  return http_request(url);
}

inline bool http_ok(const std::string& url) {
  return http_get(url).first == 200;
}

// A target for Prometheus to scrape ("127.0.0.1:8001", its /metrics) every `interval`, which
// is also the evaluation interval: the default resolution of subqueries (what the runtime's
// windowed functions send).
struct ScrapeTarget {
  std::string address;
  std::string interval = "1s";
};

// A server process a test starts on a free 127.0.0.1 port, with a temporary directory of its
// own; stopped and removed with the object.
class ServerProcess {
 public:
  void stop(int sig) { process_->stop(sig); }
  // SIGSTOP, and wait until every thread has stopped: the signal takes effect when the
  // process is next scheduled, and a thread already running could still answer a query.
  void pause() {
    ::kill(process_->pid(), SIGSTOP);
    const fs::path tasks = "/proc/" + std::to_string(process_->pid()) + "/task";
    auto stopped = [](const fs::path& stat) {
      std::ifstream in(stat);
      std::string text((std::istreambuf_iterator<char>(in)), {});
      auto close = text.rfind(')');  // the state follows the command name
      return close != std::string::npos && close + 2 < text.size() && text[close + 2] == 'T';
    };
    poll_until(
        [&] {
          std::error_code ec;
          for (const auto& task : fs::directory_iterator(tasks, ec)) {
            if (!stopped(task.path() / "stat")) return false;
          }
          return !ec;
        },
        std::chrono::seconds(5));
  }
  void resume() { ::kill(process_->pid(), SIGCONT); }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string url() const { return "http://" + address(); }

 protected:
  explicit ServerProcess(const char* dir_prefix) : dir_(dir_prefix), port_(free_port()) {}
  TempDir dir_;
  int port_;
  std::unique_ptr<Process> process_;
};

// A Prometheus with the backfilled data, or scraping one target, on 127.0.0.1.
class PrometheusServer : public ServerProcess {
 public:
  explicit PrometheusServer(const ScrapeTarget& target) : ServerProcess("skippy-prometheus-test") {
    write_file(dir_.path() / "prometheus.yml",
               "global:\n  scrape_interval: " + target.interval +
                   "\n  evaluation_interval: " + target.interval +
                   "\nscrape_configs:\n  - job_name: target\n    static_configs:\n"
                   "      - targets: [\"" +
                   target.address + "\"]\n");
    start();
  }
  explicit PrometheusServer(const std::string& openmetrics)
      : ServerProcess("skippy-prometheus-test") {
    write_file(dir_.path() / "data.om", openmetrics);
    write_file(dir_.path() / "prometheus.yml",
               "global:\n  scrape_interval: 1h\nscrape_configs: []\n");
    Process promtool({"promtool", "tsdb", "create-blocks-from", "openmetrics",
                      (dir_.path() / "data.om").string(), (dir_.path() / "data").string()},
                     dir_.path() / "promtool.log");
    int rc = promtool.wait();
    if (rc != 0)
      throw std::runtime_error("promtool failed: " + read_file(dir_.path() / "promtool.log"));
    start();
  }

  void start() {
    process_ = std::make_unique<Process>(
        std::vector<std::string>{"prometheus",
                                 "--config.file=" + (dir_.path() / "prometheus.yml").string(),
                                 "--storage.tsdb.path=" + (dir_.path() / "data").string(),
                                 "--storage.tsdb.retention.time=100y",
                                 "--web.listen-address=" + address(), "--log.level=warn"},
        dir_.path() / "prometheus.log");
    bool ready = poll_until([&] { return process_->running() && http_ok(url() + "/-/ready"); },
                            std::chrono::seconds(60));
    if (!ready)
      throw std::runtime_error("prometheus did not get ready: " +
                               read_file(dir_.path() / "prometheus.log"));
  }
};

}  // namespace skippy::test
