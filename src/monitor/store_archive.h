// StoreArchive: SessionArchive over one memlens store file (a storage directory or its
// memlens.db). Each call opens its own read connection (SessionStore::open_existing) and drops
// it at the end: SQLite in WAL mode lets such readers run beside the recorder's writer and
// beside each other, so no lock is needed and a slow replay never holds up a listing.
//
// Ownership: keeps only the path and the live-session callback. Thread-safety: every method may
// be called from any thread at once; `live_session` must be too.
//
//   monitor::StoreArchive archive("./memory-analysis",
//                                 [&rec] { return rec->status().session_id; });
//   auto open = archive.check();  // optional: fail early on a bad path
//   auto list = archive.sessions();
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "monitor/session_archive.h"

namespace memlens::storage {
class SessionStore;
}

namespace memlens::monitor {

class StoreArchive final : public SessionArchive {
 public:
  // `live_session` returns the id of the session being recorded now, 0 for none (may be empty).
  explicit StoreArchive(std::string path, std::function<int64_t()> live_session = {});

  // Opens the store once: fails (one line) when `path` is not a readable memlens store.
  base::Status check() const;
  const std::string& path() const { return path_; }

  base::Result<std::vector<ArchivedSession>> sessions() override;
  base::Result<ArchivedSession> session(int64_t id) override;
  base::Result<Report> report(int64_t id, ArchiveRange range) override;
  base::Result<std::vector<Snapshot>> snapshots(int64_t id, ArchiveRange range) override;
  base::Result<std::vector<SymbolizedSite>> sites(int64_t id, int64_t at_ms) override;
  base::Result<std::vector<Alert>> alerts(int64_t id) override;
  base::Result<std::string> export_json(int64_t id) override;
  int64_t live_session() const override;

 private:
  base::Result<std::unique_ptr<storage::SessionStore>> open() const;
  // Opens the store and checks that session `id` exists (kNotFound otherwise).
  base::Result<std::unique_ptr<storage::SessionStore>> open_session(int64_t id,
                                                                    ArchivedSession* info) const;

  std::string path_;
  std::function<int64_t()> live_session_;
};

}  // namespace memlens::monitor
