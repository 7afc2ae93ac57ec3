// Fuzzes the safety journal's loader: whatever the bytes, decoding never crashes and either
// reports a located error or yields a state that encodes again to bytes that decode to the
// same state, and that a gatekeeper can start from and decide with.
#include <cstdint>
#include <string>
#include <string_view>

#include "runtime/safety/gatekeeper.hpp"
#include "runtime/safety/journal.hpp"

using namespace skippy;

namespace {

void check(std::string_view bytes) {
  auto decoded = safety::decode_journal(bytes);
  if (!decoded.ok()) {
    if (decoded.error->offset > bytes.size() || !decoded.state.actions.empty()) __builtin_trap();
    return;
  }
  std::string again = safety::encode_journal(decoded.state);
  auto redecoded = safety::decode_journal(again);
  if (!redecoded.ok() || safety::encode_journal(redecoded.state) != again) __builtin_trap();

  safety::Gatekeeper gatekeeper(safety::SafetyConfig{}, std::move(decoded.state));
  safety::ActionRequest r;
  r.policy = "p";
  r.trigger = "t";
  r.action = "restart";
  r.destructive = true;
  r.target = {"Pod", "apps", "web-1", "Deployment", "web", {}, {}};
  r.mode = bytecode::Mode::Automatic;
  r.limits.max_unavailable = 1;
  r.id = safety::action_id(r);
  safety::ClusterFacts facts;
  facts.workloads["Deployment/apps/web"] = {3, 0};
  for (std::int64_t now : {std::int64_t{0}, std::int64_t{1} << 40}) {
    auto decisions = gatekeeper.decide(std::span(&r, 1), facts, now);
    for (const auto& d : decisions)
      gatekeeper.record_result(d.request->id, safety::ExecutionStatus::Success, now);
    (void)gatekeeper.start_due_retries(now);
    (void)gatekeeper.pending();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  check(bytes);
  // Most mutations break a checksum; reseal a copy so that the record reader sees them too.
  safety::reseal_journal(bytes);
  check(bytes);
  return 0;
}
