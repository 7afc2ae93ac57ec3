// The configuration file of `skippy run`: the documented example sets every key, each kind of
// mistake is reported at its line and column with the key it is about, every mistake of a
// file is reported, flags win over the file, relative paths are the file's, and the
// Prometheus client gets the flags' and the file's settings with its secrets read.
#define BOOST_TEST_MODULE run_config
#include <boost/test/unit_test.hpp>

#include "agent/config/run_config.hpp"
#include "tests/runtime/prometheus/support.hpp"

namespace agent = skippy::agent;
namespace fs = std::filesystem;
using skippy::test::TempDir;

namespace {

// "line:col: key: message" for each problem of `yaml`, one per line.
std::string problems_of(std::string_view yaml) {
  std::vector<agent::ConfigProblem> problems;
  agent::parse_run_config(yaml, problems);
  std::string out;
  for (const auto& p : problems) {
    out += std::to_string(p.line) + ":" + std::to_string(p.column) + ": " +
           (p.key.empty() ? "" : p.key + ": ") + p.message + "\n";
  }
  return out;
}

// The first ```yaml block after `heading` in docs/runtime.md.
std::string documented_yaml(const std::string& heading) {
  auto doc = skippy::test::read_file(fs::path(SKIPPY_SOURCE_DIR) / "docs" / "runtime.md");
  auto start = doc.find("```yaml\n", doc.find(heading));
  BOOST_REQUIRE(start != std::string::npos);
  start += 8;
  return doc.substr(start, doc.find("```", start) - start);
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_documented_example_sets_every_key) {
  std::vector<agent::ConfigProblem> problems;
  auto c = agent::parse_run_config(documented_yaml("## The configuration file"), problems);
  BOOST_TEST(problems.empty(), problems_of(documented_yaml("## The configuration file")));
  BOOST_TEST(*c.policies == std::vector<std::string>{"policies/"});
  BOOST_TEST(*c.cluster == "cluster.yaml");
  BOOST_TEST(*c.default_namespace == "demo-apps");
  const auto& p = c.prometheus;
  BOOST_TEST(*p.url == "https://prometheus.monitoring.svc:9090");
  BOOST_TEST(*p.timeout_ms == 5000);
  BOOST_TEST(*p.retries == 2);
  BOOST_TEST(*p.min_backoff_ms == 100);
  BOOST_TEST(*p.max_backoff_ms == 1000);
  BOOST_TEST(*p.max_concurrency == 8u);
  BOOST_TEST(*p.max_response_bytes == 256u << 20);
  BOOST_TEST(*p.bearer_token_file == "/var/run/secrets/kubernetes.io/serviceaccount/token");
  BOOST_TEST(!p.basic_auth_username);
  BOOST_TEST(*p.ca_file == "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt");
  BOOST_TEST(*p.insecure_skip_verify == false);
  BOOST_TEST(p.headers == std::vector<std::string>{"X-Scope-OrgID: team-a"});
  BOOST_TEST(*c.audit_file == "/var/log/skippy/audit.jsonl");
  const auto& am = c.alertmanager;
  BOOST_TEST(*am.urls == std::vector<std::string>{"http://alertmanager.monitoring.svc:9093"});
  BOOST_TEST(*am.timeout == "5s");
  BOOST_TEST(*am.notify_decisions == true);
  BOOST_TEST(*am.silences_required == false);
  BOOST_TEST(*c.external_url == "https://skippy.example.com/");
  BOOST_TEST(*c.log_level == "info");
  BOOST_TEST(*c.log_format == "json");
  BOOST_TEST(*c.listen_address == "0.0.0.0:9477");
  BOOST_TEST(*c.web_config_file == "web.yml");
  BOOST_TEST(*c.enable_approvals);
  BOOST_TEST(*c.restore_max_lookback == "30m");
  BOOST_TEST(*c.ai_tick_budget == "1s");
  BOOST_TEST(*c.ai.backend == "ollama");
  BOOST_TEST(*c.ai.url == "http://ollama.ai.svc:11434");
  BOOST_TEST(*c.ai.model == "llama3.1:8b");
  BOOST_TEST(*c.ai.api_key_file == "/etc/skippy/ai-key");
  BOOST_TEST(*c.ai.timeout == "10s");
  BOOST_TEST(*c.ai.max_calls_per_hour == 120);
  BOOST_TEST(*c.ai.max_tokens_per_hour == 200000);
  BOOST_TEST(*c.ai.cache_ttl == "10m");
  BOOST_TEST(*c.ai.redact == true);
  BOOST_TEST(*c.kubeconfig == "/etc/skippy/kubeconfig");
  BOOST_TEST(*c.context == "production");
  BOOST_TEST(*c.journal == "/var/lib/skippy/safety.journal");
  const auto& s = c.safety;
  BOOST_TEST(s.protected_namespaces == std::vector<std::string>{"payments"});
  BOOST_TEST(s.protected_labels.size() == 2u);
  BOOST_TEST(s.protected_labels.at("tier") == "database");
  BOOST_TEST(s.protected_annotations.at("skippy.io/protected") == "true");
  BOOST_TEST(s.max_actions_per_hour == 50u);
  BOOST_TEST(s.max_in_flight == 10u);
  BOOST_TEST(s.max_in_flight_per_workload == 1u);
  BOOST_TEST(s.approval_expiry_ms == 3'600'000);
  BOOST_TEST(s.in_flight_timeout_ms == 900'000);
  BOOST_TEST(s.id_retention_ms == 86'400'000);
  BOOST_TEST(s.breaker.max_unhealthy_share == 0.4, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(s.breaker.max_failures == 5u);
  BOOST_TEST(s.breaker.failure_window_ms == 600'000);
  BOOST_TEST(s.breaker.cool_off_ms == 900'000);
  BOOST_TEST(s.retry.max_attempts == 3u);
  BOOST_TEST(s.retry.base_delay_ms == 1000);
  BOOST_TEST(s.retry.max_delay_ms == 60'000);
  BOOST_TEST(s.health_check.timeout_ms == 300'000);
  BOOST_TEST(s.health_check.initial_delay_ms == 30'000);
}

BOOST_AUTO_TEST_CASE(safety_settings_keep_their_defaults_unless_given_and_are_checked) {
  std::vector<agent::ConfigProblem> problems;
  auto c = agent::parse_run_config("safety:\n  max_in_flight: 3\n", problems);
  BOOST_TEST(problems.empty());
  BOOST_TEST(c.safety.max_in_flight == 3u);
  BOOST_TEST(c.safety.max_actions_per_hour == 100u);  // the default
  BOOST_TEST(c.safety.protected_labels.at("skippy.io/protected") == "true");
  BOOST_TEST(problems_of("safety:\n  breaker: {max_unhealthy_share: 140%}\n") ==
             "2:34: safety.breaker.max_unhealthy_share: expected a share from 0 to 1, or a "
             "percentage such as `40%`\n");
  BOOST_TEST(problems_of("safety:\n  retry: {max_attempts: 0}\n") ==
             "2:25: safety.retry.max_attempts: expected a whole number from 1 to 100, not 0\n");
  BOOST_TEST(problems_of("safety:\n  protected_namespaces: [Bad_NS]\n")
                 .find("safety.protected_namespaces[0]") != std::string::npos);
  BOOST_TEST(problems_of("safety:\n  cooldown: 5m\n").find("safety.cooldown: unknown setting") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_empty_file_sets_nothing) {
  for (auto text : {"", "# nothing yet\n", "---\n"}) {
    std::vector<agent::ConfigProblem> problems;
    auto c = agent::parse_run_config(text, problems);
    BOOST_TEST(problems.empty());
    BOOST_TEST(!c.policies);
    BOOST_TEST(!c.prometheus.url);
  }
  BOOST_TEST(problems_of("web:\n  listen_address: ''\n") == "");  // empty: not served
}

BOOST_AUTO_TEST_CASE(each_kind_of_mistake_is_reported_where_it_is) {
  const std::pair<const char*, const char*> cases[] = {
      {"prometheus:\n  url: [\n", "3:1: invalid YAML: end of sequence flow not found\n"},
      {"- a\n- b\n", "1:1: expected a map of settings (`key: value` lines)\n"},
      {"promethus:\n  url: x\n", "1:1: promethus: unknown setting; did you mean `prometheus`?\n"},
      {"tick: 1s\n",
       "1:1: tick: unknown setting; expected one of `policies`, `cluster`, `namespace`, "
       "`prometheus`, `audit`, `log`, `web`, `alertmanager`, `restore`, `ai`, `kubernetes`, "
       "`safety`\n"},
      {"cluster: [a]\n", "1:10: cluster: expected a string\n"},
      {"cluster:\n", "1:1: cluster: expected a string\n"},
      {"cluster: ''\n", "1:10: cluster: expected a path, not an empty string\n"},
      {"policies: []\n", "1:11: policies: expected at least one path\n"},
      {"policies: [a, {b: c}]\n", "1:15: policies[1]: expected a string\n"},
      {"namespace: Demo\n",
       "1:12: namespace: `Demo` is not a valid namespace name: lower case letters, digits and "
       "`-`, up to 63 characters, starting and ending with a letter or digit\n"},
      {"web: 9477\n", "1:6: web: expected a map (`key: value` lines, indented below `web:`)\n"},
      {"web:\n  listen: x\n",
       "2:3: web.listen: unknown setting; expected one of `listen_address`, `config_file`, "
       "`enable_approvals`, `external_url`\n"},
      {"alertmanager:\n  timeout: soon\n",
       "2:12: alertmanager.timeout: expected a duration such as `10s` or `500ms`\n"},
      {"web:\n  enable_approvals: yes please\n",
       "2:21: web.enable_approvals: expected true or false\n"},
      {"log:\n  level: loud\n",
       "2:10: log.level: unknown log level `loud`: debug, info, warn or error\n"},
      {"log:\n  format: text\n", "2:11: log.format: unknown log format `text`: logfmt or json\n"},
      {"ai:\n  backend: gpt\n",
       "2:12: ai.backend: `gpt` is not a backend: ollama, openai or none\n"},
      {"ai:\n  max_calls_per_hour: -1\n",
       "2:23: ai.max_calls_per_hour: expected a whole number from 0 to 1000000, not -1\n"},
      {"ai:\n  redact: maybe\n", "2:11: ai.redact: expected true or false\n"},
      {"prometheus:\n  url: ftp://x\n",
       "2:8: prometheus.url: expected an http:// or https:// URL, such as "
       "`http://prometheus:9090`\n"},
      {"prometheus:\n  timeout: 10\n",
       "2:12: prometheus.timeout: expected a duration such as `10s` or `500ms`\n"},
      {"prometheus:\n  timeout: 0s\n",
       "2:12: prometheus.timeout: expected a duration of at least 1ms\n"},
      {"prometheus:\n  retries: two\n", "2:12: prometheus.retries: expected a whole number\n"},
      {"prometheus:\n  retries: 11\n",
       "2:12: prometheus.retries: expected a whole number from 0 to 10, not 11\n"},
      {"prometheus:\n  max_concurrency: 0\n",
       "2:20: prometheus.max_concurrency: expected a whole number from 1 to 256, not 0\n"},
      {"prometheus:\n  max_response_size: 12q\n",
       "2:22: prometheus.max_response_size: expected a size in bytes such as `1048576`, `64Mi` "
       "or `1Gi`\n"},
      {"prometheus:\n  tls_config:\n    insecure_skip_verify: maybe\n",
       "3:27: prometheus.tls_config.insecure_skip_verify: expected true or false\n"},
      {"prometheus:\n  tls_config: /etc/ca.pem\n",
       "2:15: prometheus.tls_config: expected a map (`key: value` lines, indented below "
       "`tls_config:`)\n"},
      {"prometheus:\n  headers:\n    Bad Name: x\n",
       "3:5: prometheus.headers.Bad Name: `Bad Name` is not a valid HTTP header name\n"},
      {"prometheus:\n  headers:\n    X-A: \"a\\r\\nX-B: b\"\n",
       "3:10: prometheus.headers.X-A: a header value cannot hold a line break\n"},
      {"prometheus:\n  headers:\n    authorization: Basic eA==\n",
       "3:5: prometheus.headers.authorization: set Authorization with bearer_token_file or "
       "basic_auth\n"},
      {"prometheus:\n  bearer_token_file: t\n  basic_auth: {username: u}\n",
       "3:3: prometheus.basic_auth: give basic_auth or bearer_token_file, not both\n"},
      {"prometheus:\n  basic_auth: {password_file: p}\n",
       "2:3: prometheus.basic_auth: needs a username\n"},
      {"prometheus:\n  min_backoff: 2s\n  max_backoff: 1s\n",
       "3:16: prometheus.max_backoff: max_backoff is shorter than min_backoff\n"},
      {"audit:\n  file: a\n  file: b\n", "3:3: audit.file: given twice (first on line 2)\n"},
      {"restore:\n  max_lookback: soon\n",
       "2:17: restore.max_lookback: expected a duration such as `10s` or `500ms`\n"},
  };
  for (const auto& [yaml, expected] : cases) {
    BOOST_TEST_CONTEXT(yaml) {
      BOOST_TEST(problems_of(yaml) == expected);
    }
  }
}

BOOST_AUTO_TEST_CASE(every_mistake_of_a_file_is_reported_in_order_with_its_path) {
  TempDir dir("skippy-run-config-test");
  auto file = dir.path() / "skippy.yml";
  skippy::test::write_file(file, documented_yaml("A mistake in the file"));
  agent::RunConfig config;
  std::string errors;
  BOOST_TEST(!agent::read_run_config(file.string(), config, errors));
  std::string p = file.string();
  BOOST_TEST(errors ==
             p + ":3:3: prometheus.timout: unknown setting; did you mean `timeout`?\n" + p +
                 ":4:12: prometheus.retries: expected a whole number from 0 to 10, not -1\n" + p +
                 ":7:5: prometheus.headers.Authorization: set Authorization with "
                 "bearer_token_file or basic_auth\n" +
                 p + ":9:10: log.level: unknown log level `loud`: debug, info, warn or error\n" +
                 p + ":12:3: audit.file: given twice (first on line 11)\n");

  BOOST_TEST(!agent::read_run_config((dir.path() / "absent.yml").string(), config, errors));
  BOOST_TEST(errors == (dir.path() / "absent.yml").string() + ": cannot read the config file\n");
}

BOOST_AUTO_TEST_CASE(flags_on_the_command_line_win_over_the_file) {
  std::vector<agent::ConfigProblem> problems;
  auto file = agent::parse_run_config(
      "prometheus: {url: 'http://file:9090', timeout: 3s}\n"
      "namespace: from-file\nlog: {level: warn}\ncluster: file.yaml\nrestore: {max_lookback: 0s}\n",
      problems);
  BOOST_REQUIRE(problems.empty());
  agent::RunOptions options;
  options.prometheus.url = "http://flag:9090";
  options.log_level = "debug";
  options.flags_given = {"--prometheus.url", "--log.level"};
  agent::apply_run_config(file, options);
  BOOST_TEST(options.prometheus.url == "http://flag:9090");
  BOOST_TEST(options.log_level == "debug");
  BOOST_TEST(options.prometheus.timeout_ms == 3000);
  BOOST_TEST(options.default_namespace == "from-file");
  BOOST_TEST(options.cluster == "file.yaml");
  BOOST_TEST(options.restore_max_lookback == "0s");
  BOOST_TEST(options.log_format == "logfmt");  // in neither: the default
  BOOST_TEST(options.listen_address == "127.0.0.1:9477");
}

BOOST_AUTO_TEST_CASE(relative_paths_are_relative_to_the_file) {
  TempDir dir("skippy-run-config-test");
  fs::create_directories(dir.path() / "etc");
  auto file = dir.path() / "etc" / "skippy.yml";
  skippy::test::write_file(file,
                           "policies: [policies/, /srv/p.skippy]\ncluster: ../cluster.yaml\n"
                           "audit: {file: '-'}\nprometheus:\n  bearer_token_file: token\n"
                           "  tls_config: {ca_file: /etc/ssl/ca.pem}\n"
                           "web: {config_file: web.yml, enable_approvals: true}\n");
  agent::RunConfig c;
  std::string errors;
  BOOST_REQUIRE_MESSAGE(agent::read_run_config(file.string(), c, errors), errors);
  BOOST_TEST(c.policies->at(0) == (dir.path() / "etc" / "policies/").string());
  BOOST_TEST(c.policies->at(1) == "/srv/p.skippy");
  BOOST_TEST(*c.cluster == (dir.path() / "cluster.yaml").string());
  BOOST_TEST(*c.audit_file == "-");
  BOOST_TEST(*c.prometheus.bearer_token_file == (dir.path() / "etc" / "token").string());
  BOOST_TEST(*c.prometheus.ca_file == "/etc/ssl/ca.pem");
  BOOST_TEST(*c.web_config_file == (dir.path() / "etc" / "web.yml").string());
  // The web keys go to their flags' options, unless the flags are given.
  agent::RunOptions options;
  agent::apply_run_config(c, options);
  BOOST_TEST(options.web_config_file == (dir.path() / "etc" / "web.yml").string());
  BOOST_TEST(options.enable_approvals);
  agent::RunOptions flags_given;
  flags_given.flags_given = {"--web.config.file", "--web.enable-approvals"};
  agent::apply_run_config(c, flags_given);
  BOOST_TEST(flags_given.web_config_file.empty());
  BOOST_TEST(!flags_given.enable_approvals);
}

BOOST_AUTO_TEST_CASE(the_client_gets_the_flags_and_the_file_and_reads_the_secrets) {
  TempDir dir("skippy-run-config-test");
  skippy::test::write_file(dir.path() / "token", "s3cret\n");
  skippy::test::write_file(dir.path() / "password", "hunter2\r\n");
  agent::RunOptions options;
  options.prometheus.url = "http://127.0.0.1:9090/prefix";
  options.prometheus.timeout_ms = 2500;
  options.prometheus.bearer_token_file = (dir.path() / "token").string();
  agent::RunConfig::Prometheus file;
  file.retries = 1;
  file.min_backoff_ms = 50;
  file.max_backoff_ms = 400;
  file.max_concurrency = 3;
  file.max_response_bytes = 4096;
  file.ca_file = "/etc/ssl/ca.pem";
  file.insecure_skip_verify = true;
  file.headers = {"X-Scope-OrgID: team-a"};
  skippy::prometheus::ClientOptions out;
  std::string error;
  BOOST_REQUIRE_MESSAGE(agent::prometheus_client_options(options.prometheus, file, out, error),
                        error);
  BOOST_TEST(out.base_url == "http://127.0.0.1:9090/prefix");
  BOOST_TEST(out.timeout_ms == 2500);
  BOOST_TEST(out.deadline_ms == 2500);  // a query, retries included, takes no longer
  BOOST_TEST(out.retries == 1);
  BOOST_TEST(out.backoff_initial_ms == 50);
  BOOST_TEST(out.backoff_max_ms == 400);
  BOOST_TEST(out.max_concurrency == 3u);
  BOOST_TEST(out.max_response_bytes == 4096u);
  BOOST_TEST(out.ca_file == "/etc/ssl/ca.pem");
  BOOST_TEST(out.insecure_skip_verify);
  BOOST_TEST(out.headers == std::vector<std::string>{"X-Scope-OrgID: team-a"});
  BOOST_TEST(out.bearer_token == "s3cret");

  options.prometheus.bearer_token_file.clear();
  file.basic_auth_username = "skippy";
  file.basic_auth_password_file = (dir.path() / "password").string();
  skippy::prometheus::ClientOptions basic;
  BOOST_REQUIRE_MESSAGE(agent::prometheus_client_options(options.prometheus, file, basic, error),
                        error);
  BOOST_TEST(basic.basic_user == "skippy");
  BOOST_TEST(basic.basic_password == "hunter2");

  options.prometheus.bearer_token_file = (dir.path() / "absent").string();
  skippy::prometheus::ClientOptions unread;
  BOOST_TEST(!agent::prometheus_client_options(options.prometheus, file, unread, error));
  BOOST_TEST(error ==
             "cannot read the bearer token file `" + options.prometheus.bearer_token_file + "`");
}

BOOST_AUTO_TEST_CASE(no_text_makes_the_reader_throw) {
  // Every prefix of the documented files, and each with every byte replaced by characters
  // that YAML gives a meaning to; then nesting far deeper than any file needs.
  std::vector<std::string> texts;
  for (const auto& doc :
       {documented_yaml("## The configuration file"), documented_yaml("A mistake in the file")}) {
    for (std::size_t n = 0; n <= doc.size(); ++n) texts.push_back(doc.substr(0, n));
    for (std::size_t i = 0; i < doc.size(); ++i) {
      for (char c : std::string_view(":[{-\"&*!|>\t\0", 12)) {
        texts.push_back(doc);
        texts.back()[i] = c;
      }
    }
  }
  texts.push_back("prometheus: " + std::string(100'000, '['));
  texts.push_back("prometheus: &x {headers: *x, basic_auth: *x, tls_config: *x}\nweb: *x\n");
  std::size_t with_problems = 0;
  for (const auto& text : texts) {
    std::vector<agent::ConfigProblem> problems;
    BOOST_CHECK_NO_THROW(agent::parse_run_config(text, problems));
    for (const auto& p : problems) BOOST_TEST_REQUIRE((p.line >= 1 && p.column >= 1));
    with_problems += problems.empty() ? 0 : 1;
  }
  BOOST_TEST(with_problems > texts.size() / 2);
}
