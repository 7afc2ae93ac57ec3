// A deterministic generator of benchmark inputs: N Skippy policies of about 30 lines each,
// which `skippy check` (the compiler's checker included) accepts with no error and no
// warning, and the equivalent Prometheus rule file (one alerting rule per policy) that
// `promtool check rules` accepts. The output depends only on (count, seed): no clock, no
// std::random_device, no standard distributions (whose results differ between libraries).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace skippy::bench {

inline constexpr std::uint64_t kDefaultSeed = 20240917;

struct GeneratedPolicy {
  std::string name;       // the policy's name, unique in the corpus
  std::string file_name;  // "<name>.skippy"
  std::string text;       // one policy declaration, ~30 lines
};

struct GeneratedCorpus {
  std::vector<GeneratedPolicy> policies;
  // A Prometheus rule file: one group per policy (interval = the policy's `every`), each
  // with one alerting rule whose expr combines the policy's triggers with `or`, whose `for`
  // is the first trigger's `for` and whose `keep_firing_for` is its `clear ... for`.
  std::string prometheus_rules;

  std::size_t policy_bytes() const;
  std::size_t policy_lines() const;
};

// Generates `count` policies. Same (count, seed), same bytes, on every platform.
GeneratedCorpus generate_corpus(std::size_t count, std::uint64_t seed = kDefaultSeed);

}  // namespace skippy::bench
