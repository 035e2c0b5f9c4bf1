// The memlens command's contract (DESIGN.md "CLI"): exit statuses, one-line errors checked
// before anything runs, a target that exits early, attach, Ctrl-C, report, demo, --help.
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "memlens_runner.h"

namespace memlens::testing {
namespace {

using namespace std::chrono_literals;

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

// The error is exactly one "memlens: error: ..." line containing `what`.
void expect_one_line_error(const RunResult& r, const std::string& what) {
  std::vector<std::string> errs;
  for (const auto& l : lines(r.err))
    if (l.find("error") != std::string::npos) errs.push_back(l);
  ASSERT_EQ(errs.size(), 1u) << r.err;
  EXPECT_EQ(errs[0].rfind("memlens: error: ", 0), 0u) << errs[0];
  EXPECT_NE(errs[0].find(what), std::string::npos) << errs[0];
  EXPECT_EQ(r.err.find("terminate called"), std::string::npos) << r.err;
}

pid_t reaped_pid() {
  pid_t pid = fork();
  if (pid == 0) _exit(0);
  waitpid(pid, nullptr, 0);
  return pid;
}

TEST(CliErrors, UnknownPidExits3) {
  pid_t pid = reaped_pid();
  auto r = run_memlens({"attach", "--interval", "100ms", std::to_string(pid)});
  EXPECT_EQ(r.exit_code, 3);
  expect_one_line_error(r, std::to_string(pid));
}

TEST(CliErrors, MalformedPidExits2) {
  auto r = run_memlens({"attach", "12ab"});
  EXPECT_EQ(r.exit_code, 2);
  expect_one_line_error(r, "12ab");
}

TEST(CliErrors, NonexistentCommandExits3) {
  auto r = run_memlens({"run", "--interval", "100ms", "--", "/no/such/memlens-command"});
  EXPECT_EQ(r.exit_code, 3);
  expect_one_line_error(r, "/no/such/memlens-command");
}

TEST(CliErrors, BadDurationExits2BeforeRunning) {
  std::string marker = temp_path("bad_duration_marker");
  for (const char* flag : {"--duration", "--interval", "--window", "--full-interval"}) {
    auto r = run_memlens({"run", flag, "5x", "--", "/usr/bin/touch", marker});
    EXPECT_EQ(r.exit_code, 2) << flag;
    expect_one_line_error(r, flag);
    EXPECT_FALSE(exists(marker)) << "the command ran despite the bad " << flag;
  }
}

TEST(CliErrors, UnwritableReportPathExits2BeforeRunning) {
  std::string marker = temp_path("unwritable_marker");
  auto r = run_memlens(
      {"run", "--report-json", "/nonexistent-dir/r.json", "--", "/usr/bin/touch", marker});
  EXPECT_EQ(r.exit_code, 2);
  expect_one_line_error(r, "/nonexistent-dir/r.json");
  EXPECT_FALSE(exists(marker));
}

TEST(CliErrors, MalformedConfigExits2NamingTheProblem) {
  std::string cfg = temp_path("bad_config.json");
  std::ofstream(cfg) << R"({"samplingInterval": 100, "alertThresholds": {"rssMb": 1}})";
  auto r = run_memlens({"run", "--config", cfg, "--", "/bin/true"});
  EXPECT_EQ(r.exit_code, 2);
  expect_one_line_error(r, "alertThresholds.rssMb");
  std::ofstream(cfg) << "{ not json";
  r = run_memlens({"run", "--config", cfg, "--", "/bin/true"});
  EXPECT_EQ(r.exit_code, 2);
  expect_one_line_error(r, "JSON");
  unlink(cfg.c_str());
}

TEST(CliErrors, UnknownPresetAndOptionExit2) {
  auto r = run_memlens({"run", "--preset", "turbo", "--", "/bin/true"});
  EXPECT_EQ(r.exit_code, 2);
  expect_one_line_error(r, "turbo");
  r = run_memlens({"run", "--no-such-flag", "--", "/bin/true"});
  EXPECT_EQ(r.exit_code, 2);
  r = run_memlens({});
  EXPECT_EQ(r.exit_code, 2);
}

TEST(CliRun, TargetExitingEarlyExits0WithAReport) {
  std::string report = temp_path("early.json");
  // The target lives 1 s; memlens would watch for 60 s.
  auto r = run_memlens({"run", "--interval", "100ms", "--window", "4s", "--duration", "60s",
                        "--report-json", report, "--", target_path("steady"), "1", "4"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::string why;
  EXPECT_TRUE(validate_report_file(report, &why)) << why;
  auto j = read_report(report);
  ASSERT_TRUE(j);
  EXPECT_GE((*j)["summary"]["totalSnapshots"].get<int>(), 1);
  EXPECT_LT((*j)["summary"]["durationMs"].get<int64_t>(), 60'000);
  EXPECT_NE(r.err.find("exited"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("memlens summary"), std::string::npos) << r.out;  // the summary table
  unlink(report.c_str());
}

TEST(CliRun, CommandThatEndsAtOnceIsNotAnError) {
  std::string report = temp_path("true.json");
  auto r = run_memlens({"run", "--interval", "100ms", "--report-json", report, "--", "/bin/true"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::string why;
  EXPECT_TRUE(validate_report_file(report, &why)) << why;
  unlink(report.c_str());
}

TEST(CliRun, CtrlCStopsGracefullyWritesTheReportAndStopsTheChild) {
  std::string report = temp_path("sigint.json");
  pid_t memlens_pid = 0;
  auto r = run_memlens({"run", "--interval", "100ms", "--window", "4s", "--report-json", report,
                        "--", target_path("steady"), "600", "4"},
                       180s, [&](pid_t pid) {
                         memlens_pid = pid;
                         std::this_thread::sleep_for(1500ms);
                         kill(pid, SIGINT);
                       });
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("SIGINT"), std::string::npos) << r.err;
  std::string why;
  EXPECT_TRUE(validate_report_file(report, &why)) << why;
  unlink(report.c_str());
}

TEST(CliRun, DurationEndsTheRunAndTerminatesTheChild) {
  std::string report = temp_path("duration.json");
  std::string marker = temp_path("duration_child_alive");
  // The child would run 10 minutes; --duration ends it.
  auto r = run_memlens({"run", "--interval", "100ms", "--duration", "2s", "--report-json", report,
                        "--", "/bin/sh", "-c", "sleep 600; touch " + marker});
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(exists(report));
  EXPECT_FALSE(exists(marker));
  unlink(report.c_str());
}

TEST(CliAttach, AttachesToARunningProcess) {
  pid_t child = fork();
  if (child == 0) {
    execl(target_path("linear_heap").c_str(), "linear_heap", "60", "512", nullptr);
    _exit(127);
  }
  std::string report = temp_path("attach.json");
  auto r = run_memlens({"attach", "--interval", "100ms", "--window", "4s", "--duration", "3s",
                        "--report-json", report, std::to_string(child)});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(kill(child, 0), 0) << "attach must not stop the process";
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  auto j = read_report(report);
  ASSERT_TRUE(j);
  EXPECT_EQ((*j)["summary"]["pid"].get<int>(), child);
  EXPECT_NE((*j)["summary"]["command"].get<std::string>().find("linear_heap"), std::string::npos);
  unlink(report.c_str());
}

TEST(CliReport, RendersASavedReportAndReEmitsJson) {
  std::string report = temp_path("render.json");
  auto run = run_memlens({"run", "--interval", "100ms", "--duration", "2s", "--report-json", report,
                          "--", target_path("steady"), "60", "4"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto r = run_memlens({"report", report});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Growth patterns"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("steady"), std::string::npos) << r.out;
  auto js = run_memlens({"report", "--json", report});
  EXPECT_EQ(js.exit_code, 0);
  auto again = nlohmann::json::parse(js.out, nullptr, false);
  ASSERT_FALSE(again.is_discarded()) << js.out;
  EXPECT_EQ(again["summary"], read_report(report)->at("summary"));
  std::ofstream(report) << R"({"summary": 5})";
  auto bad = run_memlens({"report", report});
  EXPECT_EQ(bad.exit_code, 2);
  expect_one_line_error(bad, "summary");
  unlink(report.c_str());
  auto missing = run_memlens({"report", report});
  EXPECT_EQ(missing.exit_code, 2);
}

TEST(CliDemo, LeaksHeapDescriptorsAndMmapVisibly) {
  std::string report = temp_path("demo.json");
  auto r = run_memlens({"demo", "--interval", "200ms", "--window", "8s", "--full-interval", "500ms",
                        "--duration", "10s", "--fd-rate", "10", "--serve", "127.0.0.1:0",
                        "--report-json", report});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("leaks"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("dashboard: http://127.0.0.1:"), std::string::npos) << r.err;
  std::string why;
  EXPECT_TRUE(validate_report_file(report, &why)) << why;
  auto j = read_report(report);
  ASSERT_TRUE(j);
  bool file_handle = false;
  for (const auto& l : (*j)["leaks"]) file_handle |= l["type"] == "file_handle";
  EXPECT_TRUE(file_handle) << (*j)["leaks"].dump(1);
  unlink(report.c_str());
}

TEST(CliHelp, EverySubcommandExplainsItsOptions) {
  for (const char* sub : {"run", "attach", "report", "demo"}) {
    auto r = run_memlens({sub, "--help"});
    EXPECT_EQ(r.exit_code, 0) << sub;
    EXPECT_NE(r.out.find("--"), std::string::npos) << sub;
  }
  auto r = run_memlens({"run", "--help"});
  for (const char* want : {"--interval", "default: 5s", "--duration", "--report-json", "--serve",
                           "--storage", "--config", "--preset", "--no-agent", "--sample-bytes",
                           "--token", "--window", "--full-interval"})
    EXPECT_NE(r.out.find(want), std::string::npos) << want << "\n" << r.out;
}

}  // namespace
}  // namespace memlens::testing
