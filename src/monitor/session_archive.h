// SessionArchive: the monitor's read-only view of recorded sessions, for the server's
// /api/memory-analysis/sessions routes and `memlens serve STORE`. It lists the sessions a store
// holds and re-analyses one of them into the same Report (and snapshot series, alerts, export
// document) a live analyzer gives, so the server needs to know neither SQLite nor the store's
// layout. StoreArchive (store_archive.h) is the implementation over a SessionStore file.
//
// Errors carry an ArchiveErrc in base::Error::code so a caller can tell "no such session" (404)
// from "the store cannot be read" (503) without parsing messages.
//
// Ownership: implementations own whatever connections they open. Thread-safety: every method
// may be called from several threads at once (the server's worker pool).
//
//   auto list = archive.sessions();                     // newest first
//   auto report = archive.report(list->front().id, {});  // Report, as GET /analysis
//   if (!report && report.error().code == int(monitor::ArchiveErrc::kNotFound)) ... 404
#pragma once

#include <climits>
#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"
#include "memlens/events.h"
#include "memlens/report.h"
#include "memlens/site.h"
#include "memlens/snapshot.h"

namespace memlens::monitor {

enum class ArchiveErrc : int {
  kUnavailable = 1,  // the store cannot be opened or read
  kNotFound = 2,     // no session with that id
  kNoData = 3,       // the session exists but has no snapshots in the range
};

struct ArchivedSession {
  int64_t id = 0;
  int pid = 0;
  std::string command;
  int64_t started_at = 0;   // ms since epoch
  int64_t ended_at = 0;     // 0: still recording, or the recorder was killed
  int64_t duration_ms = 0;  // to the end, or to the last snapshot of an open session
  int64_t interval_ms = 0;  // sampling interval
  bool agent = false;
  int64_t snapshot_count = 0;
  int64_t leak_count = 0;
  int64_t alert_count = 0;
  bool live = false;  // the session this process is recording right now
};

struct ArchiveRange {
  int64_t from_ms = 0;        // ms since epoch, inclusive
  int64_t to_ms = INT64_MAX;  // inclusive
};

class SessionArchive {
 public:
  virtual ~SessionArchive() = default;
  // Every recorded session, newest first.
  virtual base::Result<std::vector<ArchivedSession>> sessions() = 0;
  virtual base::Result<ArchivedSession> session(int64_t id) = 0;
  // The session re-analysed over the range (monitor::replay_session).
  virtual base::Result<Report> report(int64_t id, ArchiveRange range) = 0;
  // The stored snapshots in the range, oldest first.
  virtual base::Result<std::vector<Snapshot>> snapshots(int64_t id, ArchiveRange range) = 0;
  // The allocation sites with their latest aggregates at or before at_ms (agent sessions).
  virtual base::Result<std::vector<SymbolizedSite>> sites(int64_t id, int64_t at_ms) = 0;
  // The threshold alerts recorded for the session, oldest first.
  virtual base::Result<std::vector<Alert>> alerts(int64_t id) = 0;
  // The session as one JSON document (storage::SessionStore::export_json).
  virtual base::Result<std::string> export_json(int64_t id) = 0;
  // The session this process is recording now (0: none), for the "live" flag.
  virtual int64_t live_session() const = 0;
};

}  // namespace memlens::monitor
