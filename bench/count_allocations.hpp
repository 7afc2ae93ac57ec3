// Counting heap allocations: a binary that links count_allocations.cpp has the global
// operator new (every form) replaced by one that counts, then calls malloc. vm_bench uses it
// to show that evaluating a policy allocates nothing.
#pragma once

#include <cstdint>

namespace skippy::bench {

// Every operator new of the process so far, from any thread.
std::uint64_t allocations();

}  // namespace skippy::bench
