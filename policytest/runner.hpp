// Runs a test file's tests, each as promtool runs it: its input series from time 0 (the Unix
// epoch) in a Prometheus of its own, then simulated time from 0 to its last expectation, one
// tick every evaluation interval, comparing the actions with the expected.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "policytest/prometheus_tsdb.hpp"
#include "policytest/simulation.hpp"
#include "policytest/test_file.hpp"
#include "runtime/bytecode/program.hpp"

namespace skippy::policytest {

struct TestResult {
  std::string name;
  Location where;
  bool passed = false;
  // What differs, line by line: "at 5m:", "  - expected ...", "  + actual ...", or why the
  // test could not run.
  std::vector<std::string> diff;
  std::vector<ActionEvent> actual;  // every action, times from the test's start
  std::vector<TriggerLine> states;  // the state of each of the test's expected_triggers
  double seconds = 0;
};

struct FileResult {
  std::string path;
  // Why tests could not run (a Prometheus did not start, ...): that test and the later fail.
  std::string error;
  std::vector<TestResult> tests;
  Coverage coverage;
  double seconds = 0;
  std::size_t failures() const;
};

struct RunSettings {
  Tools tools;
  std::string default_namespace = "default";
};

FileResult run_test_file(const TestFile& file, const bytecode::Program& program,
                         const RunSettings& settings);

// The policies and triggers `expected_triggers` name, checked against the program: each
// unknown name is an error at its place that lists the names there are.
void check_expected_triggers(const TestFile& file, const bytecode::Program& program,
                             std::vector<FileError>& errors);

// The compared timelines as diff lines; empty when they agree. `states` holds the state of
// each of the test's expected_triggers, in order, as it was.
std::vector<std::string> compare(const TestCase& test, const std::vector<ActionEvent>& actual,
                                 const std::vector<TriggerLine>& states);

}  // namespace skippy::policytest
