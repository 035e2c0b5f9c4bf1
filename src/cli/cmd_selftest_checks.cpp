// The eight selftest categories. Workload categories each launch `memlens demo-workload` with
// known leak rates and watch it with a ProcessMemoryAnalyzer; they run concurrently. The
// integration and performance categories then run in this process.
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "base/clock.h"
#include "cli/agent_setup.h"
#include "cli/cmd_selftest.h"
#include "cli/process_launcher.h"
#include "memlens/analyzer.h"
#include "memlens/json.h"
#include "monitor/alert_sinks.h"
#include "monitor/session_recorder.h"
#include "storage/session_store.h"

namespace memlens::cli {
namespace {

constexpr double kMB = 1048576.0;

std::string self_exe() {
  char buf[4096];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "/proc/self/exe";
}

Config test_config(double seconds) {
  Config c;
  c.sampling_interval_ms = 200;
  c.full_pass_interval_ms = 400;  // descriptor kinds come from full passes: enough points
  c.growth_detection_window_ms = static_cast<int64_t>(seconds * 1000) + 2000;
  c.buffer_leak_age_threshold_ms = 1000;
  c.leak_detection_threshold_mb = 1;
  c.storage_directory = "/nonexistent";  // the workload runs record nothing
  return c;
}

// One workload child watched by an analyzer until it ends (it exits after `seconds`).
struct Run {
  std::string error;  // empty when the run happened
  bool agent = false;
  std::string agent_note;
  std::vector<Snapshot> snapshots;
  Report report;
  RssVsHeapTrend trend;
};

Run watch_workload(double heap_kbps, double fds_ps, double mmap_kbps, double seconds,
                   bool want_agent) {
  Run run;
  Config cfg = test_config(seconds);
  MonitorOptions mo;
  mo.no_agent = !want_agent;
  AgentSetup agent = agent_setup(mo, cfg);
  run.agent_note = agent.note;
  auto child = ChildProcess::launch(
      {self_exe(), "demo-workload", "--heap-rate", fmt::format("{}", heap_kbps), "--fd-rate",
       fmt::format("{}", fds_ps), "--mmap-rate", fmt::format("{}", mmap_kbps), "--seconds",
       fmt::format("{}", seconds)},
      agent.env);
  if (!child) {
    run.error = "cannot start the workload: " + child.error().message;
    return run;
  }
  Target target{child->pid(), "memlens demo-workload", agent.enabled};
  auto analyzer = ProcessMemoryAnalyzer::create(cfg, target);
  if (!analyzer) {
    run.error = "cannot watch the workload: " + analyzer.error().message;
    child->terminate(std::chrono::milliseconds(0));
    return run;
  }
  (void)(*analyzer)->start();
  // Until the workload exits on its own (plus a margin for a loaded machine).
  const int64_t deadline = base::wall_ms() + static_cast<int64_t>(seconds * 1000) + 60'000;
  while (child->running() && base::wall_ms() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  (*analyzer)->stop();
  child->terminate(std::chrono::milliseconds(500));
  run.agent = (*analyzer)->status().agent_connected || !(*analyzer)->sites().empty();
  run.snapshots = (*analyzer)->snapshots();
  run.report = (*analyzer)->report();
  run.trend = (*analyzer)->trend(20);
  return run;
}

const GrowthPattern* pattern(const Report& r, const std::string& metric) {
  for (const auto& p : r.growth_patterns)
    if (p.metric == metric) return &p;
  return nullptr;
}

double delta_mb(const std::vector<Snapshot>& s, uint64_t Snapshot::*field) {
  if (s.size() < 2) return 0;
  return (static_cast<double>(s.back().*field) - static_cast<double>(s.front().*field)) / kMB;
}

SelftestResult failed_run(std::string name, const Run& r) {
  return {std::move(name), false, r.error, "check that memlens may read /proc of its children"};
}

SelftestResult basic(const Run& r, double seconds) {
  if (!r.error.empty()) return failed_run("Basic Memory Monitoring", r);
  double expected = 2.0 * seconds;  // 2048 KB/s
  double rss = delta_mb(r.snapshots, &Snapshot::rss);
  double heap = delta_mb(r.snapshots, &Snapshot::heap_used);
  bool ok = r.snapshots.size() >= 5 && rss >= 0.5 * expected;
  return {"Basic Memory Monitoring", ok,
          fmt::format("RSS grew {:.1f}MB, Heap grew {:.1f}MB over {} snapshots (workload leaked "
                      "{:.1f}MB)",
                      rss, heap, r.snapshots.size(), expected),
          ok ? "" : "RSS growth was not seen: is /proc/PID/status readable?"};
}

SelftestResult divergence(const Run& r) {
  if (!r.error.empty()) return failed_run("RSS vs Heap Divergence Detection", r);
  double external = delta_mb(r.snapshots, &Snapshot::external);
  double heap = delta_mb(r.snapshots, &Snapshot::heap_used);
  bool ok = external >= 3 && r.trend.divergence_trend == Trend::kIncreasing;
  return {"RSS vs Heap Divergence Detection", ok,
          fmt::format("Detected {:.1f}MB divergence ({}), {:.1f}MB external growth, heap {:+.1f}MB",
                      r.trend.divergence_mb, to_string(r.trend.divergence_trend), external, heap),
          ok ? "" : "mmap growth did not show as external memory divergence"};
}

SelftestResult patterns(const Run& leaking, const Run& steady) {
  if (!leaking.error.empty())
    return failed_run("External Memory Growth Pattern Detection", leaking);
  if (!steady.error.empty()) return failed_run("External Memory Growth Pattern Detection", steady);
  const GrowthPattern* grow = pattern(leaking.report, "rss");
  const GrowthPattern* flat = pattern(steady.report, "rss");
  bool grow_ok = grow && (grow->type == PatternType::kLinear || grow->type == PatternType::kLeak);
  bool flat_ok = flat && flat->type == PatternType::kStable;
  auto show = [](const GrowthPattern* p) {
    return p ? fmt::format("{} ({:.0f}% confidence, {:.1f}KB/s)", to_string(p->type),
                           p->confidence * 100, p->growth_rate * 1024)
             : std::string("none");
  };
  return {"External Memory Growth Pattern Detection", grow_ok && flat_ok,
          fmt::format("leaking workload: {}; steady workload: {}", show(grow), show(flat)),
          grow_ok && flat_ok ? "" : "the growth classifier misread a known workload"};
}

SelftestResult modules(const Run& r) {
  if (!r.error.empty()) return failed_run("Native Module Attribution", r);
  std::vector<std::string> names;
  bool libc = false;
  for (const auto& m : r.report.native_modules) {
    if (m.estimated_memory_mb <= 0) continue;
    libc = libc || m.module_name.find("libc.so") != std::string::npos;
    if (names.size() < 3)
      names.push_back(fmt::format("{} {:.1f}MB", m.module_name, m.estimated_memory_mb));
  }
  bool ok = names.size() >= 2 && libc;
  if (!ok && !r.agent) {
    return {"Native Module Attribution", false,
            "not measured: module attribution needs the allocation tracking agent, which was not "
            "active in the workload" +
                (r.agent_note.empty() ? "" : " (" + r.agent_note + ")"),
            "build and install libmemlens-agent.so so memlens run can preload it"};
  }
  return {"Native Module Attribution", ok,
          fmt::format("{} modules successfully attributed ({}){}", r.report.native_modules.size(),
                      fmt::join(names, ", "), r.agent ? "" : "; mapped RSS only (no agent)"),
          ok ? "" : "no module memory found: is /proc/PID/smaps readable?"};
}

SelftestResult buffers(const Run& r) {
  if (!r.error.empty()) return failed_run("Buffer Leak Detection", r);
  if (!r.agent) {
    return {"Buffer Leak Detection", false,
            "not measured: buffer leaks need the allocation tracking agent, which was not "
            "active in the workload" +
                (r.agent_note.empty() ? "" : " (" + r.agent_note + ")"),
            "build and install libmemlens-agent.so (issue 3) so memlens run can preload it"};
  }
  size_t leaks = 0;
  double mb = 0;
  for (const auto& b : r.report.buffer_leaks)
    if (b.is_leak) ++leaks, mb += b.size / kMB;
  bool ok = leaks >= 1;
  return {"Buffer Leak Detection", ok,
          fmt::format("Detected {} buffer leaks, {:.1f}MB live in leaking sites", leaks, mb),
          ok ? "" : "the agent saw the allocations but no site was classified as a leak"};
}

SelftestResult reporting(const Run& fds, const Run& heap) {
  if (!fds.error.empty()) return failed_run("Automated Leak Reporting", fds);
  std::vector<std::string> kinds;
  bool file_handle = false;
  size_t count = 0;
  for (const Run* r : {&fds, &heap}) {
    for (const auto& l : r->report.leaks) {
      ++count;
      file_handle = file_handle || (l.type == LeakType::kFileHandle && !l.recommendation.empty());
      kinds.push_back(fmt::format("{} ({})", to_string(l.type), to_string(l.severity)));
    }
  }
  bool ok = file_handle && !heap.report.leaks.empty();
  return {
      "Automated Leak Reporting", ok,
      fmt::format("Generated {} leak reports: {}", count,
                  kinds.empty() ? std::string("none") : fmt::format("{}", fmt::join(kinds, ", "))),
      ok ? "" : "a known descriptor or heap leak was not reported"};
}

SelftestResult integration() {
  const int64_t t0 = base::wall_ms();
  std::string dir = fmt::format("/tmp/memlens-selftest-{}", getpid());
  std::filesystem::remove_all(dir);
  Config cfg;
  cfg.sampling_interval_ms = 100;
  cfg.alert_thresholds.rss_mb = 1;  // this process is over 1 MB: an alert at once
  cfg.storage_directory = dir + "/store";
  std::vector<std::string> checks, failures;
  auto analyzer = ProcessMemoryAnalyzer::create(cfg, Target::self());
  if (!analyzer) return {"Memory Analysis Integration", false, analyzer.error().message, ""};
  std::atomic<int> events{0};
  auto sub = (*analyzer)->events().snapshot.connect([&](const Snapshot&) { ++events; });
  monitor::AlertSinks sinks;
  monitor::CommandOptions co;
  co.command = "cat > " + dir + "/alert.json";
  std::filesystem::create_directories(dir);
  sinks.add(std::make_unique<monitor::CommandSink>(co));
  sinks.attach(**analyzer);
  auto recorder = monitor::SessionRecorder::start(
      **analyzer, monitor::SessionRecorder::options_for(cfg, [](const std::string&) {}));
  (void)(*analyzer)->start();
  while ((*analyzer)->status().snapshot_count < 10 && base::wall_ms() - t0 < 60'000)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  (*analyzer)->stop();
  recorder->stop();
  (events > 0 ? checks : failures).push_back(fmt::format("events ({})", events.load()));
  auto store = storage::SessionStore::open_existing(cfg.storage_directory);
  auto list =
      store ? (*store)->sessions() : base::Result<std::vector<storage::SessionInfo>>(store.error());
  bool stored = list && !list->empty() && list->back().snapshot_count > 0;
  (stored ? checks : failures)
      .push_back(
          fmt::format("session store ({} snapshots)", stored ? list->back().snapshot_count : 0));
  bool sent =
      sinks.sinks()[0]->drain(std::chrono::seconds(30)) && sinks.sinks()[0]->stats().delivered > 0;
  (sent ? checks : failures).push_back("alert sink");
  auto back = report_from_json(to_json((*analyzer)->report()));
  (back ? checks : failures).push_back("report JSON round trip");
  std::filesystem::remove_all(dir);
  bool ok = failures.empty();
  return {"Memory Analysis Integration", ok,
          ok ? fmt::format("All integration components available: {}; HTTP server not checked "
                           "here (see memlens demo --serve)",
                           fmt::join(checks, ", "))
             : fmt::format("failed: {}", fmt::join(failures, ", ")),
          ok ? "" : "see the failed components above", base::wall_ms() - t0};
}

SelftestResult performance() {
  const int64_t t0 = base::wall_ms();
  Config cfg;
  cfg.sampling_interval_ms = 50;
  auto before = ProcessMemoryAnalyzer::create(Config{}, Target::self());  // a probe for own RSS
  uint64_t rss_before = before ? (*before)->status().own_rss : 0;
  before = base::Error{};
  auto analyzer = ProcessMemoryAnalyzer::create(cfg, Target::self());
  if (!analyzer) return {"Performance and Resource Usage", false, analyzer.error().message, ""};
  (void)(*analyzer)->start();
  while ((*analyzer)->status().snapshot_count < 40 && base::wall_ms() - t0 < 60'000)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const int64_t f0 = base::mono_ns();
  (void)(*analyzer)->force_snapshot();
  const double full_ms = (base::mono_ns() - f0) / 1e6;
  AnalyzerStatus st = (*analyzer)->status();
  (*analyzer)->stop();
  const double avg_ms = st.avg_capture_us / 1000.0;
  const double overhead_mb = (static_cast<double>(st.own_rss) - rss_before) / kMB;
  bool ok = avg_ms < 10 && overhead_mb < 10;
  return {"Performance and Resource Usage", ok,
          fmt::format("{:.2f}ms avg capture time over {} snapshots, full pass {:.1f}ms, analyzer "
                      "overhead {:.1f}MB",
                      avg_ms, st.snapshot_count, full_ms, overhead_mb),
          ok ? "" : "capture slower than 10 ms or overhead above 10 MB on this machine",
          base::wall_ms() - t0};
}

}  // namespace

std::vector<SelftestResult> run_selftest_checks(double seconds) {
  const int64_t t0 = base::wall_ms();
  auto launch = [seconds](double heap, double fds, double mmap, bool agent) {
    return std::async(std::launch::async, watch_workload, heap, fds, mmap, seconds, agent);
  };
  auto heap_run = launch(2048, 0, 0, false);
  auto mmap_run = launch(0, 0, 2048, false);
  auto steady_run = launch(0, 0, 0, false);
  auto fd_run = launch(0, 20, 0, false);
  auto agent_run = launch(1024, 0, 0, true);
  Run heap = heap_run.get(), mm = mmap_run.get(), steady = steady_run.get(), fds = fd_run.get(),
      agent = agent_run.get();
  const int64_t workload_ms = base::wall_ms() - t0;

  std::vector<SelftestResult> out;
  out.push_back(basic(heap, seconds));
  out.push_back(divergence(mm));
  out.push_back(patterns(heap, steady));
  out.push_back(modules(agent.agent ? agent : heap));  // allocations are the agent's to count
  out.push_back(buffers(agent));
  out.push_back(reporting(fds, heap));
  for (auto& r : out) r.duration_ms = workload_ms;
  out.push_back(integration());
  out.push_back(performance());
  return out;
}

}  // namespace memlens::cli
