#include "agent/config/run_options.hpp"

namespace skippy::agent {

void add_prometheus_flags(CLI::App& command, PrometheusFlags& flags) {
  command.add_option("--prometheus.url", flags.url, "The Prometheus HTTP API's base URL")
      ->capture_default_str();
  command.add_option("--prometheus.timeout", flags.timeout_ms, "Per-query timeout, milliseconds")
      ->capture_default_str();
  command.add_option("--prometheus.bearer-token-file", flags.bearer_token_file,
                     "A file holding a bearer token");
}

void remember_flags_given(CLI::App& command, std::vector<std::string>& flags_given) {
  command.final_callback([&command, &flags_given] {
    for (const auto* o : command.get_options()) {
      if (o->count() > 0) flags_given.push_back(o->get_name());
    }
  });
}

}  // namespace skippy::agent
