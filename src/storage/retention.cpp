// SessionStore's retention: age limit, downsampling of old rows, and the size budget.
//
// Downsampling keeps, per bucket of `resolution` ms, the newest row (per session, and per
// site for site samples) and marks the survivors with the resolution they now stand for.
// Snapshot details carry their file/descriptor lists forward as NULL (= unchanged), so before
// old detail rows are deleted the first surviving row is given the lists it inherited.
#include <fmt/format.h>

#include "storage/session_store.h"

namespace memlens::storage {
namespace {

base::Result<int64_t> run_counting(SqliteDb& db, const std::string& sql,
                                   std::initializer_list<int64_t> args) {
  auto st = db.prepare(sql);
  if (!st) return st.error();
  int i = 1;
  for (int64_t a : args) st->bind(i++, a);
  if (auto s = st->run(); !s) return s.error();
  return static_cast<int64_t>(sqlite3_changes(db.handle()));
}

// Before deleting details older than cutoff in a session, hands their carried lists to the
// first detail row that stays.
base::Status carry_detail_lists(SqliteDb& db, int64_t cutoff) {
  for (const char* col : {"files", "descriptors"}) {
    std::string sql = fmt::format(
        "UPDATE snapshot_detail SET {0} = (SELECT d.{0} FROM snapshot_detail d"
        " WHERE d.session_id = snapshot_detail.session_id AND d.ts < ?1 AND d.{0} IS NOT NULL"
        " ORDER BY d.ts DESC LIMIT 1)"
        " WHERE {0} IS NULL AND ts = (SELECT MIN(f.ts) FROM snapshot_detail f"
        " WHERE f.session_id = snapshot_detail.session_id AND f.ts >= ?1)",
        col);
    if (auto r = run_counting(db, sql, {cutoff}); !r) return r.error();
  }
  return {};
}

}  // namespace

base::Result<int64_t> SessionStore::delete_session(int64_t id) {
  int64_t rows = 0;
  for (const char* table : {"snapshots", "snapshot_detail", "sites", "site_samples", "leaks",
                            "patterns", "alerts", "reports"}) {
    auto r = run_counting(*db_, fmt::format("DELETE FROM {} WHERE session_id = ?1", table), {id});
    if (!r) return r.error();
    rows += *r;
  }
  auto r = run_counting(*db_, "DELETE FROM sessions WHERE id = ?1", {id});
  if (!r) return r.error();
  cache_.erase(id);
  return rows;
}

base::Result<int64_t> SessionStore::downsample(int64_t before_ms, int64_t resolution_ms) {
  if (resolution_ms <= 0) return int64_t{0};
  auto snaps =
      run_counting(*db_,
                   "DELETE FROM snapshots WHERE ts < ?1 AND EXISTS (SELECT 1 FROM snapshots b"
                   " WHERE b.session_id = snapshots.session_id AND b.ts > snapshots.ts"
                   " AND b.ts < MIN(?1, (snapshots.ts / ?2 + 1) * ?2))",
                   {before_ms, resolution_ms});
  if (!snaps) return snaps.error();
  auto mark = run_counting(*db_,
                           "UPDATE snapshots SET resolution = ?2 WHERE ts < ?1"
                           " AND (resolution IS NULL OR resolution < ?2)",
                           {before_ms, resolution_ms});
  if (!mark) return mark.error();
  auto sites = run_counting(
      *db_,
      "DELETE FROM site_samples WHERE ts < ?1 AND EXISTS (SELECT 1 FROM site_samples b"
      " WHERE b.session_id = site_samples.session_id AND b.site_id = site_samples.site_id"
      " AND b.ts > site_samples.ts AND b.ts < MIN(?1, (site_samples.ts / ?2 + 1) * ?2))",
      {before_ms, resolution_ms});
  if (!sites) return sites.error();
  return *snaps + *sites;
}

base::Result<RetentionStats> SessionStore::enforce_retention(int64_t now_ms, int64_t keep_session) {
  RetentionStats stats;
  auto before = used_bytes();
  if (!before) return before.error();
  stats.bytes_before = *before;
  if (auto s = db_->exec("BEGIN IMMEDIATE"); !s) return s.error();
  auto fail = [&](const base::Error& e) -> base::Result<RetentionStats> {
    (void)db_->exec("ROLLBACK");
    return base::Error{fmt::format("retention on {} failed: {}", path(), e.message), e.code};
  };

  // 1. Age: whole sessions whose newest data is older than the retention period ...
  const int64_t cutoff = now_ms - options_.retention_ms;
  if (options_.retention_ms > 0) {
    auto st = db_->prepare(
        "SELECT id FROM sessions WHERE id != ?1 AND"
        " MAX(COALESCE(ended_at, 0), COALESCE(last_ts, 0), started_at) < ?2");
    if (!st) return fail(st.error());
    st->bind(1, keep_session);
    st->bind(2, cutoff);
    std::vector<int64_t> old;
    for (;;) {
      auto row = st->step();
      if (!row) return fail(row.error());
      if (!*row) break;
      old.push_back(st->int_at(0));
    }
    for (int64_t id : old) {
      auto r = delete_session(id);
      if (!r) return fail(r.error());
      ++stats.sessions_deleted;
    }
    // ... and the old part of sessions that are still going.
    if (auto s = carry_detail_lists(*db_, cutoff); !s) return fail(s.error());
    for (const char* table :
         {"snapshots", "snapshot_detail", "site_samples", "patterns", "alerts"}) {
      auto r = run_counting(*db_, fmt::format("DELETE FROM {} WHERE ts < ?1", table), {cutoff});
      if (!r) return fail(r.error());
      if (std::string_view(table) == "snapshots") stats.snapshots_deleted += *r;
      if (std::string_view(table) == "site_samples") stats.site_samples_deleted += *r;
    }
  }

  // 2. Resolution: old rows thin out to one per downsample_resolution_ms.
  auto thinned =
      downsample(now_ms - options_.downsample_after_ms, options_.downsample_resolution_ms);
  if (!thinned) return fail(thinned.error());
  stats.snapshots_deleted += *thinned;

  // 3. Size budget: oldest other sessions first, then coarser resolution for what remains.
  int64_t after_ms = options_.downsample_after_ms;
  int64_t resolution = std::max<int64_t>(options_.downsample_resolution_ms, 1000);
  while (options_.size_budget_bytes > 0) {
    auto used = used_bytes();
    if (!used) return fail(used.error());
    if (*used <= options_.size_budget_bytes) break;
    auto oldest = db_->query_int(fmt::format(
        "SELECT id FROM sessions WHERE id != {} ORDER BY started_at, id LIMIT 1", keep_session));
    if (!oldest) return fail(oldest.error());
    if (*oldest != 0) {
      auto r = delete_session(*oldest);
      if (!r) return fail(r.error());
      ++stats.sessions_deleted;
      continue;
    }
    after_ms /= 2;
    resolution *= 4;
    if (resolution > 24 * 3600'000LL) break;  // nothing sensible left to thin
    auto r = downsample(now_ms - after_ms, resolution);
    if (!r) return fail(r.error());
    stats.snapshots_deleted += *r;
  }
  if (auto s = db_->exec("COMMIT"); !s) return fail(s.error());
  // Give the freed pages back to the file system (auto_vacuum = INCREMENTAL).
  (void)db_->exec("PRAGMA incremental_vacuum");
  auto after = used_bytes();
  if (!after) return after.error();
  stats.bytes_after = *after;
  if (stats.sessions_deleted > 0) {
    notice(fmt::format("storage: retention removed {} old session(s) from {}",
                       stats.sessions_deleted, path()));
  }
  return stats;
}

}  // namespace memlens::storage
