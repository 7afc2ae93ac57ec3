#include "agent/process/cluster_access.hpp"

#include <fstream>
#include <iostream>
#include <iterator>
#include <tuple>

#include <unistd.h>

#include "agent/config/log.hpp"
#include "agent/process/exit_codes.hpp"
#include "base/literals.hpp"
#include "k8s-adapter/in_cluster.hpp"

namespace skippy::agent {
namespace {

// How long `skippy run` waits for the first list of every kind of a live cluster.
constexpr std::chrono::milliseconds kClusterSyncTimeout{60'000};

int connect(const RunOptions& options, ClusterAccess& out) {
  if (options.kubeconfig.empty() && !options.in_cluster) return 0;
  auto loaded = options.in_cluster ? k8s::in_cluster_connection()
                                   : k8s::load_kubeconfig(options.kubeconfig, options.context);
  if (auto* why = std::get_if<std::string>(&loaded)) {
    std::cerr << "skippy run: " << (options.in_cluster ? "--in-cluster: " : "") << *why << "\n";
    return kExitUsage;
  }
  out.connection = std::get<k8s::Connection>(std::move(loaded));
  if (!out.connection->namespace_name.empty()) out.own_namespace = out.connection->namespace_name;
  return 0;
}

// Leader election: every replica evaluates (its trigger timers stay current), only the
// Lease's holder decides and acts.
int configure_election(const RunOptions& options, ClusterAccess& out) {
  if (!options.leader_elect) return 0;
  if (!out.connection) {
    std::cerr << "skippy run: --leader-elect needs a cluster (--kubeconfig or --in-cluster)\n";
    return kExitUsage;
  }
  k8s::LeaderElectionConfig c;
  c.name = options.leader_elect_name;
  c.namespace_name =
      options.leader_elect_namespace.empty() ? out.own_namespace : options.leader_elect_namespace;
  c.identity = options.leader_elect_identity.empty() ? host_name() : options.leader_elect_identity;
  for (auto [flag, text, into] :
       {std::tuple{"--leader-elect-lease-duration", &options.leader_elect_lease_duration,
                   &c.lease_duration_ms},
        std::tuple{"--leader-elect-renew-deadline", &options.leader_elect_renew_deadline,
                   &c.renew_deadline_ms},
        std::tuple{"--leader-elect-retry-period", &options.leader_elect_retry_period,
                   &c.retry_period_ms}}) {
    auto ms = base::parse_duration(*text);
    if (!ms) {
      std::cerr << "skippy run: " << flag << ": `" << *text
                << "` is not a duration (such as 15s)\n";
      return kExitUsage;
    }
    *into = *ms;
  }
  if (std::string why = k8s::check_leader_election(c); !why.empty()) {
    std::cerr << "skippy run: --leader-elect: " << why << "\n";
    return kExitUsage;
  }
  out.election = std::move(c);
  return 0;
}

int open_view(const RunOptions& options, ClusterAccess& out) {
  if (!options.cluster.empty()) {
    std::ifstream cluster_file(options.cluster);
    if (!cluster_file) {
      std::cerr << "skippy run: cannot read the cluster snapshot `" << options.cluster << "`\n";
      return kExitUsage;
    }
    std::string yaml((std::istreambuf_iterator<char>(cluster_file)), {});
    std::vector<cluster::SnapshotError> errors;
    out.snapshot =
        std::make_unique<cluster::SnapshotClusterView>(cluster::parse_snapshot(yaml, errors));
    for (const auto& e : errors)
      std::cerr << options.cluster << ":" << e.line << ": " << e.path << ": " << e.message << "\n";
    return errors.empty() ? 0 : kExitFindings;
  }
  k8s::LiveClusterOptions live_options;
  live_options.informer.log = [](const std::string& m) { log_warn("cluster: " + m); };
  out.live = std::make_unique<k8s::LiveCluster>(*out.connection, live_options);
  out.live->start();
  log_info("cluster: watching " + out.connection->server + " (context " + out.connection->context +
           ")");
  if (std::string why = out.live->wait_synced(kClusterSyncTimeout); !why.empty()) {
    std::cerr << "skippy run: the cluster at " << out.connection->server << " is " << why << "\n";
    return kExitUsage;
  }
  out.live->refresh();
  return 0;
}

}  // namespace

std::string host_name() {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  return host;
}

int open_cluster_access(const RunOptions& options, ClusterAccess& out) {
  if (int code = connect(options, out)) return code;
  if (int code = configure_election(options, out)) return code;
  return open_view(options, out);
}

}  // namespace skippy::agent
