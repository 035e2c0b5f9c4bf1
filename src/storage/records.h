// What the store keeps about a session, as plain values: the session's identity, and one
// interval's worth of rows to append (RecordBatch). The model types (Snapshot, Leak, ...) are
// stored as they are; this header only adds what a session needs around them.
//
// Value types; not thread-safe beyond copying.
//
//   storage::RecordBatch batch;
//   batch.snapshots.push_back(snapshot);
//   store->append(session_id, batch);
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "memlens/events.h"
#include "memlens/report.h"
#include "memlens/site.h"
#include "memlens/snapshot.h"

namespace memlens::storage {

struct SessionStart {
  int pid = 0;
  std::string command;
  int64_t started_at = 0;  // ms since epoch
  int64_t interval_ms = 5000;
  bool agent = false;
  std::string config_json;  // Config::to_json_text(), so a re-analysis uses the same knobs
};

struct SessionInfo {
  int64_t id = 0;
  int pid = 0;
  std::string command;
  int64_t started_at = 0;
  int64_t ended_at = 0;  // 0: still running, or the recorder was killed (see last_ts)
  int64_t last_ts = 0;   // newest snapshot's timestamp (0: none)
  int64_t interval_ms = 0;
  bool agent = false;
  std::string config_json;
  int64_t snapshot_count = 0;  // rows now stored (after downsampling)
  int64_t leak_count = 0;
  int64_t alert_count = 0;
  // ended_at - started_at, or last_ts - started_at for a session that never ended cleanly.
  int64_t duration_ms() const {
    int64_t end = ended_at ? ended_at : last_ts;
    return end > started_at ? end - started_at : 0;
  }
};

// One interval's rows. Sites carry their current aggregates; the store writes a site's stack
// once and a sample row only when the aggregates changed since the last one it wrote.
struct RecordBatch {
  std::vector<Snapshot> snapshots;
  std::vector<SymbolizedSite> sites;
  std::vector<Leak> leaks;  // new or updated leaks (upserted by id)
  std::vector<GrowthPattern> patterns;
  std::vector<Alert> alerts;
  std::optional<std::string> report_json;  // replaces the session's stored report
  int64_t report_ts = 0;

  bool empty() const {
    return snapshots.empty() && sites.empty() && leaks.empty() && patterns.empty() &&
           alerts.empty() && !report_json;
  }
  size_t rows() const {
    return snapshots.size() + sites.size() + leaks.size() + patterns.size() + alerts.size() +
           (report_json ? 1 : 0);
  }
  // Appends `later`, keeping order; a later report replaces an earlier one.
  void merge(RecordBatch&& later);
};

// What a retention pass did, for the log.
struct RetentionStats {
  int64_t sessions_deleted = 0;
  int64_t snapshots_deleted = 0;  // by age and by downsampling
  int64_t site_samples_deleted = 0;
  uint64_t bytes_before = 0, bytes_after = 0;
};

}  // namespace memlens::storage
