// The runtime against Prometheus itself, on the same data and the same alerting intent.
//
// A synthetic cluster (bench/cluster_workload.hpp: N pods x 20 cAdvisor, kube-state-metrics
// and application metric families, values moving between scrapes) is served on 127.0.0.1; a
// real `prometheus` scrapes it and evaluates 100 alerting rules (20 expression shapes x 5
// thresholds, each with `for:`) in one group. The benchmark reads the group's duration from
// Prometheus's own /metrics, then removes the rules, times the 20 shapes as instant queries,
// and runs `skippy run` with the 100 equivalent policies (20 distinct queries a tick) against
// the same Prometheus: once with --once, then long-running for a few ticks, reading
// skippy_tick_last_cpu_seconds and skippy_tick_duration_seconds from its /metrics. Last, it
// checks that the runtime's active triggers are the pods where the rules' conditions hold.
//
//   build/bench/prometheus_compare_bench              # 10,000 pods, about 14 minutes
//   build/bench/prometheus_compare_bench --pods 200 --interval 5s --warmup 0s   # a minute
//
// Exits 0 with a summary, or 1 with what failed (prometheus not ready, rules invalid, no
// evaluation within the deadline, a query or a policy failing, ...). See bench/README.md.
#include <CivetServer.h>
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <map>
#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "base/literals.hpp"
#include "bench/cluster_workload.hpp"
#include "runtime/http/exchange.hpp"
#include "runtime/prometheus/client.hpp"
#include "tests/runtime/prometheus/prometheus_server.hpp"
#include "tests/runtime/prometheus/support.hpp"

namespace {

namespace fs = std::filesystem;
namespace pm = skippy::prometheus;
using skippy::test::Process;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

// The one exception: a step that cannot go on. main() prints it and exits 1; the destructors
// stop the child processes and remove the work directory.
struct Failure : std::runtime_error {
  using std::runtime_error::runtime_error;
};
[[noreturn]] void fail(const std::string& message) {
  throw Failure(message);
}

struct Options {
  std::size_t pods = 10'000;
  std::string interval = "15s";  // scrape, rule evaluation and policy interval
  std::string warmup = "5m";     // data to gather before measuring (the [5m] windows full)
  std::size_t evaluations = 3;   // rule group evaluations measured
  std::size_t rounds = 3;        // rounds of the 20 shape queries
  // Ticks of the long-running runtime, the first not counted: 12 at 15 s let the triggers with
  // `for: 1m` and `2m` fire, so that the later ticks record proposals as a runtime does.
  std::size_t ticks = 12;
  std::uint64_t seed = 1;
  std::string work_dir;  // kept when given; else a temporary directory, removed
  std::string prometheus = "prometheus";
  std::string promtool = "promtool";
};

// ---- Small helpers ---------------------------------------------------------------------------

const Clock::time_point kStart = Clock::now();

void progress(const std::string& message) {
  double elapsed = std::chrono::duration<double>(Clock::now() - kStart).count();
  std::printf("[%6.1f s] %s\n", elapsed, message.c_str());
  std::fflush(stdout);
}

std::int64_t duration_ms(const std::string& text, const char* option) {
  auto ms = skippy::base::parse_duration(text);
  if (!ms) fail(std::string(option) + ": `" + text + "` is not a duration (such as 15s or 5m)");
  return *ms;
}

std::int64_t unix_ms() {
  return std::chrono::duration_cast<milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

double median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  std::size_t n = values.size();
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

std::string list(const std::vector<double>& values, const char* format) {
  std::string out;
  for (double v : values) {
    char buf[32];
    std::snprintf(buf, sizeof buf, format, v);
    out += (out.empty() ? "" : ", ") + std::string(buf);
  }
  return out;
}

// The body of a GET, or nullopt when there is no 200 answer.
std::optional<std::string> http_get(const std::string& url, long timeout_ms = 10'000) {
  skippy::http::Request request;
  request.url = url;
  request.timeout_ms = timeout_ms;
  request.max_response_bytes = std::size_t{1} << 30;
  auto response = skippy::http::exchange(request);
  if (response.status != 200 || !response.error.empty()) return std::nullopt;
  return std::move(response.body);
}

// Calls fn(labels, value) for each sample of metric `name` in a text exposition; `labels` is
// the text between the braces (empty without).
template <typename Fn>
void for_each_sample(const std::string& text, std::string_view name, Fn fn) {
  std::size_t pos = 0;
  while ((pos = text.find(name, pos)) != std::string::npos) {
    bool line_start = pos == 0 || text[pos - 1] == '\n';
    std::size_t after = pos + name.size();
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    pos = end;
    if (!line_start || after >= end || (text[after] != '{' && text[after] != ' ')) continue;
    std::string_view line(text.data() + after, end - after);
    std::size_t space = line.rfind(' ');
    std::string_view labels = line[0] == '{' ? line.substr(1, line.rfind('}', space) - 1) : "";
    fn(labels, std::strtod(std::string(line.substr(space + 1)).c_str(), nullptr));
  }
}

// The sum of the samples of metric `name` whose labels contain `match` (all when empty);
// nullopt when there is none.
std::optional<double> metric(const std::string& text, std::string_view name,
                             std::string_view match = "") {
  std::optional<double> sum;
  for_each_sample(text, name, [&](std::string_view labels, double value) {
    if (labels.find(match) != std::string_view::npos) sum = sum.value_or(0) + value;
  });
  return sum;
}

double require_metric(const std::string& text, std::string_view name, std::string_view match,
                      const std::string& where) {
  auto value = metric(text, name, match);
  if (!value) fail(where + " has no " + std::string(name) + " (" + std::string(match) + ")");
  return *value;
}

// Like skippy::test::poll_until, but checking once a `period`: reading another process's
// /metrics costs that process CPU, which must stay out of what is measured.
bool poll_every(const std::function<bool()>& check, std::chrono::seconds limit,
                milliseconds period = milliseconds(1000)) {
  auto deadline = Clock::now() + limit;
  while (Clock::now() < deadline) {
    if (check()) return true;
    std::this_thread::sleep_for(period);
  }
  return check();
}

// Runs a command to its end; its exit code, with its output in `log`.
int run_to_end(const std::vector<std::string>& argv, const fs::path& log) {
  Process process(argv, log);
  return process.wait();
}

// Waits for a running process, failing (after killing it) past the deadline.
int wait_for(Process& process, std::chrono::seconds limit, const std::string& what) {
  if (!skippy::test::poll_until([&] { return !process.running(); }, limit)) {
    process.stop(SIGKILL);
    fail(what + " did not finish within " + std::to_string(limit.count()) + " s");
  }
  return process.wait();
}

// ---- The exporter: the cluster's series on 127.0.0.1 (civetweb) ------------------------------

class Exporter : public CivetHandler {
 public:
  explicit Exporter(skippy::bench::Cluster& cluster)
      : cluster_(cluster),
        server_(std::vector<std::string>{"listening_ports", "127.0.0.1:0", "num_threads", "4"}) {
    server_.addHandler("/metrics", this);
    auto ports = server_.getListeningPorts();
    address_ = "127.0.0.1:" + std::to_string(ports.empty() ? 0 : ports.front());
  }
  ~Exporter() override { server_.close(); }
  Exporter(const Exporter&) = delete;
  Exporter& operator=(const Exporter&) = delete;

  const std::string& address() const { return address_; }

  // GET /metrics?shard=N
  bool handleGet(CivetServer*, mg_connection* conn) override {
    const mg_request_info* info = mg_get_request_info(conn);
    std::string_view query = info->query_string ? info->query_string : "";
    std::size_t shard = cluster_.shards();
    if (query.starts_with("shard=")) shard = std::strtoul(query.data() + 6, nullptr, 10);
    std::string body = cluster_.scrape(shard);
    int status = body.empty() ? 404 : 200;
    mg_printf(conn,
              "HTTP/1.1 %d %s\r\nContent-Type: text/plain; version=0.0.4\r\n"
              "Content-Length: %zu\r\nConnection: close\r\n\r\n",
              status, status == 200 ? "OK" : "Not Found", body.size());
    mg_write(conn, body.data(), body.size());
    return true;
  }

 private:
  skippy::bench::Cluster& cluster_;
  CivetServer server_;
  std::string address_;
};

// ---- Prometheus ------------------------------------------------------------------------------

constexpr std::string_view kGroup = ";bench\"";  // the rule_group label ends so

std::string prometheus_config(const Options& o, const std::string& exporter, std::size_t shards,
                              const fs::path& rules) {
  std::string out = "global:\n  scrape_interval: " + o.interval +
                    "\n  scrape_timeout: " + o.interval + "\n  evaluation_interval: " + o.interval +
                    "\n";
  if (!rules.empty()) out += "rule_files:\n  - " + rules.string() + "\n";
  out += "scrape_configs:\n  - job_name: cluster\n    static_configs:\n";
  for (std::size_t s = 0; s < shards; ++s) {
    out += "      - targets: ['" + exporter + "']\n        labels: {instance: shard-" +
           std::to_string(s) + ", __param_shard: '" + std::to_string(s) + "'}\n";
  }
  return out;
}

class Prometheus {
 public:
  Prometheus(const Options& o, const fs::path& dir) : dir_(dir), port_(skippy::test::free_port()) {
    process_ = std::make_unique<Process>(
        std::vector<std::string>{o.prometheus, "--config.file=" + (dir / "prometheus.yml").string(),
                                 "--storage.tsdb.path=" + (dir / "data").string(),
                                 "--web.listen-address=" + address(), "--log.level=warn"},
        dir / "prometheus.log");
    bool ready = skippy::test::poll_until(
        [&] { return process_->running() && skippy::test::http_ok(url() + "/-/ready"); },
        seconds(60));
    if (!ready)
      fail("prometheus did not get ready within 60 s: " +
           skippy::test::read_file(dir / "prometheus.log").substr(0, 2000));
  }

  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string url() const { return "http://" + address(); }
  pid_t pid() const { return process_->pid(); }

  std::string metrics() {
    if (!process_->running())
      fail("prometheus exited: " +
           skippy::test::read_file(dir_ / "prometheus.log").substr(0, 2000));
    auto text = http_get(url() + "/metrics");
    if (!text) fail("prometheus's /metrics did not answer");
    return *text;
  }
  // The first non-empty lastError of /api/v1/rules, for a message.
  std::string rule_error() {
    auto body = http_get(url() + "/api/v1/rules").value_or("");
    std::smatch m;
    if (std::regex_search(body, m, std::regex(R"re("lastError":"([^"]+)")re"))) return m[1];
    return "(no lastError in /api/v1/rules)";
  }
  void reload() { ::kill(process_->pid(), SIGHUP); }

 private:
  fs::path dir_;
  int port_;
  std::unique_ptr<Process> process_;
};

// ---- The phases ------------------------------------------------------------------------------

struct Evaluation {
  double duration = 0, samples = 0;
};

struct RuleFigures {
  std::vector<Evaluation> evaluations;
  double pending = 0, firing = 0;
  double missed = 0;  // iterations missed while they were measured (a pass ran past the next)
  double prometheus_cores = 0;  // Prometheus's CPU seconds per second over the evaluations
  double data_span_s = 0;
};

// Waits for `count` evaluations of the group that start at or after `not_before` (Unix
// seconds), each within `limit`; fails on a rule evaluation failure.
RuleFigures measure_rule_group(Prometheus& prometheus, std::size_t count, double not_before,
                               seconds limit) {
  RuleFigures figures;
  double last = 0, cpu_first = 0, cpu_last = 0, missed_first = 0, missed_last = 0;
  Clock::time_point time_first, time_last;
  while (figures.evaluations.size() < count) {
    bool seen = poll_every(
        [&] {
          std::string text = prometheus.metrics();
          if (metric(text, "prometheus_rule_evaluation_failures_total", kGroup).value_or(0) > 0)
            fail("a rule failed to evaluate: " + prometheus.rule_error());
          double at =
              metric(text, "prometheus_rule_group_last_evaluation_timestamp_seconds", kGroup)
                  .value_or(0);
          if (at <= last) return false;
          last = at;
          if (at < not_before) return false;
          figures.evaluations.push_back(
              {require_metric(text, "prometheus_rule_group_last_duration_seconds", kGroup,
                              "prometheus"),
               require_metric(text, "prometheus_rule_group_last_evaluation_samples", kGroup,
                              "prometheus")});
          cpu_last = require_metric(text, "process_cpu_seconds_total", "", "prometheus");
          missed_last =
              metric(text, "prometheus_rule_group_iterations_missed_total", kGroup).value_or(0);
          time_last = Clock::now();
          if (figures.evaluations.size() == 1)
            cpu_first = cpu_last, time_first = time_last, missed_first = missed_last;
          return true;
        },
        limit);
    if (!seen)
      fail("no evaluation of the rule group within " + std::to_string(limit.count()) + " s (" +
           std::to_string(figures.evaluations.size()) + " of " + std::to_string(count) + " seen)");
    char line[160];
    std::snprintf(line, sizeof line, "rule group evaluated in %.3f s (%.0f samples)",
                  figures.evaluations.back().duration, figures.evaluations.back().samples);
    progress(line);
  }
  figures.prometheus_cores =
      (cpu_last - cpu_first) / std::chrono::duration<double>(time_last - time_first).count();
  figures.missed = missed_last - missed_first;
  return figures;
}

// Prometheus's CPU seconds per second over `wait` (scraping, and whatever else it does).
double prometheus_cores(Prometheus& prometheus, milliseconds wait) {
  double before =
      require_metric(prometheus.metrics(), "process_cpu_seconds_total", "", "prometheus");
  auto started = Clock::now();
  std::this_thread::sleep_for(wait);
  double after =
      require_metric(prometheus.metrics(), "process_cpu_seconds_total", "", "prometheus");
  return (after - before) / std::chrono::duration<double>(Clock::now() - started).count();
}

struct ShapeFigures {
  std::vector<double> rounds;                  // seconds, the 20 one after another
  std::vector<std::vector<double>> per_shape;  // seconds, by shape, by round
  std::vector<std::size_t> series;             // by shape, last round
  std::vector<double> concurrent;              // seconds, 8 at once as the runtime sends them
};

ShapeFigures time_shapes(pm::Client& client, std::size_t rounds) {
  auto shapes = skippy::bench::alert_shapes();
  ShapeFigures figures;
  figures.per_shape.resize(shapes.size());
  figures.series.resize(shapes.size());
  std::vector<std::string> queries;
  for (const auto& s : shapes) queries.emplace_back(s.promql);
  for (std::size_t r = 0; r < rounds; ++r) {
    double total = 0;
    for (std::size_t s = 0; s < shapes.size(); ++s) {
      auto started = Clock::now();
      auto outcome = client.query(queries[s], unix_ms());
      double took = std::chrono::duration<double>(Clock::now() - started).count();
      if (!outcome.ok())
        fail("the shape " + std::string(shapes[s].name) + " failed: " + outcome.error().message);
      figures.per_shape[s].push_back(took);
      figures.series[s] = outcome.result().size();
      total += took;
    }
    figures.rounds.push_back(total);
    auto started = Clock::now();
    auto outcomes = client.query_many(queries, unix_ms());
    figures.concurrent.push_back(std::chrono::duration<double>(Clock::now() - started).count());
    for (std::size_t s = 0; s < outcomes.size(); ++s) {
      if (!outcomes[s].ok())
        fail("the shape " + std::string(shapes[s].name) +
             " failed: " + outcomes[s].error().message);
    }
    char line[128];
    std::snprintf(line, sizeof line, "20 shapes: %.3f s one at a time, %.3f s 8 at once", total,
                  figures.concurrent.back());
    progress(line);
  }
  return figures;
}

std::vector<std::string> skippy_run_command(const fs::path& dir, const std::string& prometheus_url,
                                            const std::string& listen) {
  return {SKIPPY_BINARY,
          "run",
          "--policies",
          (dir / "policies").string(),
          "--cluster",
          (dir / "snapshot.yaml").string(),
          "--prometheus.url",
          prometheus_url,
          "--prometheus.timeout",
          "120000",
          "--restore.max-lookback",
          "0s",
          "--log.format",
          "json",
          "--audit.file",
          (dir / "audit.jsonl").string(),
          "--web.listen-address",
          listen};
}

struct OnceFigures {
  double wall = 0, cpu = 0, tick_cpu = 0;
  std::string tick_line;
};

double children_cpu() {
  rusage usage{};
  ::getrusage(RUSAGE_CHILDREN, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6;
}

// `skippy run --once`: start-up (compiling, reading the snapshot) and one tick.
OnceFigures run_once(const fs::path& dir, const std::string& prometheus_url) {
  OnceFigures figures;
  fs::path log = dir / "skippy-once.log";
  // No web server: stopping civetweb would add its shutdown wait to the process's time.
  auto command = skippy_run_command(dir, prometheus_url, "");
  command.push_back("--once");
  double cpu_before = children_cpu();
  auto started = Clock::now();
  Process process(command, log);
  int code = wait_for(process, seconds(600), "skippy run --once");
  figures.wall = std::chrono::duration<double>(Clock::now() - started).count();
  figures.cpu = children_cpu() - cpu_before;
  std::string text = skippy::test::read_file(log);
  if (code != 0)
    fail("skippy run --once exited with " + std::to_string(code) + ": " + text.substr(0, 3000));
  std::smatch m;
  if (!std::regex_search(text, m, std::regex(R"re("msg":"(tick [^"]*, (\d+) ms of CPU)")re")))
    fail("skippy run --once logged no tick line: " + text.substr(0, 2000));
  figures.tick_line = m[1];
  figures.tick_cpu = std::stod(m[2]) / 1000;
  return figures;
}

struct TickFigures {
  std::vector<double> wall, cpu;  // per tick, the first left out
  std::vector<double> proposals;  // per tick counted
  double pending = 0, firing = 0, targets = 0;
  std::map<std::string, double> active;  // pending, firing or clearing targets, by policy
  std::int64_t last_tick_ms = 0;         // the evaluation time of the last tick counted
  double prometheus_cores = 0;  // Prometheus's CPU seconds per second over the ticks counted
};

// `skippy run` for `ticks` ticks, read from its /metrics after each.
TickFigures run_ticks(const fs::path& dir, Prometheus& prometheus, std::size_t ticks,
                      seconds limit) {
  TickFigures figures;
  std::string listen = "127.0.0.1:" + std::to_string(skippy::test::free_port());
  fs::path log = dir / "skippy-run.log";
  Process process(skippy_run_command(dir, prometheus.url(), listen), log);
  std::string metrics_url = "http://" + listen + "/metrics";
  double count = 0, sum = 0, cpu_first = 0, proposed = 0;
  auto time_first = Clock::now();
  for (std::size_t t = 0; t < ticks; ++t) {
    std::string text;
    bool ticked = poll_every(
        [&] {
          if (!process.running())
            fail("skippy run exited: " + skippy::test::read_file(log).substr(0, 3000));
          auto body = http_get(metrics_url, 2000);
          if (!body) return false;
          text = std::move(*body);
          return metric(text, "skippy_tick_duration_seconds_count").value_or(0) > count;
        },
        limit);
    if (!ticked)
      fail("skippy run: no tick within " + std::to_string(limit.count()) +
           " s: " + skippy::test::read_file(log).substr(0, 2000));
    double new_count = require_metric(text, "skippy_tick_duration_seconds_count", "", "skippy");
    double new_sum = require_metric(text, "skippy_tick_duration_seconds_sum", "", "skippy");
    double cpu = require_metric(text, "skippy_tick_last_cpu_seconds", "", "skippy");
    double wall = (new_sum - sum) / (new_count - count);
    double new_proposed = metric(text, "skippy_proposals_total").value_or(0);
    double proposals = new_proposed - proposed;
    count = new_count;
    sum = new_sum;
    proposed = new_proposed;
    if (metric(text, "skippy_queries_total", "outcome=\"failed\"").value_or(0) > 0)
      fail("skippy run: a query failed: " + skippy::test::read_file(log).substr(0, 3000));
    char line[160];
    std::snprintf(line, sizeof line, "skippy tick %zu: %.3f s wall, %.3f s CPU, %.0f proposals%s",
                  t + 1, wall, cpu, proposals, t == 0 ? " (the first: not counted)" : "");
    progress(line);
    double prometheus_cpu =
        require_metric(prometheus.metrics(), "process_cpu_seconds_total", "", "prometheus");
    if (t == 0) {
      cpu_first = prometheus_cpu;
      time_first = Clock::now();
      continue;
    }
    figures.wall.push_back(wall);
    figures.proposals.push_back(proposals);
    figures.cpu.push_back(cpu);
    figures.pending = metric(text, "skippy_triggers", "state=\"pending\"").value_or(0);
    figures.firing = metric(text, "skippy_triggers", "state=\"firing\"").value_or(0) +
                     metric(text, "skippy_triggers", "state=\"clearing\"").value_or(0);
    figures.targets = metric(text, "skippy_policy_targets").value_or(0);
    figures.active.clear();
    for_each_sample(text, "skippy_triggers", [&](std::string_view labels, double value) {
      std::size_t at = labels.find("policy=\"");
      if (at == std::string_view::npos) return;
      std::string_view policy = labels.substr(at + 8);
      policy = policy.substr(0, policy.find('"'));
      if (labels.find("state=\"inactive\"") == std::string_view::npos)
        figures.active[std::string(policy)] += value;
    });
    double elapsed = std::chrono::duration<double>(Clock::now() - time_first).count();
    figures.prometheus_cores = (prometheus_cpu - cpu_first) / elapsed;
  }
  process.stop(SIGTERM);
  // The time of the tick read last: the count-th tick line of the log.
  std::string text = skippy::test::read_file(log);
  std::regex tick_line(R"re("msg":"tick (\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)\.(\d{3})Z)re");
  std::size_t n = 0;
  for (std::sregex_iterator it(text.begin(), text.end(), tick_line), end; it != end; ++it) {
    if (++n != static_cast<std::size_t>(count)) continue;
    std::tm tm{};
    tm.tm_year = std::stoi((*it)[1]) - 1900;
    tm.tm_mon = std::stoi((*it)[2]) - 1;
    tm.tm_mday = std::stoi((*it)[3]);
    tm.tm_hour = std::stoi((*it)[4]);
    tm.tm_min = std::stoi((*it)[5]);
    tm.tm_sec = std::stoi((*it)[6]);
    figures.last_tick_ms = static_cast<std::int64_t>(::timegm(&tm)) * 1000 + std::stoi((*it)[7]);
  }
  if (figures.last_tick_ms == 0) fail("skippy run: no line for tick " + std::to_string(count));
  return figures;
}

struct Agreement {
  std::vector<double> prometheus, runtime;  // by shape, the five thresholds summed
  std::size_t equal_rules = 0;
  double differing = 0;  // |Prometheus - runtime| summed over the rules
};

// Whether the runtime's triggers hold where the rules' conditions do: for each rule,
// count((SHAPE) > T) at the time of the runtime's last tick against the targets the policy has
// pending or firing after that tick (without restored state and before any `for` ran out,
// a trigger is active exactly where its condition is true).
Agreement check_agreement(pm::Client& client, const TickFigures& ticks) {
  auto shapes = skippy::bench::alert_shapes();
  std::vector<std::string> queries, names;
  for (std::size_t s = 0; s < shapes.size(); ++s) {
    for (std::size_t t = 0; t < shapes[s].thresholds.size(); ++t) {
      queries.push_back("count((" + std::string(shapes[s].promql) + ") > " +
                        std::string(shapes[s].thresholds[t]) + ")");
      names.push_back(skippy::bench::alert_name(s, t));
    }
  }
  auto outcomes = client.query_many(queries, ticks.last_tick_ms);
  Agreement agreement;
  agreement.prometheus.assign(shapes.size(), 0);
  agreement.runtime.assign(shapes.size(), 0);
  for (std::size_t r = 0; r < queries.size(); ++r) {
    if (!outcomes[r].ok()) fail("counting " + names[r] + ": " + outcomes[r].error().message);
    const auto& result = outcomes[r].result();
    double expected = result.empty() ? 0 : result[0].samples[0].value;
    auto it = ticks.active.find(names[r]);
    double actual = it == ticks.active.end() ? 0 : it->second;
    agreement.prometheus[r / 5] += expected;
    agreement.runtime[r / 5] += actual;
    agreement.equal_rules += expected == actual ? 1 : 0;
    agreement.differing += std::abs(expected - actual);
  }
  return agreement;
}

// ---- The summary ----------------------------------------------------------------------------

struct Results {
  std::size_t pods = 0, series = 0, shards = 0, rules = 0, policies = 0;
  std::string interval;
  double interval_s = 0;
  RuleFigures rule;
  double scrape_cores = 0;
  ShapeFigures shapes;
  OnceFigures once;
  TickFigures ticks;
  Agreement agreement;
};

// "   what ....   1.234 s  median of 3 (1.1, 1.2, 1.3)"
void row(const char* what, const std::vector<double>& seconds_each) {
  std::printf("    %-64s %8.3f s  median of %zu (%s)\n", what, median(seconds_each),
              seconds_each.size(), list(seconds_each, "%.3f").c_str());
}

void print_summary(const Results& r) {
  const auto& rule = r.rule;
  std::vector<double> durations;
  for (const auto& e : rule.evaluations) durations.push_back(e.duration);
  double group = median(durations);
  double shapes_one = median(r.shapes.rounds);
  double tick_wall = median(r.ticks.wall), tick_cpu = median(r.ticks.cpu);

  std::printf(
      "\nSummary: %zu pods, %zu series in %zu scrape target(s), interval %s, %.0f s of data"
      " when the rules were measured\n",
      r.pods, r.series, r.shards, r.interval.c_str(), rule.data_span_s);
  std::printf("  Prometheus, %zu alerting rules (20 shapes x 5 thresholds) in one group:\n",
              r.rules);
  row("rule group duration (prometheus_rule_group_last_duration_seconds)", durations);
  std::printf(
      "    samples per evaluation (prometheus_rule_group_last_evaluation_samples) %.0f;"
      " alerts %.0f pending, %.0f firing\n",
      rule.evaluations.back().samples, rule.pending, rule.firing);
  std::printf("    iterations missed meanwhile (a pass longer than the interval): %.0f\n",
              rule.missed);
  std::printf(
      "    Prometheus's CPU use: %.2f cores evaluating the rules (and scraping), %.2f"
      " scraping alone\n",
      rule.prometheus_cores, r.scrape_cores);
  std::printf("  The 20 shapes as instant queries:\n");
  row("one at a time", r.shapes.rounds);
  row("8 at once, as the runtime sends them", r.shapes.concurrent);
  std::printf("      %-22s %9s %8s   %s\n", "shape", "query", "series",
              "count((shape) > T) / runtime's active triggers, 5 thresholds summed");
  for (std::size_t s = 0; s < r.shapes.per_shape.size(); ++s) {
    std::printf("      %-22s %7.3f s %8zu   %6.0f / %.0f\n",
                std::string(skippy::bench::alert_shapes()[s].name).c_str(),
                median(r.shapes.per_shape[s]), r.shapes.series[s], r.agreement.prometheus[s],
                r.agreement.runtime[s]);
  }
  std::printf("  skippy run, %zu policies, 20 distinct queries a tick:\n", r.policies);
  row("tick wall time (skippy_tick_duration_seconds)", r.ticks.wall);
  row("tick CPU time (skippy_tick_last_cpu_seconds)", r.ticks.cpu);
  std::printf(
      "    after the last tick: triggers %.0f pending, %.0f firing, over %.0f (policy, target)"
      " pairs; %.0f proposals recorded in it (audit records)\n",
      r.ticks.pending, r.ticks.firing, r.ticks.targets, r.ticks.proposals.back());
  std::printf(
      "    agreement at the last tick: %zu of %zu rules' conditions hold for exactly the"
      " pods whose triggers are active; %.0f (rule, pod) pairs differ\n",
      r.agreement.equal_rules, r.rules, r.agreement.differing);
  std::printf("    Prometheus's CPU use while the runtime ticks: %.2f cores; the runtime's: %.3f\n",
              r.ticks.prometheus_cores, tick_cpu / r.interval_s);
  std::printf(
      "    skippy run --once: %.3f s wall, %.3f s CPU for the process (start-up"
      " included); its tick %.3f s CPU\n",
      r.once.wall, r.once.cpu, r.once.tick_cpu);
  std::printf("  Ratios:\n");
  std::printf("    runtime tick CPU / rule group duration   %8.4f  (Prometheus takes %.0fx)\n",
              tick_cpu / group, group / tick_cpu);
  std::printf("    runtime tick wall / rule group duration  %8.4f  (Prometheus takes %.1fx)\n",
              tick_wall / group, group / tick_wall);
  std::printf("    runtime tick CPU / 20 shapes one at a time            %8.4f\n",
              tick_cpu / shapes_one);
  std::printf("    20 shapes one at a time / rule group duration         %8.4f\n",
              shapes_one / group);
}

// ---- Putting it together ---------------------------------------------------------------------

int run(const Options& o) {
  std::int64_t interval_ms = duration_ms(o.interval, "--interval");
  std::int64_t warmup_ms = duration_ms(o.warmup, "--warmup");
  double interval_s = static_cast<double>(interval_ms) / 1000;
  if (o.pods == 0) fail("--pods must be at least 1");
  if (o.ticks < 2) fail("--ticks must be at least 2 (the first tick is not counted)");
  std::size_t evaluations = std::max<std::size_t>(o.evaluations, 2);
  seconds step_limit(4 * interval_ms / 1000 + 120);

  std::optional<skippy::test::TempDir> temp;
  fs::path dir = o.work_dir;
  if (dir.empty()) {
    temp.emplace("skippy-prometheus-compare");
    dir = temp->path();
  }
  fs::create_directories(dir / "policies");

  // The inputs: the cluster, the rules, the policies, the snapshot; both sides check theirs.
  skippy::bench::Cluster cluster(o.pods, o.seed, interval_s);
  skippy::test::write_file(dir / "rules.yaml", skippy::bench::prometheus_rules(o.interval));
  auto policies = skippy::bench::skippy_policies(o.interval);
  for (const auto& p : policies) skippy::test::write_file(dir / "policies" / p.file_name, p.text);
  skippy::test::write_file(dir / "snapshot.yaml", cluster.snapshot_yaml());
  std::size_t rules = skippy::bench::alert_shapes().size() * 5;
  if (run_to_end({o.promtool, "check", "rules", (dir / "rules.yaml").string()},
                 dir / "promtool.log") != 0)
    fail("promtool check rules: " + skippy::test::read_file(dir / "promtool.log"));
  if (run_to_end({SKIPPY_BINARY, "check", (dir / "policies").string()}, dir / "check.log") != 0 ||
      skippy::test::read_file(dir / "check.log") !=
          "checked " + std::to_string(policies.size()) + " file(s): no errors\n")
    fail("skippy check: " + skippy::test::read_file(dir / "check.log").substr(0, 3000));
  progress("checked: " + std::to_string(rules) + " alerting rules (promtool), " +
           std::to_string(policies.size()) + " policies (skippy check); files in " + dir.string());

  // The exporter, then Prometheus scraping it and evaluating the rules.
  Exporter exporter(cluster);
  skippy::test::write_file(
      dir / "prometheus.yml",
      prometheus_config(o, exporter.address(), cluster.shards(), dir / "rules.yaml"));
  Prometheus prometheus(o, dir);
  progress("prometheus ready at " + prometheus.url() + ", scraping " + std::to_string(o.pods) +
           " pods (" + std::to_string(cluster.series()) + " series) from " +
           std::to_string(cluster.shards()) + " target(s) at " + exporter.address());
  auto all_scraped = [&](std::size_t n) {
    for (std::size_t s = 0; s < cluster.shards(); ++s)
      if (cluster.scrapes(s) < n) return false;
    return true;
  };
  if (!skippy::test::poll_until([&] { return all_scraped(1); }, step_limit))
    fail("prometheus did not scrape every target within " + std::to_string(step_limit.count()) +
         " s");
  double first_scrape = static_cast<double>(unix_ms()) / 1000;
  progress("first scrape done; gathering data for " + o.warmup);
  std::this_thread::sleep_for(milliseconds(warmup_ms));
  if (!skippy::test::poll_until([&] { return all_scraped(3); }, step_limit))
    fail("prometheus did not scrape every target three times");

  RuleFigures rule = measure_rule_group(prometheus, evaluations,
                                        static_cast<double>(unix_ms()) / 1000, step_limit);
  rule.data_span_s = static_cast<double>(unix_ms()) / 1000 - first_scrape;
  pm::ClientOptions client_options;
  client_options.base_url = prometheus.url();
  client_options.timeout_ms = 120'000;
  client_options.retries = 0;
  pm::Client client(client_options);
  auto alerts = client.query("count by (alertstate) (ALERTS)", unix_ms());
  if (!alerts.ok()) fail("counting ALERTS: " + alerts.error().message);
  for (const auto& series : alerts.result()) {
    double n = series.samples[0].value;
    (series.labels.get("alertstate") == "firing" ? rule.firing : rule.pending) += n;
  }

  // The rules go; scraping goes on. Prometheus's CPU for scraping alone, then the queries.
  skippy::test::write_file(dir / "prometheus.yml",
                           prometheus_config(o, exporter.address(), cluster.shards(), {}));
  prometheus.reload();
  if (!poll_every(
          [&] {
            return !metric(prometheus.metrics(), "prometheus_rule_group_last_duration_seconds",
                           kGroup);
          },
          step_limit))
    fail("prometheus did not drop the rule group after the reload");
  progress("rules removed; Prometheus's CPU for scraping alone ...");
  double scrape_cores = prometheus_cores(prometheus, milliseconds(2 * interval_ms));
  ShapeFigures shapes = time_shapes(client, o.rounds);

  // The runtime: one tick with --once (start-up included), then ticking.
  OnceFigures once = run_once(dir, prometheus.url());
  progress("skippy run --once: " + once.tick_line);
  TickFigures ticks = run_ticks(dir, prometheus, o.ticks, step_limit);
  Agreement agreement = check_agreement(client, ticks);
  progress("agreement: " + std::to_string(agreement.equal_rules) + " of " + std::to_string(rules) +
           " rules count the same pods as the runtime's triggers");

  print_summary({o.pods, cluster.series(), cluster.shards(), rules, policies.size(), o.interval,
                 interval_s, rule, scrape_cores, shapes, once, ticks, agreement});
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"The runtime against Prometheus's own rule evaluation (bench/README.md)"};
  app.add_option("--pods", o.pods, "Pods in the synthetic cluster")->capture_default_str();
  app.add_option("--interval", o.interval, "Scrape, rule evaluation and policy interval")
      ->capture_default_str();
  app.add_option("--warmup", o.warmup, "Data to gather before measuring")->capture_default_str();
  app.add_option("--evaluations", o.evaluations, "Rule group evaluations to measure (at least 2)")
      ->capture_default_str();
  app.add_option("--rounds", o.rounds, "Rounds of the 20 shape queries")->capture_default_str();
  app.add_option("--ticks", o.ticks, "Ticks of the long-running runtime, the first not counted")
      ->capture_default_str();
  app.add_option("--seed", o.seed, "Seed of the synthetic cluster")->capture_default_str();
  app.add_option("--work-dir", o.work_dir,
                 "Write the files here and keep them (default: a temporary directory)");
  app.add_option("--prometheus", o.prometheus, "The prometheus binary")->capture_default_str();
  app.add_option("--promtool", o.promtool, "The promtool binary")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  try {
    return run(o);
  } catch (const Failure& f) {
    std::fprintf(stderr, "prometheus_compare: FAILED: %s\n", f.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "prometheus_compare: FAILED: %s\n", e.what());
    return 1;
  }
}
