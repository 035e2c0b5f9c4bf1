#include "cli/cmd_selftest.h"

#include <cstdio>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "cli/exit_codes.h"

namespace memlens::cli {

CLI::App* add_selftest_command(CLI::App& app, SelftestArgs& args) {
  CLI::App* sub = app.add_subcommand(
      "selftest", "Run the eight test categories against built-in workloads on this machine");
  sub->add_option("--seconds", args.seconds, "how long each workload runs (default 6)")
      ->check(CLI::Range(2.0, 600.0));
  sub->add_flag("--json", args.json, "print the results as JSON");
  return sub;
}

int selftest_command(const SelftestArgs& args) {
  const int64_t t0 = base::wall_ms();
  if (!args.json)
    std::printf("🧪 memlens selftest: 8 categories, workloads of %.0f s each\n\n", args.seconds);
  std::fflush(stdout);
  std::vector<SelftestResult> results = run_selftest_checks(args.seconds);
  const int64_t duration = base::wall_ms() - t0;
  size_t passed = 0;
  for (const auto& r : results) passed += r.passed ? 1 : 0;
  const size_t failed = results.size() - passed;
  const double rate = results.empty() ? 0 : 100.0 * passed / results.size();

  if (args.json) {
    nlohmann::json tests = nlohmann::json::array();
    for (const auto& r : results)
      tests.push_back({{"name", r.name},
                       {"passed", r.passed},
                       {"measured", r.measured},
                       {"recommendation", r.recommendation},
                       {"durationMs", r.duration_ms}});
    nlohmann::json out = {{"passed", passed},
                          {"failed", failed},
                          {"durationMs", duration},
                          {"successRate", rate},
                          {"tests", tests}};
    std::printf("%s\n", out.dump(2).c_str());
    return failed == 0 ? kExitOk : kExitFailed;
  }

  std::printf("📊 TEST RESULTS SUMMARY\n");
  std::printf("==========================================================\n\n");
  std::printf("✅ Passed: %zu\n", passed);
  std::printf("❌ Failed: %zu\n", failed);
  std::printf("⏱️  Duration: %lldms\n", static_cast<long long>(duration));
  std::printf("📊 Success Rate: %.1f%%\n\n", rate);
  std::printf("📋 DETAILED TEST RESULTS:\n");
  for (const auto& r : results) {
    std::printf("   %s %s\n", r.passed ? "✅" : "❌", r.name.c_str());
    std::printf("      %s\n", r.measured.c_str());
  }
  std::printf("\n🎯 RECOMMENDATIONS:\n");
  if (failed == 0) {
    std::printf(
        "   ✅ All tests passed! Memory analysis tools are working correctly on this "
        "machine.\n");
  } else {
    for (const auto& r : results)
      if (!r.passed)
        std::printf(
            "   ❌ %s: %s\n", r.name.c_str(),
            r.recommendation.empty() ? "see the measurement above" : r.recommendation.c_str());
  }
  std::fflush(stdout);
  return failed == 0 ? kExitOk : kExitFailed;
}

}  // namespace memlens::cli
