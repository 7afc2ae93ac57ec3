// What `skippy test` prints: a result per test with the diff of the failing ones, JUnit XML
// for CI, and the coverage of the policies (text or JSON).
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "policytest/runner.hpp"

namespace skippy::policytest {

// One file: its summary line, then PASS or FAIL per test with the failures' diffs.
void write_text(std::ostream& out, const FileResult& file);

// JUnit XML: a testsuite per file, a testcase per test, a failure with the diff.
void write_junit(std::ostream& out, const std::vector<FileResult>& files);

// Per policy: each trigger and how often it fired, each action branch and how often it
// proposed, each gate that blocked and how often; what never happened is marked.
void write_coverage_text(std::ostream& out, const Coverage& coverage);
void write_coverage_json(std::ostream& out, const Coverage& coverage);

}  // namespace skippy::policytest
