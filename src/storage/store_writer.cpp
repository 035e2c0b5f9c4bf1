#include "storage/store_writer.h"

#include <fmt/format.h>

#include <cstdio>
#include <unordered_map>

namespace memlens::storage {

StoreWriter::StoreWriter(WriterOptions options, SessionStart start)
    : options_(std::move(options)), start_(std::move(start)), path_(store_path(options_.store)) {}

void StoreWriter::notice(const std::string& line) const {
  if (options_.store.on_notice) {
    options_.store.on_notice(line);
  } else {
    std::fprintf(stderr, "memlens: %s\n", line.c_str());
  }
}

void StoreWriter::add(RecordBatch&& batch) {
  pending_.merge(std::move(batch));
  bound_pending();
}

void StoreWriter::bound_pending() {
  if (pending_.rows() <= options_.max_pending_rows) return;
  // Sites carry cumulative aggregates: only each site's newest row matters while waiting.
  if (!pending_.sites.empty()) {
    std::unordered_map<uint64_t, size_t> newest;
    for (size_t i = 0; i < pending_.sites.size(); ++i) newest[pending_.sites[i].sample.site_id] = i;
    std::vector<SymbolizedSite> kept;
    kept.reserve(newest.size());
    for (size_t i = 0; i < pending_.sites.size(); ++i)
      if (newest[pending_.sites[i].sample.site_id] == i)
        kept.push_back(std::move(pending_.sites[i]));
    dropped_rows_ += pending_.sites.size() - kept.size();
    pending_.sites = std::move(kept);
  }
  size_t over =
      pending_.rows() > options_.max_pending_rows ? pending_.rows() - options_.max_pending_rows : 0;
  size_t drop = std::min(over, pending_.snapshots.size());
  pending_.snapshots.erase(pending_.snapshots.begin(),
                           pending_.snapshots.begin() + static_cast<std::ptrdiff_t>(drop));
  dropped_rows_ += drop;
}

void StoreWriter::failed(const base::Error& error) {
  last_error_ = error.message;
  if (!failing_) {
    notice(
        fmt::format("storage: {}; monitoring continues in memory (up to {} rows kept) and "
                    "the store is retried each interval",
                    error.message, options_.max_pending_rows));
  }
  failing_ = true;
}

base::Status StoreWriter::connect(int64_t now_ms) {
  if (!store_) {
    auto opened = SessionStore::open(options_.store);
    if (!opened) return opened.error();
    store_ = std::move(*opened);
    last_retention_ms_ = 0;
  }
  if (session_id_) {
    // The same file still holds our session unless it was moved aside and replaced.
    auto info = store_->session(*session_id_);
    if (info && info->pid == start_.pid && info->started_at == start_.started_at) return {};
    session_id_.reset();
  }
  auto id = store_->begin_session(start_);
  if (!id) return id.error();
  session_id_ = *id;
  (void)now_ms;
  return {};
}

base::Status StoreWriter::flush(int64_t now_ms) {
  if (auto s = connect(now_ms); !s) {
    store_.reset();
    failed(s.error());
    return s;
  }
  if (!pending_.empty()) {
    if (auto s = store_->append(*session_id_, pending_); !s) {
      // A damaged file is replaced at the next open; other errors (full disk, read-only
      // remount) are retried on a fresh connection, which also re-reads the file's state.
      store_.reset();
      failed(s.error());
      return s;
    }
    pending_ = RecordBatch{};
    ++written_batches_;
  }
  if (failing_) {
    notice(fmt::format("storage: writing to {} again{}", path_,
                       dropped_rows_ > dropped_reported_
                           ? fmt::format("; {} rows were dropped while it was unavailable",
                                         dropped_rows_ - dropped_reported_)
                           : std::string()));
    dropped_reported_ = dropped_rows_;
    failing_ = false;
    last_error_.clear();
  }
  if (now_ms - last_retention_ms_ >= options_.retention_every_ms) {
    last_retention_ms_ = now_ms;
    // Retention failing (e.g. disk full while deleting) is not fatal: the rows are written.
    if (auto r = store_->enforce_retention(now_ms, *session_id_); !r) notice(r.error().message);
  }
  return {};
}

base::Status StoreWriter::finish(int64_t ended_at) {
  auto s = flush(ended_at);
  if (!s) return s;
  return store_->end_session(*session_id_, ended_at);
}

}  // namespace memlens::storage
