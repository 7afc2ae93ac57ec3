// What `skippy test` prints: a result per test with the diff of the failing ones.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "policytest/runner.hpp"

namespace skippy::policytest {

// One file: its summary line, then PASS or FAIL per test with the failures' diffs.
void write_text(std::ostream& out, const FileResult& file);

}  // namespace skippy::policytest
