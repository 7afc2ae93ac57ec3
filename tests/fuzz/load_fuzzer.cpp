// Fuzzes the bytecode loader and, for whatever it accepts, the VM: a file that verifies must
// run every entry point without a crash, whatever its inputs.
#include <cstdint>
#include <vector>

#include "runtime/bytecode/file.hpp"
#include "runtime/vm/vm.hpp"
#include "stdlib/builtins/functions.hpp"

using namespace skippy;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // Most mutations break the checksum; reseal a copy too so the verifier sees them.
  std::vector<std::uint8_t> resealed(data, data + size);
  bytecode::reseal_checksum(resealed);
  for (const auto* bytes : {&resealed}) {
    auto loaded = bytecode::load_program(*bytes, stdlib::load_limits());
    (void)bytecode::load_program(std::span(data, size), stdlib::load_limits());
    if (!loaded.ok()) continue;
    auto prepared = vm::prepare(loaded.program);
    vm::Vm machine(stdlib::function_table());
    vm::ProposalBuffer out;
    for (const auto& p : prepared) {
      std::vector<bytecode::Value> inputs(p.policy->inputs.size(), bytecode::Value::of_number(1));
      for (std::size_t i = 0; i < inputs.size(); i += 2) inputs[i] = bytecode::Value::unknown();
      std::vector<bytecode::Truth> conditions(p.policy->triggers.size()),
          clears(p.policy->triggers.size());
      machine.conditions(p, inputs, conditions, clears);
      for (std::size_t h = 0; h < p.policy->handlers.size(); ++h) {
        out.clear();
        machine.handler(p, h, inputs, out);
      }
    }
  }
  return 0;
}
