// SessionStore round trips: what is appended is what is read back, sites and details are
// written only when they change, and the offline readers see a killed session's data.
#include <gtest/gtest.h>

#include "storage/schema.h"
#include "storage/session_store.h"
#include "store_test_support.h"

namespace memlens::storage {
namespace {

using testing::make_site;
using testing::make_snapshot;
using testing::options_for;
using testing::ScratchDir;

std::unique_ptr<SessionStore> open_store(const std::string& dir) {
  auto store = SessionStore::open(options_for(dir));
  EXPECT_TRUE(store) << store.error().message;
  return store ? std::move(*store) : nullptr;
}

TEST(SessionStore, CreatesWalDatabaseWithCurrentSchema) {
  ScratchDir dir;
  auto store = open_store(dir.sub("store"));
  ASSERT_TRUE(store);
  EXPECT_EQ(store->path(), dir.sub("store") + "/memlens.db");
  EXPECT_EQ(*store->db().query_int("PRAGMA user_version"), kSchemaVersion);
  EXPECT_EQ(*store->db().query_int("PRAGMA application_id"), kApplicationId);
  auto st = store->db().prepare("PRAGMA journal_mode");
  ASSERT_TRUE(st);
  ASSERT_TRUE(*st->step());
  EXPECT_EQ(st->text_at(0), "wal");
}

TEST(SessionStore, SnapshotsRoundTripWithDetailsCarriedForward) {
  ScratchDir dir;
  auto store = open_store(dir.path());
  ASSERT_TRUE(store);
  auto id = store->begin_session({4242, "./server --port 1", 1000, 5000, true, R"({"a":1})"});
  ASSERT_TRUE(id) << id.error().message;

  RecordBatch batch;
  batch.snapshots.push_back(make_snapshot(1000, 10 << 20, /*full_pass=*/true));
  batch.snapshots.push_back(make_snapshot(6000, 11 << 20));
  auto third = make_snapshot(11000, 12 << 20, true);
  third.cgroup = CgroupMemory{5 << 20, 100 << 20, 0, 0, 1, 0};
  batch.snapshots.push_back(third);
  ASSERT_TRUE(store->append(*id, batch));

  auto snaps = store->snapshots(*id);
  ASSERT_TRUE(snaps) << snaps.error().message;
  ASSERT_EQ(snaps->size(), 3u);
  const Snapshot& a = (*snaps)[0];
  const Snapshot expect = make_snapshot(1000, 10 << 20, true);
  EXPECT_EQ(a.timestamp, 1000);
  EXPECT_EQ(a.rss, expect.rss);
  EXPECT_EQ(a.heap_total, expect.heap_total);
  EXPECT_EQ(a.heap_used, expect.heap_used);
  EXPECT_EQ(a.external, expect.external);
  EXPECT_EQ(a.heap_source, HeapSource::kAgent);
  EXPECT_EQ(a.pss, expect.pss);
  EXPECT_EQ(a.threads, 3u);
  EXPECT_TRUE(a.descriptors.classified);
  EXPECT_EQ(a.descriptors[DescriptorKind::kTcp], 2u);
  EXPECT_EQ(a.descriptors.total, 7u);
  EXPECT_TRUE(a.full_pass);
  ASSERT_TRUE(a.detail);
  ASSERT_EQ(a.detail->files.size(), 1u);
  EXPECT_EQ(a.detail->files[0].path, "/usr/lib/libc.so.6");
  EXPECT_TRUE(a.detail->files[0].executable);
  ASSERT_EQ(a.detail->descriptors.size(), 1u);
  EXPECT_EQ(a.detail->descriptors[0].target, "TCP 127.0.0.1:5432");
  // The second snapshot had no pass of its own: it shares the first one's detail.
  EXPECT_EQ((*snaps)[1].detail, a.detail);
  EXPECT_FALSE((*snaps)[1].cgroup);
  // The third pass stored NULL lists (unchanged) but reads back the carried lists.
  ASSERT_TRUE((*snaps)[2].detail);
  EXPECT_EQ((*snaps)[2].detail->files.size(), 1u);
  ASSERT_TRUE((*snaps)[2].cgroup);
  EXPECT_EQ(*(*snaps)[2].cgroup->max, 100u << 20);
  EXPECT_EQ(*store->db().query_int("SELECT COUNT(*) FROM snapshot_detail WHERE files IS NULL"), 1);

  auto range = store->snapshots(*id, 5000, 7000);
  ASSERT_TRUE(range);
  ASSERT_EQ(range->size(), 1u);
  EXPECT_EQ((*range)[0].timestamp, 6000);
  ASSERT_TRUE((*range)[0].detail);  // the detail from before the range still applies

  auto info = store->session(*id);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->pid, 4242);
  EXPECT_EQ(info->command, "./server --port 1");
  EXPECT_EQ(info->snapshot_count, 3);
  EXPECT_EQ(info->last_ts, 11000);
  EXPECT_EQ(info->ended_at, 0);
  EXPECT_EQ(info->duration_ms(), 10000);
  EXPECT_TRUE(info->agent);
  EXPECT_EQ(info->config_json, R"({"a":1})");
  ASSERT_TRUE(store->end_session(*id, 20000));
  EXPECT_EQ(store->session(*id)->duration_ms(), 19000);
}

TEST(SessionStore, SitesWriteStackOnceAndSamplesOnlyOnChange) {
  ScratchDir dir;
  auto store = open_store(dir.path());
  ASSERT_TRUE(store);
  int64_t id = *store->begin_session({1, "t", 0, 1000, true, ""});
  for (int i = 0; i < 5; ++i) {
    RecordBatch b;
    b.snapshots.push_back(make_snapshot(1000 * (i + 1), 1 << 20));
    b.sites.push_back(make_site(7, 4096 * (i + 1), 10 * (i + 1)));  // grows every interval
    b.sites.push_back(make_site(8, 100, 1));                        // never changes
    ASSERT_TRUE(store->append(id, b));
  }
  EXPECT_EQ(*store->db().query_int("SELECT COUNT(*) FROM sites"), 2);
  EXPECT_EQ(*store->db().query_int("SELECT COUNT(*) FROM site_samples WHERE site_id = 7"), 5);
  EXPECT_EQ(*store->db().query_int("SELECT COUNT(*) FROM site_samples WHERE site_id = 8"), 1);

  auto sites = store->sites(id);
  ASSERT_TRUE(sites) << sites.error().message;
  ASSERT_EQ(sites->size(), 2u);
  const SymbolizedSite& top = (*sites)[0];  // ordered by live bytes
  EXPECT_EQ(top.sample.site_id, 7u);
  EXPECT_EQ(top.sample.live_bytes, 5u * 4096);
  EXPECT_EQ(top.sample.buffer_type, BufferType::kNew);
  EXPECT_EQ(top.sample.live_by_age[3], 4u);
  ASSERT_EQ(top.frames.size(), 2u);
  EXPECT_EQ(top.frames[0].function, "Cache::insert(std::string const&)");
  EXPECT_EQ(top.frames[0].line, 212);
  // What replay needs to type a leak (the program's own code → buffer_leak, not native_module).
  EXPECT_TRUE(top.frames[0].in_executable);
  EXPECT_EQ(top.frames[0].module_offset, 0x1000u + 7);

  auto earlier = store->sites(id, 2000);  // as of the second interval
  ASSERT_TRUE(earlier);
  EXPECT_EQ((*earlier)[0].sample.live_bytes, 2u * 4096);
  auto history = store->site_history(id, 7);
  ASSERT_TRUE(history);
  ASSERT_EQ(history->size(), 5u);
  EXPECT_EQ(history->back().allocations, 50u);
}

TEST(SessionStore, LeaksPatternsAlertsAndReportRoundTrip) {
  ScratchDir dir;
  auto store = open_store(dir.path());
  ASSERT_TRUE(store);
  int64_t id = *store->begin_session({1, "t", 0, 1000, false, ""});
  RecordBatch b;
  Leak leak;
  leak.id = "site:7";
  leak.source = "Cache::insert (src/cache.cpp:212)";
  leak.type = LeakType::kBufferLeak;
  leak.severity = Severity::kHigh;
  leak.estimated_size = 60 << 20;
  leak.growth_rate = 1.5e6;
  leak.evidence = {"live bytes grew 60 MB in 5 min", "no frees for 300 s"};
  leak.recommendation = "bound the cache";
  leak.first_detected = 5000;
  b.leaks.push_back(leak);
  GrowthPattern p;
  p.metric = "rss";
  p.type = PatternType::kLinear;
  p.severity = Severity::kMedium;
  p.growth_rate = 0.2;
  p.confidence = 0.94;
  p.window_end = 5000;
  p.points = 60;
  b.patterns.push_back(p);
  Alert a;
  a.id = "alert-1";
  a.type = "rssMB";
  a.severity = Severity::kCritical;
  a.message = "RSS 240 MB over 150 MB";
  a.value = 240;
  a.threshold = 150;
  a.timestamp = 5000;
  b.alerts.push_back(a);
  b.report_json = R"({"summary":{"totalSnapshots":1}})";
  b.report_ts = 5000;
  ASSERT_TRUE(store->append(id, b));

  // The same leak again with a higher severity replaces the first row.
  RecordBatch b2;
  leak.severity = Severity::kCritical;
  b2.leaks.push_back(leak);
  ASSERT_TRUE(store->append(id, b2));

  auto leaks = store->leaks(id);
  ASSERT_TRUE(leaks);
  ASSERT_EQ(leaks->size(), 1u);
  EXPECT_EQ((*leaks)[0].severity, Severity::kCritical);
  EXPECT_EQ((*leaks)[0].type, LeakType::kBufferLeak);
  EXPECT_EQ((*leaks)[0].evidence, leak.evidence);
  EXPECT_EQ((*leaks)[0].estimated_size, 60u << 20);
  auto patterns = store->patterns(id);
  ASSERT_TRUE(patterns);
  ASSERT_EQ(patterns->size(), 1u);
  EXPECT_EQ((*patterns)[0].type, PatternType::kLinear);
  EXPECT_DOUBLE_EQ((*patterns)[0].confidence, 0.94);
  auto alerts = store->alerts(id);
  ASSERT_TRUE(alerts);
  ASSERT_EQ(alerts->size(), 1u);
  EXPECT_EQ((*alerts)[0].message, a.message);
  EXPECT_EQ((*alerts)[0].severity, Severity::kCritical);
  auto report = store->report_json(id);
  ASSERT_TRUE(report);
  ASSERT_TRUE(report->has_value());
  EXPECT_EQ(**report, *b.report_json);
  auto info = store->session(id);
  EXPECT_EQ(info->leak_count, 1);
  EXPECT_EQ(info->alert_count, 1);

  auto exported = store->export_json(id);
  ASSERT_TRUE(exported) << exported.error().message;
  EXPECT_NE(exported->find("\"Cache::insert (src/cache.cpp:212)\""), std::string::npos);
  EXPECT_NE(exported->find("\"totalSnapshots\""), std::string::npos);
}

TEST(SessionStore, OpenExistingReadsWhileAWriterHoldsTheFile) {
  ScratchDir dir;
  auto writer = open_store(dir.path());
  ASSERT_TRUE(writer);
  int64_t id = *writer->begin_session({9, "w", 0, 1000, false, ""});
  RecordBatch b;
  b.snapshots.push_back(make_snapshot(1000, 1 << 20));
  ASSERT_TRUE(writer->append(id, b));

  auto reader = SessionStore::open_existing(dir.path());  // a directory
  ASSERT_TRUE(reader) << reader.error().message;
  auto list = (*reader)->sessions();
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].snapshot_count, 1);
  auto by_file = SessionStore::open_existing(dir.path() + "/memlens.db");
  EXPECT_TRUE(by_file) << by_file.error().message;
  auto missing = SessionStore::open_existing(dir.sub("nowhere"));
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("no memlens store"), std::string::npos);
}

TEST(SessionStore, UnknownSessionIsAnError) {
  ScratchDir dir;
  auto store = open_store(dir.path());
  ASSERT_TRUE(store);
  auto info = store->session(99);
  ASSERT_FALSE(info);
  EXPECT_NE(info.error().message.find("no session 99"), std::string::npos);
}

}  // namespace
}  // namespace memlens::storage
