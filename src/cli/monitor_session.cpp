#include "cli/monitor_session.h"

#include "cli/serve_setup.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <thread>

#include <fmt/format.h>

#include "base/clock.h"
#include "base/duration.h"
#include "cli/cmd_sessions.h"
#include "cli/exit_codes.h"
#include "cli/status_line.h"
#include "cli/summary_table.h"
#include "memlens/json.h"
#include "monitor/store_archive.h"

namespace memlens::cli {
namespace {

using Clock = std::chrono::steady_clock;

sigset_t stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  return set;
}

base::Status write_report(const std::string& path, const Report& report) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out)
      return base::Error{fmt::format("cannot write report '{}': {}", path, std::strerror(errno)),
                         errno};
    out << to_json(report).dump(2) << "\n";
    if (!out.flush())
      return base::Error{fmt::format("cannot write report '{}': write failed", path), EIO};
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return base::Error{fmt::format("cannot write report '{}': {}", path, std::strerror(errno)),
                       errno};
  }
  return {};
}

// A report for a command that ended before memlens could take a single sample.
Report empty_report(const SessionSpec& spec) {
  Report r;
  r.summary.pid = spec.target.pid;
  r.summary.command = spec.target.command;
  r.summary.started_at = base::wall_ms();
  r.generated_at = r.summary.started_at;
  return r;
}

int finish(const SessionSpec& spec, const Report& report, bool print_summary) {
  int status = kExitOk;
  if (!spec.options.report_json.empty()) {
    if (auto s = write_report(spec.options.report_json, report); !s)
      status = fail(kExitFailed, s.error().message);
    else if (!spec.options.quiet)
      note(fmt::format("report written to {}", spec.options.report_json));
  }
  if (print_summary) {
    std::fputs(render_summary(report).c_str(), stdout);
    std::fflush(stdout);
  }
  // DESIGN.md: the report first, then SIGTERM, then SIGKILL after 2 s.
  if (spec.child) spec.child->terminate(std::chrono::seconds(2));
  return status;
}

}  // namespace

void block_stop_signals() {
  sigset_t set = stop_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int fail(int status, const std::string& message) {
  std::fprintf(stderr, "memlens: error: %s\n", message.c_str());
  return status;
}

void note(const std::string& message) {
  std::fprintf(stderr, "memlens: %s\n", message.c_str());
}

int run_monitor_session(const SessionSpec& spec) {
  const MonitorOptions& o = spec.options;
  // A launched command that ends at once may still be a zombie when /proc says it is gone:
  // give the launcher a moment to reap it before calling that an attach failure.
  auto child_ended = [&spec] {
    if (!spec.child) return false;
    for (int i = 0; i < 100 && spec.child->running(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return !spec.child->running();
  };
  auto created = ProcessMemoryAnalyzer::create(spec.config, spec.target);
  if (!created) {
    // A launched command that has already ended is not an error: report what was seen (nothing).
    if (created.error().code == ESRCH && child_ended()) {
      if (!o.quiet)
        note(fmt::format("the command {} before the first sample", spec.child->describe_exit()));
      return finish(spec, empty_report(spec), true);
    }
    if (spec.child) spec.child->terminate(std::chrono::milliseconds(0));
    return fail(kExitTarget, created.error().message);
  }
  auto& analyzer = **created;
  // Store and alert sinks subscribe before sampling starts, so they see every sample.
  auto outputs = start_session_outputs(analyzer, spec.config, o.webhook, o.on_alert, o.quiet);
  if (!outputs) {
    if (spec.child) spec.child->terminate(std::chrono::milliseconds(0));
    return fail(kExitUsage, outputs.error().message);
  }
  if (auto s = analyzer.start(); !s) {
    outputs->finish();
    if (s.error().code == ESRCH && child_ended()) {
      if (!o.quiet) note(fmt::format("the command {}", spec.child->describe_exit()));
      return finish(spec, analyzer.report(), true);
    }
    return fail(kExitTarget, s.error().message);
  }

  if (spec.target.use_agent && !o.quiet && !analyzer.status().agent_note.empty())
    note(analyzer.status().agent_note);
  // The store this run records into, for the dashboard's session picker; its live session is
  // the recorder's (0 until the store was first reachable).
  monitor::SessionRecorder* recorder = outputs->recorder.get();
  monitor::StoreArchive archive(recorder->status().path,
                                [recorder] { return recorder->status().session_id; });
  // Declared after the analyzer and the archive, so it stops first and never serves either
  // stopped.
  auto http = start_serving(analyzer, o, spec.config, &archive);
  if (!http) {
    analyzer.stop();
    if (spec.child) spec.child->terminate(std::chrono::milliseconds(0));
    return fail(kExitUsage, http.error().message);
  }
  if (*http) note(fmt::format("dashboard: {}", (*http)->url()));
  if (!o.quiet)
    note(fmt::format(
        "monitoring pid {} ({}) every {}, growth window {}{}", spec.target.pid,
        analyzer.status().command,
        base::format_duration(std::chrono::milliseconds(spec.config.sampling_interval_ms)),
        base::format_duration(std::chrono::milliseconds(spec.config.growth_detection_window_ms)),
        spec.duration_ms ? fmt::format(", for {}", base::format_duration(
                                                       std::chrono::milliseconds(spec.duration_ms)))
                         : ", Ctrl-C to stop"));

  StatusLine line(!o.quiet && isatty(STDERR_FILENO));
  const auto deadline = spec.duration_ms
                            ? Clock::now() + std::chrono::milliseconds(spec.duration_ms)
                            : Clock::time_point::max();
  const sigset_t signals = stop_signals();
  std::string ended;
  for (;;) {
    if (spec.child && !spec.child->running()) {
      ended = fmt::format("the command {}", spec.child->describe_exit());
      break;
    }
    if (analyzer.target_exited()) {
      ended = fmt::format("process {} exited", spec.target.pid);
      break;
    }
    auto now = Clock::now();
    if (now >= deadline) break;
    auto wait = std::min<Clock::duration>(std::chrono::milliseconds(250), deadline - now);
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(wait).count();
    timespec ts{static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
    int sig = sigtimedwait(&signals, nullptr, &ts);
    if (sig > 0) {
      ended = fmt::format("stopping on {}",
                          sigabbrev_np(sig) ? fmt::format("SIG{}", sigabbrev_np(sig)) : "signal");
      // Ctrl-C reached only memlens (the child has its own process group): pass it on.
      if (spec.child) spec.child->signal(sig == SIGINT ? SIGINT : SIGTERM);
      break;
    }
    if (line.enabled())
      line.draw(StatusLine::format(analyzer.status(), analyzer.growth_patterns()));
  }
  line.clear();
  if (*http) (*http)->stop();
  analyzer.stop();
  outputs->finish();
  if (!o.quiet && !ended.empty()) note(ended);
  return finish(spec, analyzer.report(), true);
}

}  // namespace memlens::cli
