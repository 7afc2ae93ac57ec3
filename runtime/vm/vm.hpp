// The VM: evaluates one policy for one target against read-only inputs and produces trigger
// conditions and action proposals. It executes nothing, allocates nothing while evaluating,
// and always terminates (jumps only go forward; the loader has verified the code).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "runtime/bytecode/program.hpp"
#include "runtime/vm/builtins.hpp"

namespace skippy::vm {

// A policy ready to run: the program it belongs to and its constants as values.
struct PreparedPolicy {
  const bytecode::Program* program = nullptr;
  const bytecode::Policy* policy = nullptr;
  bytecode::PolicyConstants constants;
};

// Prepares every policy of a verified program. The program must outlive the result.
std::vector<PreparedPolicy> prepare(const bytecode::Program& program);

struct Proposal {
  std::uint16_t template_index = 0;  // into Policy::templates
  std::uint8_t argument_count = 0;
  bool unknown_arguments = false;  // some argument was Unknown: the safety runtime blocks it
  const bytecode::Value* arguments = nullptr;  // into the buffer's storage
};

// Fixed-capacity output of one handler run. Reuse one per thread: clear() keeps the storage.
class ProposalBuffer {
 public:
  void clear() {
    count_ = 0;
    used_ = 0;
  }
  std::span<const Proposal> proposals() const { return {items_.data(), count_}; }

  // Called by the VM; the verifier guarantees capacity (templates and arguments are bounded).
  void add(std::uint16_t template_index, const bytecode::Value* args, std::uint8_t n) {
    Proposal& p = items_[count_++];
    p.template_index = template_index;
    p.argument_count = n;
    p.unknown_arguments = false;
    p.arguments = storage_.data() + used_;
    for (std::uint8_t i = 0; i < n; ++i) {
      storage_[used_ + i] = args[i];
      p.unknown_arguments |= args[i].is_unknown();
    }
    used_ += n;
  }

 private:
  std::array<Proposal, bytecode::kMaxTemplates> items_{};
  std::array<bytecode::Value, bytecode::kMaxTemplates * bytecode::kMaxActionArguments> storage_{};
  std::size_t count_ = 0;
  std::size_t used_ = 0;
};

class Vm {
 public:
  explicit Vm(std::span<const BuiltinFn> builtins) : builtins_(builtins) {}

  // Sets conditions[i] and clears[i] for every trigger i of the policy (a trigger without a
  // `clear when` gets Unknown as its clear). `inputs` holds one value per input slot.
  void conditions(const PreparedPolicy& policy, std::span<const bytecode::Value> inputs,
                  std::span<bytecode::Truth> conditions, std::span<bytecode::Truth> clears) const;

  // Runs handler h (an `on ... do` clause) and appends its proposals to `out`.
  void handler(const PreparedPolicy& policy, std::size_t h, std::span<const bytecode::Value> inputs,
               ProposalBuffer& out) const;

 private:
  void run(const PreparedPolicy& policy, std::uint32_t entry, const bytecode::Value* inputs,
           bytecode::Truth* conditions, bytecode::Truth* clears, ProposalBuffer* out) const;

  std::span<const BuiltinFn> builtins_;
};

}  // namespace skippy::vm
