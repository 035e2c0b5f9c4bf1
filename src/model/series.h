// SnapshotSeries: the in-memory history of one target's snapshots, oldest first, bounded two
// ways: at most `capacity` points (maxSeriesPoints) and nothing older than `retention_ms` before
// the newest point (retentionPeriod). A ring buffer: append is O(1) amortised (the storage grows
// geometrically up to `capacity`, then slots are reused; expired points are dropped from the
// front), at(i) is O(1).
//
// Not thread-safe: the monitor owns one and guards it with its own mutex.
//
//   memlens::model::SnapshotSeries series(17'280, 24 * 3600'000);
//   series.append(snapshot);
//   std::vector<Snapshot> last5min = series.window(300'000);
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "memlens/snapshot.h"

namespace memlens::model {

class SnapshotSeries {
 public:
  // capacity 0 is treated as 1; retention_ms <= 0 means no age limit.
  SnapshotSeries(size_t capacity, int64_t retention_ms);

  // Appends, then drops the oldest points beyond capacity or older than
  // newest.timestamp - retention_ms.
  void append(Snapshot s);
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  size_t capacity() const { return capacity_; }
  int64_t retention_ms() const { return retention_ms_; }
  // 0 = oldest. Precondition: i < size().
  const Snapshot& at(size_t i) const { return buf_[(head_ + i) % buf_.size()]; }
  const Snapshot* latest() const { return size_ ? &at(size_ - 1) : nullptr; }
  const Snapshot* oldest() const { return size_ ? &at(0) : nullptr; }
  // Snapshots with timestamp >= since_ms: the newest `limit` of them, oldest first.
  std::vector<Snapshot> since(int64_t since_ms, size_t limit = SIZE_MAX) const;
  // Snapshots with timestamp >= latest - duration_ms, oldest first (all when duration_ms < 0).
  std::vector<Snapshot> window(int64_t duration_ms) const;
  // All points, oldest first.
  std::vector<Snapshot> all() const { return since(INT64_MIN); }
  void clear();

 private:
  void grow();
  void drop_front();

  size_t capacity_;
  int64_t retention_ms_;
  std::vector<Snapshot> buf_;  // ring storage; buf_.size() <= capacity_
  size_t head_ = 0;            // index of the oldest point in buf_
  size_t size_ = 0;
};

}  // namespace memlens::model
