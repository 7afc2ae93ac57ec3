// What `skippy run` reaches of the cluster: the API server of a kubeconfig or of the pod's
// service account (where actions are carried out), the Lease of leader election, and the view
// the policies read (a YAML snapshot, or the live cluster watched through informers).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "agent/config/run_options.hpp"
#include "k8s-adapter/kubeconfig.hpp"
#include "k8s-adapter/leader_election.hpp"
#include "k8s-adapter/live_cluster.hpp"
#include "runtime/cluster/snapshot.hpp"

namespace skippy::agent {

struct ClusterAccess {
  std::optional<k8s::Connection> connection;  // none: every decision is a dry run
  std::string own_namespace = "default";      // the connection's, or default
  std::optional<k8s::LeaderElectionConfig> election;
  std::unique_ptr<cluster::SnapshotClusterView> snapshot;
  std::unique_ptr<k8s::LiveCluster> live;  // started and synced

  const cluster::ClusterView& view() const {
    return snapshot ? static_cast<const cluster::ClusterView&>(*snapshot) : *live;
  }
};

// Connects as the options say and waits for the live cluster's first lists. Returns 0, or
// the exit code (1: the snapshot has errors; 2: anything else) with the problems written to
// standard error.
int open_cluster_access(const RunOptions& options, ClusterAccess& out);

// This machine's host name: the default identity of a replica.
std::string host_name();

}  // namespace skippy::agent
