// The kubeconfig `skippy sim --kubeconfig-out` writes for itself: one cluster at
// http://127.0.0.1:PORT, one user with a token (the simulator accepts any), one context
// `skippy-sim` in namespace default, current. kubectl and k8s-adapter's load_kubeconfig read it.
#pragma once

#include <optional>
#include <string>

namespace skippy::sim {

std::string kubeconfig_text(const std::string& server_url);
// Writes the kubeconfig to `path` (through a temporary file, then renamed, so a reader never
// sees half of it); the reason when it cannot.
std::optional<std::string> write_kubeconfig(const std::string& path, const std::string& server_url);

}  // namespace skippy::sim
