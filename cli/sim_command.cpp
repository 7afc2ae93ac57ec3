// skippy sim: a stand-in Kubernetes API server on 127.0.0.1 with simulated controllers, for
// trying policies and kubectl without a cluster (docs/simulator.md). Creates the scenario
// files' manifests, writes a kubeconfig for itself when asked, serves a stand-in for a
// language model's chat API beside it when asked (--model.listen), and serves until SIGINT
// or SIGTERM.
#include <chrono>
#include <csignal>
#include <iostream>
#include <sstream>

#include "agent/config/log.hpp"
#include "base/literals.hpp"
#include "cli/commands.hpp"
#include "simulator/api_server.hpp"
#include "simulator/kubeconfig_out.hpp"
#include "simulator/model_stand_in.hpp"
#include "simulator/scenario.hpp"
#include "simulator/simulation.hpp"

namespace skippy::cli {
namespace {

volatile std::sig_atomic_t stop_requested = 0;
void request_stop(int) {
  stop_requested = 1;
}

}  // namespace

void add_sim_command(CLI::App& app, SimOptions& options) {
  auto* cmd = app.add_subcommand(
      "sim", "Serve a simulated Kubernetes API (a stand-in for a cluster) on 127.0.0.1");
  cmd->add_option("--listen", options.listen, "Address to listen on: 127.0.0.1:PORT")->required();
  cmd->add_option("--scenario", options.scenarios,
                  "YAML files of manifests to create at start (repeatable)");
  cmd->add_option("--kubeconfig-out", options.kubeconfig_out,
                  "Write a kubeconfig for this server to this file");
  cmd->add_option("--speed", options.speed, "Simulated seconds per real second")
      ->capture_default_str();
  cmd->add_option("--log.level", options.log_level,
                  "debug (one line per request), info, warn, error")
      ->capture_default_str();
  cmd->add_option("--model.listen", options.model_listen,
                  "Also serve a stand-in for a language model's chat API (Ollama and "
                  "OpenAI-compatible) on 127.0.0.1:PORT");
  cmd->add_option("--model.mode", options.model_mode,
                  "How the model stand-in answers: " + sim::model_mode_names())
      ->capture_default_str();
  cmd->add_option("--model.delay", options.model_delay,
                  "The model stand-in's wait before an answer in mode slow")
      ->capture_default_str();
  cmd->add_option("--model.seed", options.model_seed,
                  "The seed of the model stand-in's answers in mode hostile")
      ->capture_default_str();
}

namespace {

// The model stand-in's options from the command line's, or why they are refused.
std::variant<sim::ModelOptions, std::string> model_options(const SimOptions& options) {
  sim::ModelOptions model;
  model.listen = options.model_listen;
  auto port = sim::loopback_port(options.model_listen);
  if (auto* why = std::get_if<std::string>(&port)) return "--model." + why->substr(2);
  auto mode = sim::parse_model_mode(options.model_mode);
  if (!mode)
    return "--model.mode " + options.model_mode + ": not one of " + sim::model_mode_names();
  model.mode = *mode;
  auto delay = base::parse_duration(options.model_delay);
  if (!delay)
    return "--model.delay " + options.model_delay + ": not a duration (\"500ms\", \"2s\")";
  model.delay_ms = *delay;
  model.seed = options.model_seed;
  model.log = [](const std::string& line) { agent::log_debug(line); };
  return model;
}

}  // namespace

int run_sim(const SimOptions& options) {
  std::string error;
  if (!agent::configure_log(options.log_level, "logfmt", error)) {
    std::cerr << "skippy sim: " << error << "\n";
    return kExitUsage;
  }
  if (!(options.speed > 0) || options.speed > 10'000) {
    std::cerr << "skippy sim: --speed must be above 0 and at most 10000\n";
    return kExitUsage;
  }
  auto port = sim::loopback_port(options.listen);
  if (auto* why = std::get_if<std::string>(&port)) {
    std::cerr << "skippy sim: " << *why << "\n";
    return kExitUsage;
  }
  std::optional<sim::ModelOptions> model_opts;
  if (!options.model_listen.empty()) {
    auto checked = model_options(options);
    if (auto* why = std::get_if<std::string>(&checked)) {
      std::cerr << "skippy sim: " << *why << "\n";
      return kExitUsage;
    }
    model_opts = std::get<sim::ModelOptions>(std::move(checked));
  }
  // Simulated time starts at the wall clock's time, so ages look right at --speed 1.
  std::int64_t start_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
  sim::Simulation simulation;
  simulation.bootstrap(start_ms);
  std::vector<sim::Manifest> manifests;
  for (const auto& path : options.scenarios) {
    auto loaded = sim::load_scenario(path);
    if (auto* why = std::get_if<std::string>(&loaded)) {
      std::cerr << "skippy sim: " << *why << "\n";
      return kExitUsage;
    }
    for (auto& m : std::get<std::vector<sim::Manifest>>(loaded)) manifests.push_back(std::move(m));
  }
  auto refused = sim::apply_manifests(simulation.store(), manifests, start_ms);
  for (const auto& why : refused) std::cerr << "skippy sim: " << why << "\n";
  if (!refused.empty()) return kExitFindings;
  simulation.step(start_ms);

  sim::ServerOptions server_options;
  server_options.listen = options.listen;
  server_options.speed = options.speed;
  server_options.log = [](const std::string& line) { agent::log_debug(line); };
  sim::ApiServer server(simulation, server_options, start_ms);
  if (auto why = server.start()) {
    std::cerr << "skippy sim: " << *why << "\n";
    return kExitUsage;
  }
  std::string url = "http://127.0.0.1:" + std::to_string(server.port());
  if (!options.kubeconfig_out.empty()) {
    if (auto why = sim::write_kubeconfig(options.kubeconfig_out, url)) {
      std::cerr << "skippy sim: " << *why << "\n";
      return kExitUsage;
    }
  }
  std::optional<sim::ModelStandIn> model;
  if (model_opts) {
    model.emplace(*model_opts);
    if (auto why = model->start()) {
      std::cerr << "skippy sim: " << *why << "\n";
      return kExitUsage;
    }
    agent::log_info("model stand-in (Ollama /api/chat, OpenAI /v1/chat/completions) listening on " +
                    model->url() + ", mode " + std::string(sim::model_mode_name(model_opts->mode)));
  }
  std::ostringstream speed_text_stream;
  speed_text_stream << options.speed;
  std::string speed_text = speed_text_stream.str();
  agent::log_info("simulated Kubernetes API listening on " + url + " (" +
                  std::to_string(manifests.size()) + " manifests, speed " + speed_text + ")" +
                  (options.kubeconfig_out.empty() ? "" : ", kubeconfig " + options.kubeconfig_out));
  std::signal(SIGINT, request_stop);
  std::signal(SIGTERM, request_stop);
  server.run(stop_requested);
  if (model) model->shutdown();
  server.shutdown();
  agent::log_info("stopped");
  return kExitOk;
}

}  // namespace skippy::cli
