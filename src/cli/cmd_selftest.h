// `memlens selftest`: the seed's eight test categories (basic monitoring, RSS-vs-heap
// divergence, growth patterns, native module attribution, buffer leaks, automated leak
// reporting, integration, performance), run for real on this machine: memlens launches its own
// built-in workloads (`memlens demo-workload` children leaking heap, mmap or descriptors at
// known rates, and one that holds steady), watches them with the analyzer, and checks what it
// measured. Prints the seed's summary (passed, failed, duration, success rate, one line per
// test with what it measured, recommendations). Exit status 0 only when all eight pass; a
// category that needs something this build or machine lacks (the agent) fails and says why.
//
// Runs on the main thread; the workload categories run concurrently (one child and one
// analyzer each), then the in-process ones.
//
//   memlens selftest [--seconds 6] [--json]
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace memlens::cli {

struct SelftestArgs {
  double seconds = 6;  // how long each workload runs
  bool json = false;
};
CLI::App* add_selftest_command(CLI::App& app, SelftestArgs& args);
int selftest_command(const SelftestArgs& args);

// One category's outcome (cmd_selftest_checks.cpp produces them).
struct SelftestResult {
  std::string name;
  bool passed = false;
  std::string measured;        // the line under the test name: what was measured
  std::string recommendation;  // when failed: what to do
  int64_t duration_ms = 0;
};

// The eight checks, in the seed's order; `seconds` per workload.
std::vector<SelftestResult> run_selftest_checks(double seconds);

}  // namespace memlens::cli
