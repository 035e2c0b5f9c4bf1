#include "storage/schema.h"

#include <fmt/format.h>

#include <array>

namespace memlens::storage {
namespace {

// Migration i takes user_version i to i + 1. Append; never edit a released step.
constexpr std::array<const char*, kSchemaVersion> kMigrations = {
    // 0 -> 1: the initial layout.
    R"sql(
CREATE TABLE sessions (
  id INTEGER PRIMARY KEY,
  pid INTEGER NOT NULL,
  command TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  ended_at INTEGER,
  last_ts INTEGER,
  interval_ms INTEGER NOT NULL,
  agent INTEGER NOT NULL,
  config TEXT NOT NULL
);
CREATE TABLE snapshots (
  session_id INTEGER NOT NULL,
  ts INTEGER NOT NULL,
  rss INTEGER NOT NULL, heap_total INTEGER NOT NULL, heap_used INTEGER NOT NULL,
  heap_source INTEGER NOT NULL,
  pss INTEGER, swap INTEGER, vm_size INTEGER, vm_hwm INTEGER,
  rss_anon INTEGER, rss_file INTEGER, rss_shmem INTEGER, threads INTEGER,
  fd_total INTEGER, fd_file INTEGER, fd_tcp INTEGER, fd_udp INTEGER, fd_unix INTEGER,
  fd_socket INTEGER, fd_pipe INTEGER, fd_anon INTEGER, fd_other INTEGER,
  cg_current INTEGER, cg_max INTEGER, cg_high INTEGER, cg_max_events INTEGER, cg_oom INTEGER,
  cg_oom_kill INTEGER,
  mem_available INTEGER, agent_live INTEGER, agent_dropped INTEGER,
  capture_us INTEGER, full_pass INTEGER, resolution INTEGER,
  PRIMARY KEY (session_id, ts)
) WITHOUT ROWID;
CREATE TABLE snapshot_detail (
  session_id INTEGER NOT NULL,
  ts INTEGER NOT NULL,
  heap INTEGER, stack INTEGER, anonymous INTEGER, file INTEGER, shared INTEGER,
  special INTEGER, mapping_count INTEGER, smaps_ts INTEGER,
  files TEXT, descriptors TEXT,
  PRIMARY KEY (session_id, ts)
) WITHOUT ROWID;
CREATE TABLE sites (
  session_id INTEGER NOT NULL,
  site_id INTEGER NOT NULL,
  buffer_type INTEGER NOT NULL,
  first_seen INTEGER,
  stack TEXT,
  frames TEXT,
  PRIMARY KEY (session_id, site_id)
) WITHOUT ROWID;
CREATE TABLE site_samples (
  session_id INTEGER NOT NULL,
  site_id INTEGER NOT NULL,
  ts INTEGER NOT NULL,
  live_bytes INTEGER NOT NULL, live_count INTEGER NOT NULL,
  allocations INTEGER NOT NULL, frees INTEGER NOT NULL, allocated_bytes INTEGER NOT NULL,
  oldest_live INTEGER, age0 INTEGER, age1 INTEGER, age2 INTEGER, age3 INTEGER,
  PRIMARY KEY (session_id, site_id, ts)
) WITHOUT ROWID;
CREATE TABLE leaks (
  session_id INTEGER NOT NULL,
  leak_id TEXT NOT NULL,
  ts INTEGER NOT NULL,
  source TEXT, type INTEGER, severity INTEGER,
  estimated_size INTEGER, growth_rate REAL,
  evidence TEXT, recommendation TEXT, stack_trace TEXT, first_detected INTEGER,
  PRIMARY KEY (session_id, leak_id)
) WITHOUT ROWID;
CREATE TABLE patterns (
  session_id INTEGER NOT NULL,
  ts INTEGER NOT NULL,
  metric TEXT NOT NULL,
  type INTEGER, severity INTEGER, growth_rate REAL, total_growth REAL, confidence REAL,
  recommendation TEXT, window_start INTEGER, window_end INTEGER, points INTEGER,
  PRIMARY KEY (session_id, ts, metric)
) WITHOUT ROWID;
CREATE TABLE alerts (
  session_id INTEGER NOT NULL,
  ts INTEGER NOT NULL,
  alert_id TEXT NOT NULL,
  type TEXT, severity INTEGER, message TEXT, value REAL, threshold REAL, active INTEGER,
  PRIMARY KEY (session_id, ts, alert_id)
) WITHOUT ROWID;
CREATE TABLE reports (
  session_id INTEGER PRIMARY KEY,
  ts INTEGER NOT NULL,
  json TEXT NOT NULL
);
)sql",
};

}  // namespace

base::Result<FileKind> classify_file(SqliteDb& db) {
  // Only corruption codes condemn the file: a busy or unreadable file is an error to report,
  // never a reason to move someone's data aside.
  auto app_id = db.query_int("PRAGMA application_id");
  if (!app_id) {
    if (is_corruption_code(app_id.error().code)) return FileKind::kCorrupt;
    return app_id.error();
  }
  auto tables = db.query_int("SELECT COUNT(*) FROM sqlite_schema");
  if (!tables) {
    if (is_corruption_code(tables.error().code)) return FileKind::kCorrupt;
    return tables.error();
  }
  if (*app_id == kApplicationId) return FileKind::kMemlens;
  if (*app_id == 0 && *tables == 0) return FileKind::kEmpty;
  return FileKind::kForeign;
}

base::Status migrate(SqliteDb& db) {
  auto version = db.query_int("PRAGMA user_version");
  if (!version) return version.error();
  if (*version > kSchemaVersion) {
    return base::Error{
        fmt::format("{} has schema version {}, newer than this memlens ({}); "
                    "upgrade memlens or use another --storage directory",
                    db.path(), *version, kSchemaVersion)};
  }
  for (int64_t v = *version; v < kSchemaVersion; ++v) {
    if (auto s = db.exec("BEGIN IMMEDIATE"); !s) return s;
    auto s = db.exec(kMigrations[static_cast<size_t>(v)]);
    if (s)
      s = db.exec(fmt::format("PRAGMA application_id = {}; PRAGMA user_version = {}",
                              kApplicationId, v + 1));
    if (s) s = db.exec("COMMIT");
    if (!s) {
      (void)db.exec("ROLLBACK");
      return base::Error{
          fmt::format("migrating {} to schema {} failed: {}", db.path(), v + 1, s.error().message),
          s.error().code};
    }
  }
  return {};
}

}  // namespace memlens::storage
