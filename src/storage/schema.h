// The store's schema and its migrations. The version lives in PRAGMA user_version and the
// file is marked as ours by PRAGMA application_id, so a foreign SQLite file is recognised
// (and moved aside) instead of being written into.
//
// Layout (v1), all integers unless noted; "ts" is ms since the epoch:
//   sessions        one row per monitored run (pid, command, start/end, config JSON, agent)
//   snapshots       one row per sample, compact columns, WITHOUT ROWID keyed (session, ts);
//                   `resolution` is NULL for a raw sample, else the bucket width it stands for
//   snapshot_detail breakdown of the full smaps pass; files/descriptor text only when changed
//   sites           one row per allocation site: type, first seen, frames as JSON (once)
//   site_samples    a site's aggregates, written only when they changed since the last row
//   leaks           latest state of each leak (upserted by leak id)
//   patterns        each non-stable growth pattern as detected
//   alerts          each alert state change
//   reports         the latest report JSON of a session
//
// Thread-safety: functions act on the connection they are given; callers serialise.
//
//   if (auto s = migrate(db); !s) fail(s.error().message);
#pragma once

#include <cstdint>

#include "base/result.h"
#include "storage/sqlite_db.h"

namespace memlens::storage {

constexpr int kSchemaVersion = 1;
constexpr int32_t kApplicationId = 0x4D4C4E53;  // "MLNS"

enum class FileKind {
  kEmpty,    // a new or zero-length file: ours to initialise
  kMemlens,  // has our application id
  kForeign,  // a valid SQLite database of someone else
  kCorrupt,  // not a database, or damaged
};

// Reads just enough of the file to classify it (application_id and sqlite_schema).
base::Result<FileKind> classify_file(SqliteDb& db);

// Brings the file from its user_version to kSchemaVersion, each step in a transaction.
// Fails (without touching the file) when the file is newer than this build.
base::Status migrate(SqliteDb& db);

}  // namespace memlens::storage
