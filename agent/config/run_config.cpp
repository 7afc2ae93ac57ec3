#include "agent/config/run_config.hpp"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>
#include <type_traits>

#include "agent/config/log.hpp"
#include "agent/config/settings_reader.hpp"
#include "dsl/validate.hpp"

namespace skippy::agent {
namespace {

namespace fs = std::filesystem;
using settings::Entry;
using settings::first_line;
using settings::Reader;
using settings::rebase;

std::string url_problem(const std::string& url) {
  auto scheme_end = url.find("://");
  std::string scheme = url.substr(0, scheme_end);
  if (scheme_end != std::string::npos && (scheme == "http" || scheme == "https") &&
      url.size() > scheme_end + 3) {
    return "";
  }
  return "expected an http:// or https:// URL, such as `http://prometheus:9090`";
}

std::string namespace_problem(const std::string& name) {
  if (dsl::valid_namespace_name(name)) return "";
  return "`" + name +
         "` is not a valid namespace name: lower case letters, digits and `-`, up to 63 "
         "characters, starting and ending with a letter or digit";
}

// An HTTP header name is a token (RFC 9110); Authorization has settings of its own.
std::string header_name_problem(const std::string& name) {
  static const char* extra = "!#$%&'*+-.^_`|~";
  bool token = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != '\0' && std::strchr(extra, c));
  });
  if (!token) return "`" + name + "` is not a valid HTTP header name";
  std::string lower = name;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  });
  if (lower == "authorization") return "set Authorization with bearer_token_file or basic_auth";
  return "";
}

std::string header_value_problem(const std::string& value) {
  if (value.find_first_of(std::string("\r\n\0", 3)) == std::string::npos) return "";
  return "a header value cannot hold a line break";
}

void read_prometheus(Reader& r, const Entry& e, RunConfig::Prometheus& p) {
  std::optional<Entry> basic_auth, max_backoff;
  r.entries(e,
            {"url", "timeout", "retries", "min_backoff", "max_backoff", "max_concurrency",
             "max_response_size", "bearer_token_file", "basic_auth", "tls_config", "headers"},
            [&](std::string_view name, const Entry& f) {
              if (name == "url") {
                p.url = r.checked(f, url_problem);
              } else if (name == "timeout") {
                p.timeout_ms = r.duration(f, 1);
              } else if (name == "retries") {
                if (auto n = r.whole(f, 0, 10)) p.retries = static_cast<int>(*n);
              } else if (name == "min_backoff") {
                p.min_backoff_ms = r.duration(f, 0);
              } else if (name == "max_backoff") {
                p.max_backoff_ms = r.duration(f, 0);
                max_backoff = f;
              } else if (name == "max_concurrency") {
                if (auto n = r.whole(f, 1, 256)) p.max_concurrency = static_cast<std::size_t>(*n);
              } else if (name == "max_response_size") {
                p.max_response_bytes = r.size(f);
              } else if (name == "bearer_token_file") {
                p.bearer_token_file = r.path(f);
              } else if (name == "basic_auth") {
                basic_auth = f;
                r.entries(f, {"username", "password_file"},
                          [&](std::string_view n, const Entry& g) {
                            if (n == "username") p.basic_auth_username = r.text(g);
                            if (n == "password_file") p.basic_auth_password_file = r.path(g);
                          });
              } else if (name == "tls_config") {
                r.entries(f, {"ca_file", "insecure_skip_verify"},
                          [&](std::string_view n, const Entry& g) {
                            if (n == "ca_file") p.ca_file = r.path(g);
                            if (n == "insecure_skip_verify") p.insecure_skip_verify = r.boolean(g);
                          });
              } else if (name == "headers") {
                r.any_entries(f, [&](std::string_view n, const Entry& g) {
                  if (auto objection = header_name_problem(std::string(n)); !objection.empty()) {
                    r.problem(Entry{g.value, g.key_mark, g.key, g.key_mark}, objection);
                  } else if (auto value = r.checked(g, header_value_problem)) {
                    p.headers.push_back(std::string(n) + ": " + *value);
                  }
                });
              }
            });
  if (basic_auth && basic_auth->value.IsMap()) {
    basic_auth->mark = basic_auth->key_mark;
    if (p.bearer_token_file) {
      r.problem(*basic_auth, "give basic_auth or bearer_token_file, not both");
    } else if (!p.basic_auth_username || p.basic_auth_username->empty()) {
      r.problem(*basic_auth, "needs a username");
    }
  }
  if (max_backoff && p.min_backoff_ms && p.max_backoff_ms &&
      *p.max_backoff_ms < *p.min_backoff_ms) {
    r.problem(*max_backoff, "max_backoff is shorter than min_backoff");
  }
}

std::string backend_problem(const std::string& name) {
  if (name == "ollama" || name == "openai" || name == "none") return "";
  return "`" + name + "` is not a backend: ollama, openai or none";
}

void read_ai(Reader& r, const Entry& e, RunConfig& c) {
  auto& ai = c.ai;
  r.entries(e,
            {"tick_budget", "backend", "url", "model", "api_key_file", "timeout",
             "max_calls_per_hour", "max_tokens_per_hour", "cache_ttl", "redact"},
            [&](std::string_view n, const Entry& f) {
              if (n == "tick_budget" && r.duration(f, 1)) c.ai_tick_budget = f.value.Scalar();
              if (n == "backend") ai.backend = r.checked(f, backend_problem);
              if (n == "url") ai.url = r.checked(f, url_problem);
              if (n == "model") ai.model = r.text(f);
              if (n == "api_key_file") ai.api_key_file = r.path(f);
              if (n == "timeout" && r.duration(f, 1)) ai.timeout = f.value.Scalar();
              if (n == "max_calls_per_hour") ai.max_calls_per_hour = r.whole(f, 0, 1'000'000);
              if (n == "max_tokens_per_hour")
                ai.max_tokens_per_hour = r.whole(f, 0, 1'000'000'000'000);
              if (n == "cache_ttl" && r.duration(f, 0)) ai.cache_ttl = f.value.Scalar();
              if (n == "redact") ai.redact = r.boolean(f);
            });
}

// Labels (or annotations) that protect a target: name to value, "" for any value.
void read_labels(Reader& r, const Entry& e, cluster::Labels& out) {
  out.clear();
  r.any_entries(e, [&](std::string_view n, const Entry& f) {
    if (auto v = r.text(f)) out[std::string(n)] = *v;
  });
}

// `safety:`: the journal and the safety runtime's own settings (docs/safety.md).
void read_safety(Reader& r, const Entry& e, RunConfig& c) {
  auto& s = c.safety;
  auto set = [](auto& to, const auto& from) {
    if (from) to = static_cast<std::remove_reference_t<decltype(to)>>(*from);
  };
  constexpr std::int64_t kMillion = 1'000'000;
  r.entries(
      e,
      {"journal", "protected_namespaces", "protected_labels", "protected_annotations",
       "max_actions_per_hour", "max_in_flight", "max_in_flight_per_workload", "approval_expiry",
       "in_flight_timeout", "id_retention", "breaker", "retry", "health_check"},
      [&](std::string_view n, const Entry& f) {
        if (n == "journal") c.journal = r.path(f);
        if (n == "protected_namespaces") {
          if (!f.value.IsSequence()) {
            r.problem(f, "expected a list of namespaces");
            return;
          }
          s.protected_namespaces.clear();
          for (std::size_t i = 0; i < f.value.size(); ++i) {
            auto g = Reader::at(f.value[i], f.mark, f.key + "[" + std::to_string(i) + "]");
            if (auto ns = r.checked(g, namespace_problem)) s.protected_namespaces.push_back(*ns);
          }
        }
        if (n == "protected_labels") read_labels(r, f, s.protected_labels);
        if (n == "protected_annotations") read_labels(r, f, s.protected_annotations);
        if (n == "max_actions_per_hour") set(s.max_actions_per_hour, r.whole(f, 0, kMillion));
        if (n == "max_in_flight") set(s.max_in_flight, r.whole(f, 0, kMillion));
        if (n == "max_in_flight_per_workload")
          set(s.max_in_flight_per_workload, r.whole(f, 0, kMillion));
        if (n == "approval_expiry") set(s.approval_expiry_ms, r.duration(f, 1000));
        if (n == "in_flight_timeout") set(s.in_flight_timeout_ms, r.duration(f, 1000));
        if (n == "id_retention") set(s.id_retention_ms, r.duration(f, 60'000));
        if (n == "breaker") {
          r.entries(f, {"max_unhealthy_share", "max_failures", "failure_window", "cool_off"},
                    [&](std::string_view m, const Entry& g) {
                      auto& b = s.breaker;
                      if (m == "max_unhealthy_share") set(b.max_unhealthy_share, r.share(g));
                      if (m == "max_failures") set(b.max_failures, r.whole(g, 0, kMillion));
                      if (m == "failure_window") set(b.failure_window_ms, r.duration(g, 1000));
                      if (m == "cool_off") set(b.cool_off_ms, r.duration(g, 1000));
                    });
        }
        if (n == "retry") {
          r.entries(f, {"max_attempts", "base_delay", "max_delay"},
                    [&](std::string_view m, const Entry& g) {
                      if (m == "max_attempts") set(s.retry.max_attempts, r.whole(g, 1, 100));
                      if (m == "base_delay") set(s.retry.base_delay_ms, r.duration(g, 1));
                      if (m == "max_delay") set(s.retry.max_delay_ms, r.duration(g, 1));
                    });
        }
        if (n == "health_check") {
          r.entries(f, {"timeout", "initial_delay"}, [&](std::string_view m, const Entry& g) {
            if (m == "timeout") set(s.health_check.timeout_ms, r.duration(g, 0));
            if (m == "initial_delay") set(s.health_check.initial_delay_ms, r.duration(g, 0));
          });
        }
      });
}

}  // namespace

RunConfig parse_run_config(std::string_view yaml, std::vector<ConfigProblem>& problems) {
  RunConfig c;
  YAML::Node root = settings::load(yaml, problems);
  if (root.IsNull()) return c;  // an empty file sets nothing
  Reader r(problems);
  auto read = [&](std::string_view name, const Entry& e) {
    if (name == "policies") {
      c.policies = r.paths(e);
    } else if (name == "cluster") {
      c.cluster = r.path(e);
    } else if (name == "namespace") {
      c.default_namespace = r.checked(e, namespace_problem);
    } else if (name == "prometheus") {
      read_prometheus(r, e, c.prometheus);
    } else if (name == "audit") {
      r.entries(e, {"file"}, [&](std::string_view, const Entry& f) { c.audit_file = r.path(f); });
    } else if (name == "log") {
      r.entries(e, {"level", "format"}, [&](std::string_view n, const Entry& f) {
        if (n == "level") c.log_level = r.checked(f, log_level_problem);
        if (n == "format") c.log_format = r.checked(f, log_format_problem);
      });
    } else if (name == "web") {
      r.entries(e, {"listen_address", "config_file", "enable_approvals", "external_url"},
                [&](std::string_view n, const Entry& f) {
                  if (n == "listen_address") c.listen_address = r.text(f);
                  if (n == "external_url") c.external_url = r.text(f);
                  if (n == "config_file") c.web_config_file = r.path(f);
                  if (n == "enable_approvals") c.enable_approvals = r.boolean(f);
                });
    } else if (name == "alertmanager") {
      auto& a = c.alertmanager;
      r.entries(e, {"urls", "timeout", "notify_decisions", "silences_required"},
                [&](std::string_view n, const Entry& f) {
                  if (n == "urls") a.urls = r.paths(f);  // one URL, or a list
                  if (n == "timeout" && r.duration(f, 1)) a.timeout = f.value.Scalar();
                  if (n == "notify_decisions") a.notify_decisions = r.boolean(f);
                  if (n == "silences_required") a.silences_required = r.boolean(f);
                });
    } else if (name == "restore") {
      r.entries(e, {"max_lookback"}, [&](std::string_view, const Entry& f) {
        if (r.duration(f, 0)) c.restore_max_lookback = f.value.Scalar();
      });
    } else if (name == "ai") {
      read_ai(r, e, c);
    } else if (name == "kubernetes") {
      r.entries(e, {"kubeconfig", "context"}, [&](std::string_view n, const Entry& f) {
        if (n == "kubeconfig") c.kubeconfig = r.path(f);
        if (n == "context") c.context = r.text(f);
      });
    } else if (name == "safety") {
      read_safety(r, e, c);
    }
  };
  try {
    r.entries(Reader::at(root, YAML::Mark(), ""),
              {"policies", "cluster", "namespace", "prometheus", "audit", "log", "web",
               "alertmanager", "restore", "ai", "kubernetes", "safety"},
              read);
  } catch (const YAML::Exception& e) {  // not expected: the reader checks before converting
    problems.push_back({e.mark.line + 1, e.mark.column + 1, "", e.msg});
  }
  settings::sort_problems(problems);
  return c;
}

bool read_run_config(const std::string& path, RunConfig& config, std::string& errors) {
  std::string text;
  if (!settings::read_text(path, text)) {
    errors = path + ": cannot read the config file\n";
    return false;
  }
  std::vector<ConfigProblem> problems;
  config = parse_run_config(text, problems);
  errors = render_problems(path, problems);
  if (!problems.empty()) return false;
  fs::path base = fs::path(path).parent_path();
  if (config.policies) {
    for (auto& p : *config.policies) rebase(p, base);
  }
  for (auto* p : {&config.cluster, &config.audit_file, &config.web_config_file, &config.kubeconfig,
                  &config.journal, &config.prometheus.bearer_token_file,
                  &config.prometheus.basic_auth_password_file, &config.prometheus.ca_file}) {
    if (*p) rebase(**p, base);
  }
  return true;
}

namespace {

// Sets `to` from the file's `from` when the file gives it and `flag` was not given.
template <typename From, typename To>
void take(const std::vector<std::string>& flags_given, std::string_view flag, const From& from,
          To& to) {
  bool given = std::find(flags_given.begin(), flags_given.end(), flag) != flags_given.end();
  if (from && !given) to = *from;
}

}  // namespace

void apply_prometheus_config(const RunConfig::Prometheus& file,
                             const std::vector<std::string>& flags_given, PrometheusFlags& flags) {
  take(flags_given, "--prometheus.url", file.url, flags.url);
  take(flags_given, "--prometheus.timeout", file.timeout_ms, flags.timeout_ms);
  take(flags_given, "--prometheus.bearer-token-file", file.bearer_token_file,
       flags.bearer_token_file);
}

void apply_run_config(const RunConfig& c, RunOptions& o) {
  auto take = [&](std::string_view flag, const auto& from, auto& to) {
    agent::take(o.flags_given, flag, from, to);
  };
  take("--policies", c.policies, o.policies);
  take("--cluster", c.cluster, o.cluster);
  take("--namespace", c.default_namespace, o.default_namespace);
  take("--audit.file", c.audit_file, o.audit_file);
  take("--log.level", c.log_level, o.log_level);
  take("--log.format", c.log_format, o.log_format);
  take("--web.listen-address", c.listen_address, o.listen_address);
  take("--web.config.file", c.web_config_file, o.web_config_file);
  take("--web.enable-approvals", c.enable_approvals, o.enable_approvals);
  take("--web.external-url", c.external_url, o.external_url);
  take("--alertmanager.url", c.alertmanager.urls, o.alertmanager_urls);
  take("--alertmanager.timeout", c.alertmanager.timeout, o.alertmanager_timeout);
  take("--alertmanager.notify-decisions", c.alertmanager.notify_decisions,
       o.alertmanager_notify_decisions);
  take("--alertmanager.silences-required", c.alertmanager.silences_required,
       o.alertmanager_silences_required);
  take("--restore.max-lookback", c.restore_max_lookback, o.restore_max_lookback);
  take("--ai.tick-budget", c.ai_tick_budget, o.ai_tick_budget);
  take("--ai.backend", c.ai.backend, o.ai.backend);
  take("--ai.url", c.ai.url, o.ai.url);
  take("--ai.model", c.ai.model, o.ai.model);
  take("--ai.api-key-file", c.ai.api_key_file, o.ai.api_key_file);
  take("--ai.timeout", c.ai.timeout, o.ai.timeout);
  take("--ai.max-calls-per-hour", c.ai.max_calls_per_hour, o.ai.max_calls_per_hour);
  take("--ai.max-tokens-per-hour", c.ai.max_tokens_per_hour, o.ai.max_tokens_per_hour);
  take("--ai.cache-ttl", c.ai.cache_ttl, o.ai.cache_ttl);
  take("--ai.redact", c.ai.redact, o.ai.redact);
  take("--kubeconfig", c.kubeconfig, o.kubeconfig);
  take("--context", c.context, o.context);
  take("--safety.journal", c.journal, o.journal);
  apply_prometheus_config(c.prometheus, o.flags_given, o.prometheus);
}

bool prometheus_client_options(const PrometheusFlags& flags, const RunConfig::Prometheus& file,
                               prometheus::ClientOptions& out, std::string& error) {
  out.base_url = flags.url;
  out.timeout_ms = flags.timeout_ms;
  out.deadline_ms = flags.timeout_ms;  // retries included: a tick waits no longer
  if (file.retries) out.retries = *file.retries;
  if (file.min_backoff_ms) out.backoff_initial_ms = *file.min_backoff_ms;
  if (file.max_backoff_ms) out.backoff_max_ms = *file.max_backoff_ms;
  if (file.max_concurrency) out.max_concurrency = *file.max_concurrency;
  if (file.max_response_bytes) out.max_response_bytes = *file.max_response_bytes;
  if (file.ca_file) out.ca_file = *file.ca_file;
  if (file.insecure_skip_verify) out.insecure_skip_verify = *file.insecure_skip_verify;
  out.headers = file.headers;
  if (!flags.bearer_token_file.empty() &&
      !first_line(flags.bearer_token_file, "bearer token file", out.bearer_token, error)) {
    return false;
  }
  if (file.basic_auth_username) {
    out.basic_user = *file.basic_auth_username;
    if (file.basic_auth_password_file &&
        !first_line(*file.basic_auth_password_file, "password file", out.basic_password, error)) {
      return false;
    }
  }
  return true;
}

bool prometheus_client_from(const std::string& config_file,
                            const std::vector<std::string>& flags_given, PrometheusFlags flags,
                            prometheus::ClientOptions& out, std::string& error) {
  RunConfig file;
  if (!config_file.empty()) {
    if (!read_run_config(config_file, file, error)) return false;
    apply_prometheus_config(file.prometheus, flags_given, flags);
  }
  return prometheus_client_options(flags, file.prometheus, out, error);
}

}  // namespace skippy::agent
