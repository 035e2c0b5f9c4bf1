// ProcessMemoryAnalyzer on its own process (mallinfo2 heap, malloc_trim) and on real children
// (a leaking one, one that exits mid-run), plus the creation errors. Waits poll for a
// condition with generous limits; nothing asserts on timing.
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <thread>
#include <vector>

#include "memlens/analyzer.h"

extern char** environ;

namespace memlens {
namespace {

using namespace std::chrono_literals;

Config fast_config() {
  Config c;
  c.sampling_interval_ms = 50;
  c.growth_detection_window_ms = 4000;
  c.full_pass_interval_ms = 500;
  c.reporting_interval_ms = 1000;
  return c;
}

bool poll_until(const std::function<bool()>& done, std::chrono::seconds limit = 60s) {
  auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (done()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return done();
}

pid_t spawn_target(const std::string& name, std::vector<std::string> args) {
  std::string path = std::string(MEMLENS_BINARY_DIR) + "/tests/targets/" + name;
  args.insert(args.begin(), path);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  if (posix_spawn(&pid, path.c_str(), nullptr, nullptr, argv.data(), environ) != 0) return -1;
  return pid;
}

struct Child {
  pid_t pid;
  ~Child() {
    if (pid > 0) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
  }
};

TEST(AnalyzerSelf, HeapComesFromMallinfoAndFollowsAllocations) {
  auto a = ProcessMemoryAnalyzer::create(fast_config(), Target::self());
  ASSERT_TRUE(a) << a.error().message;
  auto before = (*a)->force_snapshot();
  ASSERT_TRUE(before) << before.error().message;
  EXPECT_EQ(before->heap_source, HeapSource::kMallinfo);
  EXPECT_GT(before->rss, 0u);

  const size_t kBytes = 16 << 20;
  std::vector<char*> blocks;
  for (size_t i = 0; i < kBytes / 4096; ++i) {
    blocks.push_back(static_cast<char*>(std::malloc(4096)));
    std::memset(blocks.back(), 1, 4096);
  }
  auto after = (*a)->force_snapshot();
  ASSERT_TRUE(after);
  EXPECT_GE(after->heap_used, before->heap_used + kBytes);
  EXPECT_GE(after->rss, before->rss + kBytes / 2);
  for (char* b : blocks) std::free(b);

  GcResult gc = (*a)->force_gc();
  EXPECT_TRUE(gc.performed);
  EXPECT_GT(gc.rss_before, 0u);
  AnalyzerStatus st = (*a)->status();
  EXPECT_EQ(st.pid, getpid());
  EXPECT_GT(st.own_rss, 0u);
  EXPECT_GE(st.snapshot_count, 3u);  // create's first sample + two forced
}

TEST(AnalyzerSelf, SamplesOnItsThreadEmitsSnapshotsAndStopsCleanly) {
  auto a = ProcessMemoryAnalyzer::create(fast_config(), Target::self());
  ASSERT_TRUE(a) << a.error().message;
  std::atomic<int> seen{0};
  auto sub = (*a)->events().snapshot.connect([&](const Snapshot&) { ++seen; });
  ASSERT_TRUE((*a)->start());
  ASSERT_TRUE((*a)->start());  // idempotent
  EXPECT_TRUE(poll_until([&] { return seen >= 10; }));
  EXPECT_TRUE((*a)->status().running);
  (*a)->stop();
  EXPECT_FALSE((*a)->status().running);
  size_t n = (*a)->snapshots().size();
  EXPECT_GE(n, 11u);
  EXPECT_GT((*a)->status().avg_capture_us, 0);
  // Data stays after stop; the limit returns the newest, oldest first.
  auto last3 = (*a)->snapshots(0, 3);
  ASSERT_EQ(last3.size(), 3u);
  EXPECT_LE(last3[0].timestamp, last3[2].timestamp);
  Report r = (*a)->report();
  EXPECT_EQ(r.summary.pid, getpid());
  EXPECT_EQ(r.summary.total_snapshots, n);
  (*a)->reset();
  EXPECT_EQ((*a)->snapshots().size(), 0u);
}

TEST(AnalyzerSelf, RaisesAThresholdAlertOnceAndThresholdsAreSettable) {
  auto a = ProcessMemoryAnalyzer::create(fast_config(), Target::self());
  ASSERT_TRUE(a);
  AlertThresholds t = (*a)->thresholds();
  t.rss_mb = 0.5;  // any process is above: warning (or critical) at once
  ASSERT_TRUE((*a)->set_thresholds(t));
  AlertThresholds bad = t;
  bad.external_ratio = -1;
  EXPECT_FALSE((*a)->set_thresholds(bad));
  std::atomic<int> rss_alerts{0};
  auto sub = (*a)->events().threshold_alert.connect([&](const Alert& al) {
    if (al.type == "rssMB" && al.active) ++rss_alerts;
  });
  ASSERT_TRUE((*a)->start());
  EXPECT_TRUE(poll_until([&] { return (*a)->snapshots().size() >= 20; }));
  (*a)->stop();
  EXPECT_EQ(rss_alerts.load(), 1);
  bool active_rss = false;
  for (const Alert& al : (*a)->status().active_alerts) active_rss |= al.type == "rssMB";
  EXPECT_TRUE(active_rss);
}

TEST(AnalyzerChild, TargetThatExitsStopsSamplingAndKeepsTheData) {
  Child child{spawn_target("steady", {"3", "4"})};
  ASSERT_GT(child.pid, 0);
  Target target = Target::process(child.pid);
  target.use_agent = false;  // no agent in it: do not wait for one
  auto a = ProcessMemoryAnalyzer::create(fast_config(), target);
  ASSERT_TRUE(a) << a.error().message;
  ASSERT_TRUE((*a)->start());
  EXPECT_TRUE(poll_until([&] { return (*a)->target_exited(); }));
  EXPECT_TRUE(poll_until([&] { return !(*a)->status().running; }));
  AnalyzerStatus st = (*a)->status();
  EXPECT_FALSE(st.target_alive);
  EXPECT_GE(st.snapshot_count, 2u);
  EXPECT_GT(st.latest->rss, 0u);
  EXPECT_FALSE((*a)->force_snapshot());
  EXPECT_FALSE((*a)->start());
  EXPECT_EQ((*a)->report().summary.total_snapshots, st.snapshot_count);
  GcResult gc = (*a)->force_gc();  // no agent in the child: nothing done, and it says why
  EXPECT_FALSE(gc.performed);
  EXPECT_FALSE(gc.message.empty());
  (*a)->stop();
}

TEST(AnalyzerChild, SeesAChildsHeapGrow) {
  Child child{spawn_target("linear_heap", {"30", "4096"})};
  ASSERT_GT(child.pid, 0);
  Target target = Target::process(child.pid);
  target.agent_timeout_ms = 100;  // none there: the analyzer goes on without
  auto a = ProcessMemoryAnalyzer::create(fast_config(), target);
  ASSERT_TRUE(a) << a.error().message;
  uint64_t first = (*a)->snapshots().front().rss;
  ASSERT_TRUE((*a)->start());
  // 4 MB/s: RSS must pass first + 8 MB well within the limit.
  EXPECT_TRUE(poll_until([&] {
    auto s = (*a)->status().latest;
    return s && s->rss > first + (8u << 20);
  }));
  (*a)->stop();
  EXPECT_EQ((*a)->snapshots().back().heap_source, HeapSource::kEstimate);
  EXPECT_FALSE((*a)->status().agent_connected);
  EXPECT_FALSE((*a)->status().agent_note.empty());
}

TEST(AnalyzerCreate, UnknownPidIsAOneLineErrorWithEsrch) {
  pid_t pid = fork();
  if (pid == 0) _exit(0);
  waitpid(pid, nullptr, 0);  // reaped: the PID is free now
  auto a = ProcessMemoryAnalyzer::create(Config{}, Target::process(pid));
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().code, ESRCH);
  EXPECT_NE(a.error().message.find(std::to_string(pid)), std::string::npos);
  EXPECT_EQ(a.error().message.find('\n'), std::string::npos);
}

TEST(AnalyzerCreate, InvalidConfigIsRejected) {
  Config c;
  c.sampling_interval_ms = 0;
  EXPECT_FALSE(ProcessMemoryAnalyzer::create(c, Target::self()));
}

TEST(AnalyzerCreate, AProcessWeMayNotReadIsAPermissionError) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to drop to another user";
  pid_t pid = fork();
  if (pid == 0) {
    // As nobody, watch a root process (the test itself): smaps and fd are not readable.
    if (setgid(65534) != 0 || setuid(65534) != 0) _exit(2);
    auto a = ProcessMemoryAnalyzer::create(Config{}, Target::process(getppid()));
    if (a) _exit(3);
    bool one_line = a.error().message.find('\n') == std::string::npos;
    _exit((a.error().code == EACCES || a.error().code == EPERM) && one_line ? 0 : 4);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace memlens
