#include "model/series.h"

#include <algorithm>
#include <utility>

namespace memlens::model {

SnapshotSeries::SnapshotSeries(size_t capacity, int64_t retention_ms)
    : capacity_(std::max<size_t>(capacity, 1)), retention_ms_(retention_ms) {}

void SnapshotSeries::grow() {
  // Linearise into a larger buffer; doubling keeps append amortised O(1).
  const size_t next = std::min(capacity_, std::max<size_t>(16, buf_.size() * 2));
  std::vector<Snapshot> bigger;
  bigger.reserve(next);
  for (size_t i = 0; i < size_; ++i) bigger.push_back(std::move(buf_[(head_ + i) % buf_.size()]));
  bigger.resize(next);
  buf_ = std::move(bigger);
  head_ = 0;
}

void SnapshotSeries::drop_front() {
  buf_[head_] = Snapshot{};  // release the shared detail early
  head_ = (head_ + 1) % buf_.size();
  --size_;
}

void SnapshotSeries::append(Snapshot s) {
  if (size_ == buf_.size()) {
    if (buf_.size() < capacity_) {
      grow();
    } else {
      drop_front();
    }
  }
  const int64_t newest = s.timestamp;
  buf_[(head_ + size_) % buf_.size()] = std::move(s);
  ++size_;
  if (retention_ms_ > 0) {
    while (size_ > 1 && at(0).timestamp < newest - retention_ms_) drop_front();
  }
}

std::vector<Snapshot> SnapshotSeries::since(int64_t since_ms, size_t limit) const {
  // Walk back from the newest so a small limit costs only what it returns.
  size_t first = size_;
  while (first > 0 && size_ - first < limit && at(first - 1).timestamp >= since_ms) --first;
  std::vector<Snapshot> out;
  out.reserve(size_ - first);
  for (size_t i = first; i < size_; ++i) out.push_back(at(i));
  return out;
}

std::vector<Snapshot> SnapshotSeries::window(int64_t duration_ms) const {
  if (size_ == 0) return {};
  if (duration_ms < 0) return all();
  return since(latest()->timestamp - duration_ms);
}

void SnapshotSeries::clear() {
  buf_.clear();
  buf_.shrink_to_fit();
  head_ = 0;
  size_ = 0;
}

}  // namespace memlens::model
