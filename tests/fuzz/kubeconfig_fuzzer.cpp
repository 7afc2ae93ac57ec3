// Fuzzes the kubeconfig reader: whatever the text, it never crashes and either gives a
// connection to an http:// or https:// server or an error that names the file.
#include <cstdint>
#include <string>
#include <string_view>

#include "k8s-adapter/kubeconfig.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto result = skippy::k8s::parse_kubeconfig(text, "kc.yaml", "");
  if (const auto* c = std::get_if<skippy::k8s::Connection>(&result)) {
    if (!c->server.starts_with("http://") && !c->server.starts_with("https://")) __builtin_trap();
  } else if (!std::get<std::string>(result).starts_with("kc.yaml")) {
    __builtin_trap();
  }
  return 0;
}
