// SessionStore's reading half: sessions, snapshots (details carried forward), sites, leaks,
// patterns, alerts, the stored report.
#include <fmt/format.h>

#include "storage/session_store.h"
#include "storage/text_columns.h"

namespace memlens::storage {
namespace {

constexpr const char* kSessionColumns =
    "SELECT s.id, s.pid, s.command, s.started_at, COALESCE(s.ended_at, 0),"
    " COALESCE(s.last_ts, 0), s.interval_ms, s.agent, s.config,"
    " (SELECT COUNT(*) FROM snapshots n WHERE n.session_id = s.id),"
    " (SELECT COUNT(*) FROM leaks l WHERE l.session_id = s.id),"
    " (SELECT COUNT(*) FROM alerts a WHERE a.session_id = s.id AND a.active = 1)"
    " FROM sessions s";

SessionInfo read_session(const Statement& st) {
  SessionInfo i;
  i.id = st.int_at(0);
  i.pid = static_cast<int>(st.int_at(1));
  i.command = st.text_at(2);
  i.started_at = st.int_at(3);
  i.ended_at = st.int_at(4);
  i.last_ts = st.int_at(5);
  i.interval_ms = st.int_at(6);
  i.agent = st.int_at(7) != 0;
  i.config_json = st.text_at(8);
  i.snapshot_count = st.int_at(9);
  i.leak_count = st.int_at(10);
  i.alert_count = st.int_at(11);
  return i;
}

uint64_t u(const Statement& st, int col) {
  return static_cast<uint64_t>(st.int_at(col));
}

template <typename Enum>
Enum enum_at(const Statement& st, int col, Enum max_value) {
  int64_t v = st.int_at(col);
  return v >= 0 && v <= static_cast<int64_t>(max_value) ? static_cast<Enum>(v) : max_value;
}

}  // namespace

base::Result<std::vector<SessionInfo>> SessionStore::sessions() {
  auto st = db_->prepare(std::string(kSessionColumns) + " ORDER BY s.started_at, s.id");
  if (!st) return st.error();
  std::vector<SessionInfo> out;
  for (;;) {
    auto row = st->step();
    if (!row) return row.error();
    if (!*row) break;
    out.push_back(read_session(*st));
  }
  return out;
}

base::Result<SessionInfo> SessionStore::session(int64_t id) {
  auto st = db_->prepare(std::string(kSessionColumns) + " WHERE s.id = ?1");
  if (!st) return st.error();
  st->bind(1, id);
  auto row = st->step();
  if (!row) return row.error();
  if (!*row) return base::Error{fmt::format("no session {} in {}", id, path())};
  return read_session(*st);
}

base::Result<std::vector<Snapshot>> SessionStore::snapshots(int64_t id, int64_t from_ms,
                                                            int64_t to_ms) {
  // Details apply from their own timestamp until the next full pass, so the reader starts from
  // the last detail at or before from_ms, and carries NULL lists forward from earlier rows.
  auto dt = db_->prepare(
      "SELECT ts, heap, stack, anonymous, file, shared, special, mapping_count, smaps_ts,"
      " files, descriptors FROM snapshot_detail WHERE session_id = ?1 AND ts <= ?2 ORDER BY ts");
  if (!dt) return dt.error();
  dt->bind(1, id);
  dt->bind(2, to_ms);
  std::vector<std::pair<int64_t, std::shared_ptr<const SnapshotDetail>>> details;
  std::string files_text, descriptors_text;
  for (;;) {
    auto row = dt->step();
    if (!row) return row.error();
    if (!*row) break;
    auto d = std::make_shared<SnapshotDetail>();
    d->breakdown = {u(*dt, 1),
                    u(*dt, 2),
                    u(*dt, 3),
                    u(*dt, 4),
                    u(*dt, 5),
                    u(*dt, 6),
                    static_cast<uint32_t>(dt->int_at(7))};
    d->smaps_timestamp_ms = dt->int_at(8);
    if (!dt->is_null(9)) files_text = dt->text_at(9);
    if (!dt->is_null(10)) descriptors_text = dt->text_at(10);
    d->files = decode_files(files_text);
    d->descriptors = decode_descriptor_groups(descriptors_text);
    details.emplace_back(dt->int_at(0), std::move(d));
  }

  auto st = db_->prepare(
      "SELECT ts, rss, heap_total, heap_used, heap_source, pss, swap, vm_size, vm_hwm,"
      " rss_anon, rss_file, rss_shmem, threads, fd_total, fd_file, fd_tcp, fd_udp, fd_unix,"
      " fd_socket, fd_pipe, fd_anon, fd_other, cg_current, cg_max, cg_high, cg_max_events,"
      " cg_oom, cg_oom_kill, mem_available, agent_live, agent_dropped, capture_us, full_pass"
      " FROM snapshots WHERE session_id = ?1 AND ts >= ?2 AND ts <= ?3 ORDER BY ts");
  if (!st) return st.error();
  st->bind(1, id);
  st->bind(2, from_ms);
  st->bind(3, to_ms);
  std::vector<Snapshot> out;
  size_t next_detail = 0;
  std::shared_ptr<const SnapshotDetail> current;
  for (;;) {
    auto row = st->step();
    if (!row) return row.error();
    if (!*row) break;
    Snapshot s;
    s.timestamp = st->int_at(0);
    while (next_detail < details.size() && details[next_detail].first <= s.timestamp)
      current = details[next_detail++].second;
    s.detail = current;
    s.rss = u(*st, 1);
    s.heap_total = u(*st, 2);
    s.heap_used = u(*st, 3);
    s.heap_source = enum_at(*st, 4, HeapSource::kEstimate);
    s.pss = u(*st, 5);
    s.swap = u(*st, 6);
    s.vm_size = u(*st, 7);
    s.vm_hwm = u(*st, 8);
    s.rss_anon = u(*st, 9);
    s.rss_file = u(*st, 10);
    s.rss_shmem = u(*st, 11);
    s.threads = static_cast<uint32_t>(st->int_at(12));
    s.descriptors.total = static_cast<uint32_t>(st->int_at(13));
    s.descriptors.classified = !st->is_null(14);
    for (int k = 0; k < kDescriptorKindCount; ++k)
      s.descriptors.by_kind[k] = static_cast<uint32_t>(st->int_at(14 + k));
    if (!st->is_null(22)) {
      CgroupMemory cg;
      cg.current = u(*st, 22);
      if (!st->is_null(23)) cg.max = u(*st, 23);
      cg.events_high = u(*st, 24);
      cg.events_max = u(*st, 25);
      cg.events_oom = u(*st, 26);
      cg.events_oom_kill = u(*st, 27);
      s.cgroup = cg;
    }
    s.mem_available = u(*st, 28);
    s.agent_live_allocations = u(*st, 29);
    s.agent_dropped_events = u(*st, 30);
    s.capture_us = static_cast<uint32_t>(st->int_at(31));
    s.full_pass = st->int_at(32) != 0;
    s.compute_derived();
    out.push_back(std::move(s));
  }
  return out;
}

base::Result<std::vector<SymbolizedSite>> SessionStore::sites(int64_t id, int64_t at_ms) {
  auto st = db_->prepare(
      "SELECT s.site_id, s.buffer_type, s.first_seen, s.frames, x.ts, x.live_bytes,"
      " x.live_count, x.allocations, x.frees, x.allocated_bytes, x.oldest_live,"
      " x.age0, x.age1, x.age2, x.age3"
      " FROM sites s JOIN site_samples x ON x.session_id = s.session_id AND x.site_id = s.site_id"
      " AND x.ts = (SELECT MAX(ts) FROM site_samples y WHERE y.session_id = s.session_id"
      "             AND y.site_id = s.site_id AND y.ts <= ?2)"
      " WHERE s.session_id = ?1 ORDER BY x.live_bytes DESC");
  if (!st) return st.error();
  st->bind(1, id);
  st->bind(2, at_ms);
  std::vector<SymbolizedSite> out;
  for (;;) {
    auto row = st->step();
    if (!row) return row.error();
    if (!*row) break;
    SymbolizedSite site;
    SiteSample& x = site.sample;
    x.site_id = u(*st, 0);
    x.buffer_type = enum_at(*st, 1, BufferType::kShared);
    x.first_seen = st->int_at(2);
    site.frames = decode_frames(st->text_at(3));
    for (const Frame& f : site.frames) x.stack.push_back(f.address);
    x.last_seen = st->int_at(4);
    x.live_bytes = u(*st, 5);
    x.live_count = u(*st, 6);
    x.allocations = u(*st, 7);
    x.frees = u(*st, 8);
    x.allocated_bytes = u(*st, 9);
    x.oldest_live = st->int_at(10);
    for (int b = 0; b < kAgeBuckets; ++b) x.live_by_age[b] = u(*st, 11 + b);
    out.push_back(std::move(site));
  }
  return out;
}

base::Result<std::vector<SiteSample>> SessionStore::site_history(int64_t id, uint64_t site_id,
                                                                 int64_t from_ms, int64_t to_ms) {
  auto st = db_->prepare(
      "SELECT ts, live_bytes, live_count, allocations, frees, allocated_bytes, oldest_live"
      " FROM site_samples WHERE session_id = ?1 AND site_id = ?2 AND ts >= ?3 AND ts <= ?4"
      " ORDER BY ts");
  if (!st) return st.error();
  st->bind(1, id);
  st->bind(2, site_id);
  st->bind(3, from_ms);
  st->bind(4, to_ms);
  std::vector<SiteSample> out;
  for (;;) {
    auto row = st->step();
    if (!row) return row.error();
    if (!*row) break;
    SiteSample x;
    x.site_id = site_id;
    x.last_seen = st->int_at(0);
    x.live_bytes = u(*st, 1);
    x.live_count = u(*st, 2);
    x.allocations = u(*st, 3);
    x.frees = u(*st, 4);
    x.allocated_bytes = u(*st, 5);
    x.oldest_live = st->int_at(6);
    out.push_back(x);
  }
  return out;
}

base::Result<std::vector<Leak>> SessionStore::leaks(int64_t id) {
  auto st = db_->prepare(
      "SELECT leak_id, source, type, severity, estimated_size, growth_rate, evidence,"
      " recommendation, stack_trace, first_detected FROM leaks WHERE session_id = ?1"
      " ORDER BY first_detected, leak_id");
  if (!st) return st.error();
  st->bind(1, id);
  std::vector<Leak> out;
  for (;;) {
    auto row = st->step();
    if (!row) return row.error();
    if (!*row) break;
    Leak l;
    l.id = st->text_at(0);
    l.source = st->text_at(1);
    l.type = enum_at(*st, 2, LeakType::kUnknown);
    l.severity = enum_at(*st, 3, Severity::kCritical);
    l.estimated_size = u(*st, 4);
    l.growth_rate = st->double_at(5);
    l.evidence = decode_strings(st->text_at(6));
    l.recommendation = st->text_at(7);
    l.stack_trace = st->text_at(8);
    l.first_detected = st->int_at(9);
    out.push_back(std::move(l));
  }
  return out;
}

base::Result<std::vector<GrowthPattern>> SessionStore::patterns(int64_t id, int64_t from_ms,
                                                                int64_t to_ms) {
  auto st = db_->prepare(
      "SELECT metric, type, severity, growth_rate, total_growth, confidence, recommendation,"
      " window_start, window_end, points FROM patterns WHERE session_id = ?1 AND ts >= ?2"
      " AND ts <= ?3 ORDER BY ts, metric");
  if (!st) return st.error();
  st->bind(1, id);
  st->bind(2, from_ms);
  st->bind(3, to_ms);
  std::vector<GrowthPattern> out;
  for (;;) {
    auto row = st->step();
    if (!row) return row.error();
    if (!*row) break;
    GrowthPattern p;
    p.metric = st->text_at(0);
    p.type = enum_at(*st, 1, PatternType::kLeak);
    p.severity = enum_at(*st, 2, Severity::kCritical);
    p.growth_rate = st->double_at(3);
    p.total_growth = st->double_at(4);
    p.confidence = st->double_at(5);
    p.recommendation = st->text_at(6);
    p.window_start = st->int_at(7);
    p.window_end = st->int_at(8);
    p.points = static_cast<size_t>(st->int_at(9));
    out.push_back(std::move(p));
  }
  return out;
}

base::Result<std::vector<Alert>> SessionStore::alerts(int64_t id) {
  auto st = db_->prepare(
      "SELECT alert_id, type, severity, message, value, threshold, ts, active FROM alerts"
      " WHERE session_id = ?1 ORDER BY ts, alert_id");
  if (!st) return st.error();
  st->bind(1, id);
  std::vector<Alert> out;
  for (;;) {
    auto row = st->step();
    if (!row) return row.error();
    if (!*row) break;
    Alert a;
    a.id = st->text_at(0);
    a.type = st->text_at(1);
    a.severity = enum_at(*st, 2, Severity::kCritical);
    a.message = st->text_at(3);
    a.value = st->double_at(4);
    a.threshold = st->double_at(5);
    a.timestamp = st->int_at(6);
    a.active = st->int_at(7) != 0;
    out.push_back(std::move(a));
  }
  return out;
}

base::Result<std::optional<std::string>> SessionStore::report_json(int64_t id) {
  auto st = db_->prepare("SELECT json FROM reports WHERE session_id = ?1");
  if (!st) return st.error();
  st->bind(1, id);
  auto row = st->step();
  if (!row) return row.error();
  if (!*row) return std::optional<std::string>();
  return std::optional<std::string>(st->text_at(0));
}

}  // namespace memlens::storage
