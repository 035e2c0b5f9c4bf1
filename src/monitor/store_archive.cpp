#include "monitor/store_archive.h"

#include <fmt/format.h>

#include <algorithm>

#include "monitor/session_replay.h"
#include "storage/session_store.h"

namespace memlens::monitor {
namespace {

base::Error archive_error(ArchiveErrc code, std::string message) {
  return base::Error{std::move(message), static_cast<int>(code)};
}

ArchivedSession to_archived(const storage::SessionInfo& s, int64_t live_id) {
  ArchivedSession a;
  a.id = s.id;
  a.pid = s.pid;
  a.command = s.command;
  a.started_at = s.started_at;
  a.ended_at = s.ended_at;
  a.duration_ms = s.duration_ms();
  a.interval_ms = s.interval_ms;
  a.agent = s.agent;
  a.snapshot_count = s.snapshot_count;
  a.leak_count = s.leak_count;
  a.alert_count = s.alert_count;
  a.live = live_id != 0 && s.id == live_id;
  return a;
}

}  // namespace

StoreArchive::StoreArchive(std::string path, std::function<int64_t()> live_session)
    : path_(std::move(path)), live_session_(std::move(live_session)) {}

int64_t StoreArchive::live_session() const {
  return live_session_ ? live_session_() : 0;
}

base::Result<std::unique_ptr<storage::SessionStore>> StoreArchive::open() const {
  auto store = storage::SessionStore::open_existing(path_);
  if (!store)
    return archive_error(ArchiveErrc::kUnavailable,
                         "session store unavailable: " + store.error().message);
  return std::move(*store);
}

base::Status StoreArchive::check() const {
  auto store = storage::SessionStore::open_existing(path_);
  if (!store) return store.error();
  auto list = (*store)->sessions();
  if (!list) return base::Error{fmt::format("cannot read {}: {}", path_, list.error().message)};
  return {};
}

base::Result<std::unique_ptr<storage::SessionStore>> StoreArchive::open_session(
    int64_t id, ArchivedSession* info) const {
  auto store = open();
  if (!store) return store.error();
  auto found = (*store)->session(id);
  if (!found) {
    // session() says "no session" and an I/O failure alike; the list tells them apart.
    auto list = (*store)->sessions();
    if (list &&
        std::none_of(list->begin(), list->end(), [id](const auto& s) { return s.id == id; }))
      return archive_error(ArchiveErrc::kNotFound, fmt::format("no recorded session {}", id));
    return archive_error(ArchiveErrc::kUnavailable,
                         fmt::format("cannot read session {}: {}", id, found.error().message));
  }
  if (info) *info = to_archived(*found, live_session());
  return std::move(*store);
}

base::Result<std::vector<ArchivedSession>> StoreArchive::sessions() {
  auto store = open();
  if (!store) return store.error();
  auto list = (*store)->sessions();
  if (!list)
    return archive_error(ArchiveErrc::kUnavailable,
                         "cannot list recorded sessions: " + list.error().message);
  const int64_t live = live_session();
  std::vector<ArchivedSession> out;
  out.reserve(list->size());
  for (auto it = list->rbegin(); it != list->rend(); ++it) out.push_back(to_archived(*it, live));
  return out;
}

base::Result<ArchivedSession> StoreArchive::session(int64_t id) {
  ArchivedSession info;
  auto store = open_session(id, &info);
  if (!store) return store.error();
  return info;
}

base::Result<Report> StoreArchive::report(int64_t id, ArchiveRange range) {
  auto store = open_session(id, nullptr);
  if (!store) return store.error();
  auto report = replay_session(**store, id, {range.from_ms, range.to_ms});
  if (report) return std::move(*report);
  // For a known session replay fails when the range holds no snapshot, or on a read error;
  // only the failure path pays for telling them apart.
  auto snaps = (*store)->snapshots(id, range.from_ms, range.to_ms);
  if (snaps && snaps->empty()) {
    bool ranged = range.from_ms > 0 || range.to_ms < INT64_MAX;
    return archive_error(ArchiveErrc::kNoData,
                         fmt::format("session {} has no snapshots{}", id,
                                     ranged ? " in the requested time range" : " yet"));
  }
  return archive_error(ArchiveErrc::kUnavailable,
                       fmt::format("cannot replay session {}: {}", id, report.error().message));
}

base::Result<std::vector<Snapshot>> StoreArchive::snapshots(int64_t id, ArchiveRange range) {
  auto store = open_session(id, nullptr);
  if (!store) return store.error();
  auto snaps = (*store)->snapshots(id, range.from_ms, range.to_ms);
  if (!snaps)
    return archive_error(ArchiveErrc::kUnavailable,
                         fmt::format("cannot read session {}: {}", id, snaps.error().message));
  return std::move(*snaps);
}

base::Result<std::vector<SymbolizedSite>> StoreArchive::sites(int64_t id, int64_t at_ms) {
  auto store = open_session(id, nullptr);
  if (!store) return store.error();
  auto sites = (*store)->sites(id, at_ms);
  if (!sites)
    return archive_error(ArchiveErrc::kUnavailable,
                         fmt::format("cannot read session {}: {}", id, sites.error().message));
  return std::move(*sites);
}

base::Result<std::vector<Alert>> StoreArchive::alerts(int64_t id) {
  auto store = open_session(id, nullptr);
  if (!store) return store.error();
  auto alerts = (*store)->alerts(id);
  if (!alerts)
    return archive_error(ArchiveErrc::kUnavailable,
                         fmt::format("cannot read session {}: {}", id, alerts.error().message));
  return std::move(*alerts);
}

base::Result<std::string> StoreArchive::export_json(int64_t id) {
  auto store = open_session(id, nullptr);
  if (!store) return store.error();
  auto text = (*store)->export_json(id);
  if (!text)
    return archive_error(ArchiveErrc::kUnavailable,
                         fmt::format("cannot export session {}: {}", id, text.error().message));
  return std::move(*text);
}

}  // namespace memlens::monitor
