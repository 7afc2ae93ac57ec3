#include "simulator/kubeconfig_out.hpp"

#include <cstdio>
#include <fstream>

namespace skippy::sim {

std::string kubeconfig_text(const std::string& server_url) {
  return "apiVersion: v1\n"
         "kind: Config\n"
         "clusters:\n"
         "- name: skippy-sim\n"
         "  cluster:\n"
         "    server: " +
         server_url +
         "\n"
         "contexts:\n"
         "- name: skippy-sim\n"
         "  context:\n"
         "    cluster: skippy-sim\n"
         "    user: skippy-sim\n"
         "    namespace: default\n"
         "current-context: skippy-sim\n"
         "users:\n"
         "- name: skippy-sim\n"
         "  user:\n"
         "    token: skippy-sim\n";
}

std::optional<std::string> write_kubeconfig(const std::string& path,
                                            const std::string& server_url) {
  std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << kubeconfig_text(server_url);
    if (!out) return path + ": cannot write the kubeconfig";
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    std::remove(temporary.c_str());
    return path + ": cannot write the kubeconfig";
  }
  return std::nullopt;
}

}  // namespace skippy::sim
