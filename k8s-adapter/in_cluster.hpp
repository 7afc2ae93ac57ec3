// The connection of a pod to its own cluster's API server, as client-go's rest.InClusterConfig
// makes it: the server from KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT, the service
// account's token, CA bundle and namespace from the files Kubernetes mounts into the pod.
#pragma once

#include <string>
#include <variant>

#include "k8s-adapter/kubeconfig.hpp"

namespace skippy::k8s {

inline constexpr const char* kServiceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount";

// The connection, or why there is none: "not in a cluster: KUBERNETES_SERVICE_HOST is not
// set", "cannot read the service account token `/var/run/.../token`". `root` holds token,
// ca.crt and namespace (namespace may be missing: the connection then names none).
std::variant<Connection, std::string> in_cluster_connection(
    const std::string& root = kServiceAccountDir);

}  // namespace skippy::k8s
