#include "cli/cmd_sessions.h"

#include <sys/stat.h>

#include <cctype>
#include <cstdio>
#include <ctime>
#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/duration.h"
#include "cli/exit_codes.h"
#include "cli/monitor_session.h"
#include "cli/summary_table.h"
#include "monitor/session_replay.h"
#include "storage/session_store.h"

namespace memlens::cli {
namespace {

std::string format_time(int64_t ms) {
  std::time_t t = ms / 1000;
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

// T: epoch ms (12+ digits) or a DUR from the session's start.
base::Result<int64_t> parse_time(const std::string& text, int64_t session_start) {
  bool digits = !text.empty();
  for (char c : text) digits = digits && std::isdigit(static_cast<unsigned char>(c));
  if (digits && text.size() >= 12) return static_cast<int64_t>(std::stoll(text));
  auto d = base::parse_duration(text);
  if (!d) {
    return base::Error{
        fmt::format("bad time '{}': expected ms since the epoch or a duration "
                    "from the session's start (e.g. 5m)",
                    text)};
  }
  return session_start + d->count();
}

struct Selected {
  std::unique_ptr<storage::SessionStore> store;
  storage::SessionInfo info;
  monitor::ReplayRange range;
};

base::Result<Selected> select(const std::string& path, const StoreReportOptions& o) {
  auto store = storage::SessionStore::open_existing(path);
  if (!store) return store.error();
  Selected out;
  out.store = std::move(*store);
  if (o.session) {
    auto info = out.store->session(*o.session);
    if (!info) return info.error();
    out.info = *info;
  } else {
    auto list = out.store->sessions();
    if (!list) return list.error();
    if (list->empty()) return base::Error{fmt::format("{} holds no sessions", out.store->path())};
    out.info = list->back();
  }
  if (!o.from.empty()) {
    auto t = parse_time(o.from, out.info.started_at);
    if (!t) return t.error();
    out.range.from_ms = *t;
  }
  if (!o.to.empty()) {
    auto t = parse_time(o.to, out.info.started_at);
    if (!t) return t.error();
    out.range.to_ms = *t;
  }
  if (out.range.from_ms > out.range.to_ms) return base::Error{"--from is later than --to"};
  return out;
}

}  // namespace

CLI::App* add_sessions_command(CLI::App& app, SessionsArgs& args) {
  CLI::App* sub = app.add_subcommand("sessions", "List the sessions recorded in a store");
  sub->add_option("store", args.store, "storage directory or .db file (default ./memory-analysis)");
  sub->add_flag("--json", args.json, "print the list as JSON");
  return sub;
}

int sessions_command(const SessionsArgs& args) {
  auto store = storage::SessionStore::open_existing(args.store);
  if (!store) return fail(kExitUsage, store.error().message);
  auto list = (*store)->sessions();
  if (!list) return fail(kExitFailed, list.error().message);
  if (args.json) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& s : *list)
      arr.push_back({{"id", s.id},
                     {"pid", s.pid},
                     {"command", s.command},
                     {"startedAt", s.started_at},
                     {"endedAt", s.ended_at ? nlohmann::json(s.ended_at) : nlohmann::json()},
                     {"durationMs", s.duration_ms()},
                     {"intervalMs", s.interval_ms},
                     {"agent", s.agent},
                     {"snapshots", s.snapshot_count},
                     {"leaks", s.leak_count},
                     {"alerts", s.alert_count}});
    std::printf("%s\n", arr.dump(2).c_str());
    return kExitOk;
  }
  if (list->empty()) {
    std::printf("no sessions in %s\n", (*store)->path().c_str());
    return kExitOk;
  }
  std::printf("%4s  %7s  %-19s  %9s  %9s  %5s  %s\n", "ID", "PID", "STARTED (UTC)", "DURATION",
              "SNAPSHOTS", "LEAKS", "COMMAND");
  for (const auto& s : *list) {
    std::string duration =
        base::format_duration(std::chrono::milliseconds(s.duration_ms() / 1000 * 1000));
    if (!s.ended_at) duration += "*";
    std::string command = s.command.size() > 60 ? s.command.substr(0, 57) + "..." : s.command;
    std::printf("%4lld  %7d  %-19s  %9s  %9lld  %5lld  %s\n", static_cast<long long>(s.id), s.pid,
                format_time(s.started_at).c_str(), duration.c_str(),
                static_cast<long long>(s.snapshot_count), static_cast<long long>(s.leak_count),
                command.c_str());
  }
  bool open_ended = false;
  for (const auto& s : *list) open_ended = open_ended || !s.ended_at;
  if (open_ended)
    std::printf("* still recording, or the recorder was killed: up to the last snapshot\n");
  return kExitOk;
}

CLI::App* add_export_command(CLI::App& app, ExportArgs& args) {
  CLI::App* sub = app.add_subcommand("export", "Write one recorded session as JSON");
  sub->add_option("store", args.store, "storage directory or .db file (default ./memory-analysis)");
  sub->add_option("--session", args.select.session, "session id (default: the newest)");
  sub->add_option("--from", args.select.from, "start: ms since epoch, or DUR from session start");
  sub->add_option("--to", args.select.to, "end: ms since epoch, or DUR from session start");
  sub->add_option("-o,--output", args.output, "file to write (default: stdout)");
  return sub;
}

int export_command(const ExportArgs& args) {
  auto sel = select(args.store, args.select);
  if (!sel) return fail(kExitUsage, sel.error().message);
  auto text = sel->store->export_json(sel->info.id, sel->range.from_ms, sel->range.to_ms);
  if (!text) return fail(kExitFailed, text.error().message);
  if (args.output.empty()) {
    std::printf("%s\n", text->c_str());
    return kExitOk;
  }
  std::ofstream out(args.output, std::ios::trunc);
  out << *text << "\n";
  if (!out.flush()) return fail(kExitFailed, fmt::format("cannot write '{}'", args.output));
  note(fmt::format("session {} exported to {}", sel->info.id, args.output));
  return kExitOk;
}

void add_store_report_options(CLI::App& report, StoreReportOptions& o) {
  report.add_option("--session", o.session, "with a store: session id (default: the newest)");
  report.add_option("--from", o.from, "with a store: start, ms since epoch or DUR from start");
  report.add_option("--to", o.to, "with a store: end, ms since epoch or DUR from start");
}

bool is_store_path(const std::string& input) {
  struct stat st {};
  if (::stat(input.c_str(), &st) != 0) return false;
  if (S_ISDIR(st.st_mode)) return true;
  std::ifstream in(input, std::ios::binary);
  char header[16] = {};
  in.read(header, sizeof header);
  return in.gcount() == 16 && std::string(header, 16) == std::string("SQLite format 3\0", 16);
}

base::Result<Report> report_from_store(const std::string& store, const StoreReportOptions& o) {
  auto sel = select(store, o);
  if (!sel) return sel.error();
  return monitor::replay_session(*sel->store, sel->info.id, sel->range);
}

}  // namespace memlens::cli

namespace memlens::cli {

base::Result<SessionOutputs> start_session_outputs(ProcessMemoryAnalyzer& analyzer,
                                                   const Config& config, const std::string& webhook,
                                                   const std::string& on_alert, bool quiet) {
  SessionOutputs out;
  out.sinks = std::make_unique<monitor::AlertSinks>();
  if (!webhook.empty()) {
    monitor::WebhookOptions w;
    w.url = webhook;
    w.ca_file = config.webhook_ca_file;
    auto sink = monitor::WebhookSink::create(w);
    if (!sink) return sink.error();
    out.sinks->add(std::move(*sink));
  }
  if (!on_alert.empty()) {
    monitor::CommandOptions c;
    c.command = on_alert;
    out.sinks->add(std::make_unique<monitor::CommandSink>(c));
  }
  if (!out.sinks->empty()) out.sinks->attach(analyzer);
  out.recorder = monitor::SessionRecorder::start(
      analyzer, monitor::SessionRecorder::options_for(config, [](const std::string& line) {
        note(line);  // storage notices are one line each and rare: always shown
      }));
  if (!quiet) note(fmt::format("recording to {}", out.recorder->status().path));
  return out;
}

void SessionOutputs::finish() {
  if (recorder) recorder->stop();
  if (sinks) {
    for (const auto& s : sinks->sinks()) {
      if (!s->drain(std::chrono::seconds(5)))
        note(fmt::format("{}: alerts still queued at exit were not sent", s->describe()));
      monitor::SinkStats st = s->stats();
      if (st.failed > 0)
        note(fmt::format("{}: {} of {} alerts failed ({})", s->describe(), st.failed, st.queued,
                         st.last_error));
    }
  }
}

}  // namespace memlens::cli
