// SessionRecorder: records one analyzer's session in the SQLite store (storage::SessionStore)
// while it runs. It subscribes to the analyzer's events (snapshot, leak_detected,
// growth_pattern_detected, threshold_alert, report); the callbacks only queue copies, and a
// writer thread of its own writes them — one transaction per sampling interval, with the live
// allocation sites read from the analyzer on that thread — so the sampling thread never waits
// on the disk. When the store cannot be written (read-only directory, full disk, corrupt file)
// it says so once, keeps rows in memory (bounded) and retries each interval (storage::StoreWriter).
//
// Ownership: owns its writer thread and the store; holds a reference to the analyzer, which
// must outlive it (stop() or the destructor joins the thread). Thread-safety: start/stop from
// one thread; status() from any.
//
//   auto rec = monitor::SessionRecorder::start(*analyzer, monitor::SessionRecorder::options_for(
//                                                  analyzer->config()));
//   ...
//   rec->stop();  // final flush: the last report, leaks and the session's end time
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "memlens/analyzer.h"
#include "storage/store_writer.h"

namespace memlens::monitor {

struct RecorderOptions {
  storage::WriterOptions writer;
  bool record_sites = true;  // per-site aggregates each interval (agent sessions)
  size_t max_sites = 2000;   // the largest sites by live bytes; the long tail is not stored
};

struct RecorderStatus {
  std::string path;
  bool connected = false;  // the last flush reached the store
  int64_t session_id = 0;  // 0 until the store was first reachable
  size_t pending_rows = 0;
  uint64_t dropped_rows = 0;
  uint64_t written_batches = 0;
  std::string last_error;
};

class SessionRecorder {
 public:
  // Storage directory, retention, size budget and downsampling from the analyzer's Config
  // (storageDirectory, retentionPeriod, storageBudget, downsampleAfter, downsampleResolution);
  // notices go to `on_notice` (stderr when empty).
  static RecorderOptions options_for(const Config& config,
                                     std::function<void(const std::string&)> on_notice = {});
  // Subscribes and starts the writer thread. Never fails: an unreachable store is retried.
  static std::unique_ptr<SessionRecorder> start(ProcessMemoryAnalyzer& analyzer,
                                                RecorderOptions options);
  ~SessionRecorder();
  SessionRecorder(const SessionRecorder&) = delete;
  SessionRecorder& operator=(const SessionRecorder&) = delete;

  // Unsubscribes, writes the final report, leaks and patterns, ends the session, joins.
  void stop();
  RecorderStatus status() const;
  // Wakes the writer now (tests and force-snapshot); normally it wakes on each snapshot.
  void flush_soon();

 private:
  SessionRecorder(ProcessMemoryAnalyzer& analyzer, RecorderOptions options);
  void run();
  storage::RecordBatch take_queue();
  void add_sites(storage::RecordBatch& batch);
  void publish_status();

  ProcessMemoryAnalyzer& analyzer_;
  RecorderOptions options_;
  std::unique_ptr<storage::StoreWriter> writer_;  // used by the writer thread only
  std::vector<Subscription> subscriptions_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  storage::RecordBatch queue_;  // filled by callbacks, drained by the writer thread
  bool stopping_ = false;
  bool dirty_ = false;
  RecorderStatus status_;
  std::thread thread_;
};

}  // namespace memlens::monitor
