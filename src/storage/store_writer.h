// StoreWriter: the recorder's side of the store for one session. It queues each interval's
// rows, writes them in one transaction per flush, and keeps going when the store cannot be
// written: the directory is unwritable, the disk is full, or the file turned out corrupt.
// Rows then wait in memory (bounded: the oldest snapshots are dropped first and counted), the
// failure is announced once with a one-line notice, and every flush retries — opening the
// store, re-creating the session if the file was replaced — until the rows are written.
//
// Ownership: owns its SessionStore. Thread-safety: none; one thread (the recorder's writer
// thread) calls it. Nothing here blocks for longer than SQLite's own I/O and busy timeout.
//
//   storage::StoreWriter w(options, {.pid = pid, .command = cmd, .started_at = now});
//   w.add(std::move(batch));   // each interval
//   w.flush(base::wall_ms());  // writes, or keeps the rows for the next try
//   w.finish(base::wall_ms()); // last flush and the session's end time
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "base/result.h"
#include "storage/records.h"
#include "storage/session_store.h"

namespace memlens::storage {

struct WriterOptions {
  StoreOptions store;
  size_t max_pending_rows = 50'000;  // ~4 MB of snapshots; beyond it the oldest are dropped
  int64_t retention_every_ms = 60'000;
};

class StoreWriter {
 public:
  StoreWriter(WriterOptions options, SessionStart start);

  void add(RecordBatch&& batch);
  // Writes what is pending. Returns the error of this attempt (the rows stay pending).
  base::Status flush(int64_t now_ms);
  // Flushes and records the session's end; the writer may be dropped afterwards.
  base::Status finish(int64_t ended_at);

  bool connected() const { return store_ != nullptr && session_id_.has_value(); }
  std::optional<int64_t> session_id() const { return session_id_; }
  size_t pending_rows() const { return pending_.rows(); }
  uint64_t dropped_rows() const { return dropped_rows_; }
  uint64_t written_batches() const { return written_batches_; }
  const std::string& last_error() const { return last_error_; }
  const std::string& path() const { return path_; }

 private:
  base::Status connect(int64_t now_ms);
  void bound_pending();
  void failed(const base::Error& error);
  void notice(const std::string& line) const;

  WriterOptions options_;
  SessionStart start_;
  std::string path_;
  std::unique_ptr<SessionStore> store_;
  std::optional<int64_t> session_id_;
  RecordBatch pending_;
  uint64_t dropped_rows_ = 0, dropped_reported_ = 0;
  uint64_t written_batches_ = 0;
  int64_t last_retention_ms_ = 0;
  std::string last_error_;
  bool failing_ = false;
};

}  // namespace memlens::storage
