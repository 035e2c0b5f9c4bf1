// The offline side of the session store: `memlens sessions STORE` (list recorded sessions),
// `memlens export STORE [--session ID]` (one session as JSON), and the store branch of
// `memlens report STORE [--session ID] [--from T --to T]` (re-analyse a recorded session into
// the report JSON / summary table; `report FILE.json` stays report_command's own). STORE is a
// storage directory or its memlens.db file.
//
// T is either milliseconds since the epoch (12+ digits) or a duration (DUR, e.g. "5m") from
// the session's start. All run on the main thread; they only read the store, so they work
// while a `memlens run` is recording into the same file.
//
//   StoreReportOptions o{.session = 3, .from = "10m"};
//   auto r = report_from_store("./memory-analysis", o);
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "base/result.h"
#include "memlens/analyzer.h"
#include "memlens/report.h"
#include "monitor/alert_sinks.h"
#include "monitor/session_recorder.h"

namespace memlens::cli {

struct SessionsArgs {
  std::string store = "./memory-analysis";
  bool json = false;
};
CLI::App* add_sessions_command(CLI::App& app, SessionsArgs& args);
int sessions_command(const SessionsArgs& args);

struct StoreReportOptions {
  std::optional<int64_t> session;  // default: the newest session
  std::string from, to;            // T (see above); empty: the whole session
};

struct ExportArgs {
  std::string store = "./memory-analysis";
  StoreReportOptions select;
  std::string output;  // empty: stdout
};
CLI::App* add_export_command(CLI::App& app, ExportArgs& args);
int export_command(const ExportArgs& args);

// For report_command: adds --session, --from, --to to its subcommand.
void add_store_report_options(CLI::App& report, StoreReportOptions& o);
// True when `input` is a directory or a SQLite file (by its header), i.e. a store.
bool is_store_path(const std::string& input);
base::Result<Report> report_from_store(const std::string& store, const StoreReportOptions& o);

// The recording side, for run/attach/demo: the session goes to the store under
// config.storage_directory (--storage) and alerts to --webhook / --on-alert. Start it before
// analyzer.start() and finish() it after analyzer.stop().
struct SessionOutputs {
  std::unique_ptr<monitor::SessionRecorder> recorder;
  std::unique_ptr<monitor::AlertSinks> sinks;
  // Final flush of the store (report, end time) and up to 5 s for queued alerts to go out.
  void finish();
};
// Fails (one line, a usage error) only on a malformed --webhook URL.
base::Result<SessionOutputs> start_session_outputs(ProcessMemoryAnalyzer& analyzer,
                                                   const Config& config, const std::string& webhook,
                                                   const std::string& on_alert, bool quiet);

}  // namespace memlens::cli
