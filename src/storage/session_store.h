// SessionStore: memlens's persistent sessions in one SQLite file (WAL mode) under the storage
// directory: sessions, compact snapshot rows, allocation-site aggregates over time, leaks,
// patterns, alerts and the latest report. Opening recovers by itself: a file that is not a
// memlens database (garbage, damaged, or another program's SQLite file) is renamed
// `memlens.db.corrupt-<ts>` with a one-line notice and a fresh store starts. Retention
// (age and size budget) prunes whole sessions and downsamples old rows.
//
// Ownership: owns its connection. Thread-safety: none; use one store from one thread (the
// recorder's writer thread) or guard it. Other processes may read the same file concurrently
// (WAL): `memlens sessions` works while a run records.
//
//   auto store = storage::SessionStore::open({.directory = "./memory-analysis"});
//   if (!store) { warn(store.error().message); keep_in_memory(); }
//   int64_t id = (*store)->begin_session({.pid = 42, .command = "./server"}).value();
//   (*store)->append(id, batch);
//   (*store)->end_session(id, base::wall_ms());
#pragma once

#include <climits>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/result.h"
#include "storage/records.h"
#include "storage/sqlite_db.h"

namespace memlens::storage {

struct StoreOptions {
  std::string directory = "./memory-analysis";
  std::string file_name = "memlens.db";
  int64_t retention_ms = 24 * 3600'000;       // sessions that ended before now - this go
  uint64_t size_budget_bytes = 256ull << 20;  // 0 = unlimited
  int64_t downsample_after_ms = 3600'000;     // rows older than this ...
  int64_t downsample_resolution_ms = 60'000;  // ... keep one per this many ms
  // One-line notices (file moved aside, sessions pruned). Default: written to stderr.
  std::function<void(const std::string&)> on_notice;
};

// The file the options name: directory/file_name.
std::string store_path(const StoreOptions& options);

class SessionStore {
 public:
  // Creates the directory and the file as needed, moving a corrupt or foreign file aside.
  // Fails with a one-line message (code = errno or SQLite code) when the directory cannot be
  // created or written, or the file belongs to a newer memlens.
  static base::Result<std::unique_ptr<SessionStore>> open(const StoreOptions& options);
  // For offline commands: opens an existing file (a .db path, or a directory holding
  // memlens.db) read-only; never creates, migrates or moves anything.
  static base::Result<std::unique_ptr<SessionStore>> open_existing(const std::string& path);

  // --- writing (store_writes.cpp) ---
  base::Result<int64_t> begin_session(const SessionStart& start);
  // Writes the batch in one transaction; on failure (disk full, I/O) nothing of it is kept and
  // the caller may retry the same batch later.
  base::Status append(int64_t session_id, const RecordBatch& batch);
  base::Status end_session(int64_t session_id, int64_t ended_at);

  // --- retention (retention.cpp) ---
  // Deletes sessions whose last data is older than the retention period, downsamples rows older
  // than downsample_after_ms, then, while the file is over its size budget, deletes the oldest
  // sessions other than `keep` and downsamples harder. Returns what it did.
  base::Result<RetentionStats> enforce_retention(int64_t now_ms, int64_t keep_session = 0);

  // --- reading (store_reads.cpp) ---
  base::Result<std::vector<SessionInfo>> sessions();  // oldest first
  base::Result<SessionInfo> session(int64_t id);
  // Snapshots with from_ms <= ts <= to_ms, oldest first, details carried forward.
  base::Result<std::vector<Snapshot>> snapshots(int64_t id, int64_t from_ms = 0,
                                                int64_t to_ms = INT64_MAX);
  // Every site with its latest sample at or before at_ms.
  base::Result<std::vector<SymbolizedSite>> sites(int64_t id, int64_t at_ms = INT64_MAX);
  base::Result<std::vector<SiteSample>> site_history(int64_t id, uint64_t site_id,
                                                     int64_t from_ms = 0,
                                                     int64_t to_ms = INT64_MAX);
  base::Result<std::vector<Leak>> leaks(int64_t id);
  base::Result<std::vector<GrowthPattern>> patterns(int64_t id, int64_t from_ms = 0,
                                                    int64_t to_ms = INT64_MAX);
  base::Result<std::vector<Alert>> alerts(int64_t id);
  base::Result<std::optional<std::string>> report_json(int64_t id);
  // The session as one JSON document (session, snapshots, sites, leaks, patterns, alerts,
  // report), for `memlens export` and the server's export route.
  base::Result<std::string> export_json(int64_t id, int64_t from_ms = 0, int64_t to_ms = INT64_MAX);

  // Bytes of live pages in the file (excluding free pages), the size budget's measure.
  base::Result<uint64_t> used_bytes();
  const std::string& path() const { return db_->path(); }
  SqliteDb& db() { return *db_; }

 private:
  SessionStore(std::unique_ptr<SqliteDb> db, StoreOptions options)
      : db_(std::move(db)), options_(std::move(options)) {}
  void notice(const std::string& line) const;
  base::Status write_batch(int64_t session_id, const RecordBatch& batch);
  base::Result<int64_t> downsample(int64_t before_ms, int64_t resolution_ms);
  base::Result<int64_t> delete_session(int64_t id);

  // What was last written per session, so unchanged site samples and details are skipped.
  struct SiteWritten {
    uint64_t live_bytes = 0, live_count = 0, allocations = 0, frees = 0;
  };
  struct SessionCache {
    std::unordered_map<uint64_t, SiteWritten> sites;
    std::string files, descriptors;  // last stored detail texts
  };

  std::unique_ptr<SqliteDb> db_;
  StoreOptions options_;
  std::unordered_map<int64_t, SessionCache> cache_;
};

}  // namespace memlens::storage
