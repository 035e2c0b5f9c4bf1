// SessionStore's writing half: sessions and one transaction per RecordBatch.
#include <fmt/format.h>

#include "storage/session_store.h"
#include "storage/text_columns.h"

namespace memlens::storage {
namespace {

constexpr const char* kInsertSnapshot =
    "INSERT OR REPLACE INTO snapshots (session_id, ts, rss, heap_total, heap_used, heap_source,"
    " pss, swap, vm_size, vm_hwm, rss_anon, rss_file, rss_shmem, threads, fd_total, fd_file,"
    " fd_tcp, fd_udp, fd_unix, fd_socket, fd_pipe, fd_anon, fd_other, cg_current, cg_max,"
    " cg_high, cg_max_events, cg_oom, cg_oom_kill, mem_available, agent_live, agent_dropped,"
    " capture_us, full_pass) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,"
    "?17,?18,?19,?20,?21,?22,?23,?24,?25,?26,?27,?28,?29,?30,?31,?32,?33,?34)";

// Zero is the common value of most optional figures; NULL stores it in the row header alone.
std::optional<int64_t> nz(uint64_t v) {
  return v ? std::optional<int64_t>(static_cast<int64_t>(v)) : std::nullopt;
}

void bind_snapshot(Statement& st, int64_t session, const Snapshot& s) {
  st.bind(1, session);
  st.bind(2, s.timestamp);
  st.bind(3, s.rss);
  st.bind(4, s.heap_total);
  st.bind(5, s.heap_used);
  st.bind(6, static_cast<int>(s.heap_source));
  st.bind(7, nz(s.pss));
  st.bind(8, nz(s.swap));
  st.bind(9, nz(s.vm_size));
  st.bind(10, nz(s.vm_hwm));
  st.bind(11, nz(s.rss_anon));
  st.bind(12, nz(s.rss_file));
  st.bind(13, nz(s.rss_shmem));
  st.bind(14, nz(s.threads));
  st.bind(15, static_cast<int64_t>(s.descriptors.total));
  if (s.descriptors.classified) {
    for (int k = 0; k < kDescriptorKindCount; ++k)
      st.bind(16 + k, static_cast<int64_t>(s.descriptors.by_kind[k]));
  }
  if (s.cgroup) {
    st.bind(24, s.cgroup->current);
    if (s.cgroup->max) st.bind(25, *s.cgroup->max);
    st.bind(26, nz(s.cgroup->events_high));
    st.bind(27, nz(s.cgroup->events_max));
    st.bind(28, nz(s.cgroup->events_oom));
    st.bind(29, nz(s.cgroup->events_oom_kill));
  }
  st.bind(30, nz(s.mem_available));
  st.bind(31, nz(s.agent_live_allocations));
  st.bind(32, nz(s.agent_dropped_events));
  st.bind(33, nz(s.capture_us));
  st.bind(34, s.full_pass ? std::optional<int64_t>(1) : std::nullopt);
}

struct Statements {
  Statement snapshot, detail, site, site_sample, leak, pattern, alert, report, touch;
};

base::Result<Statements> prepare_all(SqliteDb& db) {
  auto p = [&](const char* sql) { return db.prepare(sql); };
  auto snapshot = p(kInsertSnapshot);
  auto detail =
      p("INSERT OR REPLACE INTO snapshot_detail (session_id, ts, heap, stack, anonymous, file,"
        " shared, special, mapping_count, smaps_ts, files, descriptors)"
        " VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12)");
  auto site =
      p("INSERT OR IGNORE INTO sites (session_id, site_id, buffer_type, first_seen, stack, frames)"
        " VALUES (?1,?2,?3,?4,?5,?6)");
  auto site_sample =
      p("INSERT OR REPLACE INTO site_samples (session_id, site_id, ts, live_bytes, live_count,"
        " allocations, frees, allocated_bytes, oldest_live, age0, age1, age2, age3)"
        " VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13)");
  auto leak =
      p("INSERT OR REPLACE INTO leaks (session_id, leak_id, ts, source, type, severity,"
        " estimated_size, growth_rate, evidence, recommendation, stack_trace, first_detected)"
        " VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12)");
  auto pattern =
      p("INSERT OR REPLACE INTO patterns (session_id, ts, metric, type, severity, growth_rate,"
        " total_growth, confidence, recommendation, window_start, window_end, points)"
        " VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12)");
  auto alert =
      p("INSERT OR REPLACE INTO alerts (session_id, ts, alert_id, type, severity, message, value,"
        " threshold, active) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9)");
  auto report = p("INSERT OR REPLACE INTO reports (session_id, ts, json) VALUES (?1,?2,?3)");
  auto touch = p("UPDATE sessions SET last_ts = MAX(COALESCE(last_ts, 0), ?2) WHERE id = ?1");
  for (auto* r :
       {&snapshot, &detail, &site, &site_sample, &leak, &pattern, &alert, &report, &touch})
    if (!*r) return r->error();
  return Statements{std::move(*snapshot),    std::move(*detail), std::move(*site),
                    std::move(*site_sample), std::move(*leak),   std::move(*pattern),
                    std::move(*alert),       std::move(*report), std::move(*touch)};
}

}  // namespace

base::Result<int64_t> SessionStore::begin_session(const SessionStart& start) {
  auto st = db_->prepare(
      "INSERT INTO sessions (pid, command, started_at, interval_ms, agent, config)"
      " VALUES (?1,?2,?3,?4,?5,?6)");
  if (!st) return st.error();
  st->bind(1, start.pid);
  st->bind(2, start.command);
  st->bind(3, start.started_at);
  st->bind(4, start.interval_ms);
  st->bind(5, start.agent ? 1 : 0);
  st->bind(6, start.config_json.empty() ? std::string("{}") : start.config_json);
  if (auto s = st->run(); !s) return s.error();
  int64_t id = sqlite3_last_insert_rowid(db_->handle());
  cache_[id] = {};
  return id;
}

base::Status SessionStore::end_session(int64_t session_id, int64_t ended_at) {
  auto st = db_->prepare("UPDATE sessions SET ended_at = ?2 WHERE id = ?1");
  if (!st) return st.error();
  st->bind(1, session_id);
  st->bind(2, ended_at);
  return st->run();
}

base::Status SessionStore::append(int64_t session_id, const RecordBatch& batch) {
  if (batch.empty()) return {};
  if (auto s = db_->exec("BEGIN IMMEDIATE"); !s) return s;
  base::Status s = write_batch(session_id, batch);
  if (s) s = db_->exec("COMMIT");
  if (!s) {
    (void)db_->exec("ROLLBACK");
    // The change-detection cache may describe rows that were rolled back: forget it, so the
    // retry writes every site and detail again (INSERT OR REPLACE makes that harmless).
    cache_.erase(session_id);
    return base::Error{fmt::format("writing to {} failed: {}", path(), s.error().message),
                       s.error().code};
  }
  return {};
}

base::Status SessionStore::write_batch(int64_t session_id, const RecordBatch& batch) {
  auto prepared = prepare_all(*db_);
  if (!prepared) return prepared.error();
  Statements& st = *prepared;
  SessionCache& cache = cache_[session_id];
  int64_t last_ts = 0;

  for (const Snapshot& s : batch.snapshots) {
    bind_snapshot(st.snapshot, session_id, s);
    if (auto r = st.snapshot.run(); !r) return r;
    last_ts = std::max(last_ts, s.timestamp);
    if (!s.full_pass || !s.detail) continue;
    const SnapshotDetail& d = *s.detail;
    std::string files = encode_files(d.files);
    std::string descriptors = encode_descriptor_groups(d.descriptors);
    st.detail.bind(1, session_id);
    st.detail.bind(2, s.timestamp);
    st.detail.bind(3, d.breakdown.heap);
    st.detail.bind(4, d.breakdown.stack);
    st.detail.bind(5, d.breakdown.anonymous);
    st.detail.bind(6, d.breakdown.file);
    st.detail.bind(7, d.breakdown.shared);
    st.detail.bind(8, d.breakdown.special);
    st.detail.bind(9, static_cast<int64_t>(d.breakdown.mapping_count));
    st.detail.bind(10, d.smaps_timestamp_ms);
    // NULL means "same as the previous detail row": a steady process's lists cost nothing.
    if (files != cache.files) st.detail.bind(11, files);
    if (descriptors != cache.descriptors) st.detail.bind(12, descriptors);
    if (auto r = st.detail.run(); !r) return r;
    cache.files = std::move(files);
    cache.descriptors = std::move(descriptors);
  }

  int64_t site_ts = last_ts ? last_ts : batch.report_ts;
  for (const SymbolizedSite& site : batch.sites) {
    const SiteSample& x = site.sample;
    auto [it, is_new] = cache.sites.try_emplace(x.site_id);
    if (is_new) {
      st.site.bind(1, session_id);
      st.site.bind(2, x.site_id);
      st.site.bind(3, static_cast<int>(x.buffer_type));
      st.site.bind(4, x.first_seen);
      st.site.bind(5, frames_to_text(site.frames));
      st.site.bind(6, encode_frames(site.frames));
      if (auto r = st.site.run(); !r) return r;
    } else if (it->second.live_bytes == x.live_bytes && it->second.live_count == x.live_count &&
               it->second.allocations == x.allocations && it->second.frees == x.frees) {
      continue;
    }
    it->second = {x.live_bytes, x.live_count, x.allocations, x.frees};
    st.site_sample.bind(1, session_id);
    st.site_sample.bind(2, x.site_id);
    st.site_sample.bind(3, x.last_seen && !site_ts ? x.last_seen : site_ts);
    st.site_sample.bind(4, x.live_bytes);
    st.site_sample.bind(5, x.live_count);
    st.site_sample.bind(6, x.allocations);
    st.site_sample.bind(7, x.frees);
    st.site_sample.bind(8, x.allocated_bytes);
    st.site_sample.bind(9, x.oldest_live ? std::optional<int64_t>(x.oldest_live) : std::nullopt);
    for (int b = 0; b < kAgeBuckets; ++b) st.site_sample.bind(10 + b, nz(x.live_by_age[b]));
    if (auto r = st.site_sample.run(); !r) return r;
  }

  for (const Leak& l : batch.leaks) {
    st.leak.bind(1, session_id);
    st.leak.bind(2, l.id);
    st.leak.bind(3, last_ts ? last_ts : l.first_detected);
    st.leak.bind(4, l.source);
    st.leak.bind(5, static_cast<int>(l.type));
    st.leak.bind(6, static_cast<int>(l.severity));
    st.leak.bind(7, l.estimated_size);
    st.leak.bind(8, l.growth_rate);
    st.leak.bind(9, encode_strings(l.evidence));
    st.leak.bind(10, l.recommendation);
    st.leak.bind(11, l.stack_trace);
    st.leak.bind(12, l.first_detected);
    if (auto r = st.leak.run(); !r) return r;
  }
  for (const GrowthPattern& p : batch.patterns) {
    st.pattern.bind(1, session_id);
    st.pattern.bind(2, p.window_end ? p.window_end : last_ts);
    st.pattern.bind(3, p.metric);
    st.pattern.bind(4, static_cast<int>(p.type));
    st.pattern.bind(5, static_cast<int>(p.severity));
    st.pattern.bind(6, p.growth_rate);
    st.pattern.bind(7, p.total_growth);
    st.pattern.bind(8, p.confidence);
    st.pattern.bind(9, p.recommendation);
    st.pattern.bind(10, p.window_start);
    st.pattern.bind(11, p.window_end);
    st.pattern.bind(12, static_cast<int64_t>(p.points));
    if (auto r = st.pattern.run(); !r) return r;
  }
  for (const Alert& a : batch.alerts) {
    st.alert.bind(1, session_id);
    st.alert.bind(2, a.timestamp);
    st.alert.bind(3, a.id);
    st.alert.bind(4, a.type);
    st.alert.bind(5, static_cast<int>(a.severity));
    st.alert.bind(6, a.message);
    st.alert.bind(7, a.value);
    st.alert.bind(8, a.threshold);
    st.alert.bind(9, a.active ? 1 : 0);
    if (auto r = st.alert.run(); !r) return r;
  }
  if (batch.report_json) {
    st.report.bind(1, session_id);
    st.report.bind(2, batch.report_ts);
    st.report.bind(3, *batch.report_json);
    if (auto r = st.report.run(); !r) return r;
  }
  if (!last_ts) return {};
  st.touch.bind(1, session_id);
  st.touch.bind(2, last_ts);
  return st.touch.run();
}

}  // namespace memlens::storage
